"""Coordinators' /stats and /map: the quest funnel, activity, counts by organisation and
formation, and seats against candidates per district — on a real SQLite copy through the
services, and end to end through the fake Telegram with the router plugged in."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event, func, select

import bot.handlers
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import (
    Candidate,
    CandidateStatus,
    ElectoralDistrict,
    TaskProgress,
    TaskStatus,
)
from bot.db.models import User as UserRow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.documents.stats_chart import Section, stats_png
from bot.handlers import fallback, review
from bot.handlers import stats as stats_handlers
from bot.i18n import Catalog
from bot.quests.loader import load_quest
from bot.services import registration
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.crypto import FieldCipher
from bot.services.directory import scope_sets
from bot.services.quest import QuestService, QuestStore
from bot.services.roles import Actor, Scope
from bot.services.stats import (
    DistrictCell,
    MapReport,
    Ranked,
    StageCount,
    StatsReport,
    Top,
    collect_map,
    collect_stats,
)
from tests.conftest import DATA_KEY, RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer
from tests.test_registration import register
from tests.test_robustness import consent

QUEST = load_quest()
NOW = datetime(2027, 5, 10, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
PROFILE = "profile"
DECISION = "decision"


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(NOW)
    set_clock(frozen)
    yield frozen
    reset_clock()


@dataclass
class Db:
    uow_factory: UnitOfWorkFactory
    cipher: FieldCipher
    engine: object


@pytest.fixture
async def db(data_dir: Path) -> AsyncIterator[Db]:
    engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
    yield Db(UnitOfWorkFactory(create_session_factory(engine)), FieldCipher([DATA_KEY]), engine)
    await engine.dispose()


# --- building candidates the way the bot does ------------------------------------------------

_ids = iter(range(700_000, 800_000))


async def ids_of(uow: UnitOfWork, org_code: str, formation: str, number: int) -> tuple[int, int]:
    organisation = await uow.geography.organisation_by_code(org_code)
    election = await uow.geography.current_election()
    assert organisation is not None and election is not None
    found = await uow.geography.formation_by_name(election.id, formation)
    assert found is not None
    district = next(d for d in found.districts if d.number == number)
    return organisation.id, district.id


async def candidate(
    db: Db,
    org_code: str | None,
    formation: str | None = None,
    number: int = 1,
    *,
    finish: bool = True,
) -> int:
    """A candidate through the registration service; a draft stops before the district (or
    before the organisation when `org_code` is None). Returns the user id."""
    user_id = next(_ids)
    async with db.uow_factory() as uow:
        await registration.give_consent(uow, user_id, "ru")
        await registration.set_full_name(uow, user_id, "Петрова Анна Ивановна", db.cipher)
        if org_code is None:
            return user_id
        phone = f"+7911{user_id % 10_000_000:07d}"
        await registration.set_phone(uow, db.cipher, user_id, phone, user_id)
        await registration.set_email(uow, db.cipher, user_id, None)
        organisation_id, district_id = await ids_of(uow, org_code, formation or "Гавань", number)
        await registration.set_organisation(uow, user_id, organisation_id)
        if not finish:
            return user_id
        await registration.set_district(uow, user_id, district_id)
        await registration.confirm(uow, user_id)
    return user_id


async def service(db: Db, uow: UnitOfWork, user_id: int) -> QuestService:
    found = await uow.candidates.by_user(user_id)
    assert found is not None
    election = await uow.geography.current_election()
    return QuestService(QUEST, QuestStore(uow, db.cipher, found), election, TODAY, "ru")


async def finish_profile(db: Db, user_id: int) -> None:
    """Every task of the first stage, through the quest's own moves."""
    async with db.uow_factory() as uow:
        quest = await service(db, uow, user_id)
        await quest.confirm_read("profile.how_it_works")
        questionnaire = QUEST.tasks["profile.about_you"].task
        for question in questionnaire.fields:  # type: ignore[attr-defined]
            await quest.answer("profile.about_you", question.id, "5")
        for item in QUEST.tasks["profile.first_steps"].task.items:  # type: ignore[attr-defined]
            await quest.toggle_item("profile.first_steps", item.id)
        assert (await quest.view()).current.stage_id == DECISION


