"""Generated bad input (Hypothesis): malformed scenarios, profile CSVs, ``extends`` chains.

Every example starts from a small valid scenario (two channels, a BT stage, callbacks, a handler
group on shifts with a break, a surge; sometimes call types, THRIVE, dispatch and officers;
sometimes a daily or weekly profile CSV; sometimes split over an ``extends`` chain of files)
and breaks it: deleted keys and sections, values of the wrong type, negative, NaN, infinite and
huge numbers, impossible shifts, unknown distributions, unknown keys, empty files, bytes that
are not UTF-8, UTF-16 and UTF-32, truncated and garbled TOML, broken profile CSVs (empty, wrong
header or columns, negative or NaN weights, missing and repeated rows, binary junk, a field
longer than the csv module allows), ``extends`` to a missing file, a folder, a broken file, and
cycles of one to three files; and ``--set`` overrides of any text.

It then runs ``controlroom-sim run FILE --out DIR`` in this process and checks the error
standard (tests/input/test_bad_input.py):

* input that is sure to be wrong (the schema rejects it, or its bytes cannot be a scenario)
  exits with status 2; input that may happen to be valid (a truncated file, a huge number)
  exits with 0 or 2;
* with 2: exactly one line on stderr, ``error: <file>: <key path>: ...``, where ``<file>`` is a
  file of the scenario: the one that holds the top-level section the key path is in (so a
  mistake in a base file names the base), the key path belongs to what was broken, nothing on
  stdout, no output folder;
* with 0: the run finished, wrote its folder and said nothing on stderr;
* never a traceback, never an internal error.

A scenario that the mutations leave valid is tiny (under a hundred calls), and ``--max-calls``
keeps a huge number from starting a long run: the size guard refuses it with one line naming
the file. The default suite generates 1,600 cases (700 scenario data, 250 bytes, 250 profile
CSVs, 200 extends, 200 --set; about 40 s on two cores); ``-m slow`` runs
``test_everything_many_cases`` on 6,000 more.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import io
import itertools
import json
import math
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from controlroom_sim.cli import main as cli
from controlroom_sim.config.distributions import DIST_NAMES
from controlroom_sim.config.schema import KeyedError, Scenario
from controlroom_sim.config.vocabulary import WEEKDAYS
from tests.helpers.cli import few_replications_stderr

COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

MAX_CALLS = "20000"
"""``--max-calls`` of every run: a mutation that makes the scenario big is refused, not run."""
TIME_LIMIT_S = 60.0
"""No example may take longer (a hang would otherwise stall the suite)."""

# -- the valid starting points ------------------------------------------------------------------

CALL_SIDE: dict[str, Any] = {
    "scenario": {
        "name": "fuzz",
        "description": "generated",
        "days": 0.01,
        "warmup_hours": 0.0,
        "cooldown_hours": 0.0,
        "start_weekday": "monday",
        "replications": 1,
        "seed": 7,
    },
    "channels": {
        "999": {
            "calls_per_day": 200.0,
            "bt_connect_s": {"dist": "lognormal", "mean": 5.0, "sd": 3.0},
            "talk_s": {"dist": "exponential", "mean": 60.0},
            "wrap_s": {"dist": "fixed", "value": 10.0},
            "patience_s": {"dist": "exponential", "mean": 120.0},
            "redial_probability": 0.5,
            "max_redials": 2,
        },
        "101": {
            "calls_per_day": 200.0,
            "talk_s": {"dist": "gamma", "mean": 90.0, "sd": 30.0},
            "wrap_s": {"dist": "empirical", "values": [5.0, 10.0]},
            "patience_s": {"dist": "uniform", "low": 10.0, "high": 300.0},
            "redial_delay_s": {"dist": "triangular", "low": 1.0, "mode": 5.0, "high": 10.0},
            "abandon_to_999_probability": 0.1,
        },
    },
    "callback": {"accept_probability": 0.5, "offer_after_wait_s": 30.0, "max_attempts": 2},
    "handlers": [
        {"name": "desk", "skills": ["999"], "count": 1},
        {
            "name": "contact",
            "skills": ["999", "101"],
            "shifts": [
                {
                    "start": "00:00",
                    "hours": 8.0,
                    "days": "daily",
                    "count": 2,
                    "breaks": [{"after_hours": 2.0, "minutes": 15.0}],
                }
            ],
        },
    ],
    "surges": [{"channels": ["999"], "day": 1, "start": "00:00", "hours": 1.0, "multiplier": 2.0}],
}

DISPATCH_SIDE: dict[str, Any] = {
    "call_types": [
        {"name": "urgent", "share": {"999": 1.0, "101": 0.2}, "risk": {"high": 0.6, "low": 0.4}},
        {"name": "other", "share": {"101": 0.8}, "risk": {"none": 1.0}, "refer_probability": 0.3},
    ],
    "thrive": {"risk_assessment": {"time_s": {"dist": "fixed", "value": 20.0}}},
    "dispatch": {
        "travel_s": {"dist": "lognormal", "mean": 600.0, "sd": 200.0},
        "rural_share": 0.3,
        "rural_travel_s": {"dist": "fixed", "value": 1500.0},
        "on_scene_s": {
            "emergency": {"dist": "fixed", "value": 1200.0},
            "priority": {"dist": "exponential", "mean": 1800.0},
            "scheduled": {"dist": "fixed", "value": 900.0},
        },
        "targets_min": {"emergency": 15.0},
        "divert": True,
        "allocation_s": {"dist": "fixed", "value": 30.0},
        "escalation_per_hour": 0.5,
        "appointments": {"earliest_hours": 0.5, "slot_hours": 1.0, "per_slot": 2},
        "suppression": {"backlog_threshold": 3, "share": 0.5},
        "reassessment": {"every_hours": 0.05},
        "failure_demand": {"after_wait_hours": 0.05, "waiting_probability": 0.3},
    },
    "officers": [
        {"name": "response", "count": 2},
        {"name": "late", "shifts": [{"start": "00:00", "hours": 10.0, "count": 1}]},
    ],
    "dispatchers": [{"name": "radio", "count": 1}],
    "support_workers": [
        {
            "name": "mental health",
            "call_types": ["other"],
            "talk_s": {"dist": "exponential", "mean": 600.0},
            "attendance_probability": 0.2,
            "count": 1,
        }
    ],
}

QUARTERS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)]
PROFILE = "profile.csv"
SCENARIO = "scenario.toml"


def profile_rows(weekly: bool) -> list[list[str]]:
    """A valid profile CSV as rows (header first), busier by day than by night."""
    rows = [["weekday", "start", "weight"] if weekly else ["start", "weight"]]
    for day in WEEKDAYS if weekly else [None]:
        for i, q in enumerate(QUARTERS):
            weight = f"{1.0 + (i // 4 in range(8, 20)):g}"
            rows.append([day, q, weight] if day else [q, weight])
    return rows


def csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(row) + "\n" for row in rows)


@st.composite
def valid_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    """A valid scenario as data, and the text of its profile CSV (None: flat)."""
    data = copy.deepcopy(CALL_SIDE)
    if draw(st.booleans()):
        data.update(copy.deepcopy(DISPATCH_SIDE))
    profile = draw(st.sampled_from([None, "daily", "weekly"]))
    if profile is None:
        return data, None
    data["channels"]["999"]["profile"] = PROFILE
    return data, csv_text(profile_rows(profile == "weekly"))


# -- paths into the data ------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


def dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def walk(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every ``(path, value)`` below ``node`` (tables, lists and values), outermost first."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, (*path, i))


def parent_of(data: Any, path: Path_) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


def set_at(data: Any, path: Path_, value: Any) -> None:
    parent_of(data, path)[path[-1]] = value


def delete_at(data: Any, path: Path_) -> None:
    del parent_of(data, path)[path[-1]]


def schema_rejects(data: dict[str, Any]) -> bool:
    """Whether the schema alone rejects ``data`` (then the command must exit 2)."""
    try:
        Scenario.model_validate(data)
    except ValidationError:
        return True
    return False


# -- mutations of the data ----------------------------------------------------------------------

JUNK: list[Any] = [
    "not a value",
    "",
    "999",
    "daily",
    True,
    False,
    [],
    [1, 2],
    ["x"],
    {"a": 1},
    {},
    0,
    1.5,
    -3,
    datetime.time(7, 0),
    datetime.date(2024, 1, 1),
]


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


NUMBERS: list[Any] = [
    -1,
    -0.5,
    -1e300,
    -(2**63),
    math.nan,
    math.inf,
    -math.inf,
    1e300,
    1e18,
    2**62,
    2**63 - 1,
    10**30,
    1e308,
    0,
    0.0,
    5e-324,
    1e9,
]

BAD_SHIFT: dict[str, list[Any]] = {
    "hours": [25, 24.25, 0, -8.0, 48.0, math.nan],
    "start": ["25:00", "24:00", "07:60", "7", "", "07:00:00", "noon", "-1:00", "07:5", "7:00 "],
    "days": ["someday", ["monday", "funday"], "Monday", [], ["weekends", "daily"], [1]],
    "count": [-1, 1.5, "2"],
    "breaks": [
        [{"after_hours": 9.0, "minutes": 60.0}],
        [{"after_hours": 1.0, "minutes": 0.0}],
        [{"after_hours": -1.0, "minutes": 10.0}],
        [{"minutes": 10.0}],
        [{"after_hours": 7.9, "minutes": 15.0, "spread_hours": 1.0}],
        {"after_hours": 1.0, "minutes": 10.0},
    ],
}

BAD_DIST_NAMES = ["normal", "Exponential", "", "poisson", "weibull", " fixed", "fixed ", 5, True]

UNKNOWN_KEYS = st.one_of(
    st.from_regex(r"zz_[a-z0-9_]{0,8}", fullmatch=True),
    st.sampled_from(["calls_per_dya", "handler", "scenarios", "talk", "skill", "dist_", "Days"]),
)


@dataclass
class Mutated:
    """A scenario after the mutations, and what the error may name."""

    data: dict[str, Any]
    keys: list[str] = field(default_factory=list)
    """Key paths a mutation touched; the error's key path must lie on one of them."""
    notes: list[str] = field(default_factory=list)


