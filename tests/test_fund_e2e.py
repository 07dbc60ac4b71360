"""The electoral fund through the fake Telegram: a candidate enters the account's details (a
typo is caught), shares the donation link; supporters open it — one may donate and gets a QR
code a real decoder reads back, one may not and gets none; the ledger takes donations by hand
and from a statement; a return deadline is reminded on a frozen clock; coordinators see the
status."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from bot.db.models import FsmRecord, Reminder
from bot.db.models.fund import Flag, FundAccount, FundEntry
from bot.services import fund_checks, fund_qr
from bot.services.clock import FrozenClock, reset_clock, set_clock
from tests.conftest import PIN, RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_fund import SBER_SPB_BIC, SBER_SPB_CORR
from tests.test_registration import register
from tests.test_reminders import instant_sender

ACCOUNT = fund_checks.with_control_key(SBER_SPB_BIC, "40810810000000054321")
DETAILS_MESSAGE = "\n".join(
    [
        "Петров Пётр Петрович",
        "02.01.1980",
        "г. Санкт-Петербург, ул. Ленина, д. 1, кв. 2",
        "4010 123456",
        "Россия",
    ]
)


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(datetime(2027, 7, 5, 7, 0, tzinfo=UTC))  # 10:00 in Moscow
    set_clock(frozen)
    yield frozen
    reset_clock()


async def file_of(running: RunningBot, file_id: str) -> bytes:
    found = (await running.emulator.call("getFile", {"file_id": file_id}))[1]
    data = running.emulator.file_bytes(found["result"]["file_path"])
    assert data is not None
    return data


async def open_fund(candidate: VirtualUser) -> None:
    """The candidate enters the account's details; one mistyped digit is caught on the way."""
    await candidate.send("/fund")
    await candidate.expect("Избирательный фонд")
    await candidate.press("Ввести реквизиты")
    await candidate.expect("1/7. Получатель")
    await candidate.send("Иванова Мария Сергеевна (специальный избирательный счёт)")
    await candidate.expect("2/7. БИК")
    await candidate.send("0440306")
    await candidate.expect("БИК: нужно ровно 9 цифр")
    await candidate.send("044030653")
    await candidate.expect("3/7. Номер счёта")
    typo = ACCOUNT[:12] + str((int(ACCOUNT[12]) + 1) % 10) + ACCOUNT[13:]
    await candidate.send(typo)
    await candidate.expect("Номер счёта не сходится с БИК")
    await candidate.send(ACCOUNT)
    await candidate.expect("4/7. Корреспондентский счёт")
    await candidate.send(SBER_SPB_CORR)
    await candidate.expect("5/7. Название банка")
    await candidate.send("ПАО Сбербанк")
    await candidate.expect("6/7. ИНН получателя")
    await candidate.send("500100732258")
    await candidate.expect("ИНН получателя: контрольные цифры не сходятся")
    await candidate.press("Пропустить")
    await candidate.expect("7/7. КПП")
    await candidate.press("Пропустить")
    confirm = await candidate.expect("все контрольные ключи сошлись")
    assert ACCOUNT in confirm["text"]
    await candidate.press("Сохранить")
    await candidate.expect("Реквизиты сохранены")
    await candidate.expect("Остаток на счёте")


async def donation_link(running: RunningBot, candidate: VirtualUser) -> str:
    await candidate.press("Ссылка, QR-код")
    shared = await candidate.expect("Ссылка для сторонников")
    link = shared["caption"].split("Ссылка для сторонников: ")[1].split()[0]
    assert link.startswith("https://t.me/shtab_test_bot?start=don-")
    # The link's QR (no amount, no donor) decodes to the account's details.
    fields = fund_qr.parse_payload(decode(await file_of(running, shared["photo"][-1]["file_id"])))
    assert fields["PersonalAcc"] == ACCOUNT and "Sum" not in fields
    card = await candidate.expect("Карточка для печати")
    text = PdfReader(io.BytesIO(await file_of(running, card["document"]["file_id"])))
    page = text.pages[0].extract_text().replace("\u00a0", " ")
    assert "Поддержите кандидата" in page and ACCOUNT in page and "15 000" in page
    return link.split("start=")[1]