@dataclass
class Coalition:
    a: int  # civic, Гавань 2, fresh, profile stage
    b: int  # civic, Гавань 2, decision stage
    c: int  # neighbours, Гавань 2, registered 10 days ago, no progress since: stalled
    d: int  # neighbours, Гавань 2: the fourth candidate for three seats
    e: int  # city, Парнас 1, decision stage reached 8 days ago: stalled
    draft_civic: int  # chose civic, no district yet
    draft_bare: int  # a name only: nobody's scope but the whole coalition's


@pytest.fixture
async def coalition(db: Db, clock: FrozenClock) -> Coalition:
    clock.now = NOW - timedelta(days=10)
    c = await candidate(db, "neighbours", "Гавань", 2)
    clock.now = NOW - timedelta(days=8)
    e = await candidate(db, "city", "Парнас", 1)
    await finish_profile(db, e)
    clock.now = NOW - timedelta(days=1)
    a = await candidate(db, "civic", "Гавань", 2)
    b = await candidate(db, "civic", "Гавань", 2)
    await finish_profile(db, b)
    d = await candidate(db, "neighbours", "Гавань", 2)
    draft_civic = await candidate(db, "civic", "Гавань", 2, finish=False)
    draft_bare = await candidate(db, None)
    clock.now = NOW
    return Coalition(a, b, c, d, e, draft_civic, draft_bare)


async def organisation_id(db: Db, code: str) -> int:
    async with db.uow_factory() as uow:
        found = await uow.geography.organisation_by_code(code)
    assert found is not None
    return found.id


async def formation_id(db: Db, name: str) -> int:
    async with db.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        found = await uow.geography.formation_by_name(election.id, name)
    assert found is not None
    return found.id


async def election_size(db: Db) -> tuple[int, int]:
    """(districts, formations) of the current election."""
    async with db.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        formations = await uow.geography.formations(election.id, with_districts=True)
    return sum(len(f.districts) for f in formations), len(formations)


def stage_counts(report: StatsReport) -> dict[str, int]:
    return {s.stage_id: s.count for s in report.stages if s.count}


# --- the services on a real database ---------------------------------------------------------


async def test_stats_for_the_whole_coalition(db: Db, coalition: Coalition) -> None:
    async with db.uow_factory() as uow:
        report = await collect_stats(uow, QUEST, TODAY, "ru")
    assert (report.registered, report.drafts) == (5, 2)
    assert (report.active, report.stalled) == (3, 2)
    assert stage_counts(report) == {PROFILE: 3, DECISION: 2}
    assert [s.stage_id for s in report.stages] == [s.id for s in QUEST.stages]
    assert report.stages[0].title == "Знакомство"
    assert report.organisations == Top(
        (
            Ranked("Гражданская инициатива", 2),
            Ranked("Союз соседей", 2),
            Ranked("Городское движение", 1),
        )
    )
    assert report.formations == Top((Ranked("Гавань", 4), Ranked("Парнас", 1)))


async def test_the_funnel_agrees_with_each_candidates_own_quest(
    db: Db, coalition: Coalition
) -> None:
    """The funnel evaluates statuses only; each candidate's /quest reads every answer. Both
    must put everyone on the same stage."""
    own: Counter[str] = Counter()
    async with db.uow_factory() as uow:
        for user_id in (coalition.a, coalition.b, coalition.c, coalition.d, coalition.e):
            own[(await (await service(db, uow, user_id)).view()).current.stage_id] += 1
        report = await collect_stats(uow, QUEST, TODAY, "ru")
    assert stage_counts(report) == dict(own)


