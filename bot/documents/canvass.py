"""The canvass summary's chart (doors by outcome, the latest note per door) and the XLSX
export with a sheet per table (the notes, the buildings' coverage)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from bot.documents.charts import bar_chart
from bot.services.export import Table


def outcomes_chart(
    title: str, labels: Sequence[str], series: str, values: Sequence[float]
) -> bytes:
    """PNG bytes; CPU work, so callers run it in a worker thread."""
    return bar_chart(title, labels, {series: values})


def workbook(sheets: Sequence[tuple[str, Table]]) -> bytes:
    """XLSX bytes; every text cell stored as text, so "=..." is never a formula (as in
    bot.services.export). CPU work: callers run it in a worker thread."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, table in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(list(table.header))
        for line in table.rows:
            sheet.append(list(line))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
