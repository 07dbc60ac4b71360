"""The coordinators' daily digest, planned and sent by the reminder jobs through the fake
Telegram: within each coordinator's scope, what waits in /pending, the unanswered questions
(who, how long) and the stalled candidates (who, how long); nothing at all when nothing waits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.handlers.quest import service_for
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.directory import Scope
from bot.services.questions import QuestionService
from tests.conftest import RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_pending import submit
from tests.test_reminders import jobs
from tests.test_teams import enrol

START = datetime(2027, 6, 1, 6, 0, tzinfo=UTC)  # 09:00 in Moscow: digests are due


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(START)
    set_clock(frozen)
    yield frozen
    reset_clock()


def digests(user: VirtualUser) -> list[str]:
    return [m["text"] for m in user.transcript if m.get("text", "").startswith("Сводка дня")]


async def ask(running: RunningBot, user: VirtualUser, text: str) -> int:
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        return (await QuestionService(uow, running.app.cipher).ask(candidate, text)).id


async def test_the_digest_lists_questions_and_stalled_candidates_in_scope(
    running: RunningBot, clock: FrozenClock
) -> None:
    anna, boris, vera = running.user(), running.user(), running.user()
    await enrol(running, anna, "Анна Соседова", "neighbours")
    await enrol(running, boris, "Борис Парнасов", "civic", "Парнас", 1)
    question = await ask(running, anna, "Нужна ли справка на автомобиль, подаренный дедом?")
    neighbours = await running.coordinator("org:neighbours")
    whole_city = await running.coordinator()
    idle = await running.coordinator("org:green")  # nobody of theirs: no digest at all

    clock.advance(days=8)  # Anna and Boris: 8 days without a step, the question 8 days old
    await enrol(running, vera, "Вера Новикова", "neighbours")  # fresh: active
    await submit(running, vera)  # and her questionnaire waits for a coordinator
    dispatcher, planner = jobs(running, clock)
    await planner.plan_all()
    await dispatcher.drain()

    (ours,) = digests(neighbours)
    assert "Ждут проверки: 1 — /pending" in ours
    assert "Вопросы без ответа: 1 — /questions" in ours
    assert f"• №{question}, Анна Соседова — ждёт 8 дней" in ours
    assert "Без движения 7+ дней: 1 — /candidates stalled" in ours
    assert "• Анна Соседова — 8 дней" in ours
    assert "Борис" not in ours and "Вера" not in ours  # another organisation; active
    assert "справка" not in ours  # the question's text stays in /questions

    (everyone,) = digests(whole_city)
    assert "Без движения 7+ дней: 2" in everyone
    assert "• Анна Соседова — 8 дней" in everyone and "• Борис Парнасов — 8 дней" in everyone
    assert digests(idle) == []

    async with running.app.session_factory() as session:
        sent = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "digest_sent"))
        )
    assert sorted(int(e.subject_id or 0) for e in sent) == sorted(
        [neighbours.user_id, whole_city.user_id]
    )

    # Answered and moving again: the next morning's digest has nothing to say about Anna.
    async with running.app.uow_factory() as uow:
        await QuestionService(uow, running.app.cipher).answer(
            question, Scope(), whole_city.user_id, "Нет, не нужна."
        )
    clock.advance(days=1)
    await enrol_step(running, anna)
    await planner.plan_all()
    await dispatcher.drain()
    later = digests(neighbours)[-1]
    assert later != ours
    assert "Вопросов без ответа нет." in later and "Анна" not in later


async def enrol_step(running: RunningBot, user: VirtualUser) -> None:
    """A step forward in the quest, through the quest's own move."""
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        service = await service_for(
            uow,
            running.app.cipher,
            running.app.dispatcher["quest_holder"],
            candidate,
            "ru",
            running.settings,
        )
        await service.confirm_read("profile.how_it_works")
