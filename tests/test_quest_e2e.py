"""A candidate plays the whole campaign quest through the fake Telegram, with a clock the test
moves: windows open and close, deadlines approach and pass, a coordinator checks uploads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.handlers.quest import QuestCb, QuestHolder
from bot.quests.schema import (
    ActionTask,
    ApprovalTask,
    ChecklistTask,
    CounterTask,
    QuestionnaireTask,
    ReadTask,
    UploadTask,
)
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.quest import QuestService, QuestStore, QuestView, TaskState
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_registration import register

ANSWERS = {
    "text": "Хочу, чтобы во дворах был порядок",
    "long_text": "Работаю в школе, веду кружок, знаю соседей",
    "date": "07.03.1985",
    "number": "5",
    "phone": "+79111234567",
    "email": "candidate@example.org",
    "inn": "500100732259",
    "snils": "112-233-445 95",
}


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(datetime(2027, 5, 10, 9, 0, tzinfo=UTC))
    set_clock(frozen)
    yield frozen
    reset_clock()


def holder(running: RunningBot) -> QuestHolder:
    value = running.app.dispatcher["quest_holder"]
    assert isinstance(value, QuestHolder)
    return value


async def service_for(running: RunningBot, user_id: int, today: date, uow: object) -> QuestService:
    from bot.handlers.quest import _targets

    candidate = await uow.candidates.by_user(user_id)  # type: ignore[attr-defined]
    election = await uow.geography.current_election()  # type: ignore[attr-defined]
    targets = await _targets(uow, candidate.district_id, election)  # type: ignore[arg-type]
    store = QuestStore(uow, running.app.cipher, candidate)  # type: ignore[arg-type]
    return QuestService(holder(running).quest, store, election, today, "ru", targets)


async def quest_view(running: RunningBot, user_id: int, today: date) -> QuestView:
    async with running.app.uow_factory() as uow:
        return await (await service_for(running, user_id, today, uow)).view()


def button_task(button_data: str) -> str | None:
    try:
        data = QuestCb.unpack(button_data)
    except (TypeError, ValueError):
        return None
    return data.task if data.action == "task" else None


async def do_task(
    running: RunningBot, user: VirtualUser, coordinator: VirtualUser, full_id: str, today: date
) -> None:
    """Do one task the way a candidate would, whatever its kind."""
    task = holder(running).quest.tasks[full_id].task
    await user.press_data(QuestCb(action="task", task=full_id).pack())
    title = task.title.ru
    if isinstance(task, ReadTask):
        for _ in range(len(task.pages) - 1):
            await user.expect(title)
            await user.press("Далее")
        await user.expect(title)
        await user.press("Прочитал")
    elif isinstance(task, ChecklistTask):
        await user.expect(title)
        for item in task.items:
            await user.press("⬜ " + item.text.ru)
            if item is not task.items[-1]:
                edited = await user.next_message()  # the same message, the item now ticked
                buttons = [b["text"] for row in edited["reply_markup"]["inline_keyboard"]
                           for b in row]  # fmt: skip
                assert "☑️ " + item.text.ru in buttons
    elif isinstance(task, QuestionnaireTask):
        for question in task.fields:
            await user.expect("Вопрос")
            if question.type == "yes_no":
                await user.press("Да")
            elif question.type == "choice":
                await user.press(question.choices[0].text.ru)
            else:
                await user.send(ANSWERS[question.type])
    elif isinstance(task, UploadTask):
        await user.expect("Пришлите фото или PDF")
        await user.send_photo()
    elif isinstance(task, CounterTask):
        await user.expect("Сейчас: 0 из")
        await user.send("=99999")  # any target is lower
    elif isinstance(task, ApprovalTask):
        await user.expect(title)
        await user.press("Отправить координатору")
    elif isinstance(task, ActionTask):
        await user.expect(title)
        # The documents/fund/... parts of the bot report their work done this way.
        async with running.app.uow_factory() as uow:
            service = await service_for(running, user.user_id, today, uow)
            assert await service.report_action_done(task.action)
        await user.send("/quest")
    if task.review or isinstance(task, ApprovalTask):
        await user.expect("отправлено" if task.review else "Этап")
        await coordinator.send("/pending")
        await coordinator.expect("Ждут проверки")
        await coordinator.press(title[:20])
        await coordinator.expect(f"«{title}»")  # the card, with the decision buttons
        await coordinator.press("Принять")
        await coordinator.expect("Принято")
        await user.expect("Координатор принял")
    else:
        await user.expect("Этап")  # the stage card comes back after every finished step


@pytest.mark.slow
async def test_a_candidate_walks_the_whole_quest(running: RunningBot, clock: FrozenClock) -> None:
    user = running.user()
    await register(user)
    coordinator = running.admin()
    await user.send("/quest")
    card = await user.expect("Этап 1 из 9")
    assert "▓" in card["text"] or "░" in card["text"]
    seen_days_left = False
    for _ in range(200):  # each round does one task or moves the clock
        today = clock.now.date()
        view = await quest_view(running, user.user_id, today)
        open_tasks = [t for s in view.stages for t in s.tasks if t.actionable]
        seen_days_left |= any(t.days_left is not None and t.days_left >= 0 for t in open_tasks)
        if open_tasks:
            await do_task(running, user, coordinator, open_tasks[0].full_id, today)
            continue
        upcoming = sorted(
            t.lock.opens_on
            for s in view.stages
            for t in s.tasks
            if t.state is TaskState.LOCKED and t.lock and t.lock.opens_on
        )
        if not upcoming:
            break
        # Nothing to do until a window opens: jump there, as a campaign's weeks pass.
        clock.now = datetime.combine(upcoming[0], time(9), tzinfo=UTC)
    final = await quest_view(running, user.user_id, clock.now.date())
    states = [t.state for s in final.stages for t in s.tasks]
    assert set(states) <= {TaskState.DONE, TaskState.CLOSED}, states
    assert states.count(TaskState.DONE) >= len(states) - 2
    assert seen_days_left
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
    assert candidate is not None and candidate.last_progress_at is not None
    earned = sum(
        t.item.task.points for s in final.stages for t in s.tasks if t.state is TaskState.DONE
    )
    assert candidate.quest_points == earned > 1000
    async with running.app.uow_factory() as uow:
        answers = await (await service_for(running, user.user_id, clock.now.date(), uow)).answers()
    assert answers and set(map(str, answers.values())) <= {*ANSWERS.values(), "yes", "no"} | {
        c.id
        for item in holder(running).quest.tasks.values()
        if isinstance(item.task, QuestionnaireTask)
        for f in item.task.fields
        for c in f.choices
    }
    celebrations = [m for m in user.transcript if "🎉" in m.get("text", "")]
    assert len(celebrations) >= 8  # every stage's end was celebrated (one may close unfinished)


async def test_forged_callback_cannot_open_a_locked_task(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    await user.send("/quest")
    await user.expect("Этап 1 из 9")
    view = await quest_view(running, user.user_id, clock.now.date())
    locked_view = next(t for s in view.stages for t in s.tasks if t.state is TaskState.LOCKED)
    locked = locked_view.full_id
    assert locked_view.lock is not None
    reason = running.app.catalog.text("ru", locked_view.lock.reason, **locked_view.lock.params)
    await user.press_data(QuestCb(action="read", task=locked).pack())
    answer = await user.expect_answer(reason)
    assert answer.get("show_alert")
    await user.press_data(QuestCb(action="task", task="nosuch.task").pack())
    await user.expect_answer("Такой задачи нет")
    view = await quest_view(running, user.user_id, clock.now.date())
    assert view.task(locked) is not None and view.task(locked).state is TaskState.LOCKED  # type: ignore[union-attr]
    assert view.points == 0


async def test_deadlines_count_down_and_pass(running: RunningBot, clock: FrozenClock) -> None:
    user = running.user()
    await register(user)
    today = clock.now.date()
    view = await quest_view(running, user.user_id, today)
    with_deadline = next(t for s in view.stages for t in s.tasks if t.deadline is not None)
    assert with_deadline.deadline is not None
    clock.now = datetime.combine(with_deadline.deadline - timedelta(days=3), time(9), tzinfo=UTC)
    later = await quest_view(running, user.user_id, clock.now.date())
    assert later.task(with_deadline.full_id).days_left == 3  # type: ignore[union-attr]
    clock.now += timedelta(days=5)
    passed = await quest_view(running, user.user_id, clock.now.date())
    assert passed.task(with_deadline.full_id).days_left == -2  # type: ignore[union-attr]


async def test_english_candidate_sees_the_quest_in_english(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user(language_code="en")
    await user.send("/start")
    await user.expect("Consent")
    await user.press("I agree")
    await user.expect("Step 1 of 5")
    await user.send("Smith John")
    await user.expect("Step 2 of 5")
    await user.share_contact()
    await user.expect("Step 3 of 5")
    await user.press("Skip")
    await user.expect("Step 4 of 5")
    await user.press("City Movement")
    await user.expect("Step 5 of 5")
    await user.send("Парнас")
    await user.expect("Found 1 municipal formation")
    await user.press("Парнас")
    await user.expect("Choose yours")
    await user.press("District #1")
    await user.expect("Candidate card")
    await user.press("confirm")
    await user.expect("You are registered")
    await user.send("/quest")
    card = await user.expect("Stage 1 of 9")
    assert "points" in card["text"]
    await user.press("All stages")
    stages = await user.expect("All campaign stages")
    assert stages["text"].count("\n") >= 9


async def test_reload_with_errors_keeps_the_running_quest(
    running: RunningBot, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    from bot.handlers import quest as quest_handlers
    from bot.quests import loader

    broken = Path(str(tmp_path)) / "stages"
    broken.mkdir()
    (broken / "01_x.toml").write_text('id = "x"\ntitle = 5\n', encoding="utf-8")
    before = holder(running).quest
    admin = running.admin()
    monkeypatch.setattr(quest_handlers, "load_quest", lambda: loader.load_quest(broken))
    await admin.send("/reload_quests")
    failed = await admin.expect("НЕ перезагружен")
    assert "01_x.toml" in failed["text"] and "title" in failed["text"]
    assert holder(running).quest is before
    monkeypatch.setattr(quest_handlers, "load_quest", lambda: loader.load_quest())
    await admin.send("/reload_quests")
    await admin.expect("Квест перезагружен: 9 этапов")
    candidate = running.user()
    await candidate.send("/reload_quests")
    await candidate.expect("Не знаю такой команды")


async def test_questionnaire_survives_wrong_answers_and_a_restart(
    data_dir: Path, telegram: FakeTelegramServer, clock: FrozenClock
) -> None:
    """A candidate answers "Расскажите о себе" badly in every way, the bot restarts in the
    middle, and the next answer lands on the same question, earlier answers kept."""
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    full_id = "profile.about_you"
    async for running in start_bot(settings, telegram):
        user = running.user()
        await register(user)
        await user.press_data(QuestCb(action="task", task=full_id).pack())
        await user.expect("Вопрос 1 из 6")
        await user.send_sticker()
        await user.expect("Ответьте текстом")
        await user.send("Хочу, чтобы во дворах был порядок")
        await user.expect("Вопрос 2 из 6")
        await user.send("опыт есть")  # a choice is expected: buttons
        await user.expect("выберите вариант кнопкой")
        await user.press_data(QuestCb(action="ch", task=full_id, n=99).pack())  # forged
        await user.expect_answer("устарела")
        item = holder(running).quest.tasks[full_id].task
        assert isinstance(item, QuestionnaireTask)
        await user.press(item.fields[1].choices[0].text.ru)
        await user.expect("Вопрос 3 из 6")
        await user.press("Пропустить")
        await user.expect("Вопрос 4 из 6")
        await user.send("много")
        await user.expect("Нужно целое число")
    # A new process on the same database: the dialog continues at question 4.
    async for running in start_bot(settings, telegram):
        await user.send("12")
        await user.expect("Вопрос 5 из 6")
        async with running.app.uow_factory() as uow:
            answers = await (
                await service_for(running, user.user_id, clock.now.date(), uow)
            ).answers()
        assert answers[f"{full_id}.motivation"] == "Хочу, чтобы во дворах был порядок"
        assert answers[f"{full_id}.local_work"] is None  # skipped, optional
        assert answers[f"{full_id}.hours_per_week"] == "12"
        assert f"{full_id}.has_team" not in answers
