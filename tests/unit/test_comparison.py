"""Paired (common random numbers) and unpaired differences, and the helpers of a sweep."""

from __future__ import annotations

import math
import tomllib
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from controlroom_sim.analysis.comparison import (
    DIFFERENCE_COLUMNS,
    SweepError,
    paired_differences,
    parse_vary,
    split_values,
    sweep_grid,
    sweep_table,
    toml_literal,
    variant_label,
    welch_interval,
)

NAN = math.nan


def _t_interval(values: list[float]) -> tuple[float, float, float, float]:
    """(mean, sd, low, high) of the 95% Student t interval, by hand."""
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def _long(data: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """``{scenario: {kpi: values by replication}}`` as the long table."""
    rows = [
        {"scenario": scenario, "replication": r, "kpi": kpi, "value": v}
        for scenario, kpis in data.items()
        for kpi, values in kpis.items()
        for r, v in enumerate(values)
    ]
    return pd.DataFrame(rows, columns=["scenario", "replication", "kpi", "value"])


# --- welch_interval ----------------------------------------------------------------------------


A = np.array([10.2, 11.9, 9.4, 15.1, 11.0, 12.6])
B = np.array([13.0, 14.8, 11.7, 18.9, 13.3, 16.1, 12.2, 20.5])


@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.99])
def test_welch_interval_matches_scipy(confidence: float) -> None:
    """The interval of mean(b) - mean(a) equals scipy's Welch t-test interval."""
    expected = stats.ttest_ind(B, A, equal_var=False).confidence_interval(confidence)
    low, high = welch_interval(A, B, confidence)
    assert low == pytest.approx(expected.low, rel=1e-12)
    assert high == pytest.approx(expected.high, rel=1e-12)
    assert (low + high) / 2 == pytest.approx(B.mean() - A.mean())


def test_welch_interval_by_hand() -> None:
    """Welch-Satterthwaite degrees of freedom and standard error, computed by hand."""
    a, b = np.array([1.0, 2.0, 4.0, 7.0]), np.array([3.0, 5.0, 6.0, 9.0, 12.0])
    va, vb = 7.0 / 4, 12.5 / 5  # sample variances 21/3 and 50/4
    df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 4)
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert welch_interval(a, b) == pytest.approx((7.0 - 3.5 - half, 7.0 - 3.5 + half))


def test_welch_interval_degenerate_cases() -> None:
    """Fewer than two values on a side gives NaNs; no spread at all gives a point."""
    low, high = welch_interval(np.array([1.0]), B)
    assert math.isnan(low) and math.isnan(high)
    low, high = welch_interval(A, np.array([]))
    assert math.isnan(low) and math.isnan(high)
    assert welch_interval(np.array([1.0, 1.0]), np.array([3.5, 3.5, 3.5])) == (2.5, 2.5)


# --- paired_differences ------------------------------------------------------------------------


BASE_WAIT = [10.0, 12.0, 9.0, 15.0, 11.0]
TABLE = {
    "base": {"wait": BASE_WAIT, "util": [0.5, NAN, 0.7, 0.6, 0.8]},
    # wait: baseline + 2 exactly; util: undefined at replication 3
    "plus2": {"wait": [v + 2.0 for v in BASE_WAIT], "util": [0.6, 0.6, 0.7, NAN, 0.9]},
    # wait: undefined at replication 3
    "other": {"wait": [11.0, 15.0, 8.0, NAN, 14.0], "util": [0.4, 0.5, 0.6, 0.7, 0.8]},
}


def _differences(table: pd.DataFrame | None = None) -> pd.DataFrame:
    return paired_differences(_long(TABLE) if table is None else table, "base")


def _row(diffs: pd.DataFrame, scenario: str, kpi: str) -> pd.Series:
    match = diffs[(diffs["scenario"] == scenario) & (diffs["kpi"] == kpi)]
    assert len(match) == 1
    return match.iloc[0]


def test_paired_differences_columns_and_rows() -> None:
    """Columns are DIFFERENCE_COLUMNS; one row per variant and KPI, baseline left out."""
    diffs = _differences()
    assert list(diffs.columns) == DIFFERENCE_COLUMNS
    assert list(zip(diffs["scenario"], diffs["kpi"], strict=True)) == [
        ("plus2", "wait"),
        ("plus2", "util"),
        ("other", "wait"),
        ("other", "util"),
    ]
    assert set(diffs["baseline"]) == {"base"}
    assert "base" not in set(diffs["scenario"])


