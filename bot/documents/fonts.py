"""The fonts embedded in every PDF: DejaVu (Cyrillic and Latin), shipped with its licence
(LICENSE_DEJAVU, a permissive Bitstream Vera derivative)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).with_name("fonts")

# family name -> {style: file}; "" is regular, "B" bold, as fpdf2 names styles.
FAMILIES: dict[str, dict[str, str]] = {
    "DejaVuSans": {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"},
    "DejaVuSerif": {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf"},
}
SANS = "DejaVuSans"
SERIF = "DejaVuSerif"


def new_pdf(orientation: str = "portrait", page_format: str | tuple[float, float] = "A4") -> FPDF:
    """An FPDF with the embedded fonts registered (SERIF selected) and no automatic page break
    surprises: callers lay out their own pages."""
    pdf = FPDF(orientation=orientation, unit="mm", format=page_format)
    for family, styles in FAMILIES.items():
        for style, file in styles.items():
            pdf.add_font(family, style=style, fname=str(FONT_DIR / file))
    pdf.set_font(SERIF, size=11)
    return pdf
