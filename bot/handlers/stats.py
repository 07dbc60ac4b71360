"""/stats and /map: the campaign as a whole, for coordinators and admins. A coordinator sees
the candidates of their organisations and formations, an admin everyone (the same scope as
/pending). Non-staff never reach these handlers: the router is guarded, so the commands fall
through to the unknown-command answer and their existence stays hidden."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.documents.stats_chart import Section, stats_png
from bot.handlers.quest import QuestHolder, today_in
from bot.i18n import Markup, Translator
from bot.services.directory import scope_sets
from bot.services.roles import Actor
from bot.services.stats import (
    STALLED_AFTER,
    TOP,
    DistrictCell,
    MapReport,
    StatsReport,
    Top,
    collect_map,
    collect_stats,
)
from bot.telegram.filters import IsStaff

router = Router(name="stats")
router.message.filter(IsStaff())

MESSAGE_LIMIT = 4096  # Telegram's limit for one text message


class Page:
    """The lines of one message, never longer than the limit: a list that does not fit is
    cut and ends with "…и ещё N", so a big coalition still gets one readable answer."""

    def __init__(self, t: Translator, limit: int = MESSAGE_LIMIT) -> None:
        self.t = t
        self.limit = limit
        self.lines: list[str] = []

    def _fits(self, *extra: str) -> bool:
        return len("\n".join([*self.lines, *extra])) <= self.limit

    def add(self, *lines: str) -> bool:
        """Add the lines together, or none of them."""
        if not self._fits(*lines):
            return False
        self.lines.extend(lines)
        return True

    def add_list(self, items: list[str], more: int = 0) -> None:
        """Items while they fit; `more` are further items already left out by the caller.
        Each item is only added if the "…and N more" line that might follow it fits too, so
        the count of what was cut always makes it into the message."""
        for shown, item in enumerate(items):
            left = len(items) - shown - 1 + more
            tail = [self.t("stats-more", count=left)] if left else []
            if not self._fits(item, *tail):
                self.add(self.t("stats-more", count=len(items) - shown + more))
                return
            self.lines.append(item)
        if more:
            self.add(self.t("stats-more", count=more))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _scope_line(t: Translator, actor: Actor) -> str:
    organisations, formations = scope_sets(actor)
    whole = organisations is None and formations is None
    return t("stats-scope-all" if whole else "stats-scope-own")


def _ranked(t: Translator, top: Top) -> tuple[list[str], int]:
    return [t("stats-count-line", name=r.name, count=r.count) for r in top.items], top.more


def render_stats(t: Translator, report: StatsReport, scope: str) -> str:
    page = Page(t)
    page.add(
        t("stats-head", scope=scope),
        t("stats-totals", registered=report.registered, drafts=report.drafts),
    )
    if not report.registered:
        page.add(t("stats-none"))
        return page.text
    page.add(
        t("stats-activity", active=report.active, stalled=report.stalled, days=STALLED_AFTER.days),
        "",
        t("stats-funnel-head"),
    )
    page.add_list(
        [
            t("stats-funnel-line", number=s.index + 1, title=s.title, count=s.count)
            for s in report.stages
        ]
    )
    for head, top in (
        (t("stats-organisations-head"), report.organisations),
        (t("stats-formations-head", top=TOP), report.formations),
    ):
        if top.items and page.add("", head):
            page.add_list(*_ranked(t, top))
    return page.text


def chart_sections(t: Translator, report: StatsReport) -> list[Section]:
    """The same numbers as the text, as the chart draws them (t() of plain-text keys: the
    picture has no HTML)."""
    return [
        Section(
            t("stats-chart-funnel"),
            [(f"{s.index + 1}. {s.title}", s.count) for s in report.stages],
        ),
        Section(
            t("stats-chart-activity", days=STALLED_AFTER.days),
            [(t("stats-chart-active"), report.active), (t("stats-chart-stalled"), report.stalled)],
        ),
        Section(
            t("stats-chart-organisations"),
            [(r.name, r.count) for r in report.organisations.items],
        ),
        Section(
            t("stats-chart-formations", top=TOP),
            [(r.name, r.count) for r in report.formations.items],
        ),
    ]


def _organisations(t: Translator, cell: DistrictCell) -> Markup:
    # Each name is escaped by its own t() call; the joined list must not be escaped again.
    return Markup(
        ", ".join(t("map-organisation", name=r.name, count=r.count) for r in cell.organisations)
    )


def render_map(t: Translator, report: MapReport, scope: str) -> str:
    page = Page(t)
    page.add(
        t("map-head", election=report.election, scope=scope),
        t(
            "map-summary",
            districts=report.districts,
            seats=report.seats,
            candidates=report.candidates,
        ),
        t(
            "map-coverage",
            empty=report.empty,
            partial=report.partial,
            full=report.full,
            over=len(report.over),
        ),
        t("map-untouched", count=report.untouched),
        "",
    )
    # The problem districts come first: that is what a coordinator has to act on.
    if report.over:
        page.add(t("map-over-head"))
        page.add_list(
            [
                t(
                    "map-over-line",
                    formation=cell.formation,
                    number=cell.number,
                    candidates=cell.candidates,
                    seats=cell.seats,
                    organisations=_organisations(t, cell),
                )
                for cell in report.over
            ]
        )
    else:
        page.add(t("map-no-over"))
    # Where organisations meet in one district, whether or not the seats are exceeded yet:
    # the place to agree who runs there.
    if report.shared and page.add("", t("map-shared-head", count=len(report.shared))):
        page.add_list(
            [
                t(
                    "map-shared-line",
                    mark="⚠️" if cell.excess > 0 else "🤝",
                    formation=cell.formation,
                    number=cell.number,
                    candidates=cell.candidates,
                    seats=cell.seats,
                    organisations=_organisations(t, cell),
                )
                for cell in report.shared
            ]
        )
    if report.formations and page.add("", t("map-formations-head")):
        page.add_list(
            [
                t(
                    "map-formation-line",
                    name=row.name,
                    candidates=row.candidates,
                    seats=row.seats,
                    empty=row.empty,
                    districts=row.districts,
                )
                for row in report.formations
            ]
        )
    return page.text


@router.message(Command("stats"))
async def on_stats(
    message: Message,
    uow: UnitOfWork,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    organisations, formations = scope_sets(actor)
    report = await collect_stats(
        uow, quest_holder.quest, today_in(settings), t.locale, organisations, formations
    )
    await message.answer(render_stats(t, report, _scope_line(t, actor)))
    if not report.registered:
        return  # nothing to draw
    png = await asyncio.to_thread(stats_png, chart_sections(t, report))
    await message.answer_photo(
        BufferedInputFile(png, filename="stats.png"), caption=t("stats-chart-caption")
    )


@router.message(Command("map"))
async def on_map(message: Message, uow: UnitOfWork, t: Translator, actor: Actor) -> None:
    organisations, formations = scope_sets(actor)
    report = await collect_map(uow, t.locale, organisations, formations)
    if report is None:
        await message.answer(t("map-no-election"))
        return
    await message.answer(render_map(t, report, _scope_line(t, actor)))