def test_paired_difference_with_a_missing_value() -> None:
    """other - base on wait pairs replications 0, 1, 2, 4 (3 is NaN for other): differences
    1, 3, -1, 3, mean 1.5, sd √(11/3); the means are over each side's defined values."""
    row = _row(_differences(), "other", "wait")
    mean, sd, low, high = _t_interval([1.0, 3.0, -1.0, 3.0])
    assert (mean, sd) == pytest.approx((1.5, math.sqrt(11 / 3)))
    assert row["n"] == 4
    assert row["diff"] == pytest.approx(mean)
    assert row["diff_sd"] == pytest.approx(sd)
    assert row["ci_low"] == pytest.approx(low)
    assert row["ci_high"] == pytest.approx(high)
    assert row["baseline_mean"] == pytest.approx(57 / 5)  # all five baseline values
    assert row["mean"] == pytest.approx(12.0)  # (11 + 15 + 8 + 14) / 4


def test_paired_difference_counts_only_complete_pairs() -> None:
    """plus2 - base on util: base is NaN at replication 1, plus2 at 3, so n = 3 pairs
    (0.1, 0.0, 0.1); the unpaired interval uses 4 values on each side."""
    row = _row(_differences(), "plus2", "util")
    mean, sd, low, high = _t_interval([0.1, 0.0, 0.1])
    assert row["n"] == 3
    assert row["diff"] == pytest.approx(mean)
    assert row["diff_sd"] == pytest.approx(sd)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    expected = stats.ttest_ind(
        [0.6, 0.6, 0.7, 0.9], [0.5, 0.7, 0.6, 0.8], equal_var=False
    ).confidence_interval(0.95)
    assert row["unpaired_ci_low"] == pytest.approx(expected.low)
    assert row["unpaired_ci_high"] == pytest.approx(expected.high)


def test_common_random_numbers_remove_the_shared_noise() -> None:
    """A variant equal to baseline + 2 in every replication has a paired interval of zero
    width at exactly 2, while the unpaired (Welch) interval is wide and contains 2."""
    row = _row(_differences(), "plus2", "wait")
    assert row["n"] == 5
    assert row["diff"] == 2.0 and row["diff_sd"] == 0.0
    assert row["ci_low"] == row["ci_high"] == 2.0
    assert row["unpaired_ci_high"] - row["unpaired_ci_low"] > 5.0
    assert row["unpaired_ci_low"] < 2.0 < row["unpaired_ci_high"]
    expected = welch_interval(np.array(BASE_WAIT), np.array(BASE_WAIT) + 2.0)
    assert (row["unpaired_ci_low"], row["unpaired_ci_high"]) == pytest.approx(expected)


def test_pairs_are_matched_on_the_replication_index() -> None:
    """Shuffling the rows of the long table changes nothing: pairs go by replication."""
    shuffled = _long(TABLE).sample(frac=1.0, random_state=7).reset_index(drop=True)
    by_key = ["scenario", "kpi"]
    expected = _differences().sort_values(by_key).reset_index(drop=True)
    got = _differences(shuffled).sort_values(by_key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)


def test_a_replication_missing_from_one_scenario_is_not_paired() -> None:
    """A replication with no row for the variant counts like a NaN: it is left out."""
    table = _long({"base": {"k": [1.0, 2.0, 4.0]}, "v": {"k": [2.0, 4.0, 5.0]}})
    table = table[~((table["scenario"] == "v") & (table["replication"] == 1))]
    row = _row(paired_differences(table, "base"), "v", "k")
    assert row["n"] == 2
    assert row["diff"] == pytest.approx(1.0)  # (2 - 1 + 5 - 4) / 2
    assert row["diff_sd"] == pytest.approx(0.0)


