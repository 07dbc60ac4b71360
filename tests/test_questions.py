"""Questions to the campaign office (/ask, /questions), answers, and the FAQ (/faq), driven
end to end through the fake Telegram API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

import bot.handlers as handlers
from bot.db.models import Candidate, FaqEntry, Question, QuestionStatus
from bot.handlers import questions, registration
from bot.services.errors import InputError
from bot.services.questions import QuestionService, StaffScope, fold
from bot.telegram.request_guard import MESSAGE_LIMIT
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_registration import register

QUESTION = "Какая справка нужна для открытия счёта? Мой паспорт 4010 123456"
ANSWER = "Справка из банка <об открытии> & копия договора"


@pytest.fixture
async def running(
    data_dir: Path, telegram: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningBot]:
    routers = list(handlers.ROUTERS)
    if questions.router not in routers:
        # Before registration.router: its catch-all for people who never consented would
        # otherwise take the answer of an admin who only ever used commands.
        routers.insert(routers.index(registration.router), questions.router)
    monkeypatch.setattr(handlers, "ROUTERS", tuple(routers))
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


async def talking_admin(running: RunningBot) -> VirtualUser:
    """The admin, after a first message: the bot can only write to who wrote to it."""
    admin = running.admin()
    await admin.send("/help")
    await admin.expect("Команды")
    return admin


async def ask(candidate: VirtualUser, text: str = QUESTION) -> int:
    await candidate.send("/ask")
    await candidate.expect("Напишите ваш вопрос")
    await candidate.send(text)
    reply = await candidate.expect("отправлен в штаб")
    return int(reply["text"].split("№")[1].split()[0])


async def stored_questions(running: RunningBot) -> list[Question]:
    async with running.app.session_factory() as session:
        return list(await session.scalars(select(Question).order_by(Question.id)))


def callback_of(message: dict[str, object], text: str) -> str:
    markup = message["reply_markup"]
    assert isinstance(markup, dict)
    for row in markup["inline_keyboard"]:
        for button in row:
            if text in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button {text!r}")


async def test_question_answer_and_faq_end_to_end(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)
    admin = await talking_admin(running)
    question_id = await ask(candidate)

    # No coordinator covers the candidate: the admin is told, with a button to answer.
    notice = await admin.expect("Новый вопрос №")
    assert "Иванова Мария Сергеевна" in notice["text"] and QUESTION in notice["text"]
    assert callback_of(notice, "Ответить") == f"qa:answer:{question_id}"

    await admin.send("/questions")
    listing = await admin.expect("Открытые вопросы")
    assert f"№{question_id}" in listing["text"] and "Какая справка нужна" in listing["text"]
    await admin.press(f"Ответить на №{question_id}")
    prompt = await admin.expect("Напишите ответ")
    assert QUESTION in prompt["text"]
    await admin.send(ANSWER)
    done = await admin.expect("отправлен кандидату")

    answer = await candidate.expect("Ответ штаба")
    assert answer["text"].endswith(ANSWER)  # escaped on the way, shown as typed
    assert "Какая справка нужна" in answer["text"]
    [stored] = await stored_questions(running)
    assert stored.status is QuestionStatus.ANSWERED
    assert stored.answered_by == admin.user_id and stored.answered_at is not None
    assert running.app.cipher.decrypt(stored.answer_enc) == ANSWER
    async with running.app.uow_factory() as uow:
        audit = await uow.audit.for_subject("candidate", stored.candidate_id)
    audit = [entry for entry in audit if entry.action.startswith("question_")]
    assert [entry.action for entry in audit] == ["question_asked", "question_answered"]
    assert (audit[0].actor_id, audit[1].actor_id) == (candidate.user_id, admin.user_id)

    # A second answer to the answered question is refused, by the old button too.
    await admin.press_data(callback_of(notice, "Ответить"), notice["message_id"])
    await admin.expect_answer("уже ответили")

    # Into the FAQ, under a de-personalised wording.
    assert callback_of(done, "В FAQ") == f"qa:faq:{question_id}"
    await admin.press("В FAQ")
    await admin.expect("короткую формулировку")
    await admin.send("Какая справка нужна для открытия счёта?")
    await admin.expect("Добавлено в FAQ")
    await admin.press_data(f"qa:faq:{question_id}", done["message_id"])
    await admin.expect_answer("уже есть в FAQ")
    async with running.app.session_factory() as session:
        [entry] = list(await session.scalars(select(FaqEntry)))
    assert (entry.question, entry.answer, entry.locale) == (
        "Какая справка нужна для открытия счёта?",
        ANSWER,
        "ru",
    )

    await candidate.send("/faq справка")
    found = await candidate.expect("по запросу «справка»: 1")
    assert "Какая справка нужна для открытия счёта?" in found["text"] and ANSWER in found["text"]
    await candidate.send("/faq СЧЕТ Договора")  # case and ё folded, every word must match
    await candidate.expect("Какая справка нужна для открытия счёта?")
    await candidate.send("/faq справка пенсия")
    await candidate.expect("ничего не нашлось")
    await candidate.send("/faq")
    latest = await candidate.expect("последние добавленные")
    assert ANSWER in latest["text"]
    await admin.send("/questions")
    await admin.expect("Открытых вопросов нет")


async def test_only_staff_in_scope_see_and_answer(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)  # Союз соседей, МО Гавань
    admin = await talking_admin(running)
    other = await running.coordinator("org:civic", admin)
    own = await running.coordinator("org:neighbours", admin)
    question_id = await ask(candidate)

    # The coordinator of the candidate's organisation is told; the admin is not.
    notice = await own.expect("Новый вопрос №")
    assert QUESTION in notice["text"]
    await admin.quiet()
    await other.quiet()

    await other.send("/questions")
    await other.expect("Открытых вопросов нет")
    await other.press_data(f"qa:answer:{question_id}", notice["message_id"])
    await other.expect_answer("недоступен")  # out of scope looks exactly like missing
    await other.send(ANSWER)  # not in the answer form: nothing is answered
    await other.expect("Нужны фамилия и имя")  # …their own registration dialog took it
    assert (await stored_questions(running))[0].status is QuestionStatus.OPEN

    await own.send("/questions")
    listing = await own.expect("Открытые вопросы (1)")
    assert f"№{question_id}" in listing["text"]
    async with running.app.uow_factory() as uow:
        service = QuestionService(uow, running.app.cipher)
        other_scope = StaffScope(frozenset({999}), frozenset())
        assert await service.open_questions(other_scope) == []
        formation = await uow.geography.district((await stored_candidate(running)).district_id)
        assert formation is not None
        by_formation = StaffScope(frozenset(), frozenset({formation.formation_id}))
        assert [v.id for v in await service.open_questions(by_formation)] == [question_id]

    # A plain user does not even learn that /questions exists.
    await candidate.send("/questions")
    await candidate.expect("Не знаю такой команды")


async def stored_candidate(running: RunningBot) -> Candidate:
    [question] = await stored_questions(running)
    async with running.app.uow_factory() as uow:
        candidate = await uow.session.get(Candidate, question.candidate_id)
    assert candidate is not None
    return candidate


async def test_two_staff_answer_at_once_only_one_answer_counts(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)
    admin = await talking_admin(running)
    city = await running.coordinator(admin=admin)  # the whole coalition
    question_id = await ask(candidate)
    await city.expect("Новый вопрос №")
    await admin.quiet()  # a coordinator covers the candidate: the admin is not told

    await city.press("Ответить")
    await city.expect("Напишите ответ")
    await admin.send("/questions")
    await admin.expect("Открытые вопросы (1)")
    await admin.press(f"Ответить на №{question_id}")
    await admin.expect("Напишите ответ")
    await city.send("Первый ответ")
    await city.expect("отправлен кандидату")
    await admin.send("Второй ответ")
    await admin.expect("уже ответили")
    first = await candidate.expect("Ответ штаба")
    assert first["text"].endswith("Первый ответ")
    await candidate.quiet()
    [stored] = await stored_questions(running)
    assert running.app.cipher.decrypt(stored.answer_enc) == "Первый ответ"
    assert stored.answered_by == city.user_id
    async with running.app.uow_factory() as uow:
        service = QuestionService(uow, running.app.cipher)
        with pytest.raises(InputError) as refused:
            await service.answer(question_id, StaffScope(None, None), admin.user_id, "Снова")
    assert refused.value.code == "questions-already-answered"


async def test_question_text_is_not_stored_in_plaintext(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)
    admin = await talking_admin(running)
    question_id = await ask(candidate)
    await admin.expect("Новый вопрос №")
    await admin.press("Ответить")
    await admin.expect("Напишите ответ")
    await admin.send(ANSWER)
    await admin.expect("отправлен кандидату")
    await running.app.engine.dispose()  # every connection closed: what is stored is on disk
    data_dir = running.settings.data_dir
    raw = b"".join(path.read_bytes() for path in sorted(data_dir.glob("shtab.db*")))
    assert "Гавань".encode() in raw  # the search sees plain columns (a formation's name)
    for secret in (QUESTION, "4010 123456", ANSWER, "Иванова Мария Сергеевна"):
        assert secret.encode() not in raw
    [stored] = await stored_questions(running)
    assert stored.id == question_id
    assert running.app.cipher.decrypt(stored.text_enc) == QUESTION


async def test_forget_me_deletes_the_questions(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)
    keeper = running.user(first_name="Пётр")
    await register(keeper, name="Петров Пётр Петрович")
    admin = await talking_admin(running)
    await ask(candidate)
    await ask(candidate, "Второй вопрос")
    await ask(keeper, "Вопрос того, кто остаётся")
    for _ in range(3):
        await admin.expect("Новый вопрос №")
    assert len(await stored_questions(running)) == 3
    await candidate.send("/forget_me")
    await candidate.expect("Удалить все ваши данные")
    await candidate.press("Да, удалить")
    await candidate.expect("Это необратимо")
    await candidate.press("Удалить навсегда")
    await candidate.expect("все ваши данные удалены")
    [left] = await stored_questions(running)
    assert running.app.cipher.decrypt(left.text_enc) == "Вопрос того, кто остаётся"


async def test_ask_dialog_rules(running: RunningBot) -> None:
    stranger = running.user()
    await stranger.send("/ask")
    await stranger.expect("после регистрации кандидата")
    await stranger.send("/faq")
    await stranger.expect("после регистрации кандидата")

    candidate = running.user()
    await register(candidate)
    await candidate.send("/faq")
    await candidate.expect("В FAQ пока ничего нет")
    await candidate.send("/ask")
    await candidate.expect("Напишите ваш вопрос")
    await candidate.send_sticker()
    await candidate.expect("Пришлите, пожалуйста, текст")
    await candidate.send("я" * 2001)
    too_long = await candidate.expect("Слишком длинно")
    assert "2001знаков,можнодо2000" in "".join(too_long["text"].split())
    await candidate.send("/cancel")
    await candidate.expect("Диалог прерван")
    await candidate.send("Это уже не вопрос")
    await candidate.expect("Не понял вас")
    assert await stored_questions(running) == []
    admin = await talking_admin(running)
    await ask(candidate, "<b>Можно</b> ли & как?")
    notice = await admin.expect("Новый вопрос №")
    assert "<b>Можно</b> ли & как?" in notice["text"]  # escaped, so shown as typed


async def test_faq_is_cut_to_one_message(running: RunningBot) -> None:
    async with running.app.uow_factory() as uow:
        for number in range(12):
            await QuestionService(uow, running.app.cipher).repo.add_faq(
                FaqEntry(
                    question=f"Вопрос {number} про подписи",
                    answer=f"Ответ {number}: " + "длинное объяснение <и> & " * 80,
                    locale="ru" if number % 2 else "en",
                    created_by=1,
                )
            )
    admin = await talking_admin(running)
    await admin.send("/faq ПОДПИСИ")
    reply = await admin.expect("по запросу «ПОДПИСИ»: 12")
    assert len(reply["text"]) <= MESSAGE_LIMIT
    assert "…и ещё" in reply["text"]
    assert "Вопрос 11 про подписи" in reply["text"]  # Russian first, newest first
    assert reply["text"].index("Вопрос 11") < reply["text"].index("Вопрос 9 ")
    assert "Вопрос 0 " not in reply["text"]
    await admin.quiet()  # one message, not split


def test_fold() -> None:
    assert fold("Счёт ЁЛКА") == fold("счет елка") == "счет елка"