async def test_stalled_counts_from_the_last_step_or_registration(
    db: Db, coalition: Coalition, clock: FrozenClock
) -> None:
    clock.now = NOW + timedelta(days=6)  # a, b and d now 7 days quiet; c and e long ago
    async with db.uow_factory() as uow:
        report = await collect_stats(uow, QUEST, TODAY, "ru")
    assert (report.active, report.stalled) == (0, 5)
    clock.now = NOW + timedelta(days=6)
    async with db.uow_factory() as uow:  # one step forward makes c active again
        await (await service(db, uow, coalition.c)).confirm_read("profile.how_it_works")
    async with db.uow_factory() as uow:
        report = await collect_stats(uow, QUEST, TODAY, "ru")
    assert (report.active, report.stalled) == (1, 4)


async def test_a_coordinator_of_one_organisation_sees_only_its_candidates(
    db: Db, coalition: Coalition
) -> None:
    civic = await organisation_id(db, "civic")
    actor = Actor(1, "ru", coordinator_scopes=(Scope(civic, None),))
    organisations, formations = scope_sets(actor)
    async with db.uow_factory() as uow:
        report = await collect_stats(uow, QUEST, TODAY, "en", organisations, formations)
        seen = await collect_map(uow, "en", organisations, formations)
    assert (report.registered, report.drafts, report.stalled) == (2, 1, 0)
    assert stage_counts(report) == {PROFILE: 1, DECISION: 1}
    assert report.stages[0].title == "Getting started"
    assert report.organisations == Top((Ranked("Civic Initiative", 2),))
    assert seen is not None
    assert seen.candidates == 2 and seen.over == ()
    assert seen.districts == (await election_size(db))[0]  # its candidates may run anywhere
    assert seen.partial == 1  # two for Гавань's three seats


async def test_a_coordinator_of_one_formation_sees_its_districts(
    db: Db, coalition: Coalition
) -> None:
    parnas = await formation_id(db, "Парнас")
    async with db.uow_factory() as uow:
        report = await collect_stats(uow, QUEST, TODAY, "ru", set(), {parnas})
        seen = await collect_map(uow, "ru", set(), {parnas})
    assert (report.registered, report.drafts) == (1, 0)
    assert report.formations == Top((Ranked("Парнас", 1),))
    assert seen is not None
    assert (seen.districts, seen.seats, seen.candidates, seen.empty) == (4, 20, 1, 3)
    assert [(f.name, f.candidates, f.empty) for f in seen.formations] == [("Парнас", 1, 3)]
    assert seen.untouched == 0


async def test_the_map_finds_empty_and_over_subscribed_districts(
    db: Db, coalition: Coalition
) -> None:
    districts, formations = await election_size(db)
    async with db.uow_factory() as uow:
        seen = await collect_map(uow, "ru")
    assert seen is not None
    assert seen.candidates == 5
    assert (seen.districts, seen.empty, seen.partial, seen.full) == (
        districts,
        districts - 2,
        1,
        0,
    )
    assert seen.over == (
        DistrictCell(
            "Гавань",
            "Василеостровский",
            2,
            3,
            4,
            (Ranked("Гражданская инициатива", 2), Ranked("Союз соседей", 2)),
        ),
    )
    assert [(f.name, f.districts, f.seats, f.candidates, f.empty) for f in seen.formations] == [
        ("Гавань", 3, 10, 4, 2),
        ("Парнас", 4, 20, 1, 3),
    ]
    assert seen.untouched == formations - 2


async def test_no_current_election_means_no_map(db: Db, coalition: Coalition) -> None:
    async with db.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        election.is_current = False
    async with db.uow_factory() as uow:
        assert await collect_map(uow, "ru") is None


