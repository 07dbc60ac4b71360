"""What coordinators see of the campaign as a whole: the quest funnel, who is moving and who
has stalled (/stats), and how the coalition's candidates cover the election's districts
(/map). No aiogram here: the handlers render these reports.

Scopes follow the /pending queue: (organisation ids, formation ids) from
`bot.services.directory.scope_sets`, None, None for the whole coalition; a candidate is in
scope when their organisation or their district's formation is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.db.models import CandidateStatus
from bot.db.repositories.stats import CandidateFacts, DistrictFacts, StatsRepository
from bot.db.uow import UnitOfWork
from bot.quests.loader import Quest
from bot.services.clock import utcnow
from bot.services.quest import Progress, evaluate

STALLED_AFTER = timedelta(days=7)
TOP = 10


@dataclass(frozen=True)
class Ranked:
    name: str
    count: int


@dataclass(frozen=True)
class Top:
    """The largest groups, and how many groups were left out."""

    items: tuple[Ranked, ...]
    more: int = 0


@dataclass(frozen=True)
class StageCount:
    index: int
    stage_id: str
    title: str
    count: int


@dataclass(frozen=True)
class StatsReport:
    registered: int
    drafts: int
    active: int
    stalled: int
    stages: tuple[StageCount, ...]  # every stage in quest order, empty ones too
    organisations: Top
    formations: Top


@dataclass(frozen=True)
class DistrictCell:
    formation: str
    admin_district: str
    number: int
    seats: int
    candidates: int
    organisations: tuple[Ranked, ...]  # who runs here, most candidates first

    @property
    def excess(self) -> int:
        return self.candidates - self.seats


@dataclass(frozen=True)
class FormationRow:
    name: str
    districts: int
    seats: int
    candidates: int
    empty: int  # districts with no candidate


@dataclass(frozen=True)
class MapReport:
    election: str
    districts: int
    seats: int
    candidates: int
    empty: int  # no candidate at all
    partial: int  # some, fewer than seats
    full: int  # exactly as many as seats
    over: tuple[DistrictCell, ...]  # more candidates than seats, worst first
    formations: tuple[FormationRow, ...]  # formations with at least one candidate, by name
    untouched: int  # formations without a single candidate
    # Districts where candidates of two or more organisations run: where the organisations
    # must agree so as not to run against each other. Over-subscribed ones first.
    shared: tuple[DistrictCell, ...] = ()


def top(counts: Counter[str], limit: int = TOP) -> Top:
    # Ties by name, so the same data always gives the same list.
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return Top(tuple(Ranked(name, n) for name, n in ranked[:limit]), max(0, len(ranked) - limit))


def is_stalled(facts: CandidateFacts, cutoff: datetime) -> bool:
    """No step forward since `cutoff` (registering counts as the first step)."""
    last = facts.last_progress_at or facts.registered_at
    # A registered candidate with no date at all has shown no progress we know of.
    return last is None or last <= cutoff


async def _organisation_names(uow: UnitOfWork, locale: str) -> dict[int, str]:
    return {o.id: o.display_name(locale) for o in await uow.geography.organisations()}


async def collect_stats(
    uow: UnitOfWork,
    quest: Quest,
    today: date,
    locale: str,
    organisation_ids: set[int] | None = None,
    formation_ids: set[int] | None = None,
) -> StatsReport:
    """The funnel and activity of the candidates in scope. `today` is the campaign's date
    (its time zone), the one the quest itself is evaluated on."""
    repository = StatsRepository(uow.session)
    everyone = await repository.candidates(organisation_ids, formation_ids)
    registered = [c for c in everyone if c.status is CandidateStatus.REGISTERED]
    election = await uow.geography.current_election()
    statuses = await repository.statuses(c.id for c in registered)
    on_stage: Counter[int] = Counter()
    for facts in registered:
        # The same rules as the candidate's own /quest, evaluated once per candidate. Only
        # statuses go in: what is open or done depends on them, never on the answers.
        progress = {
            task_id: Progress(status, {}) for task_id, status in statuses[facts.id].items()
        }
        view = evaluate(quest, election, progress, today, facts.quest_points, locale)
        on_stage[view.current.index] += 1
    stages = tuple(
        StageCount(index, stage.id, stage.title.get(locale), on_stage[index])
        for index, stage in enumerate(quest.stages)
    )
    cutoff = utcnow() - STALLED_AFTER
    stalled = sum(1 for c in registered if is_stalled(c, cutoff))
    organisations = await _organisation_names(uow, locale)
    formations = await repository.formation_names(
        c.formation_id for c in registered if c.formation_id is not None
    )
    by_organisation = Counter(
        organisations[c.organisation_id] for c in registered if c.organisation_id in organisations
    )
    by_formation = Counter(
        formations[c.formation_id] for c in registered if c.formation_id in formations
    )
    return StatsReport(
        registered=len(registered),
        drafts=len(everyone) - len(registered),
        active=len(registered) - stalled,
        stalled=stalled,
        stages=stages,
        organisations=top(by_organisation),
        formations=top(by_formation),
    )


def _district_scope(
    organisation_ids: set[int] | None, formation_ids: set[int] | None
) -> set[int] | None:
    """Whose districts a coordinator's map covers: a coordinator of formations only sees
    those formations; anyone with an organisation (or the whole coalition) sees the whole
    election, because an organisation's candidates may run anywhere."""
    if organisation_ids is None and formation_ids is None:
        return None
    if organisation_ids:
        return None
    return set(formation_ids or ())


