"""Build the baseline's weekly 15-minute demand profiles (999_weekly.csv, 101_weekly.csv).

ASSUMPTION. No seed document or public figure gives the within-week shape of a force's calls,
so these profiles are assumptions, built from three stated choices and kept as data:

* an hourly shape over the day (999: lowest 04:00-06:00, highest 17:00-20:00, the evening peak
  forces describe; 101: office-hours demand, lowest overnight),
* a multiplier per weekday (999 busier Friday and Saturday; 101 busiest on Monday, quieter at
  weekends),
* for 999, a night-time-economy bump in the small hours of Saturday and Sunday.

``new_years_eve.csv`` (a day profile for ``scenarios/year_2026.toml``) is the 999 hourly shape
with the evening rising to twice its usual weight by midnight (ASSUMPTION: the celebrations
build through the evening).

Hours are interpolated linearly to quarter hours. Only the shape matters: a scenario's
``calls_per_day`` sets the volume. Run ``python scenarios/profiles/make_profiles.py`` to rebuild
the CSVs after changing a choice (and copy them into controlroom_sim/data/profiles/).
"""

from __future__ import annotations

import csv
from pathlib import Path

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

HOURLY_999 = (
    1.00,
    0.85,
    0.70,
    0.58,
    0.50,
    0.48,
    0.55,
    0.68,
    0.82,
    0.92,
    0.98,
    1.02,
    1.05,
    1.08,
    1.10,
    1.18,
    1.25,
    1.30,
    1.32,
    1.30,
    1.28,
    1.25,
    1.20,
    1.10,
)
DAILY_999 = (1.00, 0.97, 0.97, 0.99, 1.05, 1.10, 1.02)
NIGHT_BUMP_999 = {5: 1.35, 6: 1.35}  # Saturday and Sunday, 00:00-04:00

HOURLY_101 = (
    0.35,
    0.25,
    0.18,
    0.14,
    0.12,
    0.15,
    0.30,
    0.60,
    1.05,
    1.40,
    1.55,
    1.55,
    1.50,
    1.50,
    1.50,
    1.50,
    1.45,
    1.35,
    1.25,
    1.15,
    1.00,
    0.85,
    0.65,
    0.48,
)
DAILY_101 = (1.12, 1.05, 1.02, 1.00, 0.98, 0.88, 0.85)


def quarter_hours(hourly: tuple[float, ...]) -> list[float]:
    """Linear interpolation between hour midpoints, wrapping round midnight."""
    out = []
    for q in range(96):
        t = q / 4 + 0.125 - 0.5  # quarter-hour midpoint, in hours from the first hour's midpoint
        h0 = int(t // 1) % 24
        frac = t - (t // 1)
        out.append(hourly[h0] * (1 - frac) + hourly[(h0 + 1) % 24] * frac)
    return out


def weekly(hourly, daily, night_bump=None) -> list[tuple[str, str, float]]:
    day_shape = quarter_hours(hourly)
    rows = []
    for d, name in enumerate(WEEKDAYS):
        for q in range(96):
            weight = day_shape[q] * daily[d]
            if night_bump and d in night_bump and q < 16:
                weight *= night_bump[d]
            rows.append((name, f"{q // 4:02d}:{q % 4 * 15:02d}", round(weight, 4)))
    return rows


def new_years_eve(hourly) -> list[tuple[str, float]]:
    """One day: the hourly shape, times 1 before 18:00 rising linearly to 2 at midnight."""
    rows = []
    for q, weight in enumerate(quarter_hours(hourly)):
        hours = q / 4 + 0.125
        ramp = 1.0 + max(0.0, hours - 18.0) / 6.0
        rows.append((f"{q // 4:02d}:{q % 4 * 15:02d}", round(weight * ramp, 4)))
    return rows


def write_day(path: Path, rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["start", "weight"])
        writer.writerows(rows)


def write(path: Path, rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["weekday", "start", "weight"])
        writer.writerows(rows)


if __name__ == "__main__":
    here = Path(__file__).parent
    write(here / "999_weekly.csv", weekly(HOURLY_999, DAILY_999, NIGHT_BUMP_999))
    write(here / "101_weekly.csv", weekly(HOURLY_101, DAILY_101))
    write_day(here / "new_years_eve.csv", new_years_eve(HOURLY_999))