@st.composite
def mutate_once(draw: st.DrawFn, m: Mutated) -> None:
    data = m.data
    nodes = [(p, v) for p, v in walk(data) if p]
    kind = draw(
        st.sampled_from(
            ["delete", "wrong type", "number", "shift", "dist", "unknown key", "duplicate name"]
        )
    )
    if kind == "number":
        numbers = [(p, v) for p, v in nodes if kind_of(v) == "number"]
        if not numbers:
            return
        path, _ = draw(st.sampled_from(numbers))
        value = draw(st.sampled_from(NUMBERS))
        set_at(data, path, value)
    elif not nodes:
        return
    elif kind == "wrong type":
        path, old = draw(st.sampled_from(nodes))
        value = draw(st.sampled_from([j for j in JUNK if kind_of(j) != kind_of(old)]))
        set_at(data, path, copy.deepcopy(value))
    elif kind == "delete":
        path, _ = draw(st.sampled_from(nodes))
        delete_at(data, path)
        if isinstance(path[-1], int):  # a list element: what follows it moves up
            path = path[:-1]
    elif kind == "shift":
        shifts = [p for p, v in nodes if p[-2:-1] == ("shifts",) and isinstance(v, dict)]
        if not shifts:
            return
        shift = draw(st.sampled_from(shifts))
        key = draw(st.sampled_from(sorted(BAD_SHIFT)))
        path = (*shift, key)
        set_at(data, path, copy.deepcopy(draw(st.sampled_from(BAD_SHIFT[key]))))
    elif kind == "dist":
        dists = [p for p, v in nodes if isinstance(v, dict) and "dist" in v]
        if not dists:
            return
        path = draw(st.sampled_from(dists))
        table = parent_of(data, (*path, "dist"))
        how = draw(st.sampled_from(["name", "other dist", "drop parameter", "extra parameter"]))
        if how == "name":
            table["dist"] = draw(st.sampled_from(BAD_DIST_NAMES))
        elif how == "other dist":
            table["dist"] = draw(st.sampled_from([d for d in DIST_NAMES if d != table["dist"]]))
        elif how == "drop parameter":
            params = [k for k in table if k != "dist"]
            if params:
                del table[draw(st.sampled_from(params))]
        else:
            table[draw(st.sampled_from(["mean", "sd", "value", "low", "high", "mode", "rate"]))] = (
                1.0
            )
    elif kind == "unknown key":
        tables = [p for p, v in walk(data) if isinstance(v, dict)]
        table = draw(st.sampled_from(tables))
        key = draw(UNKNOWN_KEYS)
        node = data
        for part in table:
            node = node[part]
        if key in node:
            return
        node[key] = draw(st.sampled_from([1, "x", 2.5, True, {"a": 1}]))
        path = (*table, key)
    else:  # two handler groups (or call types, officers) with one name
        groups = [p for p, v in nodes if p[-1:] == ("name",) and len(p) == 3]
        if not groups:
            return
        path = draw(st.sampled_from(groups))
        others = [p for p in groups if p[0] == path[0] and p != path]
        if not others:
            return
        set_at(data, path, parent_of(data, others[0])["name"])
        m.keys.append(dotted(others[0]))
    m.keys.append(dotted(path))
    m.notes.append(f"{kind} at {dotted(path)}")


