"""What the materials dialogs show: callback data, names of things, the leaflet's card, the
imprint screen, the print-run registry and the directory — texts and keyboards, no dialog
logic (that is bot.handlers.materials)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.models.materials import LeafletTemplate, ResourceKind
from bot.i18n import Translator
from bot.services.materials import LeafletView, RunView, format_rubles
from bot.services.materials_directory import ResourceView
from bot.services.materials_imprint import FIELDS as IMPRINT_FIELDS
from bot.services.materials_imprint import imprint_text

# Buttons of the directory (bot.handlers.materials_resources); the rest are the builder's.
RESOURCE_ACTIONS = frozenset({"res", "radd", "redit", "rfield", "rdel", "rdel2"})


class MatCb(CallbackData, prefix="mat"):
    action: str
    id: int = 0  # a leaflet, file (version), run or directory entry
    arg: str = ""


def button(text: str, action: str, id: int = 0, arg: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=MatCb(action=action, id=id, arg=arg).pack()
    )


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


# --- names shown to people ---------------------------------------------------------------------


def template_name(t: Translator, template: LeafletTemplate) -> str:
    names = {
        LeafletTemplate.A5: t("materials-template-a5"),
        LeafletTemplate.A4_DUPLEX: t("materials-template-a4"),
        LeafletTemplate.DOOR_HANGER: t("materials-template-door"),
    }
    return names[template]


def part_name(t: Translator, part: str) -> str:
    names = {
        "photo": t("materials-part-photo"),
        "bio": t("materials-part-bio"),
        "points": t("materials-part-points"),
        "contacts": t("materials-part-contacts"),
        "name": t("materials-part-name"),
        "subtitle": t("materials-part-subtitle"),
        "imprint": t("materials-part-imprint"),
    }
    return names.get(part, part)


def imprint_field_name(t: Translator, field: str) -> str:
    names = {
        "customer": t("materials-imprint-customer"),
        "printer_name": t("materials-imprint-printer-name"),
        "printer_address": t("materials-imprint-printer-address"),
        "printer_inn": t("materials-imprint-printer-inn"),
        "copies": t("materials-imprint-copies-name"),
        "issued_on": t("materials-imprint-issued-on"),
    }
    return names.get(field, field)


def imprint_prompt(t: Translator, field: str) -> str:
    prompts = {
        "printer_name": t("materials-ask-printer-name"),
        "printer_address": t("materials-ask-printer-address"),
        "printer_inn": t("materials-ask-printer-inn"),
        "copies": t("materials-ask-copies"),
        "issued_on": t("materials-ask-issued-on"),
    }
    return prompts[field]


def resource_field_name(t: Translator, field: str) -> str:
    names = {
        "name": t("materials-res-field-name"),
        "contact": t("materials-res-field-contact"),
        "note": t("materials-res-field-note"),
    }
    return names[field]


def card_text(t: Translator, view: LeafletView) -> str:
    content = view.content
    yes, no = "✅", "⬜"
    lines = [
        t("materials-card-head", number=view.number, template=template_name(t, view.template)),
        "",
        f"{yes if view.has_photo else no} {part_name(t, 'photo')}",
    ]
    if view.photo_others:
        lines.append("   " + t("materials-card-consents"))
    lines.append(
        f"{yes if content.bio else no} {part_name(t, 'bio')}"
        + (f" — {t('materials-chars', count=len(content.bio))}" if content.bio else "")
    )
    lines.append(
        f"{yes if content.points else no} {part_name(t, 'points')}"
        + (f" — {t('materials-points-n', count=len(content.points))}" if content.points else "")
    )
    lines.append(f"{yes if content.contacts else no} {part_name(t, 'contacts')}")
    if view.missing_imprint:
        missing = ", ".join(imprint_field_name(t, f) for f in view.missing_imprint)
        lines.append(f"{no} " + t("materials-card-imprint-missing", fields=missing))
    else:
        lines.append(f"{yes} " + t("materials-card-imprint-ok"))
    if view.versions:
        last = view.versions[-1]
        kind = t("materials-final") if last.final else t("materials-draft")
        lines += [
            "",
            t("materials-card-versions", count=len(view.versions), last=last.number, kind=kind),
        ]
    lines += ["", t("materials-card-hint")]
    return "\n".join(lines)


def card_markup(t: Translator, view: LeafletView) -> InlineKeyboardMarkup:
    leaflet = view.id
    return keyboard(
        [
            button(t("materials-button-draft"), "make", leaflet, "draft"),
            button(t("materials-button-final"), "make", leaflet, "final"),
        ],
        [
            button(t("materials-button-edit-photo"), "edit", leaflet, "photo"),
            button(t("materials-button-edit-bio"), "edit", leaflet, "bio"),
        ],
        [
            button(t("materials-button-edit-points"), "edit", leaflet, "points"),
            button(t("materials-button-edit-contacts"), "edit", leaflet, "contacts"),
        ],
        [
            button(t("materials-button-imprint"), "imprint", leaflet),
            button(t("materials-button-template"), "edit", leaflet, "template"),
        ],
        [button(t("materials-button-versions"), "vers", leaflet)] if view.versions else [],
        [button(t("materials-button-back"), "menu")],
    )


def templates_markup(t: Translator, leaflet_id: int = 0) -> InlineKeyboardMarkup:
    return keyboard(
        *[
            [button(template_name(t, template), "tpl", leaflet_id, template.value)]
            for template in LeafletTemplate
        ]
    )


def imprint_screen(
    t: Translator, view: LeafletView, customer: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    imprint = view.content.imprint
    text = (
        t("materials-imprint-head") + "\n\n<i>" + escape(imprint_text(imprint, customer)) + "</i>"
    )
    rows = []
    if view.missing_imprint:
        rows.append([button(t("materials-button-fill-imprint"), "impall", view.id)])
    rows += [
        [button("✏️ " + imprint_field_name(t, field), "imp", view.id, field)]
        for field in IMPRINT_FIELDS
    ]
    rows.append([button(t("materials-button-back-card"), "open", view.id)])
    return text + "\n\n" + t("materials-imprint-hint"), keyboard(*rows)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def runs_screen(t: Translator, runs: list[RunView]) -> tuple[str, InlineKeyboardMarkup]:
    if not runs:
        return t("materials-runs-empty"), keyboard([button(t("materials-button-back"), "menu")])
    blocks = [t("materials-runs-head", count=len(runs))]
    rows = []
    for run in runs:
        blocks.append(
            t(
                "materials-run",
                number=run.number,
                item=run.item,
                template=template_name(t, run.template),
                copies=run.copies,
                date=run.issued_on,
                printer=run.printer,
                cost=format_rubles(run.cost_kopecks),
                mark="☑️" if run.submitted else "⬜",
            )
        )
        mark = "☑️" if run.submitted else "⬜"
        rows.append(
            [button(t("materials-button-tick", mark=mark, number=run.number), "tick", run.id)]
        )
    total = sum(run.cost_kopecks for run in runs)
    blocks.append(t("materials-runs-total", cost=format_rubles(total)))
    if any(not run.submitted for run in runs):
        blocks.append(t("materials-runs-warning"))
    rows.append([button(t("materials-button-back"), "menu")])
    return "\n\n".join(blocks), keyboard(*rows)


def resources_text(t: Translator, entries: list[ResourceView], staff: bool) -> str:
    blocks = [t("materials-res-head")]
    for kind, head in (
        (ResourceKind.DESIGNER, t("materials-res-designers")),
        (ResourceKind.PRINTER, t("materials-res-printers")),
    ):
        listed = [entry for entry in entries if entry.kind is kind]
        lines = [f"<b>{head}</b>"]
        if not listed:
            lines.append(t("materials-res-none"))
        for entry in listed:
            line = f"• <b>{escape(entry.name)}</b> — {escape(entry.contact)}"
            if staff:
                line = f"№{entry.id} " + line
            if entry.note:
                line += f"\n   <i>{escape(entry.note)}</i>"
            lines.append(line)
        blocks.append("\n".join(lines))
    if staff:
        blocks.append(t("materials-res-staff-hint"))
    return "\n\n".join(blocks)


def resources_markup(t: Translator, entries: list[ResourceView]) -> InlineKeyboardMarkup:
    rows = [
        [
            button(t("materials-res-add-designer"), "radd", 0, ResourceKind.DESIGNER.value),
            button(t("materials-res-add-printer"), "radd", 0, ResourceKind.PRINTER.value),
        ]
    ]
    rows += [
        [
            button(f"✏️ №{entry.id}", "redit", entry.id),
            button(f"🗑 №{entry.id}", "rdel", entry.id),
        ]
        for entry in entries
    ]
    return keyboard(*rows)
