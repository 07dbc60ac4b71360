"""/stats as one picture: the funnel by quest stage, active against stalled, and the counts by
organisation and by formation, each a bar chart of `charts.bar_chart`, stacked into one PNG
(one photo in the chat instead of four).

CPU work (matplotlib, Pillow): call `stats_png` with `asyncio.to_thread`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from bot.documents.charts import bar_chart

LABEL_WIDTH = 40  # characters of a bar's label; longer names are cut with "…"


@dataclass(frozen=True)
class Section:
    """One chart: a title and (label, count) bars, in the order they are drawn."""

    title: str
    bars: Sequence[tuple[str, int]]
    series: str = ""


def _label(text: str) -> str:
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"


def _section_png(section: Section) -> bytes:
    labels = [_label(label) for label, _ in section.bars]
    values = [count for _, count in section.bars]
    return bar_chart(section.title, labels, {section.series or section.title: values})


def stats_png(sections: Sequence[Section]) -> bytes:
    """The sections' charts one under another on a white page; empty sections are left out.
    At least one section must have bars."""
    images = [
        Image.open(io.BytesIO(_section_png(section))).convert("RGB")
        for section in sections
        if section.bars
    ]
    if not images:
        raise ValueError("nothing to draw")
    width = max(image.width for image in images)
    page = Image.new("RGB", (width, sum(image.height for image in images)), "white")
    top = 0
    for image in images:
        page.paste(image, (0, top))
        top += image.height
    buffer = io.BytesIO()
    page.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
