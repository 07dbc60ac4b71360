"""The PIN gate and the anomaly watch in front of the features' bulk views and exports:
the staff's supporter lists, review and import; the supporters' and the canvass exports
(encrypted, pseudonymised, or plain with a warning); a candidate paging too fast."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.handlers.fund_views import FundCb
from bot.handlers.pin_gate import VIEW_MINUTES
from bot.handlers.supporters import SupCb
from bot.services import anomalies, supporters
from bot.services.clock import reset_clock, set_clock, utcnow
from tests.conftest import PIN, RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_canvass import candidate_with_list
from tests.test_directory import enrol
from tests.test_export import download
from tests.test_supporters_bot import cipher_of, district_of
from tests.test_update_reads import statements


async def add_supporters(running: RunningBot, district_id: int, count: int) -> None:
    cipher = cipher_of(running)
    async with running.app.uow_factory() as uow:
        for n in range(count):
            await supporters.add_supporter(
                uow,
                cipher,
                name=f"Сторонникова Анна {n:02d}",
                phone=f"+792155500{n:02d}",
                district_id=district_id,
                consents={"contact": True},
                source=f"canvass:{n}",
            )


async def audit(running: RunningBot, action: str) -> list[AuditEntry]:
    async with running.app.uow_factory() as uow:
        return list(
            await uow.session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        )


async def test_a_candidate_paging_fast_is_refused_and_the_admins_hear_once(
    running: RunningBot,
) -> None:
    admin = running.admin()
    await admin.send("/admin")
    await admin.expect("Администратору")
    candidate = running.user()
    await enrol(candidate, "Кандидатова Ольга", "Союз соседей", "Гавань")
    await add_supporters(running, await district_of(running, "Гавань"), 15)  # two pages
    await candidate.send("/supporters")
    listing = await candidate.expect("Сторонники вашего округа")
    # /supporters was one read; back and forth between the pages until the limit.
    for n in range(1, anomalies.VIEWS.limit):
        await candidate.press_data(SupCb(action="page", arg=n % 2).pack(), listing["message_id"])
        await candidate.expect(f"стр. {n % 2 + 1} из 2")
    await candidate.press_data(SupCb(action="page", arg=0).pack(), listing["message_id"])
    await candidate.expect_answer("Слишком много обращений")
    alert = await admin.expect("Необычная активность")
    assert str(candidate.user_id) in alert["text"]
    await candidate.send("/supporters")
    await candidate.expect("Слишком много обращений")
    await admin.quiet()  # one alert an hour, not one per refusal
    assert len(await audit(running, "supporters_listed")) == anomalies.VIEWS.limit


async def test_a_button_that_reads_nothing_costs_the_watch_one_query(
    running: RunningBot,
) -> None:
    """The watch counts a candidate's reads before a command or button; it counts again
    after it only when the update recorded a watched read."""
    candidate = running.user()
    await enrol(candidate, "Кандидатова Ольга", "Союз соседей", "Гавань")
    await add_supporters(running, await district_of(running, "Гавань"), 3)
    # Each block ends with a /menu answered: the user's updates are handled one at a time,
    # so the update before it has finished, its check after the handler included.
    with statements(running) as seen:
        for _ in range(2):
            await candidate.send("/menu")
            await candidate.expect("")
    assert counted(seen) == 2  # one each, before; nothing read, nothing counted after
    with statements(running) as seen:
        await candidate.send("/supporters")  # a watched read: counted again after it
        await candidate.expect("Сторонники вашего округа")
        await candidate.send("/menu")
        await candidate.expect("")
    assert counted(seen) == 2 + 1


def counted(statements: list[str]) -> int:
    return len([s for s in statements if s.startswith("SELECT count(*)") and "audit_log" in s])


async def test_staff_lists_of_supporters_open_only_with_the_pin(running: RunningBot) -> None:
    running.expected_errors.add("message is not modified")  # the same page pressed again
    await add_supporters(running, await district_of(running, "Гавань"), 3)
    coordinator = await running.coordinator()
    await coordinator.send("/supporters")
    await coordinator.expect("Сначала задайте PIN")
    await running.set_pin(coordinator)
    await coordinator.send("/supporters")
    await coordinator.expect("🔐")
    await coordinator.send("999999")  # wrong: nothing is listed, the gate still waits
    await coordinator.expect("Неверный PIN")
    await coordinator.send(PIN)
    listing = await coordinator.expect("Сторонники: 3")
    # The buttons work while the list is open; a quarter of an hour later, the PIN again.
    await coordinator.press_data(SupCb(action="page", arg=0).pack(), listing["message_id"])
    await coordinator.expect_answer("")
    later = utcnow() + timedelta(minutes=VIEW_MINUTES + 1)
    set_clock(lambda: later)
    try:
        await coordinator.press_data(SupCb(action="page", arg=0).pack(), listing["message_id"])
        await coordinator.expect_answer("открывается по PIN")
    finally:
        reset_clock()
    for command in ("/supporters_review", "/import_supporters", "/export_supporters"):
        await coordinator.send(command)
        await coordinator.expect("🔐")
        await coordinator.send("/cancel")
        await coordinator.expect("Диалог прерван")
    await coordinator.quiet()
    assert len(await audit(running, "supporters_listed")) == 2
    assert await audit(running, "supporters_exported") == []


async def test_supporters_export_pseudonymised_and_plain(running: RunningBot) -> None:
    await add_supporters(running, await district_of(running, "Гавань"), 2)
    admin = running.admin()
    await admin.send("/export_supporters everything")
    await admin.expect("Формат: /export_supporters")
    await running.gated(admin, "/export_supporters pseudo")
    sent = await admin.expect("Сторонников: 2")
    text = (await download(running, sent)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "Сторонникова" not in text and "+79215550001" not in text
    assert {row["name"][:2] for row in rows} == {"С-"} and {row["address"] for row in rows} == {""}
    # Masked (the apostrophe keeps a spreadsheet from reading "+7..." as a formula).
    assert sorted(row["phone"] for row in rows) == ["'+7 921 ***-**-00", "'+7 921 ***-**-01"]
    await admin.send("/export_supporters plain")
    await admin.expect("🔐")
    await admin.send(PIN)
    await admin.expect("без шифрования")
    sent = await admin.expect("Сторонников: 2")
    assert sent["document"]["file_name"].endswith(".csv")
    plain = (await download(running, sent)).decode("utf-8-sig")
    assert "Сторонникова Анна" in plain and "+79215550001" in plain
    modes = [entry.details["mode"] for entry in await audit(running, "supporters_exported")]
    assert modes == ["pseudo", "plain"]


async def press_export(candidate: VirtualUser, fmt: str, mode: str) -> None:
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press(fmt)
    await candidate.expect("Как выгрузить?")
    await candidate.press(mode)


async def test_a_candidates_canvass_export_needs_their_pin(running: RunningBot) -> None:
    candidate = await candidate_with_list(running)
    await candidate.send("Ленина 5 кв 12 сторонник +79111234567 Анна")
    await candidate.expect("кв")
    await candidate.press("житель согласен")
    await candidate.expect("Записано")
    await press_export(candidate, "📥 CSV", "Без шифрования")
    await candidate.expect("Сначала задайте PIN")
    await candidate.quiet()  # and no file
    await running.set_pin(candidate)
    await press_export(candidate, "📥 CSV", "Обезличенно")
    await candidate.expect("🔐")
    await candidate.send(PIN)
    sent = await candidate.expect("Заметки обхода: 1")
    text = (await download(running, sent)).decode("utf-8-sig")
    assert "ул. Ленина 5" in text and "Анна" not in text and "+79111234567" not in text
    assert "+7 911 ***-**-67" in text
    entries = [e for e in await audit(running, "export") if e.subject_type == "canvass"]
    assert [(e.details["format"], e.details["mode"]) for e in entries] == [("csv", "pseudo")]


async def test_a_candidates_fund_report_needs_their_pin(running: RunningBot) -> None:
    candidate = running.user()
    await enrol(candidate, "Кандидатова Ольга", "Союз соседей", "Гавань")
    await candidate.send("/help")
    await candidate.expect("/privacy")
    message_id = candidate.transcript[-1]["message_id"]
    await candidate.press_data(FundCb(action="pdf").pack(), message_id)
    await candidate.expect("Сначала задайте PIN")
    await candidate.quiet()  # no file
    await running.set_pin(candidate)
    await candidate.press_data(FundCb(action="xlsx").pack(), message_id)
    await candidate.expect("🔐")
    await candidate.send(PIN)
    sent = await candidate.expect("Сводка по фонду")
    assert sent["document"]["file_name"].endswith(".xlsx")
    assert [e.details["format"] for e in await audit(running, "fund_exported")] == ["xlsx"]
