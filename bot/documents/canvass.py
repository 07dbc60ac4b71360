"""The canvass summary's chart: doors by outcome (the latest note per door)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.documents.charts import bar_chart


def outcomes_chart(
    title: str, labels: Sequence[str], series: str, values: Sequence[float]
) -> bytes:
    """PNG bytes; CPU work, so callers run it in a worker thread."""
    return bar_chart(title, labels, {series: values})
