"""The first sheet of an XLSX file as rows of text, streamed with the standard library.

openpyxl (read-only) builds a Python object per cell: 1.2 s of CPU for a 10,000-row list. The
sheet is plain XML in a zip, so reading it with ElementTree.iterparse takes a fraction of
that. Formulas are reported, never evaluated; dates come out as YYYY-MM-DD. The zip's
declared sizes are checked first, so a "zip bomb" is refused before it is inflated.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from xml.etree.ElementTree import Element, ParseError, iterparse

MAX_UNPACKED = 400 * 1024 * 1024
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 22, 45, 46, 47})
_COLUMN = re.compile(r"^([A-Z]+)")
_EPOCH = date(1899, 12, 30)  # Excel's day 0 (the 1900 system, with its leap-year bug)


class XlsxError(Exception):
    """Not a readable XLSX workbook."""


def _column_index(reference: str) -> int:
    match = _COLUMN.match(reference)
    if match is None:
        return -1
    index = 0
    for letter in match.group(1):
        index = index * 26 + ord(letter) - 64
    return index - 1


def _text(element: Element | None) -> str:
    """All the text of a shared or inline string, rich-text runs included."""
    if element is None:
        return ""
    return "".join(t.text or "" for t in element.iter(f"{_MAIN}t"))


def _first_sheet(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    try:
        workbook = _parse(archive, "xl/workbook.xml")
        relations = _parse(archive, "xl/_rels/workbook.xml.rels")
        sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
        wanted = sheet.get(f"{_REL}id") if sheet is not None else None
        for relation in relations.iter(f"{_PKG_REL}Relationship"):
            if relation.get("Id") == wanted:
                target = relation.get("Target", "").lstrip("/")
                path = target if target.startswith("xl/") else f"xl/{target}"
                if path in names:
                    return path
    except (KeyError, XlsxError):
        pass
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    if not sheets:
        raise XlsxError("no worksheet")
    return sheets[0]


def _parse(archive: zipfile.ZipFile, name: str) -> Element:
    with archive.open(name) as handle:
        try:
            return _whole(handle)
        except ParseError:
            raise XlsxError(name) from None


def _whole(handle: io.IOBase) -> Element:
    root = None
    for _, element in iterparse(handle, events=("end",)):
        root = element
    if root is None:
        raise XlsxError("empty part")
    return root


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as handle:
        try:
            for _, element in iterparse(handle, events=("end",)):
                if element.tag == f"{_MAIN}si":
                    strings.append(_text(element))
                    element.clear()
        except ParseError:
            raise XlsxError("sharedStrings") from None
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles that show a number as a date."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    styles = _parse(archive, "xl/styles.xml")
    custom = {
        int(f.get("numFmtId", "0"))
        for f in styles.iter(f"{_MAIN}numFmt")
        if re.search(r"[dmy]", re.sub(r'"[^"]*"|\[[^]]*]', "", f.get("formatCode", "").lower()))
        and "h" not in f.get("formatCode", "").lower()
    }
    cell_formats = styles.find(f"{_MAIN}cellXfs")
    if cell_formats is None:
        return set()
    return {
        index
        for index, xf in enumerate(cell_formats.iter(f"{_MAIN}xf"))
        if int(xf.get("numFmtId", "0")) in _DATE_FORMAT_IDS | custom
    }


def _number(value: str) -> str:
    """ "12.0" and "7.9215551234E10" as the whole numbers they are (phones, ids)."""
    if value.endswith(".0") or "E" in value or "e" in value:
        try:
            number = float(value)
        except ValueError:
            return value
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
    return value


def read_rows(data: bytes) -> Iterator[tuple[int, list[str], list[int]]]:
    """(row number, cell texts, indexes of cells holding a formula) for every non-empty row."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise XlsxError("not a zip") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise XlsxError("too large unpacked")
        strings = _shared_strings(archive)
        dates = _date_styles(archive)
        sheet = _first_sheet(archive)
        with archive.open(sheet) as handle:
            try:
                yield from _rows(handle, strings, dates)
            except ParseError:
                raise XlsxError("sheet") from None


def _rows(
    handle: io.IOBase, strings: list[str], dates: set[int]
) -> Iterator[tuple[int, list[str], list[int]]]:
    row_tag, cell_tag = f"{_MAIN}row", f"{_MAIN}c"
    value_tag, formula_tag, inline_tag = f"{_MAIN}v", f"{_MAIN}f", f"{_MAIN}is"
    number = 0
    for _, element in iterparse(handle, events=("end",)):
        if element.tag != row_tag:
            continue
        number = int(element.get("r") or number + 1)
        cells: list[str] = []
        formulas: list[int] = []
        for position, cell in enumerate(element.iter(cell_tag)):
            index = _column_index(cell.get("r", "")) if cell.get("r") else position
            if index < 0:
                index = position
            while len(cells) < index:
                cells.append("")
            if cell.find(formula_tag) is not None:
                formulas.append(index)
            kind = cell.get("t", "n")
            value = cell.findtext(value_tag)
            if kind == "s":
                text = (
                    strings[int(value)]
                    if value and value.isdigit() and int(value) < len(strings)
                    else ""
                )
            elif kind == "inlineStr":
                text = _text(cell.find(inline_tag))
            elif kind == "b":
                text = "1" if value == "1" else "0"
            elif value is None:
                text = ""
            elif kind == "n" and int(cell.get("s", "0")) in dates:
                try:
                    text = (_EPOCH + timedelta(days=int(float(value)))).isoformat()
                except (ValueError, OverflowError):
                    text = value
            elif kind == "n":
                text = _number(value)
            else:
                text = value
            cells.append(text)
        element.clear()
        if any(c.strip() for c in cells) or formulas:
            yield number, cells, formulas