async def test_eight_hundred_candidates_cost_a_fixed_number_of_queries(
    db: Db, clock: FrozenClock
) -> None:
    """The funnel evaluates each candidate once, from progress read in batches: the number
    of SQL statements does not grow with the coalition."""
    async with db.uow_factory() as uow:
        organisation = await uow.geography.organisation_by_code("green")
        election = await uow.geography.current_election()
        assert organisation is not None and election is not None
        formations = await uow.geography.formations(election.id, with_districts=True)
        districts = [d.id for f in formations for d in f.districts]
        users = range(600_000, 600_800)
        for user_id in users:
            uow.session.add(UserRow(id=user_id, locale="ru", consent_at=NOW, consent_version="t"))
        await uow.session.flush()  # users first: the candidates' foreign key needs them
        for n, user_id in enumerate(users):
            uow.session.add(
                Candidate(
                    user_id=user_id,
                    status=CandidateStatus.REGISTERED,
                    organisation_id=organisation.id,
                    district_id=districts[n % len(districts)],
                    registered_at=NOW,
                )
            )
        await uow.session.flush()
        ids = list(await uow.session.scalars(select(Candidate.id)))
        for candidate_id in ids[::2]:  # half of them have read the first page
            uow.session.add(
                TaskProgress(
                    candidate_id=candidate_id,
                    task_id="profile.how_it_works",
                    status=TaskStatus.DONE,
                )
            )
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sync_engine = db.engine.sync_engine  # type: ignore[attr-defined]
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        async with db.uow_factory() as uow:
            report = await collect_stats(uow, QUEST, TODAY, "ru")
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    assert report.registered == 800
    assert sum(s.count for s in report.stages) == 800
    assert stage_counts(report) == {PROFILE: 800}  # one page read does not finish a stage
    assert len(statements) <= 10, statements


# --- rendering within one message ------------------------------------------------------------


def test_long_lists_are_cut_to_one_message_with_the_rest_counted(catalog: Catalog) -> None:
    t = catalog.translator("ru")
    cells = tuple(
        DistrictCell(f"Образование {'о' * 60} {n}", "Район", n, 1, 3, (Ranked("Орг " * 30, 3),))
        for n in range(300)
    )
    report = MapReport("Выборы", 300, 300, 900, 0, 0, 0, cells, (), 0)
    text = stats_handlers.render_map(t, report, "вся коалиция")
    assert len(text) <= stats_handlers.MESSAGE_LIMIT
    shown = text.count("Образование")
    assert 0 < shown < 300
    assert text.endswith(f"…и ещё {300 - shown}")
    assert text.index("Округов: 300") < text.index("Образование")  # the summary comes first


def test_top_lists_say_how_many_were_left_out(catalog: Catalog) -> None:
    t = catalog.translator("en")
    stages = tuple(StageCount(i, s.id, s.title.en, 1) for i, s in enumerate(QUEST.stages))
    ten = tuple(Ranked(f"MF {n}", 20 - n) for n in range(10))
    report = StatsReport(9, 1, 8, 1, stages, Top((Ranked("Org", 9),)), Top(ten, more=7))
    text = stats_handlers.render_stats(t, report, "the whole coalition")
    assert "Registered: 9" in text and "no progress for 7+ days: 1" in text
    assert "• MF 9 — 11" in text
    assert text.endswith("…and 7 more")


# --- end to end: the router plugged in before the catch-all ----------------------------------


@pytest.fixture
async def staff_running(
    data_dir: Path, telegram: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningBot]:
    """The bot with the stats router registered: bot.handlers is not ours to edit, so the
    router list is patched before the app is built. It goes right after /pending's router,
    ahead of the registration dialog, whose steps would otherwise take "/stats" typed by a
    coordinator still registering as an answer."""
    routers = list(bot.handlers.ROUTERS)
    if stats_handlers.router not in routers:
        routers.insert(routers.index(review.router) + 1, stats_handlers.router)
    assert routers.index(stats_handlers.router) < routers.index(fallback.router)
    monkeypatch.setattr(bot.handlers, "ROUTERS", tuple(routers))
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


async def more_candidates(running: RunningBot, *orgs: str) -> None:
    """Candidates of other organisations in Гавань №2, through the registration service on
    the running bot's own database."""
    db = Db(running.app.uow_factory, running.app.cipher, running.app.engine)
    for org in orgs:
        await candidate(db, org, "Гавань", 2)


