"""Print-ready leaflets: A5 one-sided, A4 two-sided, a door hanger.

One layout, two drawings: the texts are fitted into their boxes once (bot.services.materials_fit,
measured with the PDF's own embedded DejaVu fonts), then the same lines at the same places are
drawn into the PDF for the printer and, with Pillow and the same font files, into a PNG preview
for the chat. So the preview shows what the file holds, line for line.

Print conventions: every page is the trim size plus 3 mm of bleed on each side (background
bands run into it, texts keep a safe margin inside the trim); photos are embedded at up to
300 dpi; a draft is marked ОБРАЗЕЦ across every page. CPU work: call through asyncio.to_thread.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont, ImageOps

from bot.documents.fonts import FAMILIES, FONT_DIR, SANS
from bot.services.materials_fit import PT_TO_MM, Box, DoesNotFit, Fitted, fit

BLEED = 3.0  # mm on every side
PREVIEW_PX_PER_MM = 4.0  # about 100 dpi: sharp enough in a chat, small to send
PHOTO_DPI = 300
DRAFT_MARK = "ОБРАЗЕЦ"
RGB = tuple[int, int, int]
INK: RGB = (33, 33, 33)
WHITE: RGB = (255, 255, 255)
BAND: RGB = (28, 58, 104)
ACCENT: RGB = (224, 112, 32)
LIGHT: RGB = (238, 241, 245)
DIELINE: RGB = (236, 0, 140)  # the usual magenta of cutting lines
DRAFT: RGB = (200, 30, 30)
FIELDS = ("name", "subtitle", "bio", "points", "contacts", "imprint")


class LayoutError(Exception):
    """A text does not fit its box even at the smallest size allowed."""

    def __init__(self, field_name: str, excess: int) -> None:
        super().__init__(f"{field_name}: too long by about {excess} characters")
        self.field = field_name
        self.excess = excess


@dataclass(frozen=True)
class LeafletSpec:
    template: str  # a LeafletTemplate value
    name: str
    subtitle: str
    bio: str
    points: tuple[str, ...]
    contacts: str
    imprint: str
    photo: bytes  # JPEG
    draft: bool
    made_at: datetime | None = None


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    preview: bytes  # PNG
    page_size: tuple[float, float]  # mm, bleed included
    pages: int


# --- templates: positions in mm from the trim's top-left corner --------------------------------


@dataclass(frozen=True)
class TextSlot:
    field: str  # one of FIELDS
    x: float
    y: float
    w: float
    h: float
    max_size: float
    min_size: float
    bold: bool = False
    color: RGB = INK
    bullet: bool = False


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    size: float
    color: RGB = ACCENT


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    color: RGB


@dataclass(frozen=True)
class PhotoSlot:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class DieCut:
    """The door handle's hole and the slit to the edge: a cutting line, not printed."""

    cx: float
    cy: float
    r: float
    slit_to: float  # x of the edge the slit runs to


@dataclass(frozen=True)
class PageLayout:
    rects: tuple[Rect, ...] = ()
    photo: PhotoSlot | None = None
    labels: tuple[Label, ...] = ()
    texts: tuple[TextSlot, ...] = ()
    die_cut: DieCut | None = None


@dataclass(frozen=True)
class Template:
    trim: tuple[float, float]  # mm
    pages: tuple[PageLayout, ...]


ABOUT = "О себе"
PROGRAMME = "Что я сделаю для района"

