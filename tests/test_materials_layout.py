"""Leaflet layout and files: texts fitted without overflow (or a clear error), the imprint and
the Cyrillic read back from the PDF, pages with bleed, a preview of the same layout, and
hostile photos refused."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.documents.fonts import SANS, new_pdf
from bot.documents.leaflets import (
    BLEED,
    BULLET_INDENT,
    PREVIEW_PX_PER_MM,
    TEMPLATES,
    LayoutError,
    LeafletSpec,
    fit_layout,
    render_leaflet,
)
from bot.services.errors import InputError
from bot.services.materials import (
    MAX_PHOTO_BYTES,
    clean_cost,
    clean_points,
    normalise_photo,
)
from bot.services.materials_fit import Box, DoesNotFit, fit
from bot.services.materials_imprint import Imprint, imprint_text

NAME = "Иванова Мария Сергеевна"
IMPRINT = imprint_text(
    Imprint(
        "ООО «Типография Нева»",
        "190000, Санкт-Петербург, ул. Примерная, д. 1",
        "7801234567",
        5000,
        date(2027, 7, 12),
    ),
    NAME,
)
POINTS = (
    "Отремонтировать дворы и детские площадки",
    "Вернуть скамейки на набережную",
    "Отчитываться перед жителями каждый месяц",
)


def jpeg(width: int = 800, height: int = 1000, **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 200)).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def spec(**changes: object) -> LeafletSpec:
    values: dict[str, object] = {
        "template": "a5",
        "name": NAME,
        "subtitle": "Кандидат в депутаты муниципального совета МО «Гавань», округ № 2",
        "bio": "Учитель математики, 15 лет веду кружок для подростков.\nЗнаю каждый двор.",
        "points": POINTS,
        "contacts": "+7 911 123-45-67 · ivanova@example.ru",
        "imprint": IMPRINT,
        "photo": jpeg(),
        "draft": False,
    }
    values.update(changes)
    return LeafletSpec(**values)  # type: ignore[arg-type]


def pdf_text(data: bytes) -> list[str]:
    """Each page's text with runs of whitespace made one space (lines wrap anywhere)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def assert_inside(layout: object, template: str) -> None:
    """Every line of every text box is within its box, measured with the PDF's own font."""
    pdf = new_pdf()
    for page in layout:  # type: ignore[attr-defined]
        for placed in page:
            slot, fitted = placed.slot, placed.fitted
            assert fitted.size >= slot.min_size
            assert fitted.height <= slot.h + 1e-6, (slot.field, fitted.height, slot.h)
            pdf.set_font(SANS, "B" if slot.bold else "", fitted.size)
            room = slot.w - (BULLET_INDENT if slot.bullet else 0)
            for line in fitted.lines:
                assert pdf.get_string_width(line.text) <= room + 1e-6, (slot.field, line.text)


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_a_long_name_and_long_points_are_shrunk_to_fit(template: str) -> None:
    long_name = "Константинопольская-Кржижановская Анна-Мария Владиленовна"
    long_points = tuple(
        f"Пункт {n}: добиться капитального ремонта дворов, детских и спортивных площадок "
        "и освещения во всех кварталах округа до конца срока"
        for n in range(1, 5)
    )
    leaflet = spec(template=template, name=long_name, points=long_points)
    layout = fit_layout(leaflet)
    assert_inside(layout, template)
    by_field = {placed.slot.field: placed.fitted for page in layout for placed in page}
    name_slot = next(s for p in TEMPLATES[template].pages for s in p.texts if s.field == "name")
    assert by_field["name"].size < name_slot.max_size  # shrunk, not overflowing
    # The hyphenated surname may break after its hyphen, never inside a word.
    name_lines = [line.text for line in by_field["name"].lines]
    assert " ".join(name_lines).replace("- ", "-") == long_name
    text = " ".join(pdf_text(render_leaflet(leaflet).pdf))
    assert "Кржижановская" in text and "Владиленовна" in text


def test_text_too_long_for_its_box_is_a_clear_error_naming_it() -> None:
    bio = "Родилась и выросла на Васильевском острове, " * 18  # ~800 characters
    with pytest.raises(LayoutError) as caught:
        render_leaflet(spec(template="door_hanger", bio=bio))
    assert caught.value.field == "bio"
    assert 50 < caught.value.excess < len(bio)
    # The same text fits the bigger template.
    assert_inside(fit_layout(spec(template="a4_duplex", bio=bio)), "a4_duplex")


def test_a_word_wider_than_the_box_is_refused_not_cut() -> None:
    url = "https://example.org/" + "очень-длинный-адрес" * 1 + "x" * 120
    with pytest.raises(LayoutError) as caught:
        fit_layout(spec(template="door_hanger", contacts=url))
    assert caught.value.field == "contacts"


