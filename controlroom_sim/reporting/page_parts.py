"""Pieces of the HTML report shared by its sections: escaping, an embedded figure, and a
table in its own scroll box (the page itself never scrolls sideways)."""

from __future__ import annotations

import base64
import html
from pathlib import Path


def esc(value: object) -> str:
    return html.escape(str(value))


def figure(title: str, caption: str, png: Path) -> str:
    """A PNG embedded in the page, with its title and caption."""
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{esc(title)}" src="data:image/png;base64,{data}">'
        f"<figcaption><b>{esc(title)}.</b> {esc(caption)} "
        f"(also saved as {esc(png.name)})</figcaption></figure>"
    )


def scroll_box(table: str, label: str) -> str:
    """A table in a box of its own that scrolls (both ways) with its header row and first
    column kept in view, so that a wide or long table never widens the page."""
    return f'<div class="scroll" role="region" aria-label="{esc(label)}" tabindex="0">{table}</div>'