def test_undefined_kpi_gives_no_interval() -> None:
    """A KPI undefined in every replication of the variant: n = 0 and NaNs throughout."""
    table = _long({"base": {"k": [1.0, 2.0, 4.0]}, "v": {"k": [NAN, NAN, NAN]}})
    row = _row(paired_differences(table, "base"), "v", "k")
    assert row["n"] == 0
    assert row["baseline_mean"] == pytest.approx(7 / 3)
    for column in ("mean", "diff", "diff_sd", "ci_low", "ci_high", "unpaired_ci_low"):
        assert math.isnan(row[column]), column


# --- split_values and parse_vary ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("8,10,12", ["8", "10", "12"]),
        (" 8 , 10 ", ["8", "10"]),
        ("[1,2],[3,4]", ["[1,2]", "[3,4]"]),
        ("[1,[2,3]],4", ["[1,[2,3]]", "4"]),
        (
            "{dist = 'fixed', value = 60},{dist='exp',mean=30}",
            [
                "{dist = 'fixed', value = 60}",
                "{dist='exp',mean=30}",
            ],
        ),
        ('"a,b",c', ['"a,b"', "c"]),
        ("'a,b','c'", ["'a,b'", "'c'"]),
        ('"it\'s, fine",x', ['"it\'s, fine"', "x"]),
        ("'[',x", ["'['", "x"]),  # a bracket inside quotes does not open a level
        ("one", ["one"]),
    ],
)
def test_split_values_keeps_nested_commas(text: str, parts: list[str]) -> None:
    """Commas inside [..], {..} and quotes do not split; parts are stripped."""
    assert split_values(text) == parts


def test_split_values_respects_escaped_quotes() -> None:
    """The TOML basic string "a\\",b" (the text a",b) is one value."""
    assert split_values('"a\\",b",c') == ['"a\\",b"', "c"]


def test_parse_vary() -> None:
    """KEY=V1,V2,... gives the stripped key and the value texts, in order."""
    assert parse_vary("handlers.0.count=8,10,12") == ("handlers.0.count", ["8", "10", "12"])
    assert parse_vary(" k = [1,2] , [3] ") == ("k", ["[1,2]", "[3]"])
    assert parse_vary("k=5") == ("k", ["5"])


@pytest.mark.parametrize(
    "text",
    [
        "handlers.0.count",  # no '='
        "=8,10",  # no key
        "  =8",
        "k=",  # no value
        "k=8,,10",  # an empty value
        "k=8,10,",
        "k=8, ,10",
        "k=8,10,8",  # repeated
        "k=8, 8",  # repeated once stripped
    ],
)
def test_parse_vary_rejects_malformed_text(text: str) -> None:
    """Malformed vary values raise SweepError: one line naming the parameter vary and the
    text."""
    with pytest.raises(SweepError) as info:
        parse_vary(text)
    message = str(info.value)
    assert message.startswith(f"vary={text!r}:")
    assert "\n" not in message


# --- toml_literal ------------------------------------------------------------------------------


def _round_trip(value: Any) -> Any:
    return tomllib.loads(f"v = {toml_literal(value)}")["v"]


@pytest.mark.parametrize(
    "value",
    [
        0,
        -7,
        2**63 - 1,
        1.5,
        0.1,
        -2.25,
        1e-05,
        1e100,
        -0.0,
        math.inf,
        -math.inf,
        True,
        False,
        "",
        "plain",
        'say "hi"',
        "it's",
        "back\\slash",
        "tab\tand\nnewline",
        "caf\u00e9 \u2013 \u00d7",
        "del\x7fete",
        [1, 2, 3],
        [],
        ["a", 1.5, [True]],
        {"dist": "fixed", "value": 60},
        {"a": [1, {"b": 'x"y'}], "key with space": {"inner": -1.0}},
    ],
)
def test_toml_literal_round_trips(value: Any) -> None:
    """The TOML text reads back (tomllib) as the same value and type."""
    back = _round_trip(value)
    assert back == value
    assert type(back) is type(value)
    if isinstance(value, float) and value == 0:
        assert math.copysign(1.0, back) == math.copysign(1.0, value)


def test_toml_literal_specials() -> None:
    """Booleans are true/false (not 1/0), tuples are arrays, NaN is nan."""
    assert toml_literal(True) == "true"
    assert toml_literal(False) == "false"
    assert _round_trip((1, "a")) == [1, "a"]
    assert math.isnan(_round_trip(math.nan))


