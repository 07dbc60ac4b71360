"""Door-to-door canvassing end to end through the fake Telegram: volunteers by invite, notes
by the form and by one line, wrong apartments, unknown addresses, a burst of messages, scope
(forged callbacks included), the summary and exports, and the GOTV push on a frozen clock."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.db.models import AuditEntry, Reminder
from bot.db.models.addresses import Building
from bot.db.models.canvass import CanvassVisit, CanvassVolunteer
from bot.db.models.supporters import Supporter
from bot.handlers.canvass import CvCb
from bot.handlers.canvass_office import OfficeCb
from bot.services import canvass_report as report
from bot.services.canvass_addresses import import_addresses, parse_addresses_csv
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.telegram.sender import RateLimitedSender
from tests.conftest import PIN, RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_export import unzip_export
from tests.test_registration import register

ADDRESSES = """street,house,building,apartments,latitude,longitude,polling_station
ул. Ленина,5,,120,59.9400,30.2500,1234
ул. Ленина,7,,80,59.9410,30.2510,1234
Морская наб.,15,2,300,59.9500,30.2300,1235
Шкиперский проток,,,,,,
"""
OTHER_DISTRICT = """street,house,apartments,latitude,longitude
Гаванская ул.,10,50,59.9300,30.2400
"""


async def seed(running: RunningBot, csv_text: str, number: int) -> list[Building]:
    async with running.app.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        formation = await uow.geography.formation_by_name(election.id, "Гавань")
        assert formation is not None
        district = next(d for d in formation.districts if d.number == number)
        await import_addresses(uow, district, parse_addresses_csv(csv_text))
        return await uow.addresses.in_district(district.id)


async def building(running: RunningBot, street_key: str) -> Building:
    async with running.app.session_factory() as session:
        found = await session.scalar(
            select(Building).where(Building.address_key.startswith(street_key))
        )
        assert found is not None
        return found


async def visits(running: RunningBot) -> list[CanvassVisit]:
    async with running.app.session_factory() as session:
        return list(await session.scalars(select(CanvassVisit).order_by(CanvassVisit.id)))


def callback(message: dict[str, Any], text: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if text in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button {text!r} in {message['reply_markup']}")


async def candidate_with_list(running: RunningBot) -> VirtualUser:
    await seed(running, ADDRESSES, 2)
    candidate = running.user()
    await register(candidate)  # Гавань, округ №2
    return candidate


async def invite_volunteer(
    running: RunningBot, candidate: VirtualUser, name: str = "Лис"
) -> VirtualUser:
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press("Волонтёры и ссылка")
    message = await candidate.expect("Ссылка-приглашение")
    token = re.search(r"start=vol-([A-Za-z0-9_-]+)", message["text"])
    assert token is not None
    volunteer = running.user(first_name="Волонтёр")
    await volunteer.send(f"/start vol-{token.group(1)}")
    await volunteer.expect("Вас приглашают в команду обхода кандидата Иванова Мария Сергеевна")
    await volunteer.send(name)  # before consenting: asked again, nothing stored
    await volunteer.expect("Для работы волонтёром бот сохранит только")
    await volunteer.press("Согласен")
    await volunteer.expect("Как вас подписывать")
    await volunteer.send(name)
    await volunteer.expect("Вы в команде кандидата")
    return volunteer


async def test_volunteer_joins_and_notes_through_the_form(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    volunteer = await invite_volunteer(running, candidate)
    # No phone, no candidate card: a volunteer is a display name and nothing more.
    async with running.app.uow_factory() as uow:
        assert await uow.candidates.by_user(volunteer.user_id) is None
    await volunteer.send("/start")
    await volunteer.expect("Обход")  # not the candidate registration

    await volunteer.send("/canvass")
    await volunteer.expect("🚪")
    await volunteer.press("Новая заметка")
    await volunteer.expect("Какой дом?")
    await volunteer.send("Ленина 5")
    await volunteer.expect("квартир: 120")
    await volunteer.send("500")  # a wrong apartment: the building has 120
    await volunteer.expect("всего 120 кв., квартиры 500 нет")
    await volunteer.send("12")
    await volunteer.expect("Кв. 12: чем закончилось?")
    await volunteer.press("Сторонник")
    await volunteer.expect("Итог: 👍 Сторонник")
    await volunteer.press("Дворы")
    await volunteer.expect("Темы: Дворы")
    await volunteer.press("Контакт жителя")
    await volunteer.expect("только с явного согласия")
    await volunteer.press("Житель согласен")
    await volunteer.expect("Имя жителя")
    await volunteer.send("Анна")
    await volunteer.expect("Телефон жителя")
    await volunteer.send("8 911 123-45-67")
    await volunteer.expect("Контакт (с согласия): Анна, +79111234567")
    await volunteer.press("Заметка")
    await volunteer.expect("Напишите заметку")
    await volunteer.send("Просит лавочку у подъезда")
    await volunteer.expect("Просит лавочку")
    await volunteer.press("Сохранить")
    await volunteer.expect("Записано: ул. Ленина 5, кв. 12 — 👍 Сторонник")
    # "Next apartment" keeps the building: one tap, then the number.
    await volunteer.press("Следующая квартира")
    await volunteer.expect("ул. Ленина 5")
    await volunteer.send("13")
    await volunteer.expect("Кв. 13")
    await volunteer.press("Не открыли")
    await volunteer.expect("Итог")
    await volunteer.press("Сохранить")
    await volunteer.expect("Записано: ул. Ленина 5, кв. 13 — 🚪 Не открыли")
    # Typing the next number right away works too.
    await volunteer.send("14")
    await volunteer.expect("Кв. 14")
    await volunteer.press("Колеблется")
    await volunteer.expect("Итог")
    await volunteer.press("Сохранить")
    await volunteer.expect("Записано: ул. Ленина 5, кв. 14")

    # Coming back to the building shows its earlier visits first.
    await volunteer.press("Другой дом")
    await volunteer.send("ленина д. 5")
    history = await volunteer.expect("здесь уже были (3)")
    assert "кв. 12 — 👍 Сторонник" in history["text"] and "Просит лавочку" in history["text"]
    assert "+7911" not in history["text"]  # contacts are never shown to volunteers

    stored = await visits(running)
    assert [(v.apartment, v.outcome) for v in stored] == [
        ("12", "supporter"),
        ("13", "no_answer"),
        ("14", "undecided"),
    ]
    first = stored[0]
    assert first.confirmed and first.topics == ["yards"]
    assert first.contact_phone_enc and "79111234567" not in first.contact_phone_enc
    assert first.note_enc and "лавочку" not in first.note_enc
    cipher = running.app.cipher
    assert first.contact_phone_index == cipher.blind_index("+79111234567")

    # The candidate's summary counts them, and comes with a chart image.
    await candidate.send("/canvass")
    summary = await candidate.expect("Обход округа")
    assert "Дверей: 3" in summary["text"] and "Лис: 3" in summary["text"]
    chart = await candidate.next_message()
    assert "photo" in chart


async def test_one_line_note_is_shown_back_and_saved_only_when_confirmed(
    running: RunningBot,
) -> None:
    candidate = await candidate_with_list(running)
    await candidate.send("Ленина 5 кв 12 сторонник +79111234567 Анна двор транспорт")
    shown = await candidate.expect("Понял так")
    text = shown["text"]
    assert "ул. Ленина 5, кв. 12" in text and "Сторонник" in text
    assert "Дворы, Транспорт" in text and "Анна, +79111234567" in text
    stored = await visits(running)
    assert len(stored) == 1 and not stored[0].confirmed
    assert stored[0].contact_phone_enc is None  # no contact stored before the consent
    await candidate.press("житель согласен на контакт")
    await candidate.expect("Записано: ул. Ленина 5, кв. 12")
    (saved,) = await visits(running)
    assert saved.confirmed and saved.source == "line" and saved.contact_consent_at
    async with running.app.uow_factory() as uow:
        contacts = await report.consenting_contacts(uow, running.app.cipher, saved.candidate_id)
    assert [(c.name, c.phone, c.polling_station) for c in contacts] == [
        ("Анна", "+79111234567", "1234")
    ]

    # Without consent the contact is dropped; a cancelled line leaves nothing.
    await candidate.send("Ленина 7 кв 3 колеблется 89215554433")
    await candidate.expect("Понял так")
    await candidate.press("без контакта")
    await candidate.expect("Записано: ул. Ленина 7, кв. 3")
    await candidate.send("Ленина 7 кв 4 против")
    await candidate.expect("Понял так")
    await candidate.press("Отменить")
    await candidate.expect("Заметка отменена")
    stored = await visits(running)
    assert [(v.apartment, v.contact_phone_enc) for v in stored] == [
        ("12", stored[0].contact_phone_enc),
        ("3", None),
    ]

    # A wrong apartment in one line: a clear answer, nothing stored.
    await candidate.send("Ленина 7 кв 81 против")
    await candidate.expect("всего 80 кв., квартиры 81 нет")
    await candidate.send("Ленина 7 кв двенадцать против")
    await candidate.expect("Понял так")  # no number: the words stay in the note
    assert len(await visits(running)) == 3


async def test_an_unknown_address_is_kept_for_review(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    # A typo: the nearest spellings of the district are offered.
    await candidate.send("/canvass")
    await candidate.expect("🚪")
    await candidate.press("Новая заметка")
    await candidate.send("Ленна 5")
    offer = await candidate.expect("Может быть, один из этих")
    assert "ул. Ленина 5" in str(offer["reply_markup"])
    # A building the list lacks: added, flagged for review, the note kept.
    await candidate.send("Садовая 3")
    await candidate.expect("не нашлось")
    await candidate.press("Добавить «Садовая 3»")
    await candidate.expect("ждёт проверки")
    await candidate.send("1")
    await candidate.expect("Кв. 1")
    await candidate.press("Против")
    await candidate.expect("Итог")
    await candidate.press("Сохранить")
    await candidate.expect("Записано: Садовая 3")
    # The same in one line.
    await candidate.send("Морская 99 кв 1 за")
    await candidate.expect("Может быть")
    await candidate.press("Добавить «Морская 99»")
    await candidate.expect("Понял так")
    await candidate.press("Верно")
    await candidate.expect("Записано: Морская 99")
    async with running.app.session_factory() as session:
        review = list(
            await session.scalars(select(Building).where(Building.needs_review.is_(True)))
        )
    # The import's unreadable row and the two typed addresses: all kept, none dropped.
    assert sorted(b.street for b in review) == ["Морская", "Садовая", "Шкиперский проток"]
    assert all(b.district_id is not None for b in review)
    assert len(await visits(running)) == 2


async def test_a_burst_of_twenty_lines_loses_nothing_and_keeps_order(
    running: RunningBot,
) -> None:
    candidate = await candidate_with_list(running)
    volunteer = await invite_volunteer(running, candidate)
    for apartment in range(1, 21):  # all at once, before the bot answers any
        running.emulator.user_sends_text(volunteer.user_id, f"Ленина 5 кв {apartment} против")
    shown = [await volunteer.expect("Понял так", timeout=15) for _ in range(20)]
    assert [re.search(r"кв\. (\d+)", m["text"]).group(1) for m in shown] == [  # type: ignore[union-attr]
        str(n) for n in range(1, 21)
    ]
    stored = await visits(running)
    assert [v.apartment for v in stored] == [str(n) for n in range(1, 21)]
    assert [v.message_id for v in stored] == sorted(v.message_id for v in stored)  # type: ignore[type-var]
    for message in shown:
        await volunteer.press_data(callback(message, "Верно"), message["message_id"])
        await volunteer.expect("Записано")
    stored = await visits(running)
    assert all(v.confirmed for v in stored)
    # Twenty doors in seconds is implausible: flagged for the candidate.
    assert sum(1 for v in stored if "fast" in v.flags) >= 15
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press("Проверка")
    flags = await candidate.expect("Заметки на проверку")
    assert "слишком быстро" in flags["text"] and "Лис" in flags["text"]


async def test_a_volunteer_sees_nothing_of_another_district(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    (other_building,) = await seed(running, OTHER_DISTRICT, 1)
    volunteer = await invite_volunteer(running, candidate)
    # Another candidate in district №1 with a note of their own.
    rival = running.user(first_name="Ольга")
    await register_in_district_one(rival)
    await rival.send("Гаванская 10 кв 5 сторонник +79215550000 Пётр")
    await rival.expect("Понял так")
    await rival.press("житель согласен")
    await rival.expect("Записано")
    (rival_visit,) = await visits(running)

    # Typed: the other district's building is simply not found.
    await volunteer.send("/canvass")
    await volunteer.expect("🚪")
    await volunteer.press("Новая заметка")
    await volunteer.send("Гаванская 10")
    answer = await volunteer.expect("Гаванская 10")
    assert "ул. Гаванская" not in str(answer.get("reply_markup", ""))
    await volunteer.send("Гаванская 10 кв 5 против")
    await volunteer.expect("не нашлось")
    await volunteer.press("Добавить")
    await volunteer.expect_answer("не в вашем округе")
    # Forged callbacks: the other building, the rival's note, the candidate's tools.
    await volunteer.press_data(CvCb(a="b", id=other_building.id).pack())
    await volunteer.expect_answer("Недоступно")
    await volunteer.press_data(CvCb(a="ok", id=rival_visit.id, v="c").pack())
    await volunteer.expect_answer("Недоступно")
    await volunteer.press_data(CvCb(a="x", id=rival_visit.id).pack())
    await volunteer.expect_answer("Недоступно")
    await volunteer.press_data(OfficeCb(a="fd", id=rival_visit.id).pack())
    await volunteer.expect_answer("только кандидату")
    for action in ("gl", "exx", "exc", "fl", "vol", "fus", "up", "er", "ni", "rv"):
        await volunteer.press_data(OfficeCb(a=action, id=1).pack())
        await volunteer.expect_answer("только кандидату")
    await volunteer.press_data(CvCb(a="zz").pack())
    await volunteer.expect_answer("Недоступно")
    await volunteer.press_data(OfficeCb(a="zz").pack())
    await volunteer.expect_answer("Недоступно")
    # The candidate cannot reach the rival's note either.
    await candidate.press_data(OfficeCb(a="fd", id=rival_visit.id).pack())
    await candidate.expect_answer("Недоступно")
    await candidate.send("/canvass")
    summary = await candidate.expect("Обход округа")
    assert "Дверей: 0" in summary["text"]
    await candidate.press("Список GOTV")
    await candidate.expect("пока нет")
    (unchanged,) = await visits(running)
    assert unchanged.confirmed and unchanged.follow_up_done_at is None
    assert "Пётр" not in volunteer.format_transcript()


async def register_in_district_one(user: VirtualUser) -> None:
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    await user.send("Петрова Ольга Игоревна")
    await user.expect("Шаг 2 из 5")
    await user.press_reply("Поделиться контактом")
    await user.expect("Шаг 3 из 5")
    await user.send("olga@example.ru")
    await user.expect("Шаг 4 из 5")
    await user.press("Союз соседей")
    await user.expect("Шаг 5 из 5")
    await user.send("гаван")
    await user.expect("Нашлось 1")
    await user.press("Гавань")
    await user.expect("Выберите ваш")
    await user.press("Округ №1")
    await user.expect("Карточка кандидата")
    await user.press("подтвердить")
    await user.expect("Вы зарегистрированы")


async def test_location_picks_the_nearest_building_and_far_ones_are_flagged(
    running: RunningBot,
) -> None:
    candidate = await candidate_with_list(running)
    await candidate.send("/canvass")
    await candidate.expect("🚪")
    await candidate.press("Новая заметка")
    await candidate.send_location(59.94005, 30.25005)
    await candidate.expect("Ближайший дом: ул. Ленина 5")
    await candidate.send("1")
    await candidate.expect("Кв. 1")
    await candidate.press("Сторонник")
    await candidate.expect("Итог")
    await candidate.press("Сохранить")
    await candidate.expect("Записано")
    await candidate.press("Другой дом")
    await candidate.send_location(59.9600, 30.2300)  # over a kilometre from any building
    await candidate.expect("но до него")
    await candidate.send("2")
    await candidate.expect("Кв. 2")
    await candidate.press("Против")
    await candidate.expect("Итог")
    await candidate.press("Сохранить")
    await candidate.expect("Записано")
    near, far = await visits(running)
    assert near.flags == [] and near.distance_m is not None and near.distance_m < 20
    assert far.flags == ["far"] and far.distance_m is not None and far.distance_m > 1000
    # Coordinators see who has flagged notes, within their scope.
    coordinator = await running.coordinator()
    await coordinator.send("/canvass_flags")
    flags = await coordinator.expect("заметки на проверку по кандидатам")
    assert "Иванова Мария Сергеевна: 1" in flags["text"]


async def test_export_of_the_candidates_own_notes_is_audited(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    await candidate.send("Ленина 5 кв 12 сторонник +79111234567 Анна =HYPERLINK(1)")
    await candidate.expect("кв")
    await candidate.press("житель согласен")
    await candidate.expect("Записано")
    await running.set_pin(candidate)  # a candidate's export holds residents' phones: PIN first
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press("📥 CSV")
    await candidate.expect("Как выгрузить?")
    await candidate.press("Без шифрования")
    await candidate.expect("🔐")
    await candidate.send(PIN)
    await candidate.expect("без шифрования")
    document = await candidate.expect("Заметки обхода: 1")
    data = running.emulator.file_bytes(
        running.emulator.file_by_id(document["document"]["file_id"]).file_path  # type: ignore[union-attr]
    )
    assert data is not None
    text = data.decode("utf-8-sig")
    assert "+79111234567" in text and "Анна" in text and "ул. Ленина 5" in text
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press("Экспорт XLSX")
    await candidate.expect("Как выгрузить?")
    await candidate.press("Зашифрованный архив")
    await candidate.expect("🔐")
    await candidate.send(PIN)
    workbook = await candidate.expect("Заметки обхода: 1")
    book = load_workbook(io.BytesIO(await unzip_export(running, candidate, workbook)))
    assert book.sheetnames == ["Обход", "Дома"]
    notes_sheet, buildings_sheet = book["Обход"], book["Дома"]
    assert notes_sheet["L2"].value == "=HYPERLINK(1)" and notes_sheet["L2"].data_type == "s"
    rows = list(buildings_sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:5] == ("ул. Ленина 5", "1234", 120, 1, 1)  # the covered building first
    assert len(rows) == 4 and any(row[5] == "адрес на проверке" for row in rows)
    async with running.app.session_factory() as session:
        audit = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "canvass"))
        )
    assert [(e.details["format"], e.details["mode"]) for e in audit] == [
        ("csv", "plain"),
        ("zip", "encrypted"),
    ]


async def test_address_list_upload_keeps_unreadable_rows(running: RunningBot) -> None:
    candidate = running.user()
    await register(candidate)
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press("Загрузить адреса")
    await candidate.expect("Пришлите CSV")
    await candidate.send_document(b"hello", "list.pdf", "application/pdf")
    await candidate.expect("Нужен файл .csv")
    await candidate.send_document(ADDRESSES.encode("cp1251"), "list.csv", "text/csv")
    summary = await candidate.expect("Адресный список загружен")
    assert "строк 4, новых домов 4" in summary["text"] and "На проверку: 1" in summary["text"]
    assert "Строки на проверку: 5" in summary["text"]
    # Loading the same list again changes nothing.
    await candidate.send("/canvass")
    await candidate.expect("🚪")
    await candidate.press("Загрузить адреса")
    await candidate.send_document(ADDRESSES.encode(), "list.csv", "text/csv")
    again = await candidate.expect("Адресный список загружен")
    assert "новых домов 0, обновлено 4" in again["text"]


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    # Fourteen days before the demo election day (19.09.2027), 10:00 in Moscow.
    frozen = FrozenClock(datetime(2027, 9, 5, 7, 0, tzinfo=UTC))
    set_clock(frozen)
    yield frozen
    reset_clock()


async def test_gotv_list_is_pushed_before_election_day(
    running: RunningBot, clock: FrozenClock
) -> None:
    candidate = await candidate_with_list(running)
    await candidate.send("Ленина 5 кв 12 сторонник +79111234567 Анна")
    await candidate.expect("кв")
    await candidate.press("житель согласен")
    await candidate.expect("Записано")
    await candidate.send("Морская 15к2 кв 7 сторонник +79112223344 Борис")
    await candidate.expect("кв")
    await candidate.press("житель согласен")
    await candidate.expect("Записано")
    await candidate.send("Ленина 7 кв 1 против +79113334455 Вера")  # not a supporter
    await candidate.expect("Понял так")
    await candidate.press("житель согласен")
    await candidate.expect("Записано")

    seconds = [0.0]

    async def sleep(delay: float) -> None:
        seconds[0] += max(delay, 0)

    sender = RateLimitedSender(running.bot, clock=lambda: seconds[0], sleep=sleep)
    dispatcher, planner = running.app.reminder_jobs(running.bot, instance="a", sender=sender)
    await planner.plan_all()
    assert await planner.plan_all() == 0  # planning again adds nothing
    await dispatcher.drain()
    push = await candidate.expect("До выборов 14 дней", timeout=10)
    text = push["text"]
    assert "Участок 1234" in text and "Участок 1235" in text
    assert "Анна" in text and "+79112223344" in text and "Вера" not in text
    assert text.index("Участок 1234") < text.index("Участок 1235")
    await dispatcher.drain()
    await candidate.quiet()  # sent once
    # A week later the second push; on the eve of the election (silence) nothing.
    clock.advance(days=7)
    await planner.plan_all()
    await dispatcher.drain()
    await candidate.expect("До выборов 7 дней", timeout=10)
    clock.advance(days=6, hours=1)
    await planner.plan_all()
    await dispatcher.drain()
    async with running.app.session_factory() as session:
        gotv = list(await session.scalars(select(Reminder).where(Reminder.kind == "gotv")))
    assert sorted((r.payload["days"], r.status.value) for r in gotv) == [
        (2, "dropped"),
        (7, "sent"),
        (14, "sent"),
    ]


async def test_forget_me_of_a_volunteer_keeps_the_campaigns_notes(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    volunteer = await invite_volunteer(running, candidate)
    await volunteer.send("Ленина 5 кв 1 за")
    await volunteer.expect("кв")
    await volunteer.press("Верно")
    await volunteer.expect("Записано")
    async with running.app.uow_factory() as uow:
        from bot.services import privacy

        await privacy.forget(uow, running.app.cipher, volunteer.user_id)
    (kept,) = await visits(running)
    assert kept.volunteer_id is None
    async with running.app.session_factory() as session:
        members = list(await session.scalars(select(CanvassVolunteer)))
    assert [m.user_id for m in members] == [candidate.user_id]


async def test_one_line_notes_work_for_many_at_once(running: RunningBot) -> None:
    """Several canvassers at once: each note lands in its own campaign exactly once."""
    candidate = await candidate_with_list(running)
    volunteers = [await invite_volunteer(running, candidate, f"Вол{n}") for n in range(3)]

    async def notes(volunteer: VirtualUser, base: int) -> None:
        for n in range(5):
            await volunteer.send(f"Ленина 7 кв {base + n} колеблется")
            await volunteer.expect("Понял так")
            await volunteer.press("Верно")
            await volunteer.expect("Записано")

    await asyncio.gather(*(notes(v, 10 * i + 1) for i, v in enumerate(volunteers)))
    stored = await visits(running)
    assert len(stored) == 15 and len({v.apartment for v in stored}) == 15


@pytest.fixture
def campaign_clock() -> Iterator[FrozenClock]:
    # The campaign period of the demo election is open: the canvass stage is unlocked.
    frozen = FrozenClock(datetime(2027, 7, 1, 9, 0, tzinfo=UTC))
    set_clock(frozen)
    yield frozen
    reset_clock()


async def test_the_quest_follows_the_canvass_log(
    running: RunningBot, campaign_clock: FrozenClock
) -> None:
    candidate = await candidate_with_list(running)
    async with running.app.uow_factory() as uow:
        person = await uow.candidates.by_user(candidate.user_id)
        assert person is not None
        # The log task opens after the guide is read.
        from bot.handlers.quest import service_for

        quest = await service_for(
            uow, running.app.cipher, running.app.dispatcher["quest_holder"], person, "ru",
            running.settings,
        )  # fmt: skip
        await quest.confirm_read("canvass.canvass_guide")
    await candidate.send("Ленина 5 кв 1 сторонник")
    await candidate.expect("Понял так")
    await candidate.press("Верно")
    await candidate.expect("Записано")
    await candidate.send("Ленина 5 кв 2 против")
    await candidate.expect("Понял так")
    await candidate.press("Верно")
    await candidate.expect("Записано")
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    async with running.app.uow_factory() as uow:
        person = await uow.candidates.by_user(candidate.user_id)
        assert person is not None
        quest = await service_for(
            uow, running.app.cipher, running.app.dispatcher["quest_holder"], person, "ru",
            running.settings,
        )  # fmt: skip
        view = await quest.view()
    log_task, doors = view.task("canvass.canvass_log"), view.task("canvass.doors")
    assert log_task is not None and log_task.state.value == "done"
    assert doors is not None and doors.progress is not None and doors.progress[0] == 2


async def test_voice_note_and_privacy_of_a_volunteer(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    volunteer = await invite_volunteer(running, candidate)
    await volunteer.send("/canvass")
    await volunteer.expect("🚪")
    await volunteer.press("Новая заметка")
    await volunteer.expect("Какой дом?")
    await volunteer.send("Морская наб 15 корп 2")
    await volunteer.expect("квартир: 300")
    await volunteer.press("Без квартиры")
    await volunteer.expect("чем закончилось")
    await volunteer.press("Прийти позже")
    await volunteer.expect("Итог")
    await volunteer.press("Заметка")
    await volunteer.expect("голосовое")
    voice = {"file_id": "voice-file-1", "file_unique_id": "v1", "duration": 4}
    running.emulator._user_message(volunteer.user_id, {"voice": voice})
    await volunteer.expect("Голосовая заметка")
    await volunteer.press("Сохранить")
    await volunteer.expect("Записано: Морская наб. 15 к2")
    (visit,) = await visits(running)
    assert visit.apartment is None and visit.follow_up  # "come back later" is a follow-up
    assert running.app.cipher.decrypt(visit.voice_file_enc) == "voice-file-1"
    await volunteer.send("/privacy")
    report = await volunteer.expect("Что хранится")
    assert "волонтёр в командах — 1, ваших заметок — 1" in report["text"]
    # The candidate sees the follow-up and closes it.
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press("Вернуться (1)")
    due = await candidate.expect("Куда вернуться")
    await candidate.press_data(callback(due, "Морская"), due["message_id"])
    await candidate.expect_answer("Отмечено")
    (visit,) = await visits(running)
    assert visit.follow_up_done_at is not None


async def test_coordinators_import_address_lists_within_their_scope(running: RunningBot) -> None:
    outsider = await running.coordinator('mf:"Коломна"')
    await outsider.send("/import_addresses Гавань 2")
    await outsider.expect("Такого округа нет")  # out of scope looks like unknown
    coordinator = await running.coordinator('mf:"Гавань"')
    await coordinator.send("/import_addresses Гавань")
    await coordinator.expect("Формат: /import_addresses")
    await coordinator.send("/import_addresses Гавань 2")
    await coordinator.expect("Пришлите CSV")
    await coordinator.send_document(b"\xff\xfe garbage", "list.csv", "text/csv")
    await coordinator.expect("названия столбцов")
    await coordinator.send_document(ADDRESSES.encode(), "list.csv", "text/csv")
    await coordinator.expect("новых домов 4")
    candidate = running.user()
    await register(candidate)
    await candidate.send("Морская 15 корп 2 кв 300 против")
    await candidate.expect("Понял так")  # the coordinator's list is the candidate's list
    volunteer = running.user()
    await volunteer.send("/import_addresses Гавань 2")
    await volunteer.expect("для координаторов")


async def test_a_resident_who_withdraws_consent_is_erased(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    await candidate.send("Ленина 5 кв 12 сторонник +79111234567 Анна")
    await candidate.expect("Понял так")
    await candidate.press("житель согласен")
    await candidate.expect("Записано")
    # A supporter who agreed to be contacted joins the coalition's supporter base.
    (joined,) = await supporter_base(running)
    assert joined.district_id is not None and joined.consent_contact is True
    async with running.app.uow_factory() as uow:
        sources = (await uow.supporters.sources([joined.id]))[joined.id]
    assert [source.key.split(":")[0] for source in sources] == ["canvass"]
    assert running.app.cipher.decrypt(joined.phone_enc) == "+79111234567"
    # A location shared outside any dialog starts a note at the nearest building.
    await candidate.send_location(59.9410, 30.2510)
    await candidate.expect("Ближайший дом: ул. Ленина 7")
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press("Удалить контакт жителя")
    await candidate.expect("отозвал согласие")
    await candidate.send("not a phone")
    await candidate.expect("Не похоже на номер")
    await candidate.send("8 (911) 123-45-67")
    await candidate.expect("контакт удалён из заметок (1)")
    (visit,) = await visits(running)
    assert visit.outcome == "supporter" and visit.contact_phone_enc is None
    assert visit.contact_name_enc is None and visit.contact_consent_at is None
    async with running.app.uow_factory() as uow:
        assert await report.consenting_contacts(uow, running.app.cipher, visit.candidate_id) == []
    # ...and the consent given at the door is withdrawn in the supporter base too.
    (withdrawn,) = await supporter_base(running)
    assert withdrawn.consent_contact is False


async def supporter_base(running: RunningBot) -> list[Supporter]:
    async with running.app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Supporter)))


async def test_a_removed_volunteer_and_a_revoked_link_reach_nothing(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    volunteer = await invite_volunteer(running, candidate)
    first_link = next(
        m["text"] for m in candidate.transcript if "Ссылка-приглашение" in m.get("text", "")
    )
    await candidate.press("Новая ссылка")
    second = await candidate.expect("Ссылка-приглашение")
    assert second["text"] != first_link  # the old token stops working
    old_token = re.search(r"start=(vol-[A-Za-z0-9_-]+)", first_link)
    assert old_token is not None
    late = running.user(first_name="Поздний")
    await late.send(f"/start {old_token.group(1)}")
    await late.expect("больше не действует")
    await candidate.press("✖ Лис")
    await candidate.expect_answer("убран из команды")
    await volunteer.send("/canvass")
    await volunteer.expect("Обход доступен кандидату")
    lenina = await building(running, "ленина|5|")
    await volunteer.press_data(CvCb(a="b", id=lenina.id).pack())
    await volunteer.expect_answer("Обход доступен")
    await volunteer.send("Ленина 5 кв 1 за")
    await volunteer.expect("Не понял")  # not a canvasser any more: the fallback answers
    assert await visits(running) == []


async def test_a_restart_mid_note_keeps_the_draft_and_the_step(
    data_dir: Path, telegram: FakeTelegramServer
) -> None:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    first = start_bot(settings, telegram)
    running = await anext(first)
    candidate = await candidate_with_list(running)
    volunteer = await invite_volunteer(running, candidate)
    await volunteer.send("/canvass")
    await volunteer.expect("🚪")
    await volunteer.press("Новая заметка")
    await volunteer.expect("Какой дом?")
    await volunteer.send("Ленина 5")
    await volunteer.expect("квартир: 120")
    await volunteer.send("12")
    await volunteer.expect("Кв. 12: чем закончилось?")
    await volunteer.send_sticker()  # a sticker where a button is expected
    await volunteer.expect("Выберите итог кнопкой")
    await volunteer.press("Сторонник")
    await volunteer.expect("Итог: 👍 Сторонник")
    await volunteer.press("Дворы")
    await volunteer.expect("Темы: Дворы")
    await volunteer.press("Контакт жителя")
    await volunteer.expect("только с явного согласия")
    await volunteer.press("Житель согласен")
    await volunteer.expect("Имя жителя")
    await volunteer.send("Анна")
    await volunteer.expect("Телефон жителя")
    await first.aclose()  # the bot stops between the resident's name and phone

    await volunteer.send("позвонит сама")  # typed while it is down, and not a phone
    async for restarted in start_bot(settings, telegram):
        await volunteer.expect("Не похоже на номер телефона")  # still asked for the phone
        await volunteer.send("8 911 123-45-67")
        draft = await volunteer.expect("Контакт (с согласия): Анна, +79111234567")
        # The building, apartment, outcome and topic from before the restart are all there.
        assert "ул. Ленина 5, кв. 12" in draft["text"]
        assert "Итог: 👍 Сторонник" in draft["text"] and "Темы: Дворы" in draft["text"]
        await volunteer.press("Сохранить")
        await volunteer.expect("Записано: ул. Ленина 5, кв. 12 — 👍 Сторонник")
        (visit,) = await visits(restarted)
        cipher = restarted.app.cipher
        assert (visit.apartment, visit.outcome, visit.topics) == ("12", "supporter", ["yards"])
        assert visit.confirmed and visit.contact_consent_at is not None
        assert cipher.decrypt(visit.contact_name_enc) == "Анна"
        assert cipher.decrypt(visit.contact_phone_enc) == "+79111234567"
    texts = [message.get("text", "") for message in volunteer.transcript]
    for question in ("Какой дом?", "Кв. 12: чем закончилось?", "Имя жителя", "Телефон жителя"):
        assert sum(question in text for text in texts) == 1, question  # nothing asked again


async def test_nonsense_at_each_step_of_the_note_form_gets_that_steps_answer(
    running: RunningBot,
) -> None:
    candidate = await candidate_with_list(running)
    await candidate.send("/canvass")
    await candidate.expect("🚪")
    await candidate.press("Новая заметка")
    await candidate.expect("Какой дом?")
    await candidate.send_sticker()
    await candidate.expect("Пришлите, пожалуйста, текст")
    await candidate.send("Ленина 7")
    await candidate.expect("квартир: 80")
    await candidate.send_sticker()
    await candidate.expect("Пришлите, пожалуйста, текст")
    await candidate.send("3")
    await candidate.expect("Кв. 3: чем закончилось?")
    await candidate.send_photo()
    await candidate.expect("Выберите итог кнопкой")
    await candidate.press("Колеблется")
    await candidate.expect("Итог: 🤔 Колеблется")
    await candidate.send_sticker()
    await candidate.expect("Выберите кнопкой ниже")
    await candidate.press("Контакт жителя")
    await candidate.expect("только с явного согласия")
    await candidate.press("Житель согласен")
    await candidate.expect("Имя жителя")
    await candidate.send_sticker()
    await candidate.expect("Имя жителя")  # asked again, not "use the buttons"
    await candidate.send("Пётр")
    await candidate.expect("Телефон жителя")
    await candidate.send_photo()
    await candidate.expect("Не похоже на номер телефона")
    await candidate.send("+7 921 555-00-11")
    await candidate.expect("Контакт (с согласия): Пётр, +79215550011")
    await candidate.press("Заметка")
    await candidate.expect("Напишите заметку")
    await candidate.send_sticker()
    await candidate.expect("Напишите заметку")
    await candidate.send("Спросить про капремонт")
    await candidate.expect("Спросить про капремонт")
    await candidate.press("Сохранить")
    await candidate.expect("Записано: ул. Ленина 7, кв. 3 — 🤔 Колеблется")
    (visit,) = await visits(running)
    assert running.app.cipher.decrypt(visit.contact_name_enc) == "Пётр"
    assert running.app.cipher.decrypt(visit.note_enc) == "Спросить про капремонт"
    assert not any("Не понял вас" in m.get("text", "") for m in candidate.transcript)


async def test_a_note_typed_at_a_button_screen_is_still_a_note(running: RunningBot) -> None:
    """A button screen (here the leaflet menu) counts as idle: a one-line note typed there
    is taken as a note, and other text is told to use the buttons; /cancel has nothing to
    cancel."""
    candidate = await candidate_with_list(running)
    await candidate.send("/materials")
    await candidate.expect("Листовок пока нет")
    await candidate.send("Ленина 5 кв 12 сторонник")
    await candidate.expect("Понял так")
    await candidate.press("Отменить")
    await candidate.expect("Заметка отменена")
    await candidate.send("/materials")
    await candidate.expect("Листовок пока нет")
    await candidate.send("как сделать листовку?")
    await candidate.expect("Здесь ответ — кнопка под сообщением выше")
    await candidate.send("/cancel")
    await candidate.expect("Сейчас нечего отменять")
