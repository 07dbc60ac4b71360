"""Exports of the coordinators' data as XLSX and CSV. Building a file is CPU work: callers run
`render_*` in a worker thread, never on the event loop.

Formula injection: a value like "=HYPERLINK(...)" must not run on the coordinator's computer.
In CSV, cells a spreadsheet would read as a formula (starting with = + - @, or a tab/CR that
some programs strip first) get a leading apostrophe. In XLSX every text cell is stored as
text, so nothing is evaluated and phones keep their "+".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from bot.services.crypto import FieldCipher
from bot.services.directory import Row
from bot.services.keyring import read

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[object, ...]]


def candidates_table(
    rows: Sequence[Row],
    cipher: FieldCipher,
    header: tuple[str, ...],
    full_names: Mapping[int, str | None],
) -> Table:
    """One line per candidate; contacts decrypted (the export itself is audited)."""
    lines = []
    for row in rows:
        candidate = row.candidate
        lines.append(
            (
                candidate.id,
                full_names.get(candidate.id) or "",
                row.organisation or "",
                row.formation or "",
                row.district_number or "",
                read(cipher, candidate.phone_enc) or "",
                read(cipher, candidate.email_enc) or "",
                candidate.quest_points,
                row.idle_days if row.idle_days is not None else "",
                candidate.registered_at.strftime("%d.%m.%Y") if candidate.registered_at else "",
            )
        )
    return Table(header, lines)


def render_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    for line in table.rows:
        writer.writerow([safe_cell(value) for value in line])
    # UTF-8 with a BOM: Excel on Windows opens Cyrillic correctly only then.
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(table: Table, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(table.header))
    for line in table.rows:
        sheet.append(list(line))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