async def test_admin_sees_the_coalition_in_stats_and_map(
    staff_running: RunningBot, clock: FrozenClock
) -> None:
    running = staff_running
    await register(running.user())  # Союз соседей, Гавань №2 (3 seats)
    await more_candidates(running, "civic", "civic", "neighbours")
    admin = running.admin()
    await admin.send("/stats")
    stats = (await admin.expect("Статистика кандидатов"))["text"]
    assert "вся коалиция" in stats
    assert "Зарегистрировано: 4" in stats and "черновиков (регистрация не закончена): 0" in stats
    assert "Активны: 4 · без движения 7+ дней: 0" in stats
    assert "1. Знакомство — 4" in stats and "2. Решение — 0" in stats
    assert "• Гражданская инициатива — 2" in stats and "• Союз соседей — 2" in stats
    assert "• Гавань — 4" in stats
    await admin.send("/map")
    seen = (await admin.expect("Карта коалиции"))["text"]
    async with running.app.session_factory() as session:
        districts = await session.scalar(select(func.count()).select_from(ElectoralDistrict))
    assert f"Округов: {districts}" in seen and "кандидатов: 4" in seen
    assert f"Пустых округов: {districts - 1}" in seen and "перебор: 1" in seen
    assert (
        "Гавань, округ №2: 4 кандидата на 3 мандата — "
        "Гражданская инициатива (2), Союз соседей (2)" in seen
    )
    assert seen.index("Кандидатов больше, чем мандатов") < seen.index("По муниципальным")
    clock.advance(days=7)
    await admin.send("/stats")
    later = (await admin.expect("Статистика кандидатов"))["text"]
    assert "Активны: 0 · без движения 7+ дней: 4" in later


async def test_a_coordinator_sees_only_their_organisation(
    staff_running: RunningBot, clock: FrozenClock
) -> None:
    running = staff_running
    await register(running.user())  # Союз соседей
    await more_candidates(running, "civic", "civic")
    coordinator = running.user(first_name="Олег")
    await consent(coordinator)  # a draft of their own, outside the civic scope
    admin = running.admin()
    await running.gated(admin, f"/grant_coordinator {coordinator.user_id} org:civic")
    await admin.expect("назначен координатором")
    await coordinator.send("/stats")
    stats = (await coordinator.expect("Статистика кандидатов"))["text"]
    assert "ваша зона ответственности" in stats
    assert "Зарегистрировано: 2" in stats and "черновиков (регистрация не закончена): 0" in stats
    assert "• Гражданская инициатива — 2" in stats and "Союз соседей" not in stats
    await coordinator.send("/map")
    seen = (await coordinator.expect("Карта коалиции"))["text"]
    assert "кандидатов: 2" in seen and "перебор: 0" in seen
    assert "Округов, где кандидатов больше, чем мандатов, нет." in seen
    assert "• Гавань: 2 на 10 мандатов, пустых округов 2 из 3" in seen
    await admin.send("/stats")
    whole = (await admin.expect("Статистика кандидатов"))["text"]
    assert "Зарегистрировано: 3" in whole and "черновиков (регистрация не закончена): 1" in whole


async def test_candidates_do_not_learn_the_commands_exist(
    staff_running: RunningBot, clock: FrozenClock
) -> None:
    user = staff_running.user()
    await register(user)
    for command in ("/stats", "/map"):
        await user.send(command)
        await user.expect("Не знаю такой команды")


# --- /stats as a picture ---------------------------------------------------------------------