@pytest.mark.parametrize("value", [None, object(), {1, 2}])
def test_toml_literal_rejects_what_toml_cannot_hold(value: Any) -> None:
    """Values with no TOML form raise SweepError."""
    with pytest.raises(SweepError):
        toml_literal(value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",))))
def test_toml_literal_round_trips_any_bmp_text(text: str) -> None:
    """Any text of the Basic Multilingual Plane survives the TOML round trip."""
    assert _round_trip(text) == text


def test_toml_literal_round_trips_astral_characters() -> None:
    """A character beyond U+FFFF (here an emoji) survives the TOML round trip."""
    assert _round_trip("car \U0001f691") == "car \U0001f691"


def test_toml_literal_numpy_float() -> None:
    """A NumPy float (a float subclass, as np.linspace gives) is written as a TOML float."""
    assert _round_trip(np.float64(1.5)) == 1.5


# --- sweep_grid, variant_label, sweep_table ----------------------------------------------------


def test_sweep_grid_last_key_varies_fastest() -> None:
    """Every combination, in order, the last key varying fastest."""
    grid = sweep_grid([("a", ["1", "2"]), ("b", ["x", "y", "z"])])
    assert grid == [
        {"a": "1", "b": "x"},
        {"a": "1", "b": "y"},
        {"a": "1", "b": "z"},
        {"a": "2", "b": "x"},
        {"a": "2", "b": "y"},
        {"a": "2", "b": "z"},
    ]
    assert [list(point) for point in grid] == [["a", "b"]] * 6
    assert sweep_grid([("k", ["8", "10", "12"])]) == [{"k": "8"}, {"k": "10"}, {"k": "12"}]


def test_sweep_grid_rejects_a_key_varied_twice() -> None:
    """The same key twice raises SweepError naming the parameter vary."""
    with pytest.raises(SweepError, match=r"^vary: a key is varied twice$"):
        sweep_grid([("a", ["1"]), ("b", ["2"]), ("a", ["3"])])


def test_variant_label() -> None:
    """KEY=VALUE pairs joined by commas, in the point's order, values as given."""
    assert variant_label({"handlers.0.count": "8", "mode": '"fast"'}) == (
        'handlers.0.count=8,mode="fast"'
    )
    assert variant_label({"k": "[1,2]"}) == "k=[1,2]"


def test_sweep_table_adds_a_column_per_varied_key() -> None:
    """After scenario, one column per varied key (in order), numeric where every value is a
    number, else the values as text; rows are matched to points by scenario label."""
    points = [
        {"n": "8", "mode": '"fast"', "x": "8", "dist": "[1, 2]"},
        {"n": "10", "mode": "slow", "x": "8.5", "dist": "{a = 1}"},
    ]
    labels = [variant_label(p) for p in points]
    summary = pd.DataFrame(
        {
            "scenario": [labels[1], labels[0], labels[1]],
            "kpi": ["k", "k", "j"],
            "mean": [1.0, 2.0, 3.0],
        }
    )
    table = sweep_table(summary, points, labels)
    assert list(table.columns) == ["scenario", "n", "mode", "x", "dist", "kpi", "mean"]
    assert table["n"].tolist() == [10, 8, 10]
    assert pd.api.types.is_integer_dtype(table["n"])
    assert table["x"].tolist() == [8.5, 8.0, 8.5]
    assert pd.api.types.is_float_dtype(table["x"])
    assert table["mode"].tolist() == ["slow", "fast", "slow"]  # TOML quotes read off
    assert table["dist"].tolist() == ["{'a': 1}", "[1, 2]", "{'a': 1}"]
    pd.testing.assert_frame_equal(table[["scenario", "kpi", "mean"]], summary)
    assert "n" not in summary.columns  # the summary itself is left alone


def test_sweep_table_booleans_are_not_numbers() -> None:
    """true/false read as booleans, which are written as text rather than as 1/0."""
    points = [{"flag": "true"}, {"flag": "false"}]
    labels = ["a", "b"]
    summary = pd.DataFrame({"scenario": ["a", "b"], "mean": [1.0, 2.0]})
    table = sweep_table(summary, points, labels)
    assert table["flag"].tolist() == ["True", "False"]
    assert not pd.api.types.is_numeric_dtype(table["flag"])
