"""The trainer's replay page: windows, the data it embeds, and the page itself (no browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import controlroom_sim as crs
from controlroom_sim.analysis.call_kpis import answer_times
from controlroom_sim.config.loading import load_scenario
from controlroom_sim.config.vocabulary import INTERVAL_S
from controlroom_sim.experiments.run_folder import OutputError
from controlroom_sim.reporting.replay import (
    EVENT_KINDS,
    ReplayError,
    Window,
    busiest_window,
    level_at,
    parse_window,
    render_replay,
    replay_data,
    write_replay,
)
from tests.helpers.paths import ROOT

ONE_DAY = ["scenario.days=1"]
SHORT = ["scenario.days=0.25", "scenario.warmup_hours=1"]
WEEK_S = 7 * 86400.0


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in baseline over one measured day, two replications, calls in Parquet."""
    out = tmp_path_factory.mktemp("replay") / "run"
    crs.run(overrides=ONE_DAY, replications=2, out=out, calls_format="parquet")
    return out


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load_scenario(None, ONE_DAY)


@pytest.fixture(scope="module")
def calls(run_folder: Path) -> pd.DataFrame:
    return pd.read_parquet(run_folder / "calls.parquet")


@pytest.fixture(scope="module")
def data(run_folder: Path) -> dict:
    return replay_data(run_folder)


def _window(data: dict) -> tuple[float, float]:
    return data["window"]["start_s"], data["window"]["end_s"]


# -- parse_window -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day", "start_s", "length_s"),
    [
        ("busiest", None, 0.0, 4 * 3600.0),
        ("  Busiest ", None, 0.0, 4 * 3600.0),
        ("3 22:00-02:00", 3, 22 * 3600.0, 4 * 3600.0),
        ("1 18:00-22:00", 1, 18 * 3600.0, 4 * 3600.0),
        ("friday 18:00-22:30", "friday", 18 * 3600.0, 4.5 * 3600.0),
        ("Fri 9:15 - 10:00", "friday", 9.25 * 3600.0, 0.75 * 3600.0),
        ("sunday 23:00–01:00", "sunday", 23 * 3600.0, 2 * 3600.0),
        ("2 00:00-24:00", 2, 0.0, 24 * 3600.0),
        ("2 12:00-11:59", 2, 12 * 3600.0, 24 * 3600.0 - 60.0),
    ],
)
def test_parse_window(text: str, day: int | str | None, start_s: float, length_s: float) -> None:
    window = parse_window(text)
    assert window.day == day
    assert window.busiest == (day is None)
    assert window.length_s == length_s
    if day is not None:
        assert window.start_s == start_s


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected 'busiest' or 'DAY HH:MM-HH:MM'"),
        ("peak", "expected 'busiest' or 'DAY HH:MM-HH:MM'"),
        ("3 18:00", "expected 'busiest' or 'DAY HH:MM-HH:MM'"),
        ("3 18:00-22:00 extra", "expected 'busiest' or 'DAY HH:MM-HH:MM'"),
        ("funday 18:00-22:00", "weekday name, found 'funday'"),
        ("0 18:00-22:00", "from 1, found 0"),
        ("3 25:00-02:00", "from 00:00 to 23:59, found '25:00'"),
        ("3 18:60-22:00", "from 00:00 to 23:59, found '18:60'"),
        ("3 18:00-18:00", "an end different from the start"),
    ],
)
def test_parse_window_errors_are_one_line(text: str, message: str) -> None:
    with pytest.raises(ReplayError, match=re.escape(message)) as caught:
        parse_window(text)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("window: ")


# -- busiest_window -----------------------------------------------------------------------------


def _offered(arrivals: np.ndarray, start: float, end: float) -> int:
    return int(np.count_nonzero((arrivals >= start) & (arrivals < end)))


