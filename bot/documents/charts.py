"""Bar charts as PNG bytes for the chat (funnels, coverage, activity).

matplotlib with the non-interactive Agg backend: no display needed, and its default font
(DejaVu Sans) has Cyrillic.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # after the backend is chosen

PALETTE = ("#2f6db5", "#e07b39", "#5a9e4b", "#b5473a", "#7f5fa8", "#8c8c8c")


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    horizontal: bool = True,
    stacked: bool = False,
) -> bytes:
    """One bar group per label, one bar (or stacked segment) per series. Returns PNG bytes.

    Figure (not pyplot) keeps no global state, so charts can be drawn from worker threads.
    """
    if any(len(values) != len(labels) for values in series.values()):
        raise ValueError("every series needs one value per label")
    rows = max(len(labels), 1)
    size = (8, 1.2 + 0.45 * rows) if horizontal else (1.5 + 0.6 * rows, 5)
    figure = Figure(figsize=size, dpi=110)
    axes = figure.subplots()
    positions = list(range(len(labels)))
    count = max(len(series), 1)
    width = 0.8 if stacked else 0.8 / count
    offsets = [0.0] * len(labels)
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        shift = 0.0 if stacked else (index - (count - 1) / 2) * width
        places = [p + shift for p in positions]
        if horizontal:
            bars = axes.barh(
                places,
                values,
                height=width,
                left=offsets if stacked else None,
                label=name,
                color=color,
            )
        else:
            bars = axes.bar(
                places,
                values,
                width=width,
                bottom=offsets if stacked else None,
                label=name,
                color=color,
            )
        if not stacked:
            axes.bar_label(bars, fmt="%g", padding=2, fontsize=8)
        if stacked:
            offsets = [o + v for o, v in zip(offsets, values, strict=True)]
    if horizontal:
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
    else:
        axes.set_xticks(positions, labels, rotation=30, ha="right")
    axes.set_title(title)
    if len(series) > 1:
        axes.legend(loc="best", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
