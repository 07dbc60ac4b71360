"""The fund's printables: the donation card a candidate shares (QR code, details, the rules of
who may donate) and the fund summary for the financial report, as PDF and XLSX.

Texts arrive localised and ready; this module only lays them out. CPU work: callers run these
functions in a worker thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from fpdf import FPDF
from openpyxl import Workbook

from bot.documents.fonts import SANS, SERIF, new_pdf


@dataclass(frozen=True)
class CardContent:
    title: str
    candidate: str
    district: str
    qr_png: bytes
    qr_caption: str
    details: list[tuple[str, str]]  # (label, value)
    link_label: str
    link: str
    rules_title: str
    rules: list[str]
    footer: str


@dataclass(frozen=True)
class LedgerContent:
    title: str
    subtitle: str
    totals: list[tuple[str, str]]
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]  # already formatted for print
    raw_rows: list[tuple[object, ...]]  # the same rows with numbers as numbers (XLSX)
    totals_sheet: str
    entries_sheet: str
    empty: str


def _heading(pdf: FPDF, text: str, size: int = 16) -> None:
    pdf.set_font(SANS, "B", size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def donation_card_pdf(card: CardContent) -> bytes:
    pdf = new_pdf()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _heading(pdf, card.title, 18)
    pdf.set_font(SANS, "B", 13)
    pdf.multi_cell(0, 7, card.candidate, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SERIF, "", 11)
    pdf.multi_cell(0, 6, card.district, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    top = pdf.get_y()
    pdf.image(io.BytesIO(card.qr_png), x=pdf.l_margin, y=top, w=70, h=70)
    pdf.set_xy(pdf.l_margin + 75, top)
    pdf.set_font(SANS, "", 10)
    for label, value in card.details:
        pdf.set_x(pdf.l_margin + 75)
        pdf.set_font(SANS, "B", 9)
        pdf.multi_cell(0, 5, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(pdf.l_margin + 75)
        pdf.set_font(SANS, "", 10)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 72))
    pdf.set_font(SANS, "", 9)
    pdf.multi_cell(0, 5, card.qr_caption, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(SANS, "B", 10)
    pdf.multi_cell(0, 5, card.link_label, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SANS, "", 10)
    pdf.multi_cell(0, 5, card.link, new_x="LMARGIN", new_y="NEXT", link=card.link)
    pdf.ln(3)
    _heading(pdf, card.rules_title, 12)
    pdf.set_font(SERIF, "", 10)
    for rule in card.rules:
        pdf.multi_cell(0, 5, "• " + rule, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(SANS, "", 8)
    pdf.multi_cell(0, 4, card.footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# Column widths of the ledger table in millimetres (landscape A4: 277 mm between margins).
_WIDTHS = (24, 30, 70, 30, 73, 50)


def summary_pdf(content: LedgerContent) -> bytes:
    pdf = new_pdf(orientation="landscape")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    _heading(pdf, content.title)
    pdf.set_font(SERIF, "", 11)
    pdf.multi_cell(0, 6, content.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in content.totals:
        pdf.set_font(SANS, "", 10)
        pdf.cell(90, 6, label)
        pdf.set_font(SANS, "B", 10)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if not content.rows:
        pdf.set_font(SERIF, "", 11)
        pdf.multi_cell(0, 6, content.empty, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    pdf.set_font(SANS, "", 8)
    with pdf.table(col_widths=_WIDTHS, text_align="LEFT", line_height=4.5) as table:
        heading = table.row()
        for title in content.header:
            heading.cell(title)
        for line in content.rows:
            row = table.row()
            for value in line:
                row.cell(value)
    return bytes(pdf.output())


def summary_xlsx(content: LedgerContent) -> bytes:
    book = Workbook()
    totals = book.active
    assert totals is not None
    totals.title = content.totals_sheet[:31]
    totals.append([content.title])
    totals.append([content.subtitle])
    for label, value in content.totals:
        totals.append([label, value])
    entries = book.create_sheet(content.entries_sheet[:31])
    entries.append(list(content.header))
    for line in content.raw_rows:
        entries.append(list(line))
    for sheet in (totals, entries):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a donor's "=..." must never run as a formula
    entries.column_dimensions["C"].width = 40
    entries.column_dimensions["E"].width = 50
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