@pytest.mark.parametrize("hours", [4.0, 1.0, 2.5])
def test_busiest_window_has_the_most_calls_offered(
    calls: pd.DataFrame, scenario, hours: float
) -> None:  # type: ignore[no-untyped-def]
    own = calls[calls["replication"] == 0]
    lo, hi = scenario.warmup_s, scenario.horizon_s
    measured = own[(own["arrival_s"] >= lo) & (own["arrival_s"] < hi)]
    start, end = busiest_window(measured, hours, start_s=lo, end_s=hi)
    length = hours * 3600.0
    assert end - start == length
    assert lo <= start and end <= hi
    assert (start - lo) % INTERVAL_S == 0
    arrivals = measured["arrival_s"].to_numpy()
    candidates = np.arange(lo, hi - length + 1.0, INTERVAL_S)
    counts = [_offered(arrivals, s, s + length) for s in candidates]
    assert _offered(arrivals, start, end) == max(counts)
    assert start == candidates[counts.index(max(counts))]  # ties go to the earliest


def test_busiest_window_edge_cases() -> None:
    calls = pd.DataFrame({"arrival_s": [10.0, 950.0, 960.0, 1900.0, 2000.0, 2100.0]})
    assert busiest_window(calls, 0.25, start_s=0.0, end_s=2700.0) == (1800.0, 2700.0)
    # A horizon shorter than the window: all of it.
    assert busiest_window(calls, 4.0, start_s=0.0, end_s=2700.0) == (0.0, 2700.0)
    # Without bounds: the 15-minute grid around the calls.
    assert busiest_window(calls, 0.5) == (900.0, 2700.0)
    with pytest.raises(ReplayError, match="quarter hours"):
        busiest_window(calls, 1.1)
    with pytest.raises(ReplayError, match="quarter hours"):
        busiest_window(calls, 0.0)


# -- replay_data --------------------------------------------------------------------------------


def test_window_and_clock_agree_with_the_scenario_and_intervals(
    data: dict, run_folder: Path, scenario
) -> None:  # type: ignore[no-untyped-def]
    start, _ = _window(data)
    assert data["window"]["busiest"] and data["window"]["length_s"] == 4 * 3600.0
    assert data["run"]["replication"] == 0 and data["run"]["replications"] == [0, 1]
    assert data["clock"]["week_s"] == (scenario.origin_weekday_s + start) % WEEK_S
    assert data["clock"]["measured_s"] == start - scenario.warmup_s
    intervals = pd.read_csv(run_folder / "intervals.csv", dtype={"channel": str})
    row = intervals[(intervals["replication"] == 0) & (intervals["start_s"] == start)].iloc[0]
    assert data["window"]["label"].startswith(f"{row['weekday'].capitalize()} {row['time']}")
    assert data["window"]["day"] == row["day"]
    assert data["channels"] == ["999", "101"]
    assert data["has_dispatch"] and data["has_callbacks"]


@pytest.mark.parametrize("replication", [None, 1])
def test_counts_in_the_window_match_the_call_records(
    run_folder: Path, calls: pd.DataFrame, scenario, replication: int | None
) -> None:  # type: ignore[no-untyped-def]
    data = replay_data(run_folder, replication=replication)
    rep = 0 if replication is None else replication
    assert data["run"]["replication"] == rep
    start, end = _window(data)
    own = calls[calls["replication"] == rep]
    totals = data["totals"]

    def inside(column: str) -> pd.Series:
        return (own[column] >= start) & (own[column] < end)

    outcome = own["outcome"].astype(str)
    for channel in ("999", "101"):
        mine = own["channel"].astype(str) == channel
        assert totals["offered"][channel] == int((mine & inside("arrival_s")).sum())
        assert totals["answered"][channel] == int(
            (mine & inside("answered_s") & (outcome == "answered")).sum()
        )
        assert totals["abandoned"][channel] == int((mine & inside("abandoned_s")).sum())
    assert sum(totals["offered"].values()) > 100  # a busy window of a busy day
    assert totals["callback_requested"] == int(
        (own["callback_accepted"] & inside("callback_offered_s")).sum()
    )
    assert totals["callback_made"] == int(
        (inside("answered_s") & (outcome == "callback_answered")).sum()
    )
    assert totals["callback_failed"] == int(
        (inside("end_s") & (outcome == "callback_failed")).sum()
    )
    answered999 = own[
        (own["channel"].astype(str) == "999") & (outcome == "answered") & inside("answered_s")
    ]
    waits = answer_times(answered999, scenario).to_numpy()
    assert totals["answered_within_10s_999"] == round(float(np.mean(waits < 10.0)), 4)
    # The page's event list holds the same counts.
    kinds = np.asarray(data["events"]["kind"])
    assert int((kinds == EVENT_KINDS.index("offered")).sum()) == sum(totals["offered"].values())
    assert int((kinds == EVENT_KINDS.index("abandoned")).sum()) == sum(totals["abandoned"].values())
    times = np.asarray(data["events"]["t"])
    assert np.all(np.diff(times) >= 0) and times.min() >= 0 and times.max() <= 4 * 3600.0