@st.composite
def mutated_scenarios(draw: st.DrawFn, most: int = 3) -> tuple[Mutated, str | None]:
    data, profile = draw(valid_scenarios())
    m = Mutated(data)
    for _ in range(draw(st.integers(1, most))):
        draw(mutate_once(m))
    return m, profile


# -- running the command ------------------------------------------------------------------------


class TooSlow(BaseException):
    """An example ran past TIME_LIMIT_S (not an Exception: the command must not catch it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TooSlow(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Outcome:
    status: int
    out: str
    err: str
    folder: Path


def run_cli(folder: Path, args: list[str]) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    out_folder = folder / "out"
    argv = [*args, "--out", str(out_folder), "--quiet", "--calls-format", "none"]
    argv += ["--max-calls", MAX_CALLS]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), time_limit(TIME_LIMIT_S):
        status = cli.main(argv)
    return Outcome(status, out.getvalue(), err.getvalue(), out_folder)


def related(found: str, keys: list[str]) -> bool:
    """``found`` lies on one of ``keys``: one is the other or a table above it."""
    for key in keys:
        if found == key or found.startswith(key + ".") or key.startswith(found + "."):
            return True
    return False


def check(
    outcome: Outcome,
    *,
    tmp: Path,
    files: list[str],
    sure: bool,
    where: str | Callable[[str], str | None] | None = None,
    keys: list[str] | None = None,
) -> str | None:
    """The error standard (module docstring). ``files``: the names that may be named;
    ``where``: the one that must be (or a function of the key path giving it); ``keys``: the key
    paths the error's must lie on (ignored for the size guard's refusal). Returns the line."""
    err = outcome.err
    note(f"status {outcome.status}, stderr {err!r}")
    event(f"exit {outcome.status}, {'sure to be wrong' if sure else 'maybe valid'}")
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    if sure:
        assert outcome.status == 2, f"exit status {outcome.status}, stderr {err!r}"
    else:
        assert outcome.status in (0, 2), f"exit status {outcome.status}, stderr {err!r}"
    if outcome.status == 0:
        summary = json.loads((outcome.folder / "summary.json").read_text())
        assert err == few_replications_stderr(summary["replications"]), err
        return None
    assert outcome.out == "", f"stdout on bad input: {outcome.out!r}"
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert not outcome.folder.exists(), "an output folder was left behind"
    line = err[:-1]
    assert line.startswith(f"error: {tmp}/"), line
    rest = line[len(f"error: {tmp}/") :]
    name, sep, detail = rest.partition(": ")
    assert sep and name in files, f"names {name!r}, not one of {files}: {line!r}"
    found = detail.partition(": ")[0]
    if "too large" in found:
        return line  # the size guard: no one key is to blame
    if callable(where):
        where = where(found)
    if where is not None:
        assert name == where, f"names {name!r}, expected {where!r}: {line!r}"
    if keys:
        assert related(found, keys), f"key path {found!r} is none of {keys}: {line!r}"
    return line


def write_files(tmp: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        (tmp / name).write_bytes(content)


def toml_bytes(data: dict[str, Any]) -> bytes:
    return tomli_w.dumps(data).encode("utf-8")


def split_into_chain(
    draw: st.DrawFn, data: dict[str, Any], length: int
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """``data`` over ``length`` files, each extending the one before (the last is
    SCENARIO); every top-level section in one file. Returns the files' data and which file
    holds each section."""
    names = [f"base{i}.toml" for i in range(length - 1)] + [SCENARIO]
    files: dict[str, dict[str, Any]] = {n: {} for n in names}
    holder = {}
    for section, value in data.items():
        name = draw(st.sampled_from(names))
        files[name][section] = value
        holder[section] = name
    for before, name in itertools.pairwise(names):
        files[name] = {"extends": before, **files[name]}
    return files, holder


# -- 1. malformed scenario data -----------------------------------------------------------------


@st.composite
def scenario_cases(draw: st.DrawFn) -> dict[str, Any]:
    m, profile = draw(mutated_scenarios())
    length = draw(st.sampled_from([1, 1, 2, 3]))
    files, holder = split_into_chain(draw, m.data, length)
    return {"mutated": m, "profile": profile, "files": files, "holder": holder}


def run_scenario_case(case: dict[str, Any]) -> None:
    m: Mutated = case["mutated"]
    note("; ".join(m.notes))
    sure = schema_rejects(m.data)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        contents = {n: toml_bytes(d) for n, d in case["files"].items()}
        if case["profile"] is not None:
            contents[PROFILE] = case["profile"].encode()
        write_files(tmp, contents)
        outcome = run_cli(tmp, ["run", str(tmp / SCENARIO)])
        holder = case["holder"]

        def where(found: str) -> str | None:
            if found.startswith("channels.999.profile") or found in ("row", "header"):
                return None  # about the profile CSV (its file or the scenario's)
            return holder.get(found.split(".")[0], SCENARIO)

        check(
            outcome,
            tmp=tmp,
            files=[*case["files"], PROFILE],
            sure=sure,
            where=where,
            keys=m.keys + ([] if not sure else _schema_keys(m.data)),
        )


def _schema_keys(data: dict[str, Any]) -> list[str]:
    """Where the schema reports its errors (dist tags dropped), for whole-model checks that
    name a key other than the one that was broken (a group deleted leaves a channel without
    handlers); a whole-model check may name any of the keys it is about (the one set last)."""
    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        out = []
        for error in exc.errors(include_url=False):
            loc = [str(p) for p in error["loc"] if str(p) not in DIST_NAMES]
            keyed = (error.get("ctx") or {}).get("error")
            if isinstance(keyed, KeyedError):
                out.extend(".".join([*loc, *k.split(".")]) for k in (keyed.key, *keyed.also))
            else:
                out.append(".".join(loc))
        return out
    return []


@settings(max_examples=700, **COMMON)
@given(case=scenario_cases())
def test_malformed_scenario_data(case: dict[str, Any]) -> None:
    """Deleted keys, wrong types, bad numbers, impossible shifts, unknown distributions and
    keys, repeated names: exit 2 with one line naming the file that holds the section and the
    key path; a scenario the mutations left valid runs."""
    run_scenario_case(case)


# -- 2. malformed bytes -------------------------------------------------------------------------

NOT_UTF8 = [b"\xff", b"\xc3\x28", b"\x80", b"\xe9", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]
JUNK_LINES = [
    "[[",
    "= 5",
    "a =",
    "key = 'unterminated",
    '[channels."999"',
    "handlers = 5 6",
    "[scenario",
    "x = [1, 2",
    'y = """',
    "\x00",
    "\x07 = 1",
    "07:00 = start",
]


