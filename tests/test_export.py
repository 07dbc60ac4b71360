"""Exports: scoped, audited, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from bot.services.export import Table, render_csv, render_xlsx, safe_cell
from tests.conftest import RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_directory import enrol


def test_formulas_never_run_in_either_format() -> None:
    evil = '=HYPERLINK("http://evil","x")'
    table = Table(("a", "b", "c"), [(evil, "+79111234567", 5)])
    rows = list(csv.reader(io.StringIO(render_csv(table).decode("utf-8-sig"))))
    assert rows[1] == ["'" + evil, "'+79111234567", "5"]
    sheet = load_workbook(io.BytesIO(render_xlsx(table, "t"))).active
    assert sheet is not None
    assert sheet["A2"].value == evil and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "+79111234567" and sheet["C2"].value == 5
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("Иванова") == "Иванова"


async def test_admin_exports_candidates_as_xlsx_and_it_is_audited(running: RunningBot) -> None:
    first, second = running.user(), running.user()
    await enrol(first, "Первая Анна", "Союз соседей", "Гавань")
    await enrol(second, "Вторая Вера", "Гражданская инициатива", "Парнас")
    admin = running.admin()
    await running.gated(admin, "/export candidates plain")
    await admin.expect("без шифрования")
    sent = await admin.expect("Кандидатов: 2")
    document = sent["document"]
    path = (await running.emulator.call("getFile", {"file_id": document["file_id"]}))[1]
    data = running.emulator.file_bytes(path["result"]["file_path"])
    assert data is not None and document["file_name"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    phones = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Первая Анна", "Вторая Вера"}
    assert phones == {first.phone, second.phone}
    async with running.app.session_factory() as session:
        from sqlalchemy import select

        from bot.db.models import AuditEntry

        exports = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
        )
    assert len(exports) == 1 and exports[0].actor_id == admin.user_id
    assert exports[0].details == {"rows": 2, "format": "xlsx", "mode": "plain"}
    await admin.send("/export everything")
    await admin.expect("Формат: /export candidates")


async def test_a_coordinator_exports_only_their_scope(running: RunningBot) -> None:
    ours, theirs = running.user(), running.user()
    await enrol(ours, "Своя Анна", "Союз соседей", "Гавань")
    await enrol(theirs, "Чужая Вера", "Гражданская инициатива", "Парнас")
    coordinator = await running.coordinator("org:neighbours")
    await running.gated(coordinator, "/export candidates csv plain")
    sent = await coordinator.expect("Кандидатов: 1")
    path = (await running.emulator.call("getFile", {"file_id": sent["document"]["file_id"]}))[1]
    data = running.emulator.file_bytes(path["result"]["file_path"])
    assert data is not None
    text = data.decode("utf-8-sig")
    assert "Своя Анна" in text and "Чужая" not in text
    await ours.send("/export candidates")
    await ours.expect("Не знаю такой команды")


async def download(running: RunningBot, sent: dict[str, object]) -> bytes:
    document = sent["document"]
    assert isinstance(document, dict)
    path = (await running.emulator.call("getFile", {"file_id": document["file_id"]}))[1]
    data = running.emulator.file_bytes(path["result"]["file_path"])
    assert data is not None
    return data


async def unzip_export(running: RunningBot, user: VirtualUser, sent: dict[str, object]) -> bytes:
    """The one file of an encrypted export, opened with the password the bot showed once."""
    import re

    import pyzipper

    shown = (await user.expect("Пароль к архиву"))["text"]
    password = re.search(r"Пароль к архиву: (\S+)", shown)
    assert password is not None
    with pyzipper.AESZipFile(io.BytesIO(await download(running, sent))) as archive:
        (name,) = archive.namelist()
        return archive.read(name, pwd=password.group(1).encode())


async def test_by_default_an_export_is_an_encrypted_archive_with_a_one_time_password(
    running: RunningBot,
) -> None:
    import re

    import pyzipper

    user = running.user()
    await enrol(user, "Первая Анна", "Союз соседей", "Гавань")
    admin = running.admin()
    await running.gated(admin, "/export candidates csv")
    sent = await admin.expect("Кандидатов: 1")
    assert sent["document"]["file_name"].endswith(".zip")
    password_message = (await admin.expect("Пароль к архиву"))["text"]
    password = re.search(r"Пароль к архиву: (\S+)", password_message)
    assert password is not None
    data = await download(running, sent)
    assert "Первая Анна".encode() not in data and user.phone.encode() not in data
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        (name,) = archive.namelist()
        with pytest.raises(RuntimeError):
            archive.read(name, pwd=b"wrong-password")
        text = archive.read(name, pwd=password.group(1).encode()).decode("utf-8-sig")
    assert "Первая Анна" in text and user.phone in text


async def test_a_pseudonymised_export_has_no_names_and_masked_contacts(
    running: RunningBot,
) -> None:
    user = running.user()
    await enrol(user, "Первая Анна", "Союз соседей", "Гавань")
    admin = running.admin()
    await running.gated(admin, "/export candidates csv pseudo")
    sent = await admin.expect("Кандидатов: 1")
    text = (await download(running, sent)).decode("utf-8-sig")
    assert "Первая" not in text and user.phone not in text
    assert "К-" in text and user.phone[-2:] in text  # a stable pseudonym, a masked phone
    await running.gated(admin, "/export candidates csv pseudo")
    again = (await download(running, await admin.expect("Кандидатов: 1"))).decode("utf-8-sig")
    assert again.splitlines()[1].split(",")[1] == text.splitlines()[1].split(",")[1]
    await admin.send("/export candidates pseudo plain")
    await admin.expect("Формат: /export candidates")
