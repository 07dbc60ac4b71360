"""The nomination package as PDFs: the statement of consent to run (67-ФЗ art. 33 p. 2), the
income and property declaration (art. 33 p. 3, appendix 1) where the election requires it, the
signature sheet (appendix 8) with the candidate's and the district's data filled in, and the
cover list (опись) with the checklist of attachments.

Plain synchronous code over plain data (`NominationData`): callers run it in a worker thread.
The layouts follow the usual forms; the footer of every page tells the candidate to compare
with the commission's own form, since commissions differ in details.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.documents.fonts import FAMILIES, FONT_DIR, SERIF

MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря")  # fmt: skip
LINE = 5.5
SMALL = 8


@dataclass(frozen=True)
class Declaration:
    year: int  # the calendar year the income is declared for
    income: tuple[tuple[str, str], ...] = ()  # (source, amount in roubles "850000.00")
    real_estate: tuple[str, ...] = ()
    vehicles: tuple[str, ...] = ()
    accounts: tuple[tuple[str, str], ...] = ()  # (bank and account, balance)
    securities: tuple[str, ...] = ()


@dataclass(frozen=True)
class NominationData:
    version: int
    generated_at: datetime
    name: str  # nominative, as in the passport
    name_genitive: str
    name_instrumental: str
    female: bool
    birth_date: str
    birth_place: str
    address: str
    locality: str  # region and town of the address: all a signature sheet may show
    passport_series: str
    passport_number: str
    passport_issued: str
    passport_issuer: str
    passport_division: str
    inn: str | None
    snils: str | None
    citizenship: str
    education: str | None
    work: str
    deputy_council: str | None
    criminal: str | None
    party_membership: str | None
    nominating_party: str | None  # None: self-nomination
    election_name: str
    election_day: date
    formation: str
    district_number: int
    seats: int
    declaration: Declaration | None = None
    signature_rows: int = 10
    extra: dict[str, str] = field(default_factory=dict)


def long_date(day: date) -> str:
    return f"«{day.day:02d}» {MONTHS[day.month - 1]} {day.year} года"


def _council(data: NominationData) -> str:
    return (
        "Муниципального совета внутригородского муниципального образования "
        f"Санкт-Петербурга {data.formation}"
    )


def _district(data: NominationData, case: str) -> str:
    """ "по пятимандатному избирательному округу № 2" (dative) or the nominative."""
    if data.seats == 1:
        kind = {"dat": "одномандатному", "nom": "одномандатный"}[case]
    else:
        kind = {"dat": f"{data.seats}-мандатному", "nom": f"{data.seats}-мандатный"}[case]
    noun = "избирательному округу" if case == "dat" else "избирательный округ"
    return f"{kind} {noun} № {data.district_number}"


# What the forms are written in: Latin and Latin-1, Cyrillic, punctuation, №, ₽, □.
_COMPACT_RANGES = (
    range(0x20, 0x7F),
    range(0xA0, 0x180),
    range(0x400, 0x530),
    range(0x2010, 0x2070),
    (0x2116, 0x20BD, 0x25A1),
)
_COMPACT_CHARS = frozenset(chr(code) for codes in _COMPACT_RANGES for code in codes)
_compact_lock = threading.Lock()


@lru_cache(maxsize=4)
def _compact_font(file: str) -> Path:
    """The shipped DejaVu face cut down to the characters above, made once per process into a
    cache file (fpdf2 reads fonts from paths). Parsing the whole face (3,500 glyphs) for every
    document was half of the time a document took; the cut one has 700."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    source = FONT_DIR / file
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"shtab-fonts-{os.getuid()}" / f"{digest}-{file}"
    with _compact_lock:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if target.parent.stat().st_uid != os.getuid():
            return source  # someone else's directory: never read a font planted there
        if not target.exists():
            font = TTFont(source)
            options = subset.Options(notdef_outline=True, recommended_glyphs=True)
            options.layout_features = ["*"]
            options.name_IDs = ["*"]
            options.drop_tables += ["FFTM"]
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=[ord(ch) for ch in _COMPACT_CHARS])
            subsetter.subset(font)
            partial = target.with_suffix(f".{os.getpid()}.part")
            font.save(partial)
            os.replace(partial, target)  # atomic: another process never reads half a file
    return target