@st.composite
def byte_cases(draw: st.DrawFn) -> dict[str, Any]:
    data, profile = draw(valid_scenarios())
    text = tomli_w.dumps(data)
    lines = text.splitlines(keepends=True)
    how = draw(
        st.sampled_from(
            [
                "empty",
                "blank",
                "not utf-8",
                "utf-16",
                "utf-32",
                "utf-16 no bom",
                "utf-8 bom",
                "truncated",
                "junk line",
                "random line",
                "duplicate line",
                "random bytes",
            ]
        )
    )
    sure = True
    if how == "empty":
        raw = b""
    elif how == "blank":
        raw = draw(st.sampled_from([b"\n\n", b"   \t\n", b"# only a comment\n", b"\r\n"]))
    elif how == "not utf-8":
        at = draw(st.integers(0, len(text)))
        raw = text[:at].encode() + draw(st.sampled_from(NOT_UTF8)) + text[at:].encode()
    elif how == "utf-16":
        raw = text.encode("utf-16")
    elif how == "utf-32":
        raw = text.encode("utf-32")
    elif how == "utf-16 no bom":
        raw = text.encode(draw(st.sampled_from(["utf-16-le", "utf-16-be"])))
    elif how == "utf-8 bom":
        raw, sure = b"\xef\xbb\xbf" + text.encode(), False
    elif how == "truncated":
        raw, sure = text[: draw(st.integers(0, len(text) - 1))].encode(), False
    elif how == "junk line":
        at = draw(st.integers(0, len(lines)))
        junk = draw(st.sampled_from(JUNK_LINES)) + "\n"
        raw = "".join([*lines[:at], junk, *lines[at:]]).encode()
    elif how == "random line":
        at = draw(st.integers(0, len(lines)))
        junk = draw(st.text(max_size=30)) + "\n"
        raw, sure = (
            "".join([*lines[:at], junk, *lines[at:]]).encode("utf-8", "surrogatepass"),
            False,
        )
    elif how == "duplicate line":
        # statements only: a repeated element of a multi-line array is another element
        candidates = [ln for ln in lines if ("=" in ln or ln.startswith("[")) and ln[0] != " "]
        line = draw(st.sampled_from(candidates))
        at = draw(st.integers(0, len(lines)))
        raw = "".join([*lines[:at], line, *lines[at:]]).encode()
        # a repeated [[array]] header only adds an element (which may be valid)
        sure = not line.startswith("[[")
    else:
        raw, sure = draw(st.binary(max_size=200)), False
    return {"raw": raw, "how": how, "sure": sure, "profile": profile}


