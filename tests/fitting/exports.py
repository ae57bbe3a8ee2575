"""Hand-written telephony exports for the fitting tests: a foreign format (other column names, UK
day-first times, Europe/London across the October 2025 clock change and into the March 2026
gap), and a way to write files of them."""

from __future__ import annotations

from pathlib import Path

from controlroom_sim.fitting.synthetic import MAPPING as SYNTHETIC_MAPPING

MAPPING = (
    SYNTHETIC_MAPPING.replace('["NON EMERGENCY"]', '["NON EMERGENCY", "NON-EMERG"]')
    .replace(".%f", "")
    .replace('timezone = "Europe/London"\n', "")
)
"""The synthetic export's mapping, with a second spelling of 101, times to the second, and the
time zone left to its default (Europe/London)."""

HEADER = "Ref,Service,Dialled,Presented,Answered,Cleared,WrapEnd,Agent,CLI"

# Row 2 is the first call (the header is row 1). The night of 25-26 October 2025 the clocks go
# back at 02:00 BST: 01:00-01:59 happens twice. Rows 3-5 are in offered order: 01:30 (the first
# 01:30, BST), then 01:10 (the clock went back: GMT), then 01:50 (GMT). On 29 March 2026 the
# clocks go forward at 01:00: 01:30 never happens (row 15).
ROWS = [
    "A1,EMERGENCY,25/10/2025 23:59:58,26/10/2025 00:00:03,26/10/2025 00:00:08,"
    "26/10/2025 00:03:08,26/10/2025 00:04:08,H1,07700900001",
    "A2,NON EMERGENCY,,26/10/2025 01:30:00,26/10/2025 01:30:20,26/10/2025 01:35:20,,H2,07700900002",
    "A3,NON-EMERG,,26/10/2025 01:10:00,,26/10/2025 01:12:00,,,07700900003",
    "A4,EMERGENCY,,26/10/2025 01:50:00,26/10/2025 01:50:04,26/10/2025 02:01:00,,H1,",
    "A2,NON EMERGENCY,,26/10/2025 03:00:00,26/10/2025 03:00:05,26/10/2025 03:01:00,,H2,",
    "A5,POLICE LINE,,26/10/2025 04:00:00,26/10/2025 04:00:05,26/10/2025 04:01:00,,H2,",
    "A6,EMERGENCY,,32/10/2025 10:00:00,,32/10/2025 10:01:00,,,",
    "A7,NON EMERGENCY,,26/10/2025 10:00:00,26/10/2025 10:00,26/10/2025 10:05:00,,H2,",
    ",EMERGENCY,,26/10/2025 11:00:00,26/10/2025 11:00:01,26/10/2025 11:02:00,,H1,",
    "A8,EMERGENCY,,27/10/2025 09:00:10,27/10/2025 09:00:05,27/10/2025 09:02:00,,H1,",
    "A9,NON EMERGENCY,,27/10/2025 09:10:00,27/10/2025 09:10:30,27/10/2025 09:10:20,,H2,",
    "A10,NON EMERGENCY,,27/10/2025 12:00:00,,,,,",
    "A11,POLICE LINE,,27/10/2025 13:00:00,,27/10/2025 13:00:30,,,",
    "A12,EMERGENCY,,29/03/2026 01:30:00,29/03/2026 01:30:03,29/03/2026 01:33:00,,H1,",
    "A13,NON EMERGENCY,,29/03/2026 02:30:00,29/03/2026 02:30:09,29/03/2026 02:31:00,,H2,",
]


def write(folder: Path, rows: list[str] = ROWS, name: str = "calls.csv") -> tuple[Path, Path]:
    """The export (``name``) and its mapping file, written in ``folder``."""
    export = folder / name
    export.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return export, mapping