TEMPLATES: dict[str, Template] = {
    "a5": Template(
        trim=(148, 210),
        pages=(
            PageLayout(
                rects=(Rect(-3, -3, 154, 80, BAND), Rect(-3, 182, 154, 14, LIGHT)),
                photo=PhotoSlot(6, 8, 48, 60),
                labels=(Label(ABOUT, 6, 82, 11), Label(PROGRAMME, 6, 129, 11)),
                texts=(
                    TextSlot("name", 60, 10, 82, 34, 22, 12, bold=True, color=WHITE),
                    TextSlot("subtitle", 60, 46, 82, 24, 10, 7, color=WHITE),
                    TextSlot("bio", 6, 88, 136, 38, 11, 7),
                    TextSlot("points", 6, 135, 136, 45, 11, 7, bullet=True),
                    TextSlot("contacts", 6, 184, 136, 10, 10, 7, bold=True),
                    TextSlot("imprint", 6, 197.5, 136, 8, 6.5, 5),
                ),
            ),
        ),
    ),
    "a4_duplex": Template(
        trim=(210, 297),
        pages=(
            PageLayout(
                rects=(Rect(-3, -3, 216, 133, BAND), Rect(-3, 258, 216, 42, LIGHT)),
                photo=PhotoSlot(12, 14, 80, 100),
                labels=(Label(ABOUT, 12, 138, 15),),
                texts=(
                    TextSlot("name", 100, 18, 98, 50, 32, 16, bold=True, color=WHITE),
                    TextSlot("subtitle", 100, 72, 98, 40, 13, 9, color=WHITE),
                    TextSlot("bio", 12, 147, 186, 104, 15, 9),
                    TextSlot("contacts", 12, 264, 186, 22, 14, 9, bold=True),
                ),
            ),
            PageLayout(
                rects=(Rect(-3, -3, 216, 33, BAND), Rect(-3, 246, 216, 29, LIGHT)),
                labels=(Label(PROGRAMME, 12, 10, 20, WHITE),),
                texts=(
                    TextSlot("points", 12, 42, 186, 198, 20, 10, bullet=True),
                    TextSlot("contacts", 12, 250, 186, 20, 13, 9, bold=True),
                    TextSlot("imprint", 12, 279, 186, 10, 8, 5),
                ),
            ),
        ),
    ),
    "door_hanger": Template(
        trim=(100, 210),
        pages=(
            PageLayout(
                rects=(Rect(-3, 44, 106, 70, BAND),),
                photo=PhotoSlot(6, 50, 36, 46),
                labels=(Label(ABOUT, 6, 117, 9), Label(PROGRAMME, 6, 152, 9)),
                texts=(
                    TextSlot("name", 46, 50, 48, 30, 17, 9, bold=True, color=WHITE),
                    TextSlot("subtitle", 46, 82, 48, 28, 8, 6, color=WHITE),
                    TextSlot("bio", 6, 122, 88, 28, 9, 6),
                    TextSlot("points", 6, 157, 88, 30, 9, 6, bullet=True),
                    TextSlot("contacts", 6, 189, 88, 8, 8, 6, bold=True),
                    TextSlot("imprint", 6, 198, 88, 8, 5.5, 4.5),
                ),
                die_cut=DieCut(50, 24, 16, 100),
            ),
        ),
    ),
}
BULLET = "•"
BULLET_INDENT = 4.0  # mm


# --- fitting ------------------------------------------------------------------------------------


@dataclass
class _Measurer:
    """String widths in mm from the PDF's own font metrics (what the printer will get)."""

    pdf: FPDF
    cache: dict[tuple[str, bool, float], float] = field(default_factory=dict)

    def width(self, text: str, size: float, bold: bool) -> float:
        key = (text, bold, size)
        if key not in self.cache:
            self.pdf.set_font(SANS, "B" if bold else "", size)
            self.cache[key] = self.pdf.get_string_width(text)
        return self.cache[key]


def _paragraphs(spec: LeafletSpec, field_name: str) -> list[str]:
    if field_name == "points":
        return list(spec.points)
    value: str = getattr(spec, field_name)
    return [line for line in value.splitlines() if line.strip()] or [""]


@dataclass(frozen=True)
class Placed:
    slot: TextSlot
    fitted: Fitted


def _fit_page(page: PageLayout, spec: LeafletSpec, measurer: _Measurer) -> list[Placed]:
    placed = []
    for slot in page.texts:
        box = Box(
            width=slot.w,
            height=slot.h,
            max_size=slot.max_size,
            min_size=slot.min_size,
            indent=BULLET_INDENT if slot.bullet else 0.0,
        )
        try:
            fitted = fit(
                _paragraphs(spec, slot.field),
                box,
                lambda text, size, bold=slot.bold: measurer.width(text, size, bold),
            )
        except DoesNotFit as error:
            raise LayoutError(slot.field, error.excess) from None
        placed.append(Placed(slot, fitted))
    return placed


def _crop_photo(photo: bytes, w_mm: float, h_mm: float) -> Image.Image:
    """Centre-cropped to the slot's proportions, at most 300 dpi."""
    with Image.open(io.BytesIO(photo)) as source:
        image = source.convert("RGB")
    target_w = round(w_mm / 25.4 * PHOTO_DPI)
    target_h = round(h_mm / 25.4 * PHOTO_DPI)
    scale = min(1.0, image.width / target_w, image.height / target_h)
    size = (max(1, round(target_w * scale)), max(1, round(target_h * scale)))
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


# --- the PDF ------------------------------------------------------------------------------------