@settings(max_examples=250, **COMMON)
@given(case=byte_cases())
def test_malformed_bytes(case: dict[str, Any]) -> None:
    """Empty and blank files, encodings other than UTF-8, truncated and garbled TOML, random
    bytes: exit 2 with one line naming the file (a UTF-8 byte-order mark is accepted)."""
    note(case["how"])
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        files = {SCENARIO: case["raw"]}
        if case["profile"] is not None:
            files[PROFILE] = case["profile"].encode()
        write_files(tmp, files)
        outcome = run_cli(tmp, ["run", str(tmp / SCENARIO)])
        check(outcome, tmp=tmp, files=[SCENARIO, PROFILE], sure=case["sure"])


# -- 3. malformed profile CSVs ------------------------------------------------------------------


@st.composite
def profile_cases(draw: st.DrawFn) -> dict[str, Any]:
    weekly = draw(st.booleans())
    rows = profile_rows(weekly)
    data = copy.deepcopy(CALL_SIDE)
    data["channels"]["999"]["profile"] = PROFILE
    how = draw(
        st.sampled_from(
            [
                "empty",
                "header",
                "no header",
                "columns",
                "weight",
                "all zero",
                "start",
                "weekday",
                "missing rows",
                "repeated row",
                "extra rows",
                "binary",
                "not utf-8",
                "utf-16",
                "huge field",
                "blank lines",
                "bom",
                "huge weight",
                "missing file",
                "folder",
                "random",
            ]
        )
    )
    body = rows[1:]
    sure, text, raw = True, None, None
    where: str | None = PROFILE
    keys: list[str] | None = None
    if how == "empty":
        raw = draw(st.sampled_from([b"", b"\n", b" , \n"]))
    elif how == "header":
        header = draw(
            st.sampled_from([["day", "time", "weight"], ["start", "wt"], ["weight"], ["a", "b"]])
        )
        text = csv_text([header, *body])
    elif how == "no header":
        text = csv_text(body)
    elif how == "columns":
        i = draw(st.integers(0, len(body) - 1))
        # (an empty row is skipped, which leaves one row missing)
        body[i] = draw(st.sampled_from([body[i][:-1], [*body[i], "1"], []]))
        text = csv_text([rows[0], *body])
    elif how == "weight":
        i = draw(st.integers(0, len(body) - 1))
        body[i][-1] = draw(st.sampled_from(["-1", "nan", "NaN", "inf", "-inf", "abc", "", "1e309"]))
        text = csv_text([rows[0], *body])
    elif how == "all zero":
        text = csv_text([rows[0], *([*r[:-1], "0"] for r in body)])
    elif how == "start":
        i = draw(st.integers(0, len(body) - 1))
        body[i][-2] = draw(st.sampled_from(["00:07", "24:00", "7", "", "noon", "12:60", "1:5"]))
        text = csv_text([rows[0], *body])
    elif how == "weekday":
        if not weekly:
            return draw(profile_cases())
        i = draw(st.integers(0, len(body) - 1))
        body[i][0] = draw(st.sampled_from(["funday", "", "mon", "1"]))
        text = csv_text([rows[0], *body])
    elif how == "missing rows":
        n = draw(st.integers(1, 5))
        start = draw(st.integers(0, len(body) - n))
        text = csv_text([rows[0], *body[:start], *body[start + n :]])
    elif how == "repeated row":
        i = draw(st.integers(0, len(body) - 1))
        text = csv_text([rows[0], *body, body[i]])
    elif how == "extra rows":
        text = csv_text([rows[0], *body, *body[: draw(st.integers(1, 4))]])
    elif how == "binary":
        raw = draw(st.binary(min_size=1, max_size=300).filter(lambda b: b.strip(b"\r\n ,")))
        sure = False
    elif how == "not utf-8":
        text_ = csv_text(rows)
        at = draw(st.integers(0, len(text_)))
        raw = text_[:at].encode() + draw(st.sampled_from(NOT_UTF8)) + text_[at:].encode()
    elif how == "utf-16":
        raw = csv_text(rows).encode(draw(st.sampled_from(["utf-16", "utf-32"])))
    elif how == "huge field":
        text = csv_text(rows[:1]) + '"' + "x" * 140_000 + '",1\n' + csv_text(body)
    elif how == "blank lines":
        text, sure = csv_text(rows).replace("\n", "\n\n"), False
    elif how == "bom":
        raw, sure = b"\xef\xbb\xbf" + csv_text(rows).encode(), False
    elif how == "huge weight":
        i = draw(st.integers(0, len(body) - 1))
        body[i][-1] = draw(st.sampled_from(["1e308", "1.7e308", "1e300"]))
        text, sure = csv_text([rows[0], *body]), False
    elif how == "missing file":
        data["channels"]["999"]["profile"] = "no-such-profile.csv"
        where, keys, text = SCENARIO, ["channels.999.profile"], csv_text(rows)
    elif how == "folder":
        data["channels"]["999"]["profile"] = "."
        where, keys, text = SCENARIO, ["channels.999.profile"], csv_text(rows)
    else:
        text, sure, where = draw(st.text(max_size=200)), False, None
    if raw is None:
        raw = (text or "").encode("utf-8", "surrogatepass")
    return {"data": data, "raw": raw, "how": how, "sure": sure, "where": where, "keys": keys}


@settings(max_examples=250, **COMMON)
@given(case=profile_cases())
def test_malformed_profile_csv(case: dict[str, Any]) -> None:
    """Empty, wrong header or columns, bad weights and times, missing or repeated rows, binary
    junk, other encodings, a field too long for the csv module, a missing file or a folder:
    exit 2 with one line naming the CSV (or the scenario and its key for a missing file)."""
    note(case["how"])
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        write_files(tmp, {SCENARIO: toml_bytes(case["data"]), PROFILE: case["raw"]})
        outcome = run_cli(tmp, ["run", str(tmp / SCENARIO)])
        check(
            outcome,
            tmp=tmp,
            files=[SCENARIO, PROFILE],
            sure=case["sure"],
            where=case["where"],
            keys=case["keys"],
        )


