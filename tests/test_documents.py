"""Nomination documents end to end, through the fake Telegram: a candidate fills in the
questionnaire (wrong answers included), gets the PDFs and reads them back, edits an answer and
gets a new version, a coordinator approves or returns the package from /pending, the quest task
completes, and nothing of it is stored in plaintext."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.db.models import TaskStatus
from bot.db.models.documents import (
    NominationAnswer,
    NominationDocument,
    NominationPackage,
    PackageStatus,
)
from bot.handlers.documents import DocsCb
from bot.handlers.review import ReviewCb
from bot.quests.schema import ActionTask
from bot.services import documents_form as form
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.documents import DocumentsService
from bot.services.quest import QuestStore, TaskState
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_quest_e2e import holder, quest_view
from tests.test_registration import register

PASSPORT_NUMBER = "918273"
INN = "500100732259"
ADDRESS = "г. Санкт-Петербург, ул. Наличная, д. 40, корп. 1, кв. 12"
BIRTH_PLACE = "гор. Ленинград"
PRESS = "press:"

ANSWERS: dict[str, str] = {
    "full_name": "Иванов Иван Иванович",
    "birth_date": "07.03.1985",
    "birth_place": BIRTH_PLACE,
    "address": ADDRESS,
    "passport_series": "40 12",
    "passport_number": PASSPORT_NUMBER,
    "passport_issued": "15.04.2012",
    "passport_issuer": "ТП № 12 отдела УФМС России по Санкт-Петербургу",
    "passport_division": "780-012",
    "inn": INN,
    "snils": "112-233-445 95",
    "citizenship": PRESS + "Российская Федерация",
    "education": PRESS + "Да",
    "edu_institution": "Санкт-Петербургский государственный университет",
    "edu_year": "2007",
    "edu_diploma": "диплом ВСГ 1234567",
    "work_place": "ГБОУ СОШ № 5",
    "work_position": "учитель истории",
    "deputy": PRESS + "Нет",
    "criminal": PRESS + "Нет",
    "party_membership": PRESS + "Пропустить",
    "nomination": PRESS + "Самовыдвижение",
    "income": "ГБОУ СОШ № 5, зарплата — 850 000\nПАО Сбербанк, проценты — 1 200,50",
    "real_estate": "квартира, Санкт-Петербург, 54,2 кв. м",
    "vehicles": "нет",
    "accounts": "ПАО Сбербанк, счёт 40817810000000000001 — 15 000",
    "securities": "нет",
}


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    # Nomination time of the demo election (documents accepted 21 June - 10 July 2027).
    frozen = FrozenClock(datetime(2027, 6, 22, 9, 0, tzinfo=UTC))
    set_clock(frozen)
    yield frozen
    reset_clock()


def question_of(running: RunningBot, text: str) -> form.Question:
    for question in form.QUESTIONS:
        if running.app.catalog.text("ru", question.label) in text:
            return question
    raise AssertionError(f"no known question in {text!r}")


async def answer_all(running: RunningBot, user: VirtualUser, answers: dict[str, str]) -> None:
    """Answer whatever the bot asks, in the order it asks, until the documents come."""
    for _ in range(len(form.QUESTIONS)):
        message = await user.expect("Вопрос")
        question = question_of(running, message["text"])
        value = answers[question.id]
        if value.startswith(PRESS):
            await user.press(value.removeprefix(PRESS))
        else:
            await user.send(value)
        if question.id == "securities":
            return
    raise AssertionError("the questionnaire did not end")


async def pdf_text(running: RunningBot, message: dict[str, object]) -> tuple[str, str]:
    """(file name, the text of the PDF with whitespace collapsed)."""
    document = message["document"]
    assert isinstance(document, dict)
    _, envelope = await running.emulator.call("getFile", {"file_id": document["file_id"]})
    data = running.emulator.file_bytes(envelope["result"]["file_path"])
    assert data is not None and data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return str(document["file_name"]), text


async def receive_package(
    running: RunningBot, user: VirtualUser, version: int, *, overview: bool = True
) -> dict[str, str]:
    """The four documents of a version: file name -> text; then the documents screen."""
    await user.expect(f"версия {version}")
    found = {}
    for caption in (
        "Заявление о согласии",
        "Сведения о доходах",
        "Подписной лист",
        "Опись документов",
    ):
        name, text = await pdf_text(running, await user.expect(caption))
        found[name] = text
    if overview:
        await user.expect("Статус:")
    return found


async def open_documents_stage(running: RunningBot, user_id: int) -> None:
    """Every task before the documents action done, as if the candidate had played so far."""
    quest = holder(running).quest
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user_id)
        assert candidate is not None
        store = QuestStore(uow, running.app.cipher, candidate)
        for full_id, item in quest.tasks.items():
            if isinstance(item.task, ActionTask) and item.task.action == "documents":
                break
            await store.save(full_id, {}, TaskStatus.DONE, item.task.points)


async def test_candidate_fills_gets_pdfs_and_a_coordinator_approves(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)  # Иванова Мария Сергеевна, Союз соседей, Гавань, округ №2
    await open_documents_stage(running, user.user_id)
    await user.send("/documents")
    await user.expect("Я задам вопросы по одному")
    first = await user.expect("Вопрос 1 из")
    assert "Например: Иванов Иван Иванович" in first["text"]
    assert "Иванова Мария Сергеевна" in user.inline_buttons  # the registered name, offered
    await user.send(ANSWERS["full_name"])
    await answer_all(running, user, ANSWERS)
    await user.expect("Анкета заполнена")
    files = await receive_package(running, user, 1, overview=False)
    assert set(files) == {
        "Заявление_о_согласии_Иванов_v1.pdf",
        "Сведения_о_доходах_Иванов_v1.pdf",
        "Подписной_лист_Иванов_v1.pdf",
        "Опись_документов_Иванов_v1.pdf",
    }
    statement = files["Заявление_о_согласии_Иванов_v1.pdf"]
    assert "от кандидата Иванова Ивана Ивановича" in statement  # genitive
    assert "Я, Иванов Иван Иванович, даю согласие баллотироваться" in statement
    assert "Санкт-Петербурга Гавань" in statement and "избирательному округу № 2" in statement
    assert f"серия 40 12 № {PASSPORT_NUMBER}" in statement and "780-012" in statement
    assert f"ИНН — {INN}" in statement and ADDRESS in statement
    assert "Санкт-Петербургский государственный университет, 2007" in statement
    assert "судимости не имею" in statement and "в порядке самовыдвижения" in statement
    sheet = files["Подписной_лист_Иванов_v1.pdf"]
    assert "гражданина Российской Федерации Иванова Ивана Ивановича" in sheet
    assert "родившегося 07.03.1985" in sheet and "«19» сентября 2027 года" in sheet
    assert "проживающего г. Санкт-Петербург." in sheet and "Наличная" not in sheet
    inventory = files["Опись_документов_Иванов_v1.pdf"]
    assert "представляемых кандидатом Ивановым Иваном Ивановичем" in inventory  # instrumental
    assert "Копии документов о профессиональном образовании" in inventory
    declaration = files["Сведения_о_доходах_Иванов_v1.pdf"]
    assert "850 000,00" in declaration and "1 200,50" in declaration
    assert "квартира, Санкт-Петербург, 54,2 кв. м" in declaration

    overview = await user.expect("Статус: черновик")
    assert "Анкета: 27 из 27" in overview["text"]
    await user.press("Отправить координатору")
    await user.expect("отправлен координатору")

    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/pending")
    await coordinator.expect("Ждут проверки: 1")
    await coordinator.press("документы на выдвижение")
    name, seen = await pdf_text(running, await coordinator.expect("Заявление о согласии"))
    assert name == "Заявление_о_согласии_Иванов_v1.pdf" and PASSPORT_NUMBER in seen
    await coordinator.expect("документы на выдвижение, версия 1")
    await coordinator.press("Принять")
    await coordinator.expect("Принято")
    notice = await user.expect("Координатор одобрил ваш пакет")
    assert "Заполнить заявление" in notice["text"]  # the quest task it completed

    view = await quest_view(running, user.user_id, clock.now.date())
    task = view.task("documents.fill_statement")
    assert task is not None and task.state is TaskState.DONE
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        actions = [e.action for e in await uow.audit.for_subject("candidate", candidate.id)]
    assert {"documents_generated", "documents_viewed", "documents_approved"} <= set(actions)
    await coordinator.send("/pending")
    await coordinator.expect("Ничего не ждёт проверки")


async def test_wrong_answers_are_explained_and_nothing_is_lost(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    await user.send("/documents")
    await user.expect("Вопрос 1 из")
    await user.send("Ivanov Ivan")
    await user.expect("русскими буквами")
    await user.send("Иванов Иван Иванович")
    await user.expect("Дата рождения")
    for bad, reason in (
        ("7 марта 1985", "Дата пишется так: дд.мм.гггг"),
        ("31.02.1985", "Такой даты нет в календаре"),
        ("01.01.2015", "должно исполниться 18 лет ко дню голосования (19.09.2027)"),
    ):
        await user.send(bad)
        error = await user.expect(reason)
        assert "Например: 07.03.1985" in error["text"]  # an example every time
    await user.send_sticker()
    await user.expect("Ответьте текстом")
    await user.send("07.03.1985")
    await user.expect("Место рождения")
    await user.send(BIRTH_PLACE)
    await user.expect("Адрес места жительства")
    await user.send("Наличная 40")
    await user.expect("Адрес пишется полностью")
    await user.send(ADDRESS)
    await user.expect("Серия паспорта")
    await user.send("12")
    error = await user.expect("Серия паспорта — 4 цифры")
    assert "40 12" in error["text"]
    await user.send("4012")
    await user.send("91827")
    await user.expect("Номер паспорта — 6 цифр")
    await user.send(PASSPORT_NUMBER)
    await user.expect("Дата выдачи")
    await user.send("15.04.1995")  # aged 10
    await user.expect("Паспорт выдаётся с 14 лет")
    await user.send("15.04.2012")
    await user.expect("Кем выдан")
    await user.send("ТП № 12 отдела УФМС России по Санкт-Петербургу")
    await user.expect("Код подразделения")
    await user.send("78-012")
    await user.expect("NNN-NNN")
    await user.send("780012")
    await user.expect("ИНН (12 цифр)")
    await user.send("500100732258")
    await user.expect("контрольные цифры не сходятся")
    await user.send("7707083893")  # an organisation's
    await user.expect("Это ИНН организации")
    await user.send(INN)
    await user.expect("СНИЛС")
    await user.send("112-233-445 96")
    await user.expect("контрольное число не сходится")
    await user.press("Пропустить")
    await user.expect("Гражданство")
    # The dialog is interrupted; everything answered so far is kept, the wrong values are not.
    await user.send("/cancel")
    await user.expect("Диалог прерван")
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        service = DocumentsService(uow, running.app.cipher, candidate, clock.now.date())
        stored = await service.answers()
    assert stored == {
        "full_name": "Иванов Иван Иванович",
        "birth_date": "07.03.1985",
        "birth_place": BIRTH_PLACE,
        "address": ADDRESS,
        "passport_series": "40 12",
        "passport_number": PASSPORT_NUMBER,
        "passport_issued": "15.04.2012",
        "passport_issuer": "ТП № 12 отдела УФМС России по Санкт-Петербургу",
        "passport_division": "780-012",
        "inn": INN,
        "snils": "",
    }
    await user.send("/documents")
    card = await user.expect("Анкета: 11 из")
    assert "Продолжить анкету" in str(card["reply_markup"])
    await user.press("Продолжить анкету")
    await user.expect("Гражданство")


async def test_english_candidate_gets_english_errors(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user(language_code="en")
    await register_en(user)
    await user.send("/documents")
    await user.expect("Question 1 of")
    await user.send("Иванов Иван Иванович")
    await user.expect("Date of birth")
    await user.send("1985-03-07")
    error = await user.expect("For example: 07.03.1985")
    assert "дд.мм.гггг" not in error["text"] or "dd.mm" in error["text"]


async def register_en(user: VirtualUser) -> None:
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


async def test_edit_masks_regenerates_keeps_versions_and_returns(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    await user.send("/documents")
    await answer_all(running, user, ANSWERS)
    await receive_package(running, user, 1)
    await user.press("Отправить координатору")
    await user.expect("отправлен координатору")

    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/pending")
    await coordinator.expect("Ждут проверки: 1")
    await coordinator.press("документы на выдвижение")
    await coordinator.expect("версия 1. Проверьте")
    await coordinator.press("Вернуть")
    await coordinator.expect("Напишите кандидату")
    await coordinator.send("Паспорт: номер не совпадает с копией")
    await coordinator.expect("Возвращено")
    await user.expect("вернул пакет документов: Паспорт: номер не совпадает с копией")

    clock.advance(hours=1)
    await user.send("/documents")
    card = await user.expect("возвращено координатором")
    assert "номер не совпадает" in card["text"]
    await user.press("Мои ответы")
    listing = await user.expect("Ваши ответы")
    text = listing["text"]
    assert PASSPORT_NUMBER not in text and "****73" in text  # masked
    assert INN not in text and "**.**.1985" in text and "Наличная" not in text
    assert "Иванов Иван Иванович" in text  # the name is not a secret on the forms
    await user.press("✏️ Номер паспорта")
    asked = await user.expect("Номер паспорта")
    assert "Сейчас: ****73" in asked["text"]
    await user.send("123")
    await user.expect("Номер паспорта — 6 цифр")
    await user.send("564738")
    await user.expect("Документы обновлены: версия 2")
    await user.expect("Ваши ответы")

    await user.send("/documents")
    still = await user.expect("Статус: возвращено координатором")
    assert "номер не совпадает" in still["text"]  # the comment stays in view while fixing
    await user.press("Получить документы")
    v2 = await receive_package(running, user, 2)
    assert "564738" in v2["Заявление_о_согласии_Иванов_v2.pdf"]
    assert PASSPORT_NUMBER not in v2["Заявление_о_согласии_Иванов_v2.pdf"]
    await user.press("Все версии")
    history = await user.expect("Версии документов")
    assert "Версия 2" in history["text"] and "Версия 1" in history["text"]
    await user.press("Версия 1")
    v1 = await receive_package(running, user, 1, overview=False)
    assert PASSPORT_NUMBER in v1["Заявление_о_согласии_Иванов_v1.pdf"]
    async with running.app.session_factory() as session:
        versions = list(
            await session.scalars(
                select(NominationDocument.version).where(NominationDocument.kind == "statement")
            )
        )
    assert sorted(versions) == [1, 2]
    await user.send("/documents")
    await user.expect("Статус: возвращено")
    await user.press("Отправить координатору")
    await user.expect("Пакет (версия 2) отправлен")
    await coordinator.send("/pending")
    await coordinator.expect("Ждут проверки: 1")
    await coordinator.press("документы на выдвижение")
    name, seen = await pdf_text(running, await coordinator.expect("Заявление о согласии"))
    assert name.endswith("_v2.pdf") and "564738" in seen


async def test_out_of_scope_coordinators_see_nothing(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    await user.send("/documents")
    await answer_all(running, user, ANSWERS)
    await receive_package(running, user, 1)
    await user.press("Отправить координатору")
    await user.expect("отправлен координатору")
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        package = await uow.documents.package(candidate.id)
        assert package is not None and package.status is PackageStatus.SUBMITTED
        package_id = package.id
    # The coordinators' daily digest counts the package among what waits for them.
    from bot.db.models import Reminder

    in_scope = await running.coordinator("org:neighbours")
    dispatcher, _ = running.app.reminder_jobs(running.bot)
    async with running.app.uow_factory() as uow:
        digest = Reminder(key="digest-test", user_id=in_scope.user_id, kind="digest",
                          due_at=clock.now, payload={})  # fmt: skip
        rendered = await dispatcher._render(uow, digest, clock.now)
    assert rendered is not None, "a package waits: the digest is due"
    assert "Ждут проверки: 1" in rendered.text
    stranger = await running.coordinator("org:civic")
    await stranger.send("/pending")
    await stranger.expect("Ничего не ждёт проверки")
    for action in ("open", "ok", "back"):
        await stranger.press_data(ReviewCb(action=action, kind="docs", id=package_id).pack())
        await stranger.expect_answer("уже проверена или недоступна")
    # Another candidate cannot act as a coordinator either: the button is not theirs.
    other = running.user()
    await register(other)
    await other.press_data(ReviewCb(action="ok", kind="docs", id=package_id).pack())
    async with running.app.uow_factory() as uow:
        package = await uow.documents.package_by_id(package_id)
        assert package is not None and package.status is PackageStatus.SUBMITTED
    # ...nor can a forged edit button reach a question that does not apply.
    await user.press_data(DocsCb(action="edit", field="criminal_details").pack())
    await user.expect_answer("устарела")


def database_bytes(data_dir: Path) -> bytes:
    """The SQLite file and its write-ahead log, raw: what a stolen disk would show."""
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob("shtab.db*")))


async def test_database_holds_no_plaintext_and_forget_me_wipes_it(
    running: RunningBot, clock: FrozenClock, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = running.user()
    await register(user)
    await user.send("/documents")
    await answer_all(running, user, ANSWERS)
    await receive_package(running, user, 1)
    secrets = [PASSPORT_NUMBER, INN, "Наличная", "Ленинград", "1234567", "850 000", "40817810"]
    raw = database_bytes(data_dir)
    for secret in secrets:
        assert secret.encode() not in raw, secret
        assert secret not in caplog.text, secret  # nor in the logs, at any level
    await user.send("/privacy")
    privacy = await user.expect("Что хранится о вас")
    assert "ответов анкеты — 27, сохранённых PDF — 4" in privacy["text"]
    await user.send("/forget_me")
    await user.expect("Удалить все ваши данные")
    await user.press("Да, удалить")
    await user.expect("Точно?")
    await user.press("Удалить навсегда")
    await user.expect("все ваши данные удалены")
    async with running.app.session_factory() as session:
        for model in (NominationAnswer, NominationDocument, NominationPackage):
            left = await session.scalar(select(func.count()).select_from(model))
            assert left == 0, model


async def test_approval_before_the_quest_reaches_the_task_completes_it_later(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    await user.send("/documents")
    await answer_all(running, user, ANSWERS)
    await receive_package(running, user, 1)
    await user.press("Отправить координатору")
    await user.expect("отправлен координатору")
    admin = running.admin()
    await admin.send("/pending")
    await admin.expect("Ждут проверки: 1")
    await admin.press("документы на выдвижение")
    await admin.expect("Проверьте данные и решите")
    await admin.press("Принять")
    await admin.expect("Принято")
    await user.expect("Координатор одобрил")
    view = await quest_view(running, user.user_id, clock.now.date())
    assert view.task("documents.fill_statement").state is TaskState.LOCKED  # type: ignore[union-attr]
    await open_documents_stage(running, user.user_id)
    await user.send("/documents")
    await user.expect("одобрено координатором")
    view = await quest_view(running, user.user_id, clock.now.date())
    assert view.task("documents.fill_statement").state is TaskState.DONE  # type: ignore[union-attr]


async def test_an_election_without_the_declaration_asks_less(
    running: RunningBot, clock: FrozenClock
) -> None:
    admin = running.admin()
    await admin.send("/election_set income_declaration 0")
    await admin.expect("0")
    user = running.user()
    await register(user)
    await user.send("/documents")
    answers = {k: v for k, v in ANSWERS.items() if not form.BY_ID[k].declaration}
    for _ in range(len(answers)):
        message = await user.expect("Вопрос")
        question = question_of(running, message["text"])
        assert not question.declaration
        value = answers[question.id]
        if value.startswith(PRESS):
            await user.press(value.removeprefix(PRESS))
        else:
            await user.send(value)
        if question.id == "nomination":
            break
    await user.expect("версия 1 (3 файла)")
    inventory = await user.expect("Опись документов")
    _, text = await pdf_text(running, inventory)
    assert "Сведения о размере" not in text


async def test_a_restart_mid_questionnaire_keeps_the_answers_and_the_place(
    data_dir: Path, telegram: FakeTelegramServer, clock: FrozenClock
) -> None:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    first = start_bot(settings, telegram)
    running = await anext(first)
    user = running.user()
    await register(user)
    await user.send("/documents")
    await user.expect("Вопрос 1 из")
    await user.send("Иванов Иван Иванович")
    await user.expect("Дата рождения")
    await user.send("07.03.1985")
    await user.expect("Место рождения")
    await first.aclose()  # the bot stops in the middle of the questionnaire

    await user.send(BIRTH_PLACE)  # answered while it is down: Telegram keeps the update
    async for restarted in start_bot(settings, telegram):
        await user.expect("Адрес места жительства")  # the next question, nothing asked again
        await user.send("Наличная 40")
        await user.expect("Адрес пишется полностью")  # a wrong answer keeps the place
        await user.send(ADDRESS)
        await user.expect("Серия паспорта")
        async with restarted.app.uow_factory() as uow:
            stored = await uow.session.scalar(select(func.count()).select_from(NominationAnswer))
        assert stored == 4  # name, birth date and place from before the restart, the address
