"""The leaflet builder, the print-run registry and the designers directory, driven through
the fake Telegram: photo rules and hostile photos, the imprint enforced, drafts and print files
read back with pypdf, versions, the quest tasks, forged buttons, and the reminder while a
run's copy is not at the commission (with a frozen clock)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.db.models import AuditEntry, Reminder, ReminderStatus, TaskStatus
from bot.db.models.fund import EntryKind, FundEntry
from bot.db.models.materials import (
    Leaflet,
    LeafletTemplate,
    LeafletVersion,
    MaterialResource,
    PrintRun,
)
from bot.handlers.materials import MatCb
from bot.services import privacy
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.materials import MAX_PHOTO_BYTES, MaterialsService, normalise_photo
from bot.services.quest import QuestStore
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.fake_telegram.users import TINY_JPEG
from tests.test_registration import register
from tests.test_reminders import jobs

BIO = "Учитель математики в школе № 5, 15 лет веду кружок для подростков.\nЗнаю каждый двор."
POINTS = (
    "1. Отремонтировать дворы\n2. Вернуть скамейки на набережную\n"
    "3. Освещение в парке\n4. Отчёт жителям каждый месяц"
)
CONTACTS = "+7 911 123-45-67 · ivanova@example.ru"
INN = "7707083893"  # a valid organisation's ИНН (checksum holds)


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(datetime(2027, 7, 20, 7, 0, tzinfo=UTC))  # 10:00 in St. Petersburg
    set_clock(frozen)
    yield frozen
    reset_clock()


def photo(width: int = 800, height: int = 1000) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 160, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800)).save(buffer, "GIF")
    return buffer.getvalue()


def data_of(message: dict[str, Any], text: str) -> str:
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            if text in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button {text!r} in {message}")


def pdf_text(running: RunningBot, message: dict[str, Any]) -> str:
    stored = running.emulator.file_by_id(message["document"]["file_id"])
    assert stored is not None
    pages = PdfReader(io.BytesIO(stored.data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


async def complete_tasks(running: RunningBot, user: VirtualUser, *full_ids: str) -> None:
    """Tasks of earlier stages done, as if the candidate had walked there."""
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        store = QuestStore(uow, running.app.cipher, candidate)
        for full_id in full_ids:
            await store.save(full_id, {}, TaskStatus.DONE, 0)


async def build_until_points(user: VirtualUser, others: str = "На фото только я") -> None:
    """The builder's happy path until it asks for the programme points."""
    await user.send("/materials")
    await user.expect("Листовок пока нет")
    await user.press("Новая листовка")
    await user.expect("Выберите шаблон")
    await user.press("A5, односторонняя")
    await user.expect("Листовка №1 (A5, односторонняя) создана")
    await user.expect("Правила для фото")
    await user.press("Детей на фото нет")
    await user.expect("другие люди")
    await user.press(others)
    await user.expect("Пришлите фото")
    await user.send_photo(photo())
    await user.expect("Фото сохранено")
    await user.expect("коротко о себе")
    await user.send(BIO)
    await user.expect("пунктов программы")


async def build_leaflet(user: VirtualUser) -> dict[str, Any]:
    """The builder's happy path up to the leaflet's card."""
    await build_until_points(user)
    await user.send(POINTS)
    await user.expect("Как с вами связаться")
    await user.send(CONTACTS)
    return await user.expect("Листовка №1")


async def fill_imprint(user: VirtualUser, copies: str = "5000") -> None:
    await user.press("Выходные данные")
    await user.expect("так они будут напечатаны")
    await user.press("Заполнить выходные данные")
    await user.expect("Название типографии")
    await user.send("ООО «Типография Нева»")
    await user.expect("Юридический адрес")
    await user.send("Питер")
    await user.expect("Нужен полный юридический адрес")
    await user.send("190000, Санкт-Петербург, ул. Примерная, д. 1")
    await user.expect("ИНН типографии")
    await user.send("7707083894")
    await user.expect("контрольные цифры не сходятся")
    await user.send(INN)
    await user.expect("Тираж — сколько")
    await user.send(copies)
    await user.expect("Дата выпуска")
    await user.send("25.07.2027")
    await user.expect("Выходные данные заполнены")


