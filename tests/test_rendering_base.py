"""The shared renderers: PDFs carry Cyrillic text in an embedded font, charts are real PNGs."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.documents.charts import bar_chart
from bot.documents.fonts import SANS, new_pdf


def test_pdf_embeds_a_font_that_carries_cyrillic() -> None:
    pdf = new_pdf()
    pdf.add_page()
    pdf.cell(text="Заявление Ёлкиной Анны")
    pdf.set_font(SANS, style="B")
    pdf.cell(text="Signature sheet")
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    text = reader.pages[0].extract_text()
    assert "Заявление Ёлкиной Анны" in text
    assert "Signature sheet" in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert all(
        "/FontFile2"
        in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        for f in fonts.values()
    )


def test_bar_chart_is_a_png_sized_to_its_rows() -> None:
    short = Image.open(io.BytesIO(bar_chart("Воронка", ["А", "Б"], {"n": [1, 2]})))
    tall = Image.open(io.BytesIO(bar_chart("Воронка", list("АБВГДЕЖЗ"), {"n": list(range(8))})))
    assert short.format == tall.format == "PNG"
    assert tall.height > short.height


def test_bar_chart_rejects_a_series_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="one value per label"):
        bar_chart("x", ["a", "b"], {"n": [1]})