# -- 4. extends: missing files, folders, broken bases, chains and cycles ------------------------


@st.composite
def extends_cases(draw: st.DrawFn) -> dict[str, Any]:
    data, profile = draw(valid_scenarios())
    length = draw(st.integers(1, 4))
    files, holder = split_into_chain(draw, data, length)
    names = list(files)
    contents = {n: toml_bytes(d) for n, d in files.items()}
    how = draw(
        st.sampled_from(
            ["valid", "missing", "cycle", "not text", "empty name", "folder", "broken base"]
        )
    )
    sure, where, keys = True, None, ["extends"]
    at = draw(st.sampled_from(names))  # the file whose extends goes wrong
    own = {k: v for k, v in files[at].items() if k != "extends"}
    if how == "valid":
        sure, keys = False, None
    elif how == "missing":
        target = draw(st.sampled_from(["nowhere.toml", "../nowhere.toml", "base9.toml", "a\x00b"]))
        contents[at] = toml_bytes({"extends": target, **own})
        where = at
    elif how == "cycle":
        # at extends itself, or a ring of two or three files that includes it
        ring = [at] + [f"ring{i}.toml" for i in range(draw(st.integers(0, 2)))]
        for this, nxt in zip(ring, [*ring[1:], ring[0]], strict=True):
            body = own if this == at else {}
            contents[this] = toml_bytes({"extends": nxt, **body})
        names = [*names, *ring[1:]]
        where = None  # the file where the ring closes
    elif how == "not text":
        value = draw(st.sampled_from([5, 1.5, True, ["base0.toml"], {"file": "base0.toml"}]))
        contents[at] = toml_bytes({"extends": value, **own})
        where = at
    elif how == "empty name":
        contents[at] = toml_bytes({"extends": "", **own})
        where = at
    elif how == "folder":
        contents[at] = toml_bytes({"extends": draw(st.sampled_from([".", "..", "sub"])), **own})
        where = at
    else:  # the base of ``at`` is not a scenario file
        base = "broken.toml"
        contents[at] = toml_bytes({"extends": base, **own})
        contents[base] = draw(
            st.sampled_from([b"\xff\xfe", b"[[", b"extends = ", "x = 1\n".encode("utf-16")])
        )
        names = [*names, base]
        where, keys = base, None
    del holder  # sections moved with their files; no key path to check beyond extends
    return {
        "contents": contents,
        "names": names,
        "sure": sure,
        "where": where,
        "keys": keys,
        "how": how,
        "profile": profile,
    }


@settings(max_examples=200, **COMMON)
@given(case=extends_cases())
def test_extends_chains_and_cycles(case: dict[str, Any]) -> None:
    """Chains of one to four files run; extends to a missing file, a folder, a file that is
    not a scenario, a value that is not a file name, or round a cycle of one to three files:
    exit 2 with one line naming the file and ``extends``."""
    note(case["how"])
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "sub").mkdir()
        files = dict(case["contents"])
        if case["profile"] is not None:
            files[PROFILE] = case["profile"].encode()
        write_files(tmp, files)
        outcome = run_cli(tmp, ["run", str(tmp / SCENARIO)])
        check(
            outcome,
            tmp=tmp,
            files=[*case["names"], PROFILE],
            sure=case["sure"],
            where=case["where"],
            keys=case["keys"],
        )


# -- 5. --set overrides -------------------------------------------------------------------------

SET_KEYS = st.one_of(
    st.sampled_from(
        [
            "scenario.days",
            "scenario.name",
            "channels.999.calls_per_day",
            "channels.999.talk_s",
            "channels.999.talk_s.mean",
            "channels.101",
            "handlers.0.count",
            "handlers.1.shifts.0.start",
            "handlers.5.count",
            "handlers.x.count",
            "callback",
            "surges.0.multiplier",
            "scenario",
            "scenario.days.x",
            "",
            ".",
            "a..b",
        ]
    ),
    st.text(min_size=1, max_size=20),
)
SET_VALUES = st.one_of(
    st.sampled_from(
        [
            "-1",
            "nan",
            "inf",
            "1e400",
            "1" * 5000,
            "0",
            "[]",
            "{}",
            '"x"',
            "'07:00'",
            "true",
            '{ dist = "normal" }',
            '{ dist = "fixed", value = 1 }',
            "[1, 2",
            "99999999999999999999",
        ]
    ),
    st.text(max_size=20),
)