def _strings(data: NominationData) -> str:
    parts: list[str] = []
    for value in vars(data).values():
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, Declaration):
            parts += [str(item) for item in vars(value).values()]
        elif isinstance(value, dict):
            parts += map(str, value.values())
    return "".join(parts)


def _new_pdf(data: NominationData, orientation: str) -> FPDF:
    """fonts.new_pdf() with the serif faces only, cut down to the characters the forms use
    when the candidate's answers need no others (then the whole faces, as fonts.new_pdf)."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    compact = set(_strings(data)) <= _COMPACT_CHARS
    for style, file in FAMILIES[SERIF].items():
        path = _compact_font(file) if compact else FONT_DIR / file
        pdf.add_font(SERIF, style=style, fname=str(path))
    return pdf


def _start(data: NominationData, orientation: str = "portrait") -> FPDF:
    pdf = _new_pdf(data, orientation)
    # Metadata stays impersonal: a file's properties are shown by every viewer and indexer.
    pdf.set_creator("Shtab")
    pdf.set_creation_date(data.generated_at)
    if orientation == "portrait":
        pdf.set_margins(20, 15, 15)
        pdf.set_auto_page_break(True, margin=18)
    else:
        pdf.set_margins(12, 10, 12)
        pdf.set_auto_page_break(True, margin=10)
    pdf.add_page()
    return pdf


def _para(pdf: FPDF, text: str, *, size: float = 11, bold: bool = False, align: str = "J",
          height: float = LINE, indent: float = 0) -> None:  # fmt: skip
    pdf.set_font(SERIF, "B" if bold else "", size)
    if indent:
        pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _under(pdf: FPDF, caption: str, width: float = 0) -> None:
    """A line to fill in by hand, with its small caption underneath."""
    pdf.set_font(SERIF, "", 11)
    x = pdf.get_x()
    w = width or (pdf.w - pdf.r_margin - x)
    pdf.cell(w, LINE + 2, "", border="B", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(SERIF, "", SMALL)
    pdf.set_x(x)
    pdf.cell(w, 4, caption, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _footer(pdf: FPDF, data: NominationData, title: str) -> None:
    pdf.ln(4)
    pdf.set_text_color(110)
    stamp = data.generated_at.strftime("%d.%m.%Y %H:%M")
    _para(
        pdf,
        f"{title}: версия {data.version} от {stamp} UTC, подготовлено ботом «Штаб». "
        "Сверьте форму с требованиями своей избирательной комиссии.",
        size=7,
        align="L",
        height=3.5,
    )
    pdf.set_text_color(0)


def _output(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


# --- the statement of consent ----------------------------------------------------------------


def statement(data: NominationData) -> bytes:
    pdf = _start(data)
    _addressee(pdf, data)
    pdf.ln(6)
    _para(pdf, "ЗАЯВЛЕНИЕ", size=13, bold=True, align="C")
    _para(pdf, "о согласии баллотироваться", bold=True, align="C")
    pdf.ln(4)
    how = (
        f"выдвинутым избирательным объединением «{data.nominating_party}»"
        if data.nominating_party
        else "в порядке самовыдвижения"
    )
    gave = "давала" if data.female else "давал"
    nominated = "выдвигала" if data.female else "выдвигал"
    _para(
        pdf,
        f"Я, {data.name}, даю согласие баллотироваться кандидатом в депутаты {_council(data)} "
        f"по {_district(data, 'dat')} {how} на выборах, назначенных на "
        f"{data.election_day.strftime('%d.%m.%Y')}.",
        indent=0,
    )
    pdf.ln(1)
    _para(
        pdf,
        "Подтверждаю, что я не "
        f"{gave} согласия какому-либо иному избирательному объединению на выдвижение меня "
        f"кандидатом и не {nominated} свою кандидатуру в порядке самовыдвижения по иному "
        "избирательному округу на этих выборах.",
    )
    pdf.ln(1)
    _para(
        pdf,
        "В случае избрания обязуюсь в установленный законом срок прекратить деятельность, "
        "несовместимую со статусом депутата.",
    )
    pdf.ln(2)
    _para(pdf, "О себе сообщаю следующие сведения:", bold=True, align="L")
    for label, value in _facts(data):
        pdf.set_font(SERIF, "", 11)
        pdf.multi_cell(
            0, LINE, f"{label} — {value};", align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(6)
    _signature_block(pdf)
    _footer(pdf, data, "Заявление о согласии баллотироваться")
    return _output(pdf)


def _addressee(pdf: FPDF, data: NominationData) -> None:
    pdf.set_font(SERIF, "", 11)
    left = pdf.w / 2
    for line in (
        "В избирательную комиссию",
        "внутригородского муниципального образования",
        f"Санкт-Петербурга {data.formation}",
        f"от кандидата {data.name_genitive}",
    ):
        pdf.set_x(left)
        pdf.multi_cell(
            pdf.w - pdf.r_margin - left, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _facts(data: NominationData) -> list[tuple[str, str]]:
    passport = (
        f"паспорт гражданина Российской Федерации, серия {data.passport_series} "
        f"№ {data.passport_number}, выдан {data.passport_issued} {data.passport_issuer}, "
        f"код подразделения {data.passport_division}"
    )
    facts = [
        ("дата рождения", data.birth_date),
        ("место рождения", data.birth_place),
        ("адрес места жительства", data.address),
        ("вид документа", passport),
        ("ИНН", data.inn or "не присвоен"),
    ]
    if data.snils:
        facts.append(("СНИЛС", data.snils))
    facts += [
        ("гражданство", data.citizenship),
        ("профессиональное образование", data.education or "не имею"),
        ("основное место работы или службы, занимаемая должность (род занятий)", data.work),
    ]
    if data.deputy_council:
        facts.append(("депутат на непостоянной основе", data.deputy_council))
    facts.append(("сведения о судимости", data.criminal or "судимости не имею"))
    if data.party_membership:
        facts.append(
            (
                "принадлежность к политической партии или общественному объединению и статус",
                data.party_membership,
            )
        )
    return facts


def _signature_block(pdf: FPDF) -> None:
    y = pdf.get_y()
    pdf.set_x(pdf.l_margin)
    _under(pdf, "(фамилия, имя, отчество — собственноручно)", 95)
    pdf.set_xy(pdf.l_margin + 105, y)
    _under(pdf, "(подпись)", 30)
    pdf.set_xy(pdf.l_margin + 140, y)
    _under(pdf, "(дата)", 35)
    pdf.ln(2)


# --- the income and property declaration ------------------------------------------------------


def declaration(data: NominationData) -> bytes:
    assert data.declaration is not None, "the election does not require a declaration"
    d = data.declaration
    pdf = _start(data)
    _para(pdf, "СВЕДЕНИЯ", size=13, bold=True, align="C")
    _para(
        pdf,
        "о размере и об источниках доходов, имуществе, принадлежащем кандидату на праве "
        "собственности, о счетах (вкладах) в банках, ценных бумагах",
        bold=True,
        align="C",
    )
    pdf.ln(3)
    _para(
        pdf,
        f"Я, кандидат {data.name}, сообщаю сведения о размере и об источниках своих доходов "
        f"за {d.year} год, об имуществе, принадлежащем мне на праве собственности, о счетах "
        "(вкладах) в банках и о ценных бумагах.",
    )
    pdf.ln(2)
    _table(pdf, "1. Доходы", ("Источник выплаты дохода", "Сумма, руб."), (130, 45),
           [(what, _rub(amount)) for what, amount in d.income])  # fmt: skip
    _table(pdf, "2. Недвижимое имущество", ("Вид, место нахождения, площадь",), (175,),
           [(line,) for line in d.real_estate])  # fmt: skip
    _table(pdf, "3. Транспортные средства", ("Вид, марка, модель, год выпуска",), (175,),
           [(line,) for line in d.vehicles])  # fmt: skip
    _table(pdf, "4. Денежные средства на счетах (во вкладах) в банках",
           ("Банк, номер счёта", "Остаток, руб."), (130, 45),
           [(what, _rub(amount)) for what, amount in d.accounts])  # fmt: skip
    _table(pdf, "5. Ценные бумаги, иное участие в коммерческих организациях",
           ("Наименование, количество, стоимость",), (175,),
           [(line,) for line in d.securities])  # fmt: skip
    pdf.ln(4)
    _para(pdf, "Достоверность и полноту настоящих сведений подтверждаю.", align="L")
    pdf.ln(4)
    _signature_block(pdf)
    _footer(pdf, data, "Сведения о доходах и имуществе")
    return _output(pdf)


def _rub(amount: str) -> str:
    whole, _, cents = amount.partition(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{grouped},{(cents or '00'):0<2}"


def _table(
    pdf: FPDF,
    title: str,
    header: tuple[str, ...],
    widths: tuple[float, ...],
    rows: list[tuple[str, ...]],
) -> None:
    _para(pdf, title, bold=True, align="L")
    pdf.set_font(SERIF, "", 10)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        line_height=LINE,
        first_row_as_headings=True,
    ) as table:
        head = table.row()
        for text in header:
            head.cell(text)
        for row in rows or [tuple(["нет"] + [""] * (len(header) - 1))]:
            cells = table.row()
            for text in row:
                cells.cell(text)
    pdf.ln(2)


# --- the signature sheet ---------------------------------------------------------------------


def signature_sheet(data: NominationData) -> bytes:
    pdf = _start(data, "landscape")
    _para(pdf, "ПОДПИСНОЙ ЛИСТ", size=12, bold=True, align="C")
    _para(pdf, f"Выборы депутатов {_council(data)}", size=10, align="C")
    _para(pdf, long_date(data.election_day), size=10, align="C", height=4.5)
    _para(pdf, "(дата голосования)", size=7, align="C", height=3)
    pdf.ln(1)
    how = (
        f"выдвижение избирательным объединением «{data.nominating_party}»"
        if data.nominating_party
        else "самовыдвижение"
    )
    citizen = "гражданки" if data.female else "гражданина"
    born = "родившейся" if data.female else "родившегося"
    works = "работающей" if data.female else "работающего"
    lives = "проживающей" if data.female else "проживающего"
    text = (
        f"Мы, нижеподписавшиеся, поддерживаем {how} кандидата в депутаты по "
        f"{_district(data, 'dat')} {citizen} Российской Федерации {data.name_genitive}, "
        f"{born} {data.birth_date}, {works} {data.work}, {lives} {data.locality}."
    )
    if data.criminal:
        text += f" Сведения о судимости: {data.criminal}."
    if data.party_membership:
        text += f" {data.party_membership}."
    _para(pdf, text, size=10, height=4.5)
    pdf.ln(1)
    pdf.set_font(SERIF, "", 8)
    header = (
        "№ п/п",
        "Фамилия, имя, отчество",
        "Год рождения (в возрасте 18 лет — дополнительно число и месяц рождения)",
        "Адрес места жительства",
        "Серия и номер паспорта или документа, заменяющего паспорт гражданина",
        "Дата внесения подписи",
        "Подпись",
    )
    with pdf.table(
        col_widths=(10, 55, 32, 70, 45, 26, 35), line_height=4, first_row_as_headings=True
    ) as table:
        head = table.row()
        for text_cell in header:
            head.cell(text_cell)
        for number in range(1, data.signature_rows + 1):
            row = table.row()
            row.cell(str(number))
            for _ in header[1:]:
                row.cell("\n")
    pdf.ln(2)
    pdf.set_font(SERIF, "", 9)
    pdf.multi_cell(0, 4.5, "Подписной лист удостоверяю:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _under(
        pdf,
        "(фамилия, имя, отчество, дата рождения, адрес места жительства, серия и номер "
        "паспорта или документа, заменяющего паспорт гражданина, сборщика подписей; "
        "его подпись и дата)",
    )
    pdf.ln(1)
    pdf.set_font(SERIF, "", 9)
    pdf.multi_cell(0, 4.5, f"Кандидат {data.name}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _under(pdf, "(подпись и дата)", 80)
    _footer(pdf, data, "Подписной лист")
    return _output(pdf)


# --- the cover list --------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    title: str
    note: str = ""


def attachments(data: NominationData) -> list[Attachment]:
    """What goes into the folder, as far as the answers tell."""
    items = [
        Attachment("Заявление о согласии баллотироваться", "подписано собственноручно"),
        Attachment(
            "Копия паспорта гражданина Российской Федерации",
            "страницы с данными и с отметкой о регистрации",
        ),
    ]
    if data.education:
        items.append(Attachment("Копии документов о профессиональном образовании"))
    items.append(
        Attachment(
            "Документ, подтверждающий основное место работы (службы) и должность, или род занятий",
            "справка с работы, выписка из трудовой книжки, справка из вуза и т.п.",
        )
    )
    if data.deputy_council:
        items.append(Attachment("Справка об исполнении обязанностей депутата на непостоянной "
                                "основе"))  # fmt: skip
    if data.party_membership:
        items.append(Attachment("Документ о принадлежности к партии (общественному "
                                "объединению) и статусе в нём"))  # fmt: skip
    if data.declaration is not None:
        items.append(Attachment("Сведения о размере и об источниках доходов, имуществе"))
    if data.nominating_party:
        items.append(Attachment(f"Решение избирательного объединения «{data.nominating_party}» "
                                "о выдвижении кандидата"))  # fmt: skip
    items.append(Attachment("Копии документов о смене фамилии, имени или отчества",
                            "если менялись"))  # fmt: skip
    return items


def inventory(data: NominationData) -> bytes:
    pdf = _start(data)
    _para(pdf, "ОПИСЬ", size=13, bold=True, align="C")
    _para(
        pdf,
        f"документов, представляемых кандидатом {data.name_instrumental} в избирательную "
        f"комиссию внутригородского муниципального образования Санкт-Петербурга "
        f"{data.formation} для выдвижения по {_district(data, 'dat')}",
        align="C",
    )
    pdf.ln(4)
    pdf.set_font(SERIF, "", 10)
    with pdf.table(
        col_widths=(10, 105, 25, 35), line_height=LINE, first_row_as_headings=True
    ) as table:
        head = table.row()
        for text in ("№", "Наименование документа", "Листов", "Отметка"):
            head.cell(text)
        for number, item in enumerate(attachments(data), 1):
            row = table.row()
            row.cell(str(number))
            row.cell(item.title + (f" ({item.note})" if item.note else ""))
            row.cell("")
            row.cell("□")
    pdf.ln(6)
    _para(pdf, "Документы представил:", align="L")
    pdf.ln(2)
    _signature_block(pdf)
    pdf.ln(4)
    _para(pdf, "Документы принял:", align="L")
    pdf.ln(2)
    _signature_block(pdf)
    _footer(pdf, data, "Опись документов")
    return _output(pdf)


RENDERERS: dict[str, Callable[[NominationData], bytes]] = {
    "statement": statement,
    "declaration": declaration,
    "signatures": signature_sheet,
    "inventory": inventory,
}


def kinds(data: NominationData) -> tuple[str, ...]:
    """The documents this candidate's package consists of, in the order they are sent."""
    if data.declaration is None:
        return ("statement", "signatures", "inventory")
    return ("statement", "declaration", "signatures", "inventory")


def render_all(data: NominationData) -> list[tuple[str, bytes]]:
    return [(kind, RENDERERS[kind](data)) for kind in kinds(data)]
