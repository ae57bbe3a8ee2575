"""Redials from an export's callers (issue 19): exact counts and delays on a hand-built table
of calls, withheld callers, the 101 to 999 share, the window's edge, and the probability and
delay recovered from many simulated callers."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from controlroom_sim.fitting.redials import MIN_REDIALS_FOR_DELAY, RedialFit, fit_redials

T0 = pd.Timestamp("2025-03-03 09:00", tz="UTC")

# (call_id, channel, made s, offered s, answered s, ended s, caller); times in seconds from T0.
ROWS: list[tuple[str, str, float | None, float, float | None, float | None, object]] = [
    # A abandons, redials (delay to the made time: 60), abandons again, redials (no made time:
    # to the offered time, 300), and is answered: a chain of 2 redials.
    ("a1", "999", None, 0, None, 30, "A"),
    ("a2", "999", 90, 95, None, 100, "A"),
    ("a3", "999", None, 400, 410, 600, "A"),
    # B redials exactly a window (3,600 s) after abandoning: counted; C one second later: not.
    ("b1", "999", None, 10, None, 50, "B"),
    ("b2", "999", None, 3_650, 3_660, 3_700, "B"),
    ("c1", "999", None, 20, None, 60, "C"),
    ("c2", "999", None, 3_661, 3_670, 3_700, "C"),
    # D never rings again; E rings 101 next (not a follow-up the model has for 999).
    ("d1", "999", None, 30, None, 70, "D"),
    ("e1", "999", None, 40, None, 80, " E "),
    ("e2", "101", None, 200, 210, 300, "E"),
    # H hangs up the instant the call is offered (wait 0) and redials 20 s later.
    ("h1", "999", None, 500, None, 500, "H"),
    ("h2", "999", None, 520, 530, 600, "H"),
    # I has a second call going when abandoning the first: the next call after the abandon
    # is the third, 50 s later.
    ("i1", "999", None, 0, None, 100, "I"),
    ("i2", "999", None, 50, 60, 200, "I"),
    ("i3", "999", None, 150, 160, 250, "I"),
    # Withheld callers (left out) and an answered call (not an abandon).
    ("w1", "999", None, 5, None, 20, None),
    ("w2", "999", None, 6, None, 25, ""),
    ("w3", "999", None, 7, None, 26, "   "),
    ("f1", "999", None, 8, 9, 100, "F"),
    # 101: J rings 999 next; K redials 101; L rings 999 too late; M rings 999 then 101 (the
    # next call decides: to 999).
    ("j1", "101", None, 900, None, 1_000, "J"),
    ("j2", "999", 1_100, 1_105, 1_110, 1_200, "J"),
    ("k1", "101", None, 900, None, 1_000, "K"),
    ("k2", "101", None, 1_500, 1_510, 1_600, "K"),
    ("l1", "101", None, 900, None, 1_000, "L"),
    ("l2", "999", None, 5_000, 5_010, 5_100, "L"),
    ("m1", "101", None, 900, None, 1_000, "M"),
    ("m2", "999", None, 1_200, 1_210, 1_300, "M"),
    ("m3", "101", None, 1_300, 1_310, 1_400, "M"),
    ("x1", "101", None, 900, None, 1_000, float("nan")),
    # G abandons less than a window before the export's last call (Z's): left out.
    ("g1", "999", None, 19_000, None, 19_010, "G"),
    ("z1", "101", None, 20_000, 20_010, 20_100, "Z"),
]


def _table(rows: list[tuple]) -> pd.DataFrame:
    def at(seconds: float | None) -> pd.Timestamp:
        return pd.NaT if seconds is None else T0 + pd.Timedelta(seconds=seconds)

    calls = pd.DataFrame(
        {
            "call_id": [r[0] for r in rows],
            "channel": [r[1] for r in rows],
            "made_at": pd.to_datetime([at(r[2]) for r in rows], utc=True),
            "offered_at": pd.to_datetime([at(r[3]) for r in rows], utc=True),
            "answered_at": pd.to_datetime([at(r[4]) for r in rows], utc=True),
            "ended_at": pd.to_datetime([at(r[5]) for r in rows], utc=True),
            "caller": pd.Series([r[6] for r in rows], dtype=object),
        }
    )
    calls["outcome"] = np.where(calls["answered_at"].notna(), "answered", "abandoned")
    return calls.sort_values("offered_at", kind="stable").reset_index(drop=True)


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _json(fit: RedialFit) -> dict:
    out = fit.to_json()
    json.dumps(out, allow_nan=False)
    return out


def test_999_redials_are_counted_exactly() -> None:
    fit = fit_redials(_table(ROWS), "999")
    assert fit is not None
    assert fit.withheld == 3
    assert fit.near_end == 1  # g1
    assert fit.no_end == 0
    # Followed: a1, a2, b1, c1, d1, e1, h1, i1; redialled: a1, a2, b1, h1, i1.
    assert fit.abandoned == 8
    assert fit.redialled == 5
    assert fit.probability == pytest.approx(5 / 8)
    assert fit.probability_ci == pytest.approx(_wilson(5, 8))
    assert fit.neither == 1  # e1, followed by a 101 call
    assert fit.max_redials == 2  # a1 -> a2 -> a3
    assert fit.to_999 is None and fit.to_999_probability is None and fit.to_999_ci is None
    assert fit.delay is None  # 5 redials: too few to fit
    assert any(f"under {MIN_REDIALS_FOR_DELAY}" in note for note in fit.notes)
    assert any("3 abandoned calls with no caller" in note for note in fit.notes)


def test_the_delays_run_from_the_abandon_to_the_next_call_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import controlroom_sim.fitting.redials as redials

    monkeypatch.setattr(redials, "MIN_REDIALS_FOR_DELAY", 1)  # let the 5 redials be fitted
    fit = fit_redials(_table(ROWS), "999")
    assert fit is not None and fit.delay is not None
    assert fit.delay.quantity == "redial_delay_s"
    # a1 -> a2 made: 60; a2 -> a3 offered: 300; b1 -> b2: 3,600; h1 -> h2: 20; i1 -> i3: 50.
    delays = np.array([60.0, 300.0, 3_600.0, 20.0, 50.0])
    empirical = fit.delay.candidate("empirical")
    assert empirical is not None
    assert empirical.mean == pytest.approx(delays.mean())
    assert empirical.sd == pytest.approx(delays.std(ddof=1))
    assert fit.delay.n == 5


def test_the_window_edge_is_inclusive() -> None:
    calls = _table(ROWS)
    shorter = fit_redials(calls, "999", window_s=3_599)
    assert shorter is not None
    assert shorter.redialled == 4  # b1's redial, exactly 3,600 s later, is out
    longer = fit_redials(calls, "999", window_s=3_601)
    assert longer is not None
    assert longer.redialled == 6  # c1's, 3,601 s later, is in


def test_101_callers_ringing_999_instead() -> None:
    fit = fit_redials(_table(ROWS), "101")
    assert fit is not None
    assert fit.withheld == 1
    # Followed: j1, k1, l1, m1; K redials; J and M ring 999 next; L too late.
    assert fit.abandoned == 4
    assert fit.redialled == 1
    assert fit.to_999 == 2
    assert fit.to_999_probability == pytest.approx(0.5)
    assert fit.to_999_ci == pytest.approx(_wilson(2, 4))
    assert fit.max_redials == 1
    out = _json(fit)
    assert out["to_999"] == 2 and out["delay"] is None
    assert set(out) == {
        "channel",
        "window_s",
        "abandoned",
        "redialled",
        "probability",
        "probability_ci",
        "delay",
        "to_999",
        "to_999_probability",
        "to_999_ci",
        "neither",
        "max_redials",
        "at_max_redials",
        "withheld",
        "no_end",
        "near_end",
        "notes",
    }


def test_no_callers_at_all_gives_none() -> None:
    calls = _table(ROWS)
    assert fit_redials(calls.drop(columns="caller"), "999") is None
    calls["caller"] = None
    assert fit_redials(calls, "999") is None


def test_abandons_without_an_end_time_are_counted_and_left_out() -> None:
    rows = [
        ("n1", "999", None, 0, None, None, "N"),
        ("n2", "999", None, 100, 110, 200, "N"),
        ("z1", "999", None, 9_000, 9_010, 9_100, "Z"),
    ]
    fit = fit_redials(_table(rows), "999")
    assert fit is not None
    assert fit.no_end == 1 and fit.abandoned == 0
    assert fit.probability is None and fit.probability_ci is None
    assert any("nothing to estimate" in note for note in fit.notes)
    _json(fit)


def test_a_channel_without_abandons_gives_no_probability() -> None:
    rows = [("a", "999", None, 0, 5, 60, "A"), ("b", "101", None, 9_000, 9_010, 9_100, "B")]
    fit = fit_redials(_table(rows), "999")
    assert fit is not None
    assert fit.abandoned == 0 and fit.redialled == 0 and fit.max_redials == 0
    assert _json(fit)["probability"] is None


def test_the_probability_and_delay_of_many_callers_are_recovered() -> None:
    rng = np.random.default_rng(4)
    p, delay_mean = 0.3, 90.0
    rows: list[tuple] = []
    n = 2_000
    for i in range(n):
        start = i * 5_000.0  # callers far apart: no window overlaps another caller's
        rows.append((f"c{i}", "999", None, start, None, start + 40, f"caller{i}"))
        if rng.random() < p:
            later = start + 40 + rng.exponential(delay_mean)
            rows.append((f"r{i}", "999", None, later, later + 5, later + 200, f"caller{i}"))
    last = n * 5_000.0 + 10_000  # an answered call after the last window
    rows.append(("end", "999", None, last, last + 1, last + 60, "someone else"))
    fit = fit_redials(_table(rows), "999")
    assert fit is not None and fit.abandoned == n
    assert fit.probability_ci is not None
    assert fit.probability_ci[0] <= p <= fit.probability_ci[1]
    assert fit.delay is not None and fit.delay.mean is not None
    assert fit.delay.chosen in {"exponential", "gamma"}
    assert fit.delay.mean == pytest.approx(delay_mean, rel=0.15)
    assert fit.max_redials == 1
    _json(fit)


def test_an_abandon_already_at_the_most_redials_seen_is_no_evidence() -> None:
    """The model lets a caller redial at most max_redials times. N abandons and redials twice
    in a row and abandons the second redial too, with no chance to ring again; P abandons once
    and gives up. The most redials in a row (2) is taken as the limit, and N's last abandon is
    left out of the probability: 3 redials of 4 abandons that could redial, not of 5."""
    rows = [
        ("n1", "999", None, 0, None, 30, "N"),
        ("n2", "999", None, 60, None, 90, "N"),
        ("n3", "999", None, 120, None, 150, "N"),
        ("p1", "999", None, 0, None, 40, "P"),
        ("q1", "999", None, 0, None, 50, "Q"),
        ("q2", "999", None, 100, 110, 200, "Q"),
        ("z1", "101", None, 9_000, 9_010, 9_100, "Z"),
    ]
    fit = fit_redials(_table(rows), "999")
    assert fit is not None
    assert fit.max_redials == 2
    assert fit.at_max_redials == 1
    assert (fit.redialled, fit.abandoned) == (3, 4)
    assert fit.probability == pytest.approx(3 / 4)
    assert any("taken as max_redials" in note for note in fit.notes)