async def test_a_candidate_builds_a_leaflet_end_to_end(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    # The stage is open and the layout was reviewed: both of the stage's action tasks wait.
    await complete_tasks(
        running,
        user,
        "fund.open_fund",
        "materials.imprint_guide",
        "materials.content_rules",
        "materials.layout_review",
    )
    await user.send("/materials")
    await user.expect("Листовок пока нет")
    await user.press("Новая листовка")
    await user.expect("Выберите шаблон")
    await user.press("A5, односторонняя")
    await user.expect("создана")

    # The photo rules: a child, or people without consent, are refused and asked again.
    await user.expect("Детей до 18 лет на фото быть не должно")
    await user.press("На фото есть ребёнок")
    await user.expect("с детьми в агитации использовать нельзя")
    await user.expect("Правила для фото")
    await user.press("Детей на фото нет")
    await user.expect("другие люди")
    await user.press("Есть, согласий нет")
    await user.expect("Без письменного согласия")
    await user.expect("Правила для фото")
    await user.press("Детей на фото нет")
    await user.expect("другие люди")
    await user.press("Есть, их письменные согласия у меня")
    await user.expect("согласия сдаются в комиссию")
    await user.expect("Пришлите фото")

    # Hostile and unsuitable files are refused with a reason; the dialog stays.
    await user.send("вот моё фото")
    await user.expect("Жду фото")
    await user.send_document(b"MZ\x90\x00 not a picture", "photo.jpg", "image/jpeg")
    await user.expect("не открывается как изображение")
    await user.send_document(gif(), "photo.gif", "image/gif")
    await user.expect("Это не JPEG и не PNG")
    await user.send_document(b"\0" * (MAX_PHOTO_BYTES + 1), "big.jpg", "image/jpeg")
    await user.expect("Файл слишком большой")
    await user.send_photo(TINY_JPEG)
    await user.expect("слишком маленькое для печати")
    await user.send_photo(photo())
    await user.expect("Фото сохранено")

    await user.expect("коротко о себе")
    await user.send(BIO)
    await user.send("Дворы\nСкамейки")
    await user.expect("Нужно от 3 до 5 пунктов")
    await user.send(POINTS)
    await user.send(CONTACTS)
    card = await user.expect("Листовка №1")
    assert "на фото есть другие люди" in card["text"]
    assert "Выходные данные: не хватает" in card["text"]
    make_final = data_of(card, "Для печати")
    make_draft = data_of(card, "Образец")

    # No print file without the imprint; a draft at any time, marked ОБРАЗЕЦ.
    await user.press_data(make_final, card["message_id"])
    refusal = await user.expect("без выходных данных сделать нельзя")
    assert "типография" in refusal["text"] and "дата выпуска" in refusal["text"]
    await user.press_data(make_draft, card["message_id"])
    draft = await user.expect("ОБРАЗЕЦ, не для печати")
    text = pdf_text(running, draft)
    assert "ОБРАЗЕЦ" in text and "Иванова Мария Сергеевна" in text
    assert "Изготовитель: ________" in text
    preview = await user.expect("после обрезки")
    stored = running.emulator.file_by_id(preview["photo"][-1]["file_id"])
    assert stored is not None and stored.data.startswith(b"\x89PNG")

    await user.press("К листовке")
    await user.expect("Листовка №1 ·")
    await fill_imprint(user)
    await user.press("Для печати")
    final = await user.expect("файл для печати")
    text = pdf_text(running, final)
    assert "ОБРАЗЕЦ" not in text
    printer = "Изготовитель: ООО «Типография Нева», 190000, Санкт-Петербург, ул. Примерная, д. 1"
    assert f"{printer}, ИНН {INN}" in text
    assert "Заказчик: кандидат Иванова Мария Сергеевна" in text
    assert "Тираж 5000 экз. Дата выпуска 25.07.2027" in text
    assert "Оплачено из средств избирательного фонда кандидата Ивановой Марии Сергеевны" in text
    for point in ("Отремонтировать дворы", "Вернуть скамейки на набережную"):
        assert point in text
    preview = await user.expect("после обрезки")
    await user.expect("Готово: «Сделать листовку»")  # the builder's quest task

    # The print run: cost from the fund, then the copy for the commission ticked.
    await user.press_data(data_of(preview, "Внести тираж"), preview["message_id"])
    await user.expect("Сколько он стоил из избирательного фонда")
    await user.send("дорого")
    await user.expect("Напишите сумму в рублях")
    await user.send("12 500,50")
    await user.expect("внесён в реестр, 12\u00a0500,50 ₽")
    registry = await user.expect("Реестр тиражей")
    assert "5\u00a0000 экз. · выпуск 25.07.2027" in registry["text"]
    assert f"ООО «Типография Нева», ИНН {INN}" in registry["text"]
    assert "⬜ Экземпляр сдан в комиссию" in registry["text"]
    async with running.app.session_factory() as session:
        [run] = list(await session.scalars(select(PrintRun)))
        reminders = list(
            await session.scalars(select(Reminder).where(Reminder.kind == "print_run_copy"))
        )
        [spent] = list(await session.scalars(select(FundEntry)))
    assert (run.copies, run.cost_kopecks) == (5000, 1_250_050)
    assert len(reminders) == 4 and all(r.user_id == user.user_id for r in reminders)
    # The run's cost went into the fund ledger as spending, once.
    assert (spent.kind, spent.amount_kop, spent.source) == (
        EntryKind.SPENDING,
        1_250_050,
        "print_run",
    )
    assert "тираж 5000" in (running.app.cipher.decrypt(spent.note_enc) or "")
    await user.press("№1: экземпляр сдан в комиссию")
    ticked = await user.expect("☑️ Экземпляр сдан в комиссию")
    assert "⚠️" not in ticked["text"]
    await user.expect("Готово: «Тираж в реестре, экземпляр в комиссии»")

    # Edit a part and make the file again: a new version; older files stay available.
    await user.send("/materials")
    await user.expect("У вас 1 листовка")
    await user.press("Листовка №1")
    await user.expect("Выходные данные заполнены")
    await user.press("О себе")
    await user.expect("Сейчас так")
    await user.send("Инженер, живу в Гавани двадцать лет.")
    await user.expect("Сохранено")
    await user.expect("Листовка №1 ·")
    await user.press("Образец")
    await user.expect("версия 3 — ОБРАЗЕЦ")
    await user.expect("после обрезки")
    await user.press("К листовке")
    await user.expect("Листовка №1 ·")
    await user.press("Версии")
    versions = await user.expect("Версии листовки №1")
    assert "версия 3 — образец" in versions["text"] and "версия 2 — для печати" in versions["text"]
    assert "Внести тираж" not in str(versions["reply_markup"])  # version 2 is registered
    await user.press("Версия 2 (для печати)")
    again = await user.expect("Версия 2 (для печати)")
    assert again["document"]["file_id"] == final["document"]["file_id"]

    # At rest: texts and photo encrypted.
    async with running.app.session_factory() as session:
        [leaflet] = list(await session.scalars(select(Leaflet)))
        versions_stored = await session.scalar(select(func.count()).select_from(LeafletVersion))
    assert versions_stored == 3
    assert leaflet.content_enc and "Инженер" not in leaflet.content_enc
    assert "Инженер" in (running.app.cipher.decrypt(leaflet.content_enc) or "")
    assert leaflet.photo_enc and leaflet.photo_others


async def test_a_text_too_long_for_the_template_says_what_to_shorten(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    await build_leaflet(user)
    await user.press("Шаблон")
    await user.expect("Выберите шаблон")
    await user.press("Дорхэнгер")
    await user.expect("Листовка №1 · Дорхэнгер")
    await user.press("О себе")
    await user.expect("Сейчас так")
    await user.send("Родилась и выросла на Васильевском острове. " * 17)
    await user.expect("Сохранено")
    await user.expect("Листовка №1 ·")
    await user.press("Образец")
    error = await user.expect("не помещается в шаблон")
    assert "«О себе»" in error["text"] and "Сократите примерно на" in error["text"]
    await user.press("Шаблон")
    await user.expect("Выберите шаблон")
    await user.press("A4, двусторонняя")
    await user.expect("Листовка №1 · A4")
    await user.press("Образец")
    draft = await user.expect("ОБРАЗЕЦ, не для печати")
    assert "Васильевском острове" in pdf_text(running, draft)


async def test_nobody_else_reaches_a_candidates_leaflets_and_runs(
    running: RunningBot, clock: FrozenClock
) -> None:
    owner = running.user()
    await register(owner)
    card = await build_leaflet(owner)
    leaflet_id = MatCb.unpack(data_of(card, "Образец")).id
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(owner.user_id)
        assert candidate is not None
        service = MaterialsService(uow, running.app.cipher, candidate)
        for field, value in (
            ("printer_name", "ООО «Типография Нева»"),
            ("printer_address", "190000, Санкт-Петербург, ул. Примерная, д. 1"),
            ("printer_inn", INN),
            ("copies", "1000"),
            ("issued_on", "25.07.2027"),
        ):
            await service.set_imprint(leaflet_id, field, value)
        made = await service.make_file(leaflet_id, True, "Кандидат")
        run = await service.register_run(made.version_id, "3000", running.settings.tz)

    other = running.user(first_name="Пётр")
    await register(other, name="Петров Пётр Петрович")
    await other.send("/materials")
    menu = await other.expect("Листовок пока нет")
    for forged in (
        MatCb(action="open", id=leaflet_id),
        MatCb(action="make", id=leaflet_id, arg="final"),
        MatCb(action="edit", id=leaflet_id, arg="bio"),
        MatCb(action="file", id=made.version_id),
        MatCb(action="run", id=made.version_id),
        MatCb(action="tick", id=run.id),
    ):
        await other.press_data(forged.pack(), menu["message_id"])
        await other.expect_answer("Этого больше нет или это не ваше")
    await other.press_data(MatCb(action="radd", arg="designer").pack(), menu["message_id"])
    await other.expect_answer("только координаторы")
    await other.quiet()
    async with running.app.session_factory() as session:
        stored = await session.get(PrintRun, run.id)
        assert stored is not None and stored.copy_submitted_at is None

    # Someone who is not a registered candidate gets nothing either.
    stranger = running.user()
    await stranger.send("/materials")
    await stranger.expect("открыт зарегистрированным кандидатам")


async def test_the_reminder_comes_while_the_copy_is_not_at_the_commission(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        service = MaterialsService(uow, running.app.cipher, candidate)
        leaflet = await service.create("door_hanger")
        await service.set_photo(leaflet.id, normalise_photo(photo()), False)
        await service.set_bio(leaflet.id, BIO)
        await service.set_points(leaflet.id, POINTS)
        await service.set_contacts(leaflet.id, CONTACTS)
        for field, value in (
            ("printer_name", "ИП Петров П. П."),
            ("printer_address", "190000, Санкт-Петербург, ул. Примерная, д. 1"),
            ("printer_inn", "500100732259"),
            ("copies", "300"),
            ("issued_on", "20.07.2027"),
        ):
            await service.set_imprint(leaflet.id, field, value)
        made = await service.make_file(leaflet.id, True, "Кандидат")
        await service.register_run(made.version_id, "1 500", running.settings.tz)
    dispatcher, _ = jobs(running, clock)

    clock.advance(hours=23)  # the next morning is an hour away
    assert (await dispatcher.run_once()).sent == 0
    clock.advance(hours=1)
    assert (await dispatcher.run_once()).sent == 1
    reminder = await user.expect("ещё не отмечен как сданный в комиссию")
    assert "Листовка №1, версия 1" in reminder["text"] and "300 экз." in reminder["text"]

    # The bot was down for a week: of the reminders due, only the latest goes out.
    clock.advance(days=6)
    stats = await dispatcher.run_once()
    assert (stats.sent, stats.dropped) == (1, 1)
    await user.expect("ещё не отмечен как сданный в комиссию")
    await user.quiet()

    # Ticked from the reminder's own button: no more reminders.
    await user.press("Экземпляр сдан")
    await user.expect("☑️ Экземпляр сдан в комиссию")
    clock.advance(days=7)
    stats = await dispatcher.run_once()
    assert (stats.sent, stats.dropped) == (0, 1)
    await user.quiet()
    async with running.app.session_factory() as session:
        rows = list(
            await session.scalars(select(Reminder).where(Reminder.kind == "print_run_copy"))
        )
    assert sorted(row.status.value for row in rows) == ["dropped", "dropped", "sent", "sent"]
    assert all(row.status is not ReminderStatus.PENDING for row in rows)


async def test_coordinators_keep_the_directory_and_candidates_read_it(
    running: RunningBot, clock: FrozenClock
) -> None:
    coordinator = await running.coordinator()
    await coordinator.send("/resources")
    listing = await coordinator.expect("Проверенные дизайнеры и типографии")
    assert listing["text"].count("пока никого") == 2
    await coordinator.press("➕ Дизайнер")
    await coordinator.expect("Название или имя")
    await coordinator.send("Анна Смирнова")
    await coordinator.expect("Контакты")
    await coordinator.send("+7 911 000-00-00, @anna_design")
    await coordinator.expect("Короткое описание")
    await coordinator.send("-")
    await coordinator.expect("Сохранено")
    listing = await coordinator.expect("Анна Смирнова")
    await coordinator.press("➕ Типография")
    await coordinator.expect("Название или имя")
    await coordinator.send("Типография <Нева>")
    await coordinator.expect("Контакты")
    await coordinator.send("nevaprint.example")
    await coordinator.expect("Короткое описание")
    await coordinator.send("Листовки A5 от 2 ₽/шт, 3 дня")
    listing = await coordinator.expect("Нева")
    assert "Листовки A5 от 2 ₽/шт" in listing["text"]

    async with running.app.session_factory() as session:
        entries = list(
            await session.scalars(select(MaterialResource).order_by(MaterialResource.id))
        )
    designer, printer = entries
    assert "anna_design" not in designer.contact_enc  # the contact is encrypted
    await coordinator.press(f"✏️ №{designer.id}")
    await coordinator.expect("Что изменить")
    await coordinator.press("Контакты")
    await coordinator.expect("Новое значение")
    await coordinator.send("@anna_new")
    await coordinator.expect("Сохранено")
    await coordinator.expect("@anna_new")
    await coordinator.press(f"🗑 №{printer.id}")
    await coordinator.expect("из каталога?")
    await coordinator.press("Да, удалить")
    await coordinator.expect_answer("Удалено")
    after = await coordinator.expect("Проверенные дизайнеры")
    assert "Нева" not in after["text"] and "@anna_new" in after["text"]

    candidate = running.user()
    await register(candidate)
    await candidate.send("/resources")
    seen = await candidate.expect("Проверенные дизайнеры")
    assert "Анна Смирнова" in seen["text"] and "@anna_new" in seen["text"]
    assert "reply_markup" not in seen  # reading only
    await candidate.press_data(MatCb(action="rdel", id=designer.id).pack(), seen["message_id"])
    await candidate.expect_answer("только координаторы")
    async with running.app.session_factory() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.subject_type == "resource")
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["resource_added", "resource_added", "resource_edited", "resource_removed"]


async def test_privacy_lists_and_forget_me_erases_the_materials(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    await build_leaflet(user)
    await user.send("/privacy")
    await user.expect("Листовки: 1, тиражи в реестре: 0")
    async with running.app.uow_factory() as uow:
        await privacy.forget(uow, running.app.cipher, user.user_id)
    async with running.app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Leaflet)) == 0


async def test_restarts_mid_builder_keep_the_leaflet_and_the_step(
    data_dir: Path, telegram: FakeTelegramServer
) -> None:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    first = start_bot(settings, telegram)
    running = await anext(first)
    user = running.user()
    await register(user)
    await user.send("/materials")
    await user.expect("Листовок пока нет")
    await user.press("Новая листовка")
    await user.expect("Выберите шаблон")
    await user.press("A5, односторонняя")
    await user.expect("Листовка №1 (A5, односторонняя) создана")
    await user.expect("Правила для фото")
    await user.press("Детей на фото нет")
    await user.expect("другие люди")
    await user.press("Есть, их письменные согласия у меня")
    await user.expect("Пришлите фото")
    await first.aclose()  # the bot stops while it waits for the photo

    await user.send("вот моё фото")  # typed while it is down, where a photo is expected
    second = start_bot(settings, telegram)
    await anext(second)
    await user.expect("Жду фото")  # still the photo step
    await user.send_photo(photo())
    await user.expect("Фото сохранено")
    await user.expect("коротко о себе")
    await user.send(BIO)
    await user.expect("пунктов программы")
    await second.aclose()  # and stops again between the biography and the points

    await user.send("Дворы")  # one point where 3–5 are asked for
    async for restarted in start_bot(settings, telegram):
        await user.expect("Нужно от 3 до 5 пунктов, каждый с новой строки, а сейчас 1")
        await user.send(POINTS)
        await user.expect("Как с вами связаться")  # the builder goes on to the next part
        await user.send(CONTACTS)
        card = await user.expect("Листовка №1")
        # The answer to the photo rules, given before the first restart, is on the card.
        assert "на фото есть другие люди" in card["text"]
        async with restarted.app.uow_factory() as uow:
            candidate = await uow.candidates.by_user(user.user_id)
            assert candidate is not None
            (leaflet,) = await MaterialsService(uow, restarted.app.cipher, candidate).leaflets()
        assert leaflet.has_photo and leaflet.photo_others and not leaflet.missing_parts
        assert leaflet.template == LeafletTemplate.A5
        assert leaflet.content.bio == BIO and leaflet.content.contacts == CONTACTS
        assert len(leaflet.content.points) == 4
    texts = [message.get("text", "") for message in user.transcript]
    for question in ("Правила для фото", "Пришлите фото", "коротко о себе", "пунктов программы"):
        assert sum(question in text for text in texts) == 1, question  # nothing asked again


async def test_text_typed_on_a_button_screen_is_told_to_use_the_buttons(
    running: RunningBot,
) -> None:
    user = running.user()
    await register(user)
    await user.send("/materials")
    await user.expect("Листовок пока нет")
    await user.send("хочу листовку")  # the menu is answered with its buttons
    await user.expect("Здесь ответ — кнопка под сообщением выше. Главное меню")
    await user.press("Новая листовка")  # and they still work
    await user.expect("Выберите шаблон")
    await user.send("A5")
    await user.expect("Здесь ответ — кнопка")
    await user.press("A5, односторонняя")
    await user.expect("Правила для фото")
    await user.send("детей нет")
    await user.expect("Здесь ответ — кнопка")
    await user.press("Детей на фото нет")
    await user.expect("другие люди")
    await user.press("На фото только я")
    await user.expect("Пришлите фото")
    await user.send("фото потом")  # a typed step keeps its own answer
    await user.expect("Жду фото")
    # A command still works from a button screen, and /cancel leaves it.
    await user.send("/materials")
    await user.expect("У вас 1 листовка")
    await user.send("/cancel")
    await user.expect("")
    await user.send("просто текст")
    reply = await user.expect("")
    assert "Здесь ответ — кнопка" not in reply["text"]
    assert not running.unexpected_errors()