def test_series_are_the_levels_of_the_records(data: dict, calls: pd.DataFrame, scenario) -> None:  # type: ignore[no-untyped-def]
    start, end = _window(data)
    own = calls[calls["replication"] == 0]
    series = data["series"]
    t = np.asarray(series["t"], dtype=float)
    assert len(t) == 4 * 60 + 1 and t[0] == 0 and t[-1] == end - start
    for name, level in data["levels"].items():
        assert series[name] == level_at(level, t).tolist()
        assert min(series[name]) >= 0
    # Callers waiting on 999, counted directly (times rounded to 0.1 s as the page holds them).
    mine = own[own["channel"].astype(str) == "999"]
    joined = np.round(mine["force_s"].to_numpy() - start, 1)
    left = np.where(
        mine["outcome"].astype(str) == "abandoned", mine["abandoned_s"], mine["answered_s"]
    )
    left = np.round(np.nan_to_num(left - start, nan=np.inf), 1)
    direct = [int(np.count_nonzero((joined <= x) & (left > x))) for x in t]
    assert series["waiting999"] == direct
    # Busy: calls answered and not yet wrapped up.
    answered = np.round(own["answered_s"].to_numpy() - start, 1)
    wrapped = np.round(own["wrap_end_s"].to_numpy() - start, 1)
    busy = [int(np.count_nonzero((answered <= x) & (wrapped > x))) for x in t]
    assert series["busy"] == busy
    # The rolling rate: 999 calls answered by a handler in the hour before, under 10 s.
    rated = own[(own["channel"].astype(str) == "999") & (own["outcome"].astype(str) == "answered")]
    at = np.round(rated["answered_s"].to_numpy() - start, 1)
    ok = answer_times(rated, scenario).to_numpy() < 10.0
    for x, rate in zip(t[::30], series["rate10s"][::30], strict=True):
        hour = (at > x - 3600.0) & (at <= x)
        assert rate == (round(float(ok[hour].mean()), 4) if hour.any() else None)


def test_busy_handlers_stay_within_those_on_duty(data: dict, run_folder: Path) -> None:
    start, _ = _window(data)
    series = data["series"]
    busy = np.asarray(series["busy"])
    starts = np.asarray(data["on_duty"]["t"], dtype=float)
    values = np.asarray(data["on_duty"]["v"], dtype=float)
    index = np.clip(np.searchsorted(starts, series["t"], side="right") - 1, 0, None)
    # On duty is a 15-minute average; handlers finishing a call past their shift end are on
    # duty until they go, so compare with this interval and the one before.
    most = np.maximum(values[index], values[np.clip(index - 1, 0, None)])
    assert np.all(busy >= 0)
    assert np.all(busy <= most + 2.0)
    # The busy spans add up to the intervals' time-average busy handlers (which also count
    # failed callback attempts, not in the call records).
    intervals = pd.read_csv(run_folder / "intervals.csv", dtype={"channel": str})
    intervals = intervals[(intervals["replication"] == 0) & (intervals["channel"] == "999")]
    spans = data["levels"]["busy"]
    s = np.asarray(spans["start"], dtype=float)
    e = np.asarray([np.inf if x is None else x for x in spans["end"]], dtype=float)
    for begin, average in zip(
        intervals["start_s"] - start, intervals["handlers_busy"], strict=True
    ):
        if not 0 <= begin < data["window"]["length_s"]:
            continue
        overlap = np.clip(np.minimum(e, begin + INTERVAL_S) - np.maximum(s, begin), 0, None)
        assert -0.01 <= average - overlap.sum() / INTERVAL_S <= 0.5


