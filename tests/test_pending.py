"""The approvals queue and the candidate card's actions, through the fake Telegram: approve and
return with a comment from the card or from /pending, a message from the card, forged buttons
deciding nothing; and a second kind of pending item plugged in with one registration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.db.models import TaskProgress, TaskStatus
from bot.handlers.review import ReviewCb
from bot.services import pending
from bot.services.directory import Scope
from bot.services.errors import InputError
from bot.services.pending import Decided, PendingCard, PendingContext, PendingItem
from bot.services.quest import QuestStore
from tests.conftest import RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_teams import enrol

TASK = "profile.about_you"
TITLE = "Расскажите о себе"


async def submit(
    running: RunningBot, user: VirtualUser, answer: str = "Хочу <сквер> & парк"
) -> int:
    """The candidate's questionnaire waits for a coordinator (as a review task does once
    submitted); the TaskProgress id."""
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        store = QuestStore(uow, running.app.cipher, candidate)
        await store.save(TASK, {"answers": {"motivation": answer}}, TaskStatus.WAITING)
        return (await store.rows())[TASK].id


async def status_of(running: RunningBot, progress_id: int) -> tuple[TaskStatus, str | None]:
    async with running.app.session_factory() as session:
        row = await session.get(TaskProgress, progress_id)
        assert row is not None
        return row.status, row.comment


async def test_approve_and_return_from_the_candidate_card(running: RunningBot) -> None:
    user = running.user()
    await enrol(running, user, "Анна Соседова", "neighbours")
    first = await submit(running, user)
    admin = running.admin()
    await admin.send(f"/candidate {user.phone}")
    card = await admin.expect("Анна Соседова")
    assert "Ждут вашей проверки: 1" in card["text"]
    assert admin.inline_buttons == [
        "✉️ Написать кандидату",
        f"👁 {TITLE}",
        "✅ Принять",
        "↩️ Вернуть",
    ]
    # Look first: the answers, escaped, as the candidate typed them.
    await admin.press(f"👁 {TITLE}")
    shown = await admin.expect(f"«{TITLE}»")
    assert "Хочу <сквер> & парк" in shown["text"]
    # Approve from the card (the card's own button, not the one under the answers).
    await admin.press_data(ReviewCb(action="ok", kind="task", id=first).pack(), card["message_id"])
    await admin.expect("Принято")
    await user.expect(f"Координатор принял задачу «{TITLE}»")
    assert (await status_of(running, first))[0] is TaskStatus.DONE
    # The same button again decides nothing.
    await admin.press_data(ReviewCb(action="ok", kind="task", id=first).pack(), card["message_id"])
    await admin.expect_answer("уже проверена")

    # Submitted again: returned with a comment, from a fresh card.
    await submit(running, user, "Второй вариант")
    await admin.send(f"/candidate {user.phone}")
    await admin.expect("Ждут вашей проверки: 1")
    await admin.press("Вернуть")
    await admin.expect("Напишите кандидату, что исправить")
    await admin.send_sticker()  # not a comment: asked again, still in the dialog
    await admin.expect("Напишите кандидату, что исправить")
    await admin.send("я" * 501)
    await admin.expect("Слишком длинн")
    await admin.send("Подробнее про <сквер>, пожалуйста")
    await admin.expect("Возвращено с комментарием")
    returned = await user.expect("вернул задачу")
    assert "Подробнее про <сквер>, пожалуйста" in returned["text"]
    assert await status_of(running, first) == (
        TaskStatus.RETURNED,
        "Подробнее про <сквер>, пожалуйста",
    )
    await admin.send(f"/candidate {user.phone}")
    after = await admin.expect("Анна Соседова")
    assert "Ждут вашей проверки: 0" in after["text"]
    assert admin.inline_buttons == ["✉️ Написать кандидату"]

    # And a message from the card.
    await admin.press("Написать кандидату")
    await admin.expect("Напишите сообщение")
    await admin.send("Позвоните в штаб")
    await admin.expect("Отправлено")
    await user.expect("Позвоните в штаб")
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        actions = [e.action for e in await uow.audit.for_subject("candidate", candidate.id)]
    for action in ("candidate_viewed", "task_viewed", "task_approved", "task_returned"):
        assert action in actions
    assert "candidate_messaged" in actions


async def test_a_coordinator_cannot_decide_outside_their_scope(running: RunningBot) -> None:
    ours, theirs = running.user(), running.user()
    await enrol(running, ours, "Своя Анна", "neighbours")
    await enrol(running, theirs, "Чужая Вера", "civic", "Парнас", 1)
    own = await submit(running, ours)
    other = await submit(running, theirs)
    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/pending")
    queue = await coordinator.expect("Ждут проверки: 1")
    assert coordinator.inline_buttons == [f"Своя Анна — {TITLE}"]
    message_id = queue["message_id"]
    for action in ("open", "ok", "back"):
        await coordinator.press_data(
            ReviewCb(action=action, kind="task", id=other).pack(), message_id
        )
        await coordinator.expect_answer("уже проверена или недоступна")
    await coordinator.press_data("rv:ok:nosuch:1", message_id)
    await coordinator.expect_answer("уже проверена или недоступна")
    assert (await status_of(running, other))[0] is TaskStatus.WAITING
    await coordinator.press_data(ReviewCb(action="ok", kind="task", id=own).pack(), message_id)
    await coordinator.expect("Принято")
    # A candidate pressing a queue button learns nothing either.
    await theirs.press_data(ReviewCb(action="ok", kind="task", id=other).pack(), 1)
    assert (await status_of(running, other))[0] is TaskStatus.WAITING


# --- a second kind, plugged in with one registration --------------------------------------------


@dataclass
class PrintRuns:
    """A stand-in for what another feature registers: print runs waiting for approval."""

    code = "print"
    runs: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # id: cand, user, what
    decided: list[tuple[int, bool, str | None]] = field(default_factory=list)
    since: datetime = datetime(2000, 1, 1, tzinfo=UTC)

    async def waiting(
        self, ctx: PendingContext, scope: Scope, limit: int, candidate_id: int | None = None
    ) -> list[PendingItem]:
        return [
            PendingItem(self.code, run, cand, "Анна Соседова", f"Тираж: {what}", self.since)
            for run, (cand, _, what) in self.runs.items()
            if candidate_id in (None, cand)
        ][:limit]

    async def card(self, ctx: PendingContext, item_id: int, scope: Scope) -> PendingCard:
        if item_id not in self.runs:
            raise InputError("review-gone")
        return PendingCard(f"Тираж №{item_id}: {self.runs[item_id][2]}")

    async def decide(
        self,
        ctx: PendingContext,
        item_id: int,
        scope: Scope,
        approve: bool,
        comment: str | None,
    ) -> Decided:
        if item_id not in self.runs:
            raise InputError("review-gone")
        _, user_id, what = self.runs.pop(item_id)
        self.decided.append((item_id, approve, comment))
        return Decided(user_id, f"Тираж «{what}»: {'принят' if approve else comment}")


@pytest.fixture
def print_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[PrintRuns]:
    monkeypatch.setattr(pending, "_KINDS", dict(pending._KINDS))  # the registry, restored after
    yield pending.register(PrintRuns())  # type: ignore[misc]


async def test_another_kind_plugs_in_with_one_registration(
    running: RunningBot, print_runs: PrintRuns
) -> None:
    user = running.user()
    await enrol(running, user, "Анна Соседова", "neighbours")
    task = await submit(running, user)
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
    assert candidate is not None
    print_runs.runs[7] = (candidate.id, user.user_id, "листовка А5, 5000 экз.")
    admin = running.admin()
    await admin.send("/pending")
    await admin.expect("Ждут проверки: 2")
    # One queue, oldest first across kinds: the print run waits since 2000.
    assert admin.inline_buttons == [
        "Анна Соседова — Тираж: листовка А5, 5000 экз.",
        f"Анна Соседова — {TITLE}",
    ]
    await admin.press("Тираж")
    await admin.expect("Тираж №7: листовка А5")
    await admin.press("Вернуть")
    await admin.expect("Напишите кандидату")
    await admin.send("Нет выходных данных")
    await admin.expect("Возвращено с комментарием")
    await user.expect("Тираж «листовка А5, 5000 экз.»: Нет выходных данных")
    assert print_runs.decided == [(7, False, "Нет выходных данных")]
    # The card lists every kind too.
    print_runs.runs[8] = (candidate.id, user.user_id, "плакат")
    await admin.send(f"/candidate {user.phone}")
    await admin.expect("Ждут вашей проверки: 2")
    assert "👁 Тираж: плакат" in admin.inline_buttons
    await admin.press_data(ReviewCb(action="ok", kind="print", id=8).pack())
    await admin.expect("Принято")
    await user.expect("Тираж «плакат»: принят")
    assert (await status_of(running, task))[0] is TaskStatus.WAITING  # untouched


def test_registration_rules() -> None:
    with pytest.raises(ValueError, match="1-8 letters"):
        pending.register(type("Bad", (PrintRuns,), {"code": "no:colons"})())
    with pytest.raises(ValueError, match="taken by QuestTaskKind"):
        pending.register(type("Other", (PrintRuns,), {"code": "task"})())
    assert pending.kind_of("task") is not None