@settings(max_examples=200, **COMMON)
@given(pairs=st.lists(st.tuples(SET_KEYS, SET_VALUES, st.booleans()), min_size=1, max_size=2))
def test_malformed_set_options(pairs: list[tuple[str, str, bool]]) -> None:
    """Any ``--set KEY=VALUE`` (or one without '='): exit 0 or 2, and with 2 one line naming
    ``--set`` (or a file of the scenario, or the option when the text reads as another)."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        write_files(tmp, {SCENARIO: toml_bytes(CALL_SIDE)})
        args = ["run", str(tmp / SCENARIO)]
        for key, value, with_equals in pairs:
            args += ["--set", f"{key}={value}" if with_equals else f"{key}{value}"]
        outcome = run_cli(tmp, args)
        err = outcome.err
        note(f"status {outcome.status}, stderr {err!r}")
        assert "Traceback" not in err and "internal error" not in err, err
        assert outcome.status in (0, 2), err
        if outcome.status == 2:
            assert outcome.out == ""
            assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
            # (a value starting with '-' reads as an option: argparse's usage error)
            assert err.startswith(
                ("error: --set ", f"error: {tmp}/", "error: controlroom-sim run: argument --set")
            ), err
            assert not outcome.folder.exists()


# -- the slow run: everything, many more cases --------------------------------------------------


@pytest.mark.slow
@settings(max_examples=6000, **COMMON)
@given(
    case=st.one_of(
        scenario_cases().map(lambda c: ("scenario", c)),
        byte_cases().map(lambda c: ("bytes", c)),
        profile_cases().map(lambda c: ("profile", c)),
        extends_cases().map(lambda c: ("extends", c)),
    )
)
def test_everything_many_cases(case: tuple[str, dict[str, Any]]) -> None:
    """Every generator above on many more cases (run with ``-m slow``)."""
    kind, body = case
    if kind == "scenario":
        run_scenario_case(body)
    elif kind == "bytes":
        test_malformed_bytes.hypothesis.inner_test(body)  # type: ignore[attr-defined]
    elif kind == "profile":
        test_malformed_profile_csv.hypothesis.inner_test(body)  # type: ignore[attr-defined]
    else:
        test_extends_chains_and_cycles.hypothesis.inner_test(body)  # type: ignore[attr-defined]


# -- regressions: what the generators found ------------------------------------------------------
#
# Each ended in an internal error (exit 1), a hang, a warning on stderr or a line naming the
# wrong file before the fix in controlroom_sim/loading.py, cli.py or experiment.py.

BASE = toml_bytes(CALL_SIDE)


def run_files(
    tmp_path: Path, files: dict[str, bytes], *extra: str, main: str = SCENARIO
) -> Outcome:
    write_files(tmp_path, {SCENARIO: BASE, **files})
    return run_cli(tmp_path, ["run", str(tmp_path / main), *extra])


def one_line(outcome: Outcome) -> str:
    assert outcome.status == 2, outcome.err
    assert outcome.out == "" and outcome.err.count("\n") == 1, outcome.err
    assert not outcome.folder.exists()
    return outcome.err.rstrip("\n")


def child(text: str) -> bytes:
    return (f'extends = "{SCENARIO}"\n' + text).encode()


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        # gamma: sd ** 2 overflows (OverflowError in the model)
        (
            '[channels.999]\ntalk_s = { dist = "gamma", mean = 1e-200, sd = 1e200 }\n',
            "channels.999.talk_s",
            "finite times",
        ),
        # lognormal: draws NaN
        (
            '[channels.999]\ntalk_s = { dist = "lognormal", mean = 1e-200, sd = 1e200 }\n',
            "channels.999.talk_s",
            "finite times",
        ),
        # a wrap-up near the float limit overflowed the interval table (RuntimeWarning)
        (
            '[channels.999]\nwrap_s = { dist = "fixed", value = 1e308 }\n',
            "channels.999.wrap_s",
            "a mean of at most 1e+12 s",
        ),
        # an integer beyond 64 bits could not be made a float (OverflowError)
        (
            '[[surges]]\nchannels = ["999"]\nday = 1' + "0" * 30 + '\nstart = "00:00"\n'
            "hours = 1.0\nmultiplier = 2.0\n",
            "surges.0.day",
            "from -2**63 to 2**63-1",
        ),
    ],
    ids=["gamma-overflow", "lognormal-nan", "huge-wrap", "int-beyond-64-bits"],
)
def test_numbers_that_cannot_be_simulated_name_their_key(
    tmp_path: Path, text: str, key: str, fragment: str
) -> None:
    outcome = run_files(tmp_path, {"child.toml": child(text)}, main="child.toml")
    line = one_line(outcome)
    assert line.startswith(f"error: {tmp_path / 'child.toml'}: {key}: expected "), line
    assert fragment in line


def test_a_number_of_5000_digits_is_not_valid_toml(tmp_path: Path) -> None:
    """tomllib raises a plain ValueError past Python's 4300-digit limit."""
    text = child("[scenario]\nseed = " + "1" * 5000)
    line = one_line(run_files(tmp_path, {"child.toml": text}, main="child.toml"))
    assert line.startswith(f"error: {tmp_path / 'child.toml'}: not valid TOML: "), line


def test_a_set_value_of_5000_digits_is_text(tmp_path: Path) -> None:
    outcome = run_files(tmp_path, {}, "--set", "scenario.seed=" + "1" * 5000)
    line = one_line(outcome)
    assert line.startswith("error: --set scenario.seed=111"), line
    assert "expected a whole number" in line


def test_a_profile_field_longer_than_the_csv_limit(tmp_path: Path) -> None:
    data = copy.deepcopy(CALL_SIDE)
    data["channels"]["999"]["profile"] = PROFILE
    huge = b'start,weight\n"' + b"x" * 140_000 + b'",1\n'
    write_files(tmp_path, {SCENARIO: toml_bytes(data), PROFILE: huge})
    line = one_line(run_cli(tmp_path, ["run", str(tmp_path / SCENARIO)]))
    assert line.startswith(f"error: {tmp_path / PROFILE}: line 2: not valid CSV (field larger"), (
        line
    )


def test_profile_weights_that_add_up_to_infinity(tmp_path: Path) -> None:
    """Each weight finite, their sum not: the rates became NaN with a RuntimeWarning."""
    data = copy.deepcopy(CALL_SIDE)
    data["channels"]["999"]["profile"] = PROFILE
    rows = profile_rows(False)
    rows[1][-1] = rows[2][-1] = "1.7e308"
    write_files(tmp_path, {SCENARIO: toml_bytes(data), PROFILE: csv_text(rows).encode()})
    line = one_line(run_cli(tmp_path, ["run", str(tmp_path / SCENARIO)]))
    assert line.startswith(f"error: {tmp_path / PROFILE}: weight: expected weights that add up"), (
        line
    )