def _jpeg(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    buffer.seek(0)
    return buffer


def _draw_pdf_page(
    pdf: FPDF,
    template: Template,
    page: PageLayout,
    placed: Sequence[Placed],
    photo: Image.Image | None,
    draft: bool,
) -> None:
    pdf.add_page()
    for rect in page.rects:
        pdf.set_fill_color(*rect.color)
        pdf.rect(rect.x + BLEED, rect.y + BLEED, rect.w, rect.h, style="F")
    if page.photo is not None and photo is not None:
        slot = page.photo
        pdf.image(_jpeg(photo), slot.x + BLEED, slot.y + BLEED, slot.w, slot.h)
    for label in page.labels:
        pdf.set_font(SANS, "B", label.size)
        pdf.set_text_color(*label.color)
        pdf.set_xy(label.x + BLEED, label.y + BLEED)
        pdf.cell(text=label.text, h=label.size * PT_TO_MM * 1.2)
    for item in placed:
        slot, fitted = item.slot, item.fitted
        pdf.set_font(SANS, "B" if slot.bold else "", fitted.size)
        pdf.set_text_color(*slot.color)
        for line in fitted.lines:
            x = slot.x + BLEED + (BULLET_INDENT if slot.bullet else 0.0)
            y = slot.y + BLEED + line.y
            if slot.bullet and line.first:
                pdf.set_text_color(*ACCENT)
                pdf.set_xy(slot.x + BLEED, y)
                pdf.cell(w=BULLET_INDENT, h=fitted.line_height, text=BULLET)
                pdf.set_text_color(*slot.color)
            pdf.set_xy(x, y)
            pdf.cell(h=fitted.line_height, text=line.text)
    if page.die_cut is not None:
        cut = page.die_cut
        pdf.set_draw_color(*DIELINE)
        pdf.set_line_width(0.25)
        with pdf.local_context(dash_pattern={"dash": 1.5, "gap": 1.0}):
            pdf.circle(cut.cx + BLEED, cut.cy + BLEED, cut.r, style="D")
            pdf.line(cut.cx + cut.r + BLEED, cut.cy + BLEED, cut.slit_to + BLEED, cut.cy + BLEED)
    if draft:
        _pdf_draft_mark(pdf, template)


def _pdf_draft_mark(pdf: FPDF, template: Template) -> None:
    width, height = template.trim
    pdf.set_font(SANS, "B", 100)
    size = 100 * 0.8 * width / pdf.get_string_width(DRAFT_MARK)
    pdf.set_font(SANS, "B", size)
    text_w = pdf.get_string_width(DRAFT_MARK)
    cx, cy = BLEED + width / 2, BLEED + height / 2
    angle = math.degrees(math.atan2(height, width))
    with pdf.rotation(angle, cx, cy), pdf.local_context(fill_opacity=0.3):
        pdf.set_text_color(*DRAFT)
        pdf.text(x=cx - text_w / 2, y=cy + size * PT_TO_MM * 0.35, text=DRAFT_MARK)


# --- the PNG preview ----------------------------------------------------------------------------


def _font(size_pt: float, bold: bool) -> ImageFont.FreeTypeFont:
    file = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    pixels = max(1, round(size_pt * PT_TO_MM * PREVIEW_PX_PER_MM))
    return ImageFont.truetype(str(FONT_DIR / file), pixels)


def _px(mm: float) -> int:
    return round(mm * PREVIEW_PX_PER_MM)


def _text_top(y_mm: float, line_height: float, size: float) -> int:
    # fpdf's cell puts the baseline near the middle of the line plus 0.3 of the font size;
    # Pillow's "ls" anchor draws at the baseline, so the same point is used.
    return _px(y_mm + line_height / 2 + 0.3 * size * PT_TO_MM)


def _draw_png_page(
    template: Template,
    page: PageLayout,
    placed: Sequence[Placed],
    photo: Image.Image | None,
    draft: bool,
) -> Image.Image:
    """The page as it is after cutting: the trim only, the bleed cut away."""
    width, height = template.trim
    canvas = Image.new("RGB", (_px(width), _px(height)), WHITE)
    draw = ImageDraw.Draw(canvas)
    for rect in page.rects:
        draw.rectangle(
            (_px(rect.x), _px(rect.y), _px(rect.x + rect.w) - 1, _px(rect.y + rect.h) - 1),
            fill=rect.color,
        )
    if page.photo is not None and photo is not None:
        slot = page.photo
        canvas.paste(photo.resize((_px(slot.w), _px(slot.h))), (_px(slot.x), _px(slot.y)))
    for label in page.labels:
        line_height = label.size * PT_TO_MM * 1.2
        draw.text(
            xy=(_px(label.x), _text_top(label.y, line_height, label.size)),
            text=label.text,
            font=_font(label.size, True),
            fill=label.color,
            anchor="ls",
        )
    for item in placed:
        slot, fitted = item.slot, item.fitted
        font = _font(fitted.size, slot.bold)
        for line in fitted.lines:
            top = _text_top(slot.y + line.y, fitted.line_height, fitted.size)
            x = slot.x + (BULLET_INDENT if slot.bullet else 0.0)
            if slot.bullet and line.first:
                draw.text(xy=(_px(slot.x), top), text=BULLET, font=font, fill=ACCENT, anchor="ls")
            draw.text(xy=(_px(x), top), text=line.text, font=font, fill=slot.color, anchor="ls")
    if page.die_cut is not None:
        cut = page.die_cut
        box = (_px(cut.cx - cut.r), _px(cut.cy - cut.r), _px(cut.cx + cut.r), _px(cut.cy + cut.r))
        draw.ellipse(box, outline=DIELINE, width=2)
        draw.line((_px(cut.cx + cut.r), _px(cut.cy), _px(cut.slit_to), _px(cut.cy)), DIELINE, 2)
    if draft:
        canvas = _png_draft_mark(canvas)
    return canvas


def _png_draft_mark(canvas: Image.Image) -> Image.Image:
    font = _font(100, True)
    left, top, right, bottom = font.getbbox(DRAFT_MARK)
    size = 100 * 0.8 * canvas.width / (right - left)
    font = _font(size, True)
    left, top, right, bottom = font.getbbox(DRAFT_MARK)
    layer = Image.new("RGBA", (right - left + 20, bottom - top + 20), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text(
        xy=(10 - left, 10 - top), text=DRAFT_MARK, font=font, fill=(*DRAFT, 80)
    )
    angle = math.degrees(math.atan2(canvas.height, canvas.width))
    layer = layer.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    base = canvas.convert("RGBA")
    base.alpha_composite(
        layer, ((base.width - layer.width) // 2, (base.height - layer.height) // 2)
    )
    return base.convert("RGB")


def _sheet(pages: Sequence[Image.Image]) -> bytes:
    """The pages side by side on a grey sheet: front and back of a two-sided leaflet."""
    gap = _px(6)
    width = sum(page.width for page in pages) + gap * (len(pages) + 1)
    height = max(page.height for page in pages) + 2 * gap
    sheet = Image.new("RGB", (width, height), (200, 200, 200))
    x = gap
    for page in pages:
        sheet.paste(page, (x, gap))
        x += page.width + gap
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG", compress_level=3)  # flat colours: small already
    return buffer.getvalue()


# --- entry point --------------------------------------------------------------------------------


def _new_pdf(page_size: tuple[float, float]) -> FPDF:
    """Only the sans family is registered: parsing a font file is most of a small
    render's time, and these layouts use no serif."""
    pdf = FPDF(unit="mm", format=page_size)
    for style, file in FAMILIES[SANS].items():
        pdf.add_font(SANS, style=style, fname=str(FONT_DIR / file))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    return pdf


def fit_layout(spec: LeafletSpec) -> list[list[Placed]]:
    """Every text of every page fitted into its box (what render_leaflet draws)."""
    measurer = _Measurer(_new_pdf(TEMPLATES[spec.template].trim))
    return [_fit_page(page, spec, measurer) for page in TEMPLATES[spec.template].pages]


def render_leaflet(spec: LeafletSpec) -> Rendered:
    """The print PDF and its PNG preview; LayoutError names a text that does not fit."""
    template = TEMPLATES[spec.template]
    width, height = template.trim
    page_size = (width + 2 * BLEED, height + 2 * BLEED)
    pdf = _new_pdf(page_size)
    pdf.set_title(("ОБРАЗЕЦ — " if spec.draft else "") + f"Листовка: {spec.name}")
    pdf.set_subject(f"Обрез {width:g}×{height:g} мм, вылеты по {BLEED:g} мм")
    pdf.set_creator("Shtab")
    if spec.made_at is not None:
        pdf.set_creation_date(spec.made_at)
    measurer = _Measurer(pdf)
    layouts = [_fit_page(page, spec, measurer) for page in template.pages]
    slot = next((page.photo for page in template.pages if page.photo), None)
    photo = _crop_photo(spec.photo, slot.w, slot.h) if slot else None
    previews = []
    for page, placed in zip(template.pages, layouts, strict=True):
        _draw_pdf_page(pdf, template, page, placed, photo, spec.draft)
        previews.append(_draw_png_page(template, page, placed, photo, spec.draft))
    return Rendered(bytes(pdf.output()), _sheet(previews), page_size, len(template.pages))