async def collect_map(
    uow: UnitOfWork,
    locale: str,
    organisation_ids: set[int] | None = None,
    formation_ids: set[int] | None = None,
) -> MapReport | None:
    """Seats against the coalition's registered candidates in every district of the current
    election within scope; None when there is no current election."""
    election = await uow.geography.current_election()
    if election is None:
        return None
    repository = StatsRepository(uow.session)
    districts = await repository.districts(
        election.id, _district_scope(organisation_ids, formation_ids)
    )
    by_id = {d.id: d for d in districts}
    organisations = await _organisation_names(uow, locale)
    running: dict[int, Counter[str]] = {d.id: Counter() for d in districts}
    for facts in await repository.candidates(organisation_ids, formation_ids):
        if facts.status is CandidateStatus.REGISTERED and facts.district_id in by_id:
            name = organisations.get(facts.organisation_id or 0, "—")
            running[facts.district_id][name] += 1
    cells = [_cell(d, running[d.id]) for d in districts]
    over = sorted(
        (c for c in cells if c.excess > 0), key=lambda c: (-c.excess, c.formation, c.number)
    )
    formations = _formations(districts, cells)
    shared = sorted(
        (c for c in cells if len(c.organisations) > 1),
        key=lambda c: (-c.excess, c.formation, c.number),
    )
    return MapReport(
        election=election.name,
        districts=len(cells),
        seats=sum(c.seats for c in cells),
        candidates=sum(c.candidates for c in cells),
        empty=sum(1 for c in cells if c.candidates == 0),
        partial=sum(1 for c in cells if 0 < c.candidates < c.seats),
        full=sum(1 for c in cells if c.candidates == c.seats > 0),
        over=tuple(over),
        formations=tuple(f for f in formations if f.candidates),
        untouched=sum(1 for f in formations if not f.candidates),
        shared=tuple(shared),
    )


def _cell(district: DistrictFacts, running: Counter[str]) -> DistrictCell:
    ranked = sorted(running.items(), key=lambda pair: (-pair[1], pair[0]))
    return DistrictCell(
        formation=district.formation,
        admin_district=district.admin_district,
        number=district.number,
        seats=district.seats,
        candidates=sum(running.values()),
        organisations=tuple(Ranked(name, n) for name, n in ranked),
    )


def _formations(
    districts: Iterable[DistrictFacts], cells: Iterable[DistrictCell]
) -> list[FormationRow]:
    grouped: dict[int, list[DistrictCell]] = {}
    names: dict[int, str] = {}
    for district, cell in zip(districts, cells, strict=True):
        grouped.setdefault(district.formation_id, []).append(cell)
        names[district.formation_id] = district.formation
    rows = [
        FormationRow(
            name=names[formation_id],
            districts=len(group),
            seats=sum(c.seats for c in group),
            candidates=sum(c.candidates for c in group),
            empty=sum(1 for c in group if c.candidates == 0),
        )
        for formation_id, group in grouped.items()
    ]
    return sorted(rows, key=lambda row: row.name)
