"""The supporter base in the bot, end to end over the fake Telegram: a coordinator imports a
file through the mapping questions and the dry run; a supporter joins by deep link, changes
consents and is forgotten; candidates and coordinators see only their own (forged buttons
too)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import func, select

from bot.db.models import AuditEntry
from bot.db.models.addresses import Building
from bot.db.models.supporters import Supporter, SupporterMatch
from bot.handlers.supporters import SupCb
from bot.services import supporters
from bot.services.addresses import address_key
from bot.services.crypto import FieldCipher
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer
from tests.test_directory import enrol
from tests.test_export import unzip_export

HEADER = "ID,ФИО,Телефон,Адрес,Согласие на контакт\n"


def cipher_of(running: RunningBot) -> FieldCipher:
    return FieldCipher(running.settings.data_keys)


async def district_of(running: RunningBot, formation_name: str, street: str = "") -> int:
    """District №1 of a formation; with a street, a building of it at house 30."""
    async with running.app.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        formation = await uow.geography.formation_by_name(election.id, formation_name)
        assert formation is not None
        district = formation.districts[0]
        if street:
            uow.addresses.add(
                Building(
                    election_id=election.id,
                    formation_id=formation.id,
                    district_id=district.id,
                    street=street,
                    house="30",
                    address_key=address_key(street, "30"),
                )
            )
        return district.id


async def supporters_count(running: RunningBot) -> int:
    async with running.app.uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Supporter)) or 0)


async def test_a_coordinator_imports_a_file_through_mapping_questions_and_a_dry_run(
    running: RunningBot,
) -> None:
    coordinator = await running.coordinator("org:civic")
    await running.gated(coordinator, "/import_supporters")
    await coordinator.expect("Пришлите файл CSV или XLSX")
    await coordinator.send("просто текст")
    await coordinator.expect("Пришлите файл документом")
    await coordinator.send_document("Кто,Тел.\n".encode("utf-16"), "list.csv", "text/csv")
    await coordinator.expect("Не удалось прочитать текст файла")
    data = "Кто,Тел.,Адрес\nСветлова Анна,8 921 555-12-34,Садовая 1\nПетров Пётр,89215551235,\n"
    await coordinator.send_document(data.encode("cp1251"), "list.csv", "text/csv")
    mapping = await coordinator.expect("Столбцы файла")
    assert "A. «Кто» → не загружать" in mapping["text"]
    assert "B. «Тел.» → телефон" in mapping["text"]
    await coordinator.press("Проверить")
    await coordinator.expect("Не нашли столбец с именем")
    await coordinator.press("A")
    await coordinator.expect("Что в столбце A?")
    await coordinator.press("ФИО целиком")
    await coordinator.expect("A. «Кто» → ФИО целиком")
    await coordinator.press("Проверить")
    dry = await coordinator.expect("Проверка")
    assert "новых людей: 2" in dry["text"] and "не найден в списке округов: 1" in dry["text"]
    assert await supporters_count(running) == 0  # a dry run writes nothing
    await coordinator.expect("Загрузить файл?")
    await coordinator.press("Загрузить")
    done = await coordinator.expect("Загружено")
    assert "новых людей: 2" in done["text"]
    assert await supporters_count(running) == 2
    await running.gated(coordinator, "/supporters")
    listing = await coordinator.expect("Сторонники: 2")
    assert "Светлова Анна" in listing["text"] and "+7 921 ***-**-34" in listing["text"]
    # The same file again: nothing changes.
    await running.gated(coordinator, "/import_supporters")
    await coordinator.send_document(data.encode("cp1251"), "list.csv", "text/csv")
    await coordinator.expect("Столбцы файла")
    await coordinator.press("A")
    await coordinator.expect("Что в столбце A?")
    await coordinator.press("ФИО целиком")
    await coordinator.expect("→ ФИО целиком")
    await coordinator.press("Проверить")
    again = await coordinator.expect("Проверка")
    assert "новых людей: 0" in again["text"] and "без изменений: 2" in again["text"]
    await coordinator.expect("Загрузить файл?")
    await coordinator.press("Отмена")
    await coordinator.expect("ничего не записано")


async def test_a_file_with_a_formula_is_refused_with_its_row_and_nothing_is_imported(
    running: RunningBot,
) -> None:
    admin = running.admin()
    await running.gated(admin, "/import_supporters")
    await admin.expect("Для какой организации")
    await admin.press("Зелёный Петербург")
    await admin.expect("Пришлите файл")
    data = HEADER + "1,Светлова Анна,89215551234,,да\n2,=cmd|' /C calc'!A0,89215551235,,да\n"
    await admin.send_document(data.encode(), "list.csv", "text/csv")
    await admin.expect("Столбцы файла")
    await admin.press_data(SupCb(action="col", arg=99).pack())  # forged: no such column
    await admin.expect_answer("Эта кнопка устарела")
    await admin.press("Проверить")
    refused = await admin.expect("Файл не загружен")
    assert "Строка 3: формула" in refused["text"]
    assert await supporters_count(running) == 0
    # The dialog waits for a corrected file.
    fixed = HEADER + "1,Светлова Анна,89215551234,,да\n"
    await admin.send_document(fixed.encode(), "list.csv", "text/csv")
    await admin.expect("Столбцы файла")


async def test_a_supporter_joins_by_link_changes_consents_and_is_forgotten(
    running: RunningBot,
) -> None:
    district_id = await district_of(running, "Гавань", "улица Кораблестроителей")
    user = running.user()
    await user.send("/start sup-civic")
    await user.expect("Стать сторонником коалиции")
    await user.press("Согласен")
    await user.expect("Как вас зовут")
    await user.send("Светлова")
    await user.expect("имя")
    await user.send("Светлова Анна")
    await user.expect("Поделитесь номером")
    await user.send("+79215551234")
    await user.expect("Поделиться контактом")
    await user.share_contact()
    await user.expect("Ваш адрес")
    await user.send("где-то в городе")
    await user.expect("Не нашли номер дома")
    await user.send("Кораблестроителей 30 кв 5")
    await user.expect("Адрес найден")
    await user.press("связь с кандидатами")
    await user.expect("На что вы согласны")  # the same message, ticked
    assert "✅ связь с кандидатами коалиции" in user.inline_buttons
    await user.press("Готово")
    await user.expect("Спасибо")
    card = await user.expect("Ваша запись сторонника")
    assert "Светлова Анна" in card["text"] and "Гавань, №1" in card["text"]
    async with running.app.uow_factory() as uow:
        supporter = await uow.supporters.by_user(user.user_id)
        civic = await uow.geography.organisation_by_code("civic")
        assert supporter is not None and civic is not None
        assert supporter.district_id == district_id
        assert (supporter.consent_contact, supporter.contact_org_id) == (True, civic.id)
        assert (supporter.consent_news, supporter.consent_volunteer) == (False, False)
    await user.send("/supporters")
    await user.expect("Ваша запись сторонника")
    await user.press("✅ связь с кандидатами")
    await user.expect("Ваша запись сторонника")  # the card, unticked
    assert "⬜ связь с кандидатами коалиции" in user.inline_buttons
    await user.expect_answer("Сохранено")
    async with running.app.uow_factory() as uow:
        supporter = await uow.supporters.by_user(user.user_id)
        assert supporter is not None and not supporter.consent_contact
    await user.send("/start")
    await user.expect("Ваша запись сторонника")  # not the candidate registration
    await user.send("/privacy")
    await user.expect("сторонник")
    await user.send("/forget_me")
    await user.expect("Удалить все ваши данные")
    await user.press("Да, удалить")
    await user.expect("Точно?")
    await user.press("Удалить навсегда")
    await user.expect("все ваши данные удалены")
    assert await supporters_count(running) == 0


async def test_a_candidate_sees_only_their_districts_consenting_supporters(
    running: RunningBot,
) -> None:
    candidate = running.user()
    await enrol(candidate, "Кандидатова Ольга", "Союз соседей", "Гавань")
    ours = await district_of(running, "Гавань")
    theirs = await district_of(running, "Парнас")
    cipher = cipher_of(running)
    async with running.app.uow_factory() as uow:
        for name, phone, district, contact in (
            ("Согласная Анна", "+79215550001", ours, True),
            ("Молчаливая Вера", "+79215550002", ours, False),
            ("Чужая Ирина", "+79215550003", theirs, True),
        ):
            await supporters.add_supporter(
                uow,
                cipher,
                name=name,
                phone=phone,
                district_id=district,
                consents={"contact": contact, "news": True},
                source=f"canvass:{phone}",
            )
    await candidate.send("/supporters")
    listing = await candidate.expect("Сторонники вашего округа")
    assert "Согласная Анна" in listing["text"] and "+79215550001" in listing["text"]
    assert "Молчаливая" not in listing["text"] and "Чужая" not in listing["text"]
    # Forged buttons: another page, the staff's unassigned list, a review decision.
    await candidate.press_data(SupCb(action="page", arg=3).pack(), listing["message_id"])
    page = await candidate.expect("Сторонники вашего округа")
    assert "Чужая" not in page["text"] and "Молчаливая" not in page["text"]
    await candidate.press_data(SupCb(action="upage", arg=0).pack(), listing["message_id"])
    await candidate.expect("Эти данные вам недоступны")
    await candidate.send("/export_supporters")
    await candidate.expect("Не знаю такой команды")
    stranger = running.user()
    await stranger.send("/start")
    await stranger.expect("Согласие на обработку")
    await stranger.press("Согласен")
    await stranger.expect("Шаг 1 из 5")
    await stranger.send("/supporters")
    await stranger.expect("Эти данные вам недоступны")
    async with running.app.uow_factory() as uow:
        views = list(
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "supporters_listed")
            )
        )
    assert {entry.actor_id for entry in views} == {candidate.user_id}
    assert len(views) == 2


async def test_coordinators_see_their_organisations_records_and_cannot_decide_others(
    running: RunningBot,
) -> None:
    cipher = cipher_of(running)
    await district_of(running, "Гавань", "улица Кораблестроителей")
    async with running.app.uow_factory() as uow:
        await supporters.import_file(
            uow,
            cipher,
            (HEADER + "C1,Гражданская Анна,89215550001,,да\n").encode(),
            file_name="civic.csv",
            organisation_code="civic",
        )
        report = await supporters.import_file(
            uow,
            cipher,
            (
                HEADER
                + "G1,Зелёная Ирина,89215550002,Кораблестроителей 30,да\n"
                + "G2,Зелёная Ирена,89215550003,Кораблестроителей 30,да\n"
            ).encode(),
            file_name="green.csv",
            organisation_code="green",
        )
        assert report.to_review == 1
        await supporters.import_file(  # Анна is on green's list too
            uow,
            cipher,
            "ID,ФИО,Телефон\nG9,Анна Гражданская,+79215550001\n".encode(),
            file_name="green2.csv",
            organisation_code="green",
        )
        match = await uow.session.scalar(select(SupporterMatch))
        assert match is not None
        match_id = match.id
    coordinator = await running.coordinator("org:civic")
    await running.gated(coordinator, "/supporters")
    listing = await coordinator.expect("Сторонники: 1")
    assert "Гражданская Анна" in listing["text"] and "Зелёная" not in listing["text"]
    await running.gated(coordinator, "/supporters_review")
    await coordinator.expect("Возможных дублей нет")
    await coordinator.press_data(SupCb(action="same", arg=match_id).pack(), listing["message_id"])
    await coordinator.expect_answer("вам недоступна")
    await running.gated(coordinator, "/export_supporters")
    sent = await coordinator.expect("Сторонников: 1")
    assert sent["document"]["file_name"].endswith(".zip")
    data = await unzip_export(running, coordinator, sent)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    # Only civic's own source: that Анна is on green's list too is green's to tell.
    assert [(r["name"], r["sources"]) for r in rows] == [("Гражданская Анна", "civic:C1")]
    admin = running.admin()
    await running.gated(admin, "/supporters_review")
    await admin.expect("Один ли это человек?")
    await admin.press("Один человек")
    await admin.expect_answer("Сохранено")
    await admin.expect("Возможных дублей нет")
    async with running.app.uow_factory() as uow:
        # The pair went with the merged-away record; the decision is in the audit log.
        assert await uow.session.get(SupporterMatch, match_id) is None
        decisions = await uow.audit.for_subject("supporter_match", match_id)
        assert [
            (e.actor_id, e.details) for e in decisions if e.action == "supporters_reviewed"
        ] == [(admin.user_id, {"same": True})]
        people = await uow.supporters.all_visible(supporters.Visibility(everyone=True))
        exported = await supporters.export_table(
            uow, cipher, supporters.Visibility(everyone=True), admin.user_id, "test"
        )
    assert len(people) == 2
    assert sorted(str(r[-1]) for r in exported.rows) == ["civic:C1;green:G9", "green:G1;green:G2"]
    async with running.app.uow_factory() as uow:
        exports = list(
            await uow.session.scalars(
                select(AuditEntry.actor_id).where(AuditEntry.action == "supporters_exported")
            )
        )
    assert exports == [coordinator.user_id, admin.user_id]


async def test_a_sign_up_left_half_way_does_not_trap_the_person(running: RunningBot) -> None:
    user = running.user()
    await user.send("/start sup-join")
    await user.expect("Стать сторонником коалиции")
    await user.press("Согласен")
    await user.expect("Как вас зовут")
    await user.send("/cancel")
    await user.next_message()
    await user.send("/start")  # no link: the candidate registration, from its first step
    await user.expect("Шаг 1 из 5")
    await user.send("Иванова Мария")
    await user.expect("Шаг 2 из 5")
    assert await supporters_count(running) == 0


async def test_a_restart_mid_sign_up_keeps_the_answers_and_the_place(
    data_dir: Path, telegram: FakeTelegramServer
) -> None:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    first = start_bot(settings, telegram)
    running = await anext(first)
    district_id = await district_of(running, "Гавань", "улица Кораблестроителей")
    user = running.user()
    await user.send("/start sup-civic")
    await user.expect("Стать сторонником коалиции")
    await user.send("да")  # typed where a button is expected
    await user.expect("выберите вариант кнопкой")
    # The supporters' own buttons again, not the candidates' consent.
    assert user.inline_buttons == ["Согласен(на)", "Не согласен(на)"]
    await user.press("Согласен")
    await user.expect("Как вас зовут")
    await user.send("Светлова Анна")
    await user.expect("Поделитесь номером")
    await user.share_contact()
    await user.expect("Ваш адрес")
    await user.send("Кораблестроителей 30 кв 5")
    await user.expect("Адрес найден")
    await user.press("связь с кандидатами")
    await user.expect("На что вы согласны")
    await first.aclose()  # the bot stops with one consent ticked, before «Готово»

    await user.send("да")  # typed while it is down, instead of a tick
    async for restarted in start_bot(settings, telegram):
        await user.expect("На что вы согласны")  # the same question, the tick kept
        assert "✅ связь с кандидатами коалиции" in user.inline_buttons
        await user.press("волонтёрство")
        await user.expect("На что вы согласны")
        await user.press("Готово")
        await user.expect("Спасибо")
        card = await user.expect("Ваша запись сторонника")
        assert "Светлова Анна" in card["text"] and "Гавань, №1" in card["text"]
        cipher = restarted.app.cipher
        async with restarted.app.uow_factory() as uow:
            supporter = await uow.supporters.by_user(user.user_id)
            civic = await uow.geography.organisation_by_code("civic")
        assert supporter is not None and civic is not None
        # Name, phone and address were given before the restart; the consents on both sides.
        assert cipher.decrypt(supporter.name_enc) == "Светлова Анна"
        assert cipher.decrypt(supporter.phone_enc) == user.phone
        assert "Кораблестроителей 30" in (cipher.decrypt(supporter.address_enc) or "")
        assert supporter.district_id == district_id
        assert (supporter.consent_contact, supporter.consent_volunteer) == (True, True)
        assert not supporter.consent_news and supporter.contact_org_id == civic.id
        assert await supporters_count(restarted) == 1
    texts = [message.get("text", "") for message in user.transcript]
    for question in ("Как вас зовут", "Поделитесь номером", "Ваш адрес"):
        assert sum(question in text for text in texts) == 1, question  # nothing asked again