def test_a_nul_in_a_profile_name(tmp_path: Path) -> None:
    """Resolving the path raised ValueError (embedded null byte)."""
    text = '[channels.999]\nprofile = "a\\u0000b.csv"\n'
    outcome = run_files(tmp_path, {"child.toml": child(text)}, main="child.toml")
    line = one_line(outcome)
    assert line.startswith(f"error: {tmp_path / 'child.toml'}: channels.999.profile: no such"), line


@pytest.mark.parametrize("target", ["", ".", "sub"])
def test_extends_a_folder_names_the_file_and_extends(tmp_path: Path, target: str) -> None:
    """``extends = ""`` named the folder ("cannot be read (Is a directory)"), not the file."""
    (tmp_path / "sub").mkdir()
    outcome = run_files(
        tmp_path, {"child.toml": f'extends = "{target}"\n'.encode()}, main="child.toml"
    )
    line = one_line(outcome)
    assert line.startswith(
        f"error: {tmp_path / 'child.toml'}: extends: expected a scenario file"
    ), line


def test_a_section_missing_from_a_chain_names_the_scenario_file(tmp_path: Path) -> None:
    """No file holds [scenario]: the file run is named, not whichever base came first."""
    data = copy.deepcopy(CALL_SIDE)
    del data["scenario"]
    write_files(
        tmp_path,
        {"base.toml": toml_bytes(data), SCENARIO: b'extends = "base.toml"\n'},
    )
    line = one_line(run_cli(tmp_path, ["run", str(tmp_path / SCENARIO)]))
    assert line.startswith(f"error: {tmp_path / SCENARIO}: scenario: expected this key"), line


def test_a_key_missing_from_an_empty_table_names_the_file_with_the_table(tmp_path: Path) -> None:
    data = copy.deepcopy(CALL_SIDE)
    data["channels"]["999"]["talk_s"] = {}
    write_files(
        tmp_path,
        {"base.toml": toml_bytes(data), SCENARIO: b'extends = "base.toml"\n'},
    )
    line = one_line(run_cli(tmp_path, ["run", str(tmp_path / SCENARIO)]))
    assert line.startswith(f"error: {tmp_path / 'base.toml'}: channels.999.talk_s: "), line


def test_a_utf8_byte_order_mark_is_accepted_and_utf16_is_named(tmp_path: Path) -> None:
    text = tomli_w.dumps(CALL_SIDE)
    outcome = run_files(tmp_path, {SCENARIO: b"\xef\xbb\xbf" + text.encode()})
    assert outcome.status == 0, outcome.err
    other = tmp_path / "utf16"
    other.mkdir()
    line = one_line(run_files(other, {SCENARIO: text.encode("utf-16")}))
    assert line == (
        f"error: {other / SCENARIO}: expected UTF-8 text, found UTF-16 (a byte-order mark); "
        "save the file as UTF-8"
    )


def test_a_very_long_extends_chain_is_one_line(tmp_path: Path) -> None:
    files = {"f0.toml": BASE}
    for i in range(1, 70):
        files[f"f{i}.toml"] = f'extends = "f{i - 1}.toml"\n'.encode()
    write_files(tmp_path, files)
    line = one_line(run_cli(tmp_path, ["run", str(tmp_path / "f69.toml")]))
    assert "extends: expected a chain of at most 64 files" in line


@pytest.mark.parametrize(
    "override",
    [
        "scenario.days=1e306",
        "channels.999.calls_per_day=1e300",
        "dispatch.reassessment.every_hours=5e-324",
    ],
    ids=["endless-horizon", "poisson-lam-too-large", "endless-reviews"],
)
def test_runs_that_would_hang_or_crash_are_refused(tmp_path: Path, override: str) -> None:
    """A horizon of 1e306 days looped for ever, 1e300 calls a day crashed numpy's Poisson
    draw, reviews every 5e-324 hours never let the clock move: the size guard refuses them."""
    data = copy.deepcopy(CALL_SIDE)
    data.update(copy.deepcopy(DISPATCH_SIDE))
    write_files(tmp_path, {SCENARIO: toml_bytes(data)})
    line = one_line(
        run_cli(tmp_path, ["run", str(tmp_path / SCENARIO), "--set", override, "--yes"])
    )
    assert line.startswith(f"error: {tmp_path / SCENARIO}: too large to run: "), line


def test_a_tiny_escalation_rate_is_refused_in_one_line(tmp_path: Path) -> None:
    """An escalation rate so small that 3600 / rate overflows ended in an internal error; the
    schema now asks for 0 or a rate whose mean time to escalate (3600 / rate) is one a time
    distribution may have: at least 3.6e-09 an hour."""
    data = copy.deepcopy(CALL_SIDE)
    data.update(copy.deepcopy(DISPATCH_SIDE))
    data["dispatch"]["escalation_per_hour"] = 5e-324
    write_files(tmp_path, {SCENARIO: toml_bytes(data)})
    outcome = run_cli(tmp_path, ["run", str(tmp_path / SCENARIO)])
    assert outcome.status == 2
    line = one_line(outcome)
    assert "dispatch.escalation_per_hour" in line and "at least 3.6e-09" in line, line


def test_a_sweep_value_of_5000_digits(tmp_path: Path) -> None:
    """A --vary value too long to read as a TOML integer is shown as text in the sweep table
    (comparison._display caught only TOMLDecodeError)."""
    write_files(tmp_path, {SCENARIO: BASE})
    value = "1" * 5000
    outcome = run_cli(
        tmp_path, ["sweep", str(tmp_path / SCENARIO), "--vary", f"scenario.description={value},x"]
    )
    assert "internal error" not in outcome.err, outcome.err
    assert outcome.status in (0, 2)