def test_fitting_rules_on_their_own() -> None:
    def measure(text: str, size: float) -> float:
        return len(text) * size * 0.2  # a monospace font: 0.2 mm per character per pt

    box = Box(width=40, height=10, max_size=10, min_size=6)
    fitted = fit(["раз два три четыре пять"], box, measure)
    assert fitted.size == 10
    assert [line.text for line in fitted.lines] == ["раз два три четыре", "пять"]
    tight = fit(["слово " * 12], box, measure)
    assert 6 <= tight.size < 10 and tight.height <= 10
    with pytest.raises(DoesNotFit) as caught:
        fit(["слово " * 40], box, measure)
    assert caught.value.excess > 0


def test_the_pdf_carries_the_imprint_in_readable_cyrillic() -> None:
    rendered = render_leaflet(spec())
    [text] = pdf_text(rendered.pdf)
    assert "Иванова Мария Сергеевна" in text
    assert (
        "Изготовитель: ООО «Типография Нева», 190000, Санкт-Петербург, ул. Примерная, д. 1" in text
    )
    assert "ИНН 7801234567" in text
    assert "Заказчик: кандидат Иванова Мария Сергеевна" in text
    assert "Тираж 5000 экз." in text and "Дата выпуска 12.07.2027" in text
    assert "Оплачено из средств избирательного фонда кандидата Ивановой Марии Сергеевны" in text
    assert "ОБРАЗЕЦ" not in text
    # Trim plus bleed: A5 is 148 x 210 mm, the page 154 x 216 mm (in points).
    box = PdfReader(io.BytesIO(rendered.pdf)).pages[0].mediabox
    assert round(float(box.width) * 25.4 / 72) == 148 + 2 * BLEED
    assert round(float(box.height) * 25.4 / 72) == 210 + 2 * BLEED


def test_a_draft_is_marked_on_every_page_and_the_two_sided_one_has_the_imprint() -> None:
    rendered = render_leaflet(spec(template="a4_duplex", draft=True))
    pages = pdf_text(rendered.pdf)
    assert len(pages) == rendered.pages == 2
    assert all("ОБРАЗЕЦ" in page for page in pages)
    assert "Оплачено из средств избирательного фонда" in pages[1]
    assert all(point in pages[1] for point in POINTS)


def test_the_preview_is_the_trimmed_leaflet_as_png() -> None:
    for template, pages in (("a5", 1), ("a4_duplex", 2), ("door_hanger", 1)):
        rendered = render_leaflet(spec(template=template))
        with Image.open(io.BytesIO(rendered.preview)) as preview:
            assert preview.format == "PNG"
            width, height = TEMPLATES[template].trim
            gap = round(6 * PREVIEW_PX_PER_MM)
            assert preview.size == (
                pages * round(width * PREVIEW_PX_PER_MM) + (pages + 1) * gap,
                round(height * PREVIEW_PX_PER_MM) + 2 * gap,
            )


# --- photos ------------------------------------------------------------------------------------


def test_a_good_photo_is_reencoded_upright_without_metadata() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated 90°
    exif[0x010F] = "PhoneMaker"
    stored = normalise_photo(jpeg(1000, 600, exif=exif.tobytes()))
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (600, 1000)  # turned upright
        assert not image.getexif()  # camera data, GPS included, dropped


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = bytearray(data[12:29])  # type + 13 bytes of data
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


def _other_format(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800)).save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (_other_format("GIF"), "materials-photo-type"),
        (_other_format("BMP"), "materials-photo-type"),
        (b"%PDF-1.4 this is not a photo", "materials-photo-broken"),
        (b"MZ\x90\x00 an executable named photo.jpg", "materials-photo-broken"),
        (jpeg()[:300], "materials-photo-broken"),  # truncated
        (_png_claiming(30_000, 30_000), "materials-photo-too-big"),
        (b"\xff" * (MAX_PHOTO_BYTES + 1), "materials-photo-too-big"),
        (jpeg(300, 300), "materials-photo-too-small"),
    ],
    ids=["gif", "bmp", "pdf", "exe", "truncated", "bomb", "too-many-bytes", "too-small"],
)
def test_hostile_or_unsuitable_photos_are_refused(data: bytes, code: str) -> None:
    with pytest.raises(InputError) as caught:
        normalise_photo(data)
    assert caught.value.code == code


def test_points_and_cost_as_people_type_them() -> None:
    typed = "1. Дворы\n- Скамейки\n\n• Освещение\n"
    assert clean_points(typed) == ("Дворы", "Скамейки", "Освещение")
    with pytest.raises(InputError) as caught:
        clean_points("Только один пункт")
    assert caught.value.code == "materials-points-count"
    with pytest.raises(InputError):
        clean_points("\n".join(["пункт"] * 6))
    assert clean_cost("12 500") == 1_250_000
    assert clean_cost("12500,5 ₽") == 1_250_050
    assert clean_cost("990 руб.") == 99_000
    for bad in ("", "0", "-5", "двенадцать", "1.234", "1e9"):
        with pytest.raises(InputError):
            clean_cost(bad)