def decode(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


async def answer_eligibility(supporter: VirtualUser, answers: list[bool]) -> None:
    for number, yes in enumerate(answers, start=1):
        await supporter.expect(f"Вопрос {number} из 4")
        await supporter.press("Да" if yes else "Нет")


async def test_the_donor_flow_end_to_end(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)
    await open_fund(candidate)
    payload = await donation_link(running, candidate)

    # A supporter who may donate: the card, four questions, an amount over the cap, details.
    supporter = running.user(first_name="Пётр")
    await supporter.send(f"/start {payload}")
    card = await supporter.expect("Пожертвование в избирательный фонд")
    assert "Иванова Мария Сергеевна" in card["text"] and "Гавань" in card["text"]
    await answer_eligibility(supporter, [True, True, True, True])
    await supporter.expect("Не больше 15\u00a0000\u00a0₽")
    await supporter.send("20 000")
    await supporter.expect("Это больше лимита")
    await supporter.send("пять тысяч")
    await supporter.expect("Сумма: число рублей")
    await supporter.send("5000")
    await supporter.expect("Добавить данные в QR-код?")
    await supporter.press("Ввести мои данные")
    await supporter.expect("пятью строками")
    await supporter.send(DETAILS_MESSAGE.replace("4010 123456", "4010 1234"))
    await supporter.expect("Строка 4 (паспорт)")
    sent = await supporter.send(DETAILS_MESSAGE)
    qr_message = await supporter.expect("QR-код на 5\u00a0000\u00a0₽")
    fields = fund_qr.parse_payload(
        decode(await file_of(running, qr_message["photo"][-1]["file_id"]))
    )
    assert fields["Sum"] == "500000" and fields["PersonalAcc"] == ACCOUNT
    assert (fields["LastName"], fields["FirstName"], fields["MiddleName"]) == (
        "Петров",
        "Пётр",
        "Петрович",
    )
    assert fields["BirthDate"] == "02.01.1980" and fields["PayerIdNum"] == "4010123456"
    assert fields["Purpose"].endswith("Ивановой Марии Сергеевны, гражданство РФ")
    # The details message is gone from the chat, and nothing of it stayed in the database.
    chat = running.emulator.chat_history(supporter.user_id)
    assert all(m["message_id"] != sent["message"]["message_id"] for m in chat)
    async with running.app.session_factory() as session:
        records = list(
            await session.scalars(select(FsmRecord).where(FsmRecord.user_id == supporter.user_id))
        )
    for record in records:
        data = running.app.cipher.decrypt(record.data_enc) or "{}"
        assert "4010" not in data and "Ленина" not in data and record.state is None

    # A supporter who will be under 18 on voting day: a polite no, and no QR code.
    minor = running.user(first_name="Юля")
    await minor.send(f"/start {payload}")
    await answer_eligibility(minor, [True, False])
    refusal = await minor.expect("исполнится 18 лет")
    assert "photo" not in refusal
    # Pressing "yes" on the next question afterwards (a forged or stale button) opens nothing.
    await minor.press_data("dn:q:2:1")
    await minor.expect("разговор устарел")
    assert not any("photo" in m for m in minor.transcript)

    # A link with an unknown token.
    stranger = running.user()
    await stranger.send("/start don-notarealtoken")
    await stranger.expect("ссылка для пожертвований не работает")


async def test_the_ledger_flags_returns_and_reminds_on_time(
    running: RunningBot, clock: FrozenClock
) -> None:
    candidate = running.user()
    await register(candidate)
    await open_fund(candidate)

    # A citizen gives 10,000 and then 8,000: the second goes 3,000 over the 15,000 cap.
    for amount in ("10000", "8000"):
        if amount == "8000":
            await candidate.expect("Поступление 10\u00a0000\u00a0₽ записано")
            await candidate.press("К фонду")
            await candidate.expect("Остаток на счёте")
        await candidate.press("Поступление")
        await candidate.expect("Сумма в рублях")
        await candidate.send(amount)
        await candidate.expect("Дата операции")
        await candidate.press("Сегодня")
        await candidate.expect("От кого поступление?")
        await candidate.press("Гражданин")
        await candidate.expect("ФИО жертвователя")
        await candidate.send("Сидоров Сидор Сидорович")
        await candidate.expect("Дата рождения жертвователя")
        await candidate.send("03.03.1970")
        await candidate.expect("все данные, которые требует закон")
        await candidate.press("Всё есть")
    flagged = await candidate.expect("Превышен лимит жертвователя")
    assert "вернуть 3\u00a0000\u00a0₽" in flagged["text"] and "до 15.07.2027" in flagged["text"]
    assert "осталось 10 дней" in flagged["text"]

    async with running.app.session_factory() as session:
        entries = list(await session.scalars(select(FundEntry).order_by(FundEntry.id)))
        planned = list(
            await session.scalars(select(Reminder).where(Reminder.kind == "fund_return"))
        )
    assert [e.flag for e in entries] == [None, Flag.OVER_CAP]
    assert entries[0].donor_index == entries[1].donor_index is not None
    assert "Сидоров" not in (entries[0].donor_name_enc or "")  # encrypted at rest
    assert len(planned) == 4 and all(r.user_id == candidate.user_id for r in planned)

    dispatcher, _planner = running.app.reminder_jobs(
        running.bot, instance="a", sender=instant_sender(running, clock)
    )
    assert (await dispatcher.run_once()).sent == 0  # nothing due on the day it came
    clock.advance(days=7)  # 12.07, three days before the deadline, 10:00 in Moscow
    stats = await dispatcher.run_once()
    assert stats.sent == 1 and stats.dropped == 1  # the 7-days-before one is stale by now
    reminder = await candidate.expect("Срок возврата пожертвования")
    assert "осталось 3 дня" in reminder["text"] and "3\u00a0000\u00a0₽" in reminder["text"]
    await candidate.press("Открыть запись")
    await candidate.expect("Сидоров Сидор Сидорович")
    await candidate.press("возвращено")
    await candidate.expect("возврат отмечен")
    clock.advance(days=2)  # 14.07: the 1-day reminder is no longer relevant
    stats = await dispatcher.run_once()
    assert stats.sent == 0 and stats.dropped == 1

    # The summary: a PDF and an XLSX with every entry.
    await candidate.send("/fund")
    await candidate.expect("Поступило: 18\u00a0000\u00a0₽")
    await running.set_pin(candidate)  # donors' names: the PIN before the file
    await candidate.press("Сводка XLSX")
    await candidate.expect("🔐")
    await candidate.send(PIN)
    sheet_message = await candidate.expect("Сводка по фонду")
    book = load_workbook(io.BytesIO(await file_of(running, sheet_message["document"]["file_id"])))
    rows = list(book["Операции"].iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == [10000, 8000] and rows[1][2] == "Сидоров Сидор Сидорович"
    await candidate.press("Сводка PDF")
    await candidate.expect("🔐")
    await candidate.send(PIN)
    pdf_message = await candidate.expect("Сводка по фонду")
    pdf = PdfReader(io.BytesIO(await file_of(running, pdf_message["document"]["file_id"])))
    assert "Избирательный фонд кандидата" in pdf.pages[0].extract_text()


STATEMENT = (
    "Выписка по специальному избирательному счёту\n"
    "Дата;Сумма;Плательщик;Назначение платежа\n"
    "01.07.2027;50 000,00;Иванова Мария Сергеевна;Собственные средства кандидата\n"
    "02.07.2027;3 000;Петров Пётр Петрович;Пожертвование, 02.01.1980 г.р., паспорт 4010 123456,"
    " г. Санкт-Петербург, ул. Ленина, д. 1, гражданство РФ\n"
    "03.07.2027;1 000;;Пожертвование\n"
    "04.07.2027;-12 000,50;ООО Типография;Подписные листы\n"
)


async def test_a_statement_is_imported_once_and_a_broken_one_not_at_all(
    running: RunningBot, clock: FrozenClock
) -> None:
    candidate = running.user()
    await register(candidate)
    await open_fund(candidate)
    await candidate.press("Загрузить выписку")
    await candidate.expect("CSV или XLSX")
    broken = STATEMENT + "05.07.2027;=1+2;x;y\n06.07.2027;много;x;y\n"
    await candidate.send_document(broken.encode("cp1251"), "выписка.csv", "text/csv")
    report = await candidate.expect("Выписку не удалось загрузить")
    assert "строка 7: в ячейке формула" in report["text"]
    assert "строка 8: непонятная сумма «много»" in report["text"]
    assert "Ничего не записано" in report["text"]
    future = STATEMENT + "06.08.2027;500;Петров Пётр Петрович;Пожертвование\n"
    await candidate.send_document(future.encode(), "выписка.csv", "text/csv")
    report = await candidate.expect("Выписку не удалось загрузить")
    assert "строка 7: дата 06.08.2027 в будущем" in report["text"]
    async with running.app.session_factory() as session:
        assert list(await session.scalars(select(FundEntry))) == []
    # Still in the dialog: the fixed file goes right after.
    await candidate.send_document(STATEMENT.encode("cp1251"), "выписка.csv", "text/csv")
    done = await candidate.expect("Выписка загружена")
    assert "поступлений 3, расходов 1" in done["text"] and "раньше: 0" in done["text"]
    assert "Требуют проверки" in done["text"]
    await candidate.send("/fund")
    await candidate.expect("Остаток на счёте")
    await candidate.press("Загрузить выписку")
    await candidate.expect("CSV или XLSX")
    await candidate.send_document(STATEMENT.encode("utf-8"), "выписка.csv", "text/csv")
    again = await candidate.expect("Выписка загружена")
    assert "поступлений 0, расходов 0" in again["text"] and "раньше: 4" in again["text"]
    async with running.app.session_factory() as session:
        entries = list(await session.scalars(select(FundEntry).order_by(FundEntry.booked_on)))
    assert [(e.booked_on, e.flag) for e in entries] == [
        (date(2027, 7, 1), None),
        (date(2027, 7, 2), None),
        (date(2027, 7, 3), Flag.ANONYMOUS),
        (date(2027, 7, 4), None),
    ]
    assert entries[2].return_due == date(2027, 7, 13)
    # The candidate checked the payment: its details are complete after all.
    await candidate.press("К возврату: 1")  # under the second report: still one open
    returns = await candidate.expect("Требуют возврата: 1")
    assert "1\u00a0000\u00a0₽" in returns["text"]
    await candidate.press("Данные в платеже полные")
    await candidate.expect("отметка «анонимное» снята")
    async with running.app.session_factory() as session:
        cleared = await session.get(FundEntry, entries[2].id)
        assert cleared is not None and cleared.flag is None and cleared.return_kop == 0
    await candidate.press_data(f"fund:clear:{entries[0].id}")  # never flagged: nothing to clear
    await candidate.expect_answer("Такой записи нет")


async def test_coordinators_see_fund_status_in_their_scope(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)
    await open_fund(candidate)
    other = running.user()
    await register(other, name="Другая Анна Петровна")
    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/funds")
    listing = await coordinator.expect("Фонды кандидатов: 2")
    assert "открыто в боте: 1" in listing["text"]
    assert "Иванова Мария Сергеевна — открыт · ✅" in listing["text"]
    assert "Другая Анна Петровна — не открыт" in listing["text"]
    outsider = await running.coordinator("org:civic")
    await outsider.send("/funds")
    message = await outsider.next_message()
    assert "Иванова" not in message["text"] and "Другая" not in message["text"]
    await candidate.send("/funds")
    await candidate.expect("Не знаю такой команды")


async def test_forged_buttons_cannot_touch_another_candidates_ledger(running: RunningBot) -> None:
    first, second = running.user(), running.user()
    await register(first)
    await open_fund(first)
    await first.press("Поступление")
    await first.expect("Сумма в рублях")
    await first.send("1000")
    await first.expect("Дата операции")
    await first.press("Сегодня")
    await first.expect("От кого поступление?")
    await first.press("Без данных")
    await first.expect("Анонимное пожертвование")
    async with running.app.session_factory() as session:
        entry = (await session.scalars(select(FundEntry))).one()
    await register(second, name="Вторая Вера Ивановна")
    await second.send("/fund")
    await second.expect("Когда банк откроет")
    await second.press_data(f"fund:ret:{entry.id}")
    await second.expect_answer("Такой записи нет")
    await second.press_data(f"fund:entry:{entry.id}")
    await second.expect_answer("Такой записи нет")
    await second.press_data(f"fund:clear:{entry.id}")
    await second.expect_answer("Такой записи нет")
    async with running.app.session_factory() as session:
        assert (await session.get(FundEntry, entry.id)).returned_at is None  # type: ignore[union-attr]


async def test_privacy_lists_the_fund_and_forget_me_erases_it(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)
    await open_fund(candidate)
    await candidate.press("Поступление")
    await candidate.expect("Сумма в рублях")
    await candidate.send("700")
    await candidate.expect("Дата операции")
    await candidate.press("Сегодня")
    await candidate.expect("От кого поступление?")
    await candidate.press("Без данных")
    await candidate.expect("Анонимное пожертвование")
    coordinator = await running.coordinator()
    await coordinator.send("/candidate Иванова")
    card = await coordinator.expect("Телефон")
    assert "🏦 Фонд: открыт · ✅ · 700\u00a0₽ · ⚠️ 1 (0)" in card["text"]
    await candidate.send("/privacy")
    report = await candidate.expect("Что хранится о вас")
    assert "записей учёта — 1" in report["text"]
    await candidate.send("/forget_me")
    await candidate.expect("Удалить все ваши данные")
    await candidate.press("Да, удалить")
    await candidate.expect("Точно?")
    await candidate.press("Удалить навсегда")
    await candidate.expect("все ваши данные удалены")
    async with running.app.session_factory() as session:
        assert list(await session.scalars(select(FundEntry))) == []
        assert list(await session.scalars(select(FundAccount))) == []
        assert (
            list(await session.scalars(select(Reminder).where(Reminder.kind == "fund_return")))
            == []
        )


async def test_the_quest_task_opens_the_fund_and_counts_when_details_are_saved(
    running: RunningBot,
) -> None:
    from bot.db.models import TaskProgress, TaskStatus
    from bot.telegram.callbacks import QuestCb

    candidate = running.user()
    await register(candidate)
    quest = running.app.dispatcher["quest_holder"].quest
    before = [
        item.full_id
        for stage in quest.stages
        if stage.id in ("profile", "decision")
        for item in quest.stage_tasks(stage)
    ] + ["documents.submit_receipt", "fund.fund_guide"]
    async with running.app.uow_factory() as uow:
        found = await uow.candidates.by_user(candidate.user_id)
        assert found is not None
        for full_id in before:
            uow.session.add(
                TaskProgress(candidate_id=found.id, task_id=full_id, status=TaskStatus.DONE)
            )
    await candidate.send("/quest")
    await candidate.expect("Этап")
    await candidate.press_data(QuestCb(action="task", task="fund.open_fund").pack())
    task = await candidate.expect("Открыть фонд в боте")
    assert "Избирательный фонд" in [
        b["text"] for row in task["reply_markup"]["inline_keyboard"] for b in row
    ]
    await candidate.press("Избирательный фонд")
    await candidate.expect("Когда банк откроет")
    await open_fund(candidate)
    async with running.app.uow_factory() as uow:
        found = await uow.candidates.by_user(candidate.user_id)
        assert found is not None
        rows = {row.task_id: row.status for row in await uow.quest.progress(found.id)}
    assert rows["fund.open_fund"] is TaskStatus.DONE


async def test_an_english_speaking_supporter_without_details_gets_a_warning_qr(
    running: RunningBot,
) -> None:
    candidate = running.user()
    await register(candidate)
    await open_fund(candidate)
    payload = await donation_link(running, candidate)
    supporter = running.user(language_code="en", first_name="Ann")
    await supporter.send(f"/start {payload}")
    await supporter.expect("A donation to the electoral fund")
    for number in range(1, 5):
        await supporter.expect(f"Question {number} of 4")
        await supporter.press("Yes")
    await supporter.expect("At most 15\u00a0000\u00a0₽")
    await supporter.send("1500,50")
    await supporter.expect("Add your details to the QR code?")
    await supporter.press("No details")
    sent = await supporter.expect("carries none of your details")
    fields = fund_qr.parse_payload(decode(await file_of(running, sent["photo"][-1]["file_id"])))
    assert fields["Sum"] == "150050" and "LastName" not in fields
    assert not fields["Purpose"].endswith("гражданство РФ")


async def test_a_restart_mid_bank_details_keeps_what_was_entered(
    data_dir: Path, telegram: FakeTelegramServer
) -> None:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    first = start_bot(settings, telegram)
    running = await anext(first)
    candidate = running.user()
    await register(candidate)
    await candidate.send("/fund")
    await candidate.expect("Избирательный фонд")
    await candidate.press("Ввести реквизиты")
    await candidate.expect("1/7. Получатель")
    await candidate.send("Иванова Мария Сергеевна (специальный избирательный счёт)")
    await candidate.expect("2/7. БИК")
    await first.aclose()  # the bot stops between two fields

    await candidate.send("044030653")  # typed while it is down: Telegram keeps the update
    async for restarted in start_bot(settings, telegram):
        await candidate.expect("3/7. Номер счёта")  # the next field, nothing asked again
        await candidate.send("4081081000000005432")
        await candidate.expect("Номер счёта")  # 19 digits: told, and still on this field
        await candidate.send(ACCOUNT)
        await candidate.expect("4/7. Корреспондентский счёт")
        await candidate.send(SBER_SPB_CORR)
        await candidate.expect("5/7. Название банка")
        await candidate.send("ПАО Сбербанк")
        await candidate.expect("6/7. ИНН получателя")
        await candidate.press("Пропустить")
        await candidate.expect("7/7. КПП")
        await candidate.press("Пропустить")
        confirm = await candidate.expect("все контрольные ключи сошлись")
        # The payee and the BIC entered before the restart are in the summary.
        assert "специальный избирательный счёт" in confirm["text"]
        assert "044030653" in confirm["text"] and ACCOUNT in confirm["text"]
        await candidate.press("Сохранить")
        await candidate.expect("Реквизиты сохранены")
        async with restarted.app.session_factory() as session:
            account = await session.scalar(select(FundAccount))
        assert account is not None and account.bic == "044030653"