async def test_stats_come_with_a_chart_of_the_same_numbers(
    staff_running: RunningBot, clock: FrozenClock
) -> None:
    running = staff_running
    await register(running.user())  # Союз соседей, Гавань №2
    await more_candidates(running, "civic", "civic")
    clock.advance(days=8)  # all three stalled...
    await more_candidates(running, "city")  # ...and one fresh
    admin = running.admin()
    await admin.send("/stats")
    text = (await admin.expect("Статистика кандидатов"))["text"]
    assert "Зарегистрировано: 4" in text
    assert "Активны: 1 · без движения 7+ дней: 3" in text
    assert "1. Знакомство — 4" in text
    assert "• Гражданская инициатива — 2" in text and "• Городское движение — 1" in text
    photo = await admin.next_message()
    assert photo["caption"].startswith("📊 Те же числа на графике")
    stored = running.emulator.file_by_id(photo["photo"][-1]["file_id"])
    assert stored is not None
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "PNG"
    image.load()  # the whole file decodes, not only its header
    assert image.width >= 600 and image.height > image.width  # four charts, one under another
    # The chart draws what the text says: the same report, section by section.
    async with running.app.uow_factory() as uow:
        report = await collect_stats(uow, QUEST, NOW.date(), "ru")
    sections = stats_handlers.chart_sections(running.app.catalog.translator("ru"), report)
    bars = {section.title: dict(section.bars) for section in sections}
    assert bars["Активны и без движения 7+ дней"] == {"Активны": 1, "Без движения": 3}
    assert bars["Воронка: на каком этапе квеста"]["1. Знакомство"] == 4
    assert sum(bars["Воронка: на каком этапе квеста"].values()) == 4
    assert bars["По организациям"] == {
        "Гражданская инициатива": 2,
        "Союз соседей": 1,
        "Городское движение": 1,
    }
    assert bars["По муниципальным образованиям (топ 10)"] == {"Гавань": 4}


async def test_no_chart_without_candidates(staff_running: RunningBot, clock: FrozenClock) -> None:
    admin = staff_running.admin()
    await admin.send("/stats")
    await admin.expect("Зарегистрированных кандидатов пока нет")
    await admin.quiet()


def test_the_chart_is_one_png_of_every_section_with_bars() -> None:
    one = stats_png([Section("A", [("x", 1)])])
    three = stats_png(
        [Section("A", [("x", 1)]), Section("Пусто", []), Section("B", [("y", 2), ("z", 3)])]
    )
    assert Image.open(io.BytesIO(three)).height > Image.open(io.BytesIO(one)).height
    with pytest.raises(ValueError, match="nothing to draw"):
        stats_png([Section("Пусто", [])])


# --- the map shows where organisations meet ----------------------------------------------------


async def test_the_map_lists_districts_shared_by_organisations(
    db: Db, coalition: Coalition
) -> None:
    async with db.uow_factory() as uow:
        seen = await collect_map(uow, "ru")
    assert seen is not None
    # Гавань №2: civic and neighbours (over-subscribed); Парнас №1 has one organisation only.
    assert seen.shared == seen.over
    assert [r.name for r in seen.shared[0].organisations] == [
        "Гражданская инициатива",
        "Союз соседей",
    ]


async def test_map_shows_organisations_meeting_in_a_district_before_seats_run_out(
    staff_running: RunningBot, clock: FrozenClock
) -> None:
    running = staff_running
    await register(running.user())  # Союз соседей, Гавань №2 (3 seats)
    await more_candidates(running, "civic")
    admin = running.admin()
    await admin.send("/map")
    seen = (await admin.expect("Карта коалиции"))["text"]
    assert "Округов, где кандидатов больше, чем мандатов, нет." in seen
    assert "Округа, где идут кандидаты разных организаций: 1" in seen
    assert (
        "🤝 Гавань, округ №2: Гражданская инициатива (1), Союз соседей (1) — 2 на 3 мандата"
        in seen
    )
    await more_candidates(running, "civic", "neighbours")
    await admin.send("/map")
    later = (await admin.expect("Карта коалиции"))["text"]
    assert (
        "⚠️ Гавань, округ №2: Гражданская инициатива (2), Союз соседей (2) — 4 на 3 мандата"
        in later
    )