def test_explicit_windows(run_folder: Path) -> None:
    evening = replay_data(run_folder, "1 22:00-24:00")
    assert evening["window"]["label"] == "Monday 22:00 – Tuesday 00:00"
    assert evening["window"]["length_s"] == 7200.0 and evening["window"]["day"] == 1
    assert len(evening["series"]["t"]) == 121
    monday = replay_data(run_folder, "monday 08:00-09:00")  # the baseline's day 1 is a Monday
    assert monday["window"]["label"] == "Monday 08:00–09:00"
    with pytest.raises(ReplayError, match="ends after the measured horizon") as caught:
        replay_data(run_folder, "1 22:00-02:00")
    assert "\n" not in str(caught.value)
    with pytest.raises(ReplayError, match=r"day 3 is outside the measured horizon \(days 1 to 1\)"):
        replay_data(run_folder, "3 10:00-12:00")
    with pytest.raises(ReplayError, match="no Tuesday in the measured horizon"):
        replay_data(run_folder, "tuesday 10:00-12:00")


# -- the page -----------------------------------------------------------------------------------


def _embedded(page: str) -> str:
    found = re.findall(
        r'<script type="application/json" id="replay-data">(.*?)</script>', page, re.S
    )
    assert len(found) == 1
    return found[0]


def test_page_is_self_contained_and_embeds_the_data(run_folder: Path, data: dict) -> None:
    path = write_replay(run_folder)
    assert path == run_folder / "replay.html"
    page = path.read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < 1_500_000
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link[^>]*stylesheet", page, re.I)
    assert "@import" not in page and "url(" not in page
    assert "http://" not in page.replace('"http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert json.loads(_embedded(page)) == data
    assert "__REPLAY_" not in page
    # The test hook browser tests use.
    assert "window.replay = {" in page
    for key in ("waiting999", "waiting101", "onDuty", "rate10s", "backlog", "playing"):
        assert f"{key}:" in page


def test_page_escapes_what_could_end_the_script(data: dict) -> None:
    hostile = json.loads(json.dumps(data))
    hostile["run"]["scenario"] = "</script><script>alert(1)</script><!-- & é"
    page = render_replay(hostile)
    block = _embedded(page)
    assert "</" not in block and "<!--" not in block
    assert json.loads(block) == hostile
    assert page.count("<script") == 2
    assert "<title>Control room replay: &lt;/script&gt;" in page


def test_write_replay_to_a_chosen_file(run_folder: Path, tmp_path: Path) -> None:
    out = write_replay(run_folder, tmp_path / "deep" / "peak.html", "1 17:00-18:00", 1)
    assert out == tmp_path / "deep" / "peak.html"
    data = json.loads(_embedded(out.read_text(encoding="utf-8")))
    assert data["run"]["replication"] == 1 and data["window"]["length_s"] == 3600.0
    assert write_replay(run_folder, tmp_path, "1 17:00-18:00") == tmp_path / "replay.html"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write the replay"):
        write_replay(run_folder, blocker / "replay.html", "1 17:00-18:00")


# -- folders that cannot be replayed ------------------------------------------------------------


def test_errors_for_folders_and_replications(run_folder: Path, tmp_path: Path) -> None:
    def fails(match: str, *args: object, **kwargs: object) -> None:
        with pytest.raises(ReplayError, match=match) as caught:
            replay_data(*args, **kwargs)  # type: ignore[arg-type]
        assert "\n" not in str(caught.value)

    fails("no such folder", tmp_path / "missing")
    fails("no manifest.json", tmp_path)
    fails("not in the run, which has replication\\(s\\) 0 to 1", run_folder, replication=5)
    fails("window: expected", run_folder, "noon")

    none = tmp_path / "none"
    crs.run(overrides=SHORT, replications=1, out=none, calls_format="none")
    fails("calls_format='none'", none)

    running = tmp_path / "running"
    running.mkdir()
    (running / "manifest.json").write_text(json.dumps({"status": "running", "plan": {}}))
    fails("not complete", running)


def test_comparison_folders_and_csv_records(tmp_path: Path) -> None:
    both = tmp_path / "cmp"
    variant = ROOT / "scenarios" / "variants" / "no_callbacks.toml"
    crs.compare("baseline", variant, replications=1, overrides=SHORT, out=both, calls_format="csv")
    with pytest.raises(ReplayError, match="give one of its scenario folders"):
        replay_data(both)
    sub = sorted((both / "scenarios").iterdir())
    from_csv = replay_data(sub[0], "1 02:00-04:00")
    assert from_csv["run"]["scenario"] == "baseline"
    parquet = tmp_path / "parquet"
    crs.run(overrides=SHORT, replications=1, out=parquet, calls_format="parquet")
    from_parquet = replay_data(parquet, "1 02:00-04:00")
    assert from_csv["events"] == from_parquet["events"]
    assert from_csv["levels"] == from_parquet["levels"]
    assert from_csv["series"] == from_parquet["series"]


def test_window_object_and_json_clean(data: dict, run_folder: Path) -> None:
    assert replay_data(run_folder, Window(day=None)) == data
    json.dumps(data, allow_nan=False)  # no NaN or infinity anywhere


# -- in a real browser -----------------------------------------------------------------------------


def test_the_replay_plays_in_a_browser(run_folder: Path, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Headless Chromium: no console errors; play advances the clock and the counters to what
    Python counted; pause holds; seek jumps; a screenshot is taken."""
    import time

    from tests.helpers.browser import console_problems, open_file

    path = write_replay(run_folder, tmp_path / "replay.html")
    console_problems(browser)
    open_file(browser, path)
    start = browser.execute_script("return window.replay.state();")
    assert start["t"] == 0 and not start["playing"] and start["offered"] == 0
    browser.execute_script("window.replay.setSpeed(60); window.replay.play();")
    time.sleep(1.5)
    moving = browser.execute_script("return window.replay.state();")
    assert moving["playing"] and moving["t"] > 30 * 60  # 60 simulated minutes a second
    browser.execute_script("window.replay.pause();")
    paused = browser.execute_script("return window.replay.state();")
    time.sleep(0.5)
    still = browser.execute_script("return window.replay.state();")
    assert not still["playing"] and still["t"] == paused["t"]
    # The counters at that moment are the calls offered in the window up to then.
    data = replay_data(run_folder)
    calls = pd.read_parquet(run_folder / "calls.parquet")
    calls = calls[calls["replication"] == data["run"]["replication"]]
    begin = data["window"]["start_s"]
    offered = int(((calls["arrival_s"] >= begin) & (calls["arrival_s"] < begin + still["t"])).sum())
    assert abs(still["offered"] - offered) <= 1  # the last event may sit on the clock's tick
    assert still["offered"] > start["offered"]
    # Seek to the end: every call of the window offered.
    end = data["window"]["end_s"] - begin
    browser.execute_script(f"window.replay.seek({end});")
    final = browser.execute_script("return window.replay.state();")
    in_window = (calls["arrival_s"] >= begin) & (calls["arrival_s"] < data["window"]["end_s"])
    assert final["offered"] == int(in_window.sum())
    assert console_problems(browser) == []
    shot = tmp_path / "replay.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
