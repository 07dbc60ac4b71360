"""The supporter base without the bot: files in, people out — malformed files refused whole,
re-imports idempotent, duplicates found across spellings, consents merged strictly, districts
through the address list, personal data never in the database file in the clear."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.models.addresses import Building
from bot.db.models.supporters import Supporter, SupporterMatch, SupporterSource
from bot.db.repositories.supporters import Visibility
from bot.db.uow import UnitOfWorkFactory
from bot.i18n import Catalog
from bot.services import supporters
from bot.services.addresses import address_key
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.keyring import Keyring
from bot.services.roles import Actor
from bot.services.roles import Scope as GrantScope
from bot.services.supporters_files import FileError, detect_mapping
from bot.services.supporters_records import display_name, name_key, normalise_phone
from tests.conftest import make_settings

HEADER = "ID,ФИО,Телефон,E-mail,Адрес,Дата рождения,Согласие на контакт,Рассылка\n"


@pytest.fixture
def cipher(data_dir: Path) -> FieldCipher:
    return FieldCipher(make_settings(data_dir).data_keys)


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(create_session_factory(engine))


async def run_import(
    uow_factory: UnitOfWorkFactory,
    cipher: FieldCipher,
    data: bytes,
    org: str = "civic",
    name: str = "list.csv",
    **options: object,
) -> supporters.ImportReport:
    async with uow_factory() as uow:
        return await supporters.import_file(
            uow, cipher, data, file_name=name, organisation_code=org, **options
        )  # type: ignore[arg-type]


async def count(uow_factory: UnitOfWorkFactory, model: type) -> int:
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def add_buildings(uow_factory: UnitOfWorkFactory, *addresses: tuple[str, str]) -> int:
    """Buildings of the current election in the first district of Гавань; its district id."""
    async with uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        formation = await uow.geography.formation_by_name(election.id, "Гавань")
        assert formation is not None
        district = formation.districts[0]
        for street, house in addresses:
            uow.addresses.add(
                Building(
                    election_id=election.id,
                    formation_id=formation.id,
                    district_id=district.id,
                    street=street,
                    house=house,
                    address_key=address_key(street, house),
                )
            )
        return district.id


# --- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["8 (921) 555-12-34", "+7 921 555 12 34", "89215551234", "9215551234", "7-921-555-12-34"],
)
def test_phones_in_any_format_become_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+79215551234"


def test_landlines_and_junk_go_through_phonenumbers() -> None:
    assert normalise_phone("8 (812) 315-12-34") == "+78123151234"
    assert normalise_phone("не звонить") is None
    assert normalise_phone("12345") is None


def test_names_are_ordered_and_compared_without_case_yo_order_or_diminutives() -> None:
    assert display_name("пётр семёнович фёдоров") == "Фёдоров Пётр Семёнович"
    assert display_name("Анна Светлова") == "Светлова Анна"
    assert name_key("Фёдоров Пётр Семёнович") == name_key("ПЕТР СЕМЕНОВИЧ ФЕДОРОВ")
    assert name_key("Наташа Ёлкина") == name_key("Елкина Наталья")


def test_columns_are_detected_from_russian_and_english_headers() -> None:
    ru = detect_mapping(["№", "Фамилия", "Имя", "Отчество", "Моб. телефон", "Эл. почта", "Д.Р."])
    assert ru == {
        "external_id": 0,
        "last_name": 1,
        "first_name": 2,
        "middle_name": 3,
        "phone": 4,
        "email": 5,
        "birth_date": 6,
    }
    en = detect_mapping(["Full name", "Mobile", "Home address", "Newsletter", "Notes"])
    assert en == {"full_name": 0, "phone": 1, "address": 2, "consent_news": 3}


async def test_a_mapping_can_be_overridden(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    data = "Кто,Чем связаться\nСветлова Анна,+79215551234\n".encode()
    with pytest.raises(FileError) as caught:
        await run_import(uow_factory, cipher, data)
    assert caught.value.code == "supporters-error-no-name-column"
    report = await run_import(
        uow_factory, cipher, data, override={"full_name": "Кто", "phone": "Чем связаться"}
    )
    assert (report.created, report.mapping["phone"]) == (1, "Чем связаться")


# --- malformed files -----------------------------------------------------------------------


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        ((HEADER + "1,Светлова Анна,89215551234,,,,да,да\n").encode("utf-16"), "a.csv",
         "supporters-error-encoding"),
        (b"PK\x03\x04 not really a workbook", "a.xlsx", "supporters-error-xlsx"),
        (b"", "a.csv", "supporters-error-empty"),
        (HEADER.encode() + b"1,x,89215551234,,,,,\n" * 2_600_000, "big.csv",
         "supporters-error-too-big"),
    ],
)  # fmt: skip
async def test_unreadable_files_are_refused_with_a_clear_reason(
    uow_factory: UnitOfWorkFactory,
    cipher: FieldCipher,
    catalog: Catalog,
    data: bytes,
    name: str,
    code: str,
) -> None:
    if code == "supporters-error-too-big":
        assert len(data) > 50 * 1024 * 1024
    with pytest.raises(FileError) as caught:
        await run_import(uow_factory, cipher, data, name=name)
    assert caught.value.code == code
    for locale in ("ru", "en"):
        assert catalog.text(locale, code, **caught.value.params)
    assert await count(uow_factory, Supporter) == 0


async def test_broken_rows_refuse_the_whole_file_with_row_numbers(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher, catalog: Catalog
) -> None:
    data = (
        HEADER
        + "1,Светлова Анна,89215551234,,,,да,да\n"
        + "2,Лишняя Ячейка,89215551235,,,,да,да,лишнее\n"  # row 3: one cell too many
        + "3,Петров Пётр,89215551236,,,,да,да\n"
        + '4,=HYPERLINK("http://evil"),89215551237,,,,да,да\n'  # row 5: a formula
        + "1,Повтор Номера,89215551238,,,,да,да\n"  # row 6: the id of row 2 again
    ).encode()
    report = await run_import(uow_factory, cipher, data)
    assert report.refused
    assert [(p.row, p.code) for p in report.problems] == [
        (3, "columns"),
        (5, "formula"),
        (6, "duplicate-id"),
    ]
    for problem in report.problems:
        text = catalog.text(
            "ru", supporters.PROBLEM_KEYS[problem.code], row=problem.row, column=""
        )
        assert f"Строка {problem.row}" in text
    assert await count(uow_factory, Supporter) == 0
    assert await count(uow_factory, SupporterSource) == 0


async def test_a_formula_in_an_xlsx_cell_is_reported_with_its_row(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    data = xlsx(
        [
            ["ФИО", "Телефон", "Рассылка"],
            ["Светлова Анна", "89215551234", "да"],
            ["Петров Пётр", "=1+1", "да"],
        ]
    )
    report = await run_import(uow_factory, cipher, data, name="list.xlsx")
    assert report.refused and [(p.row, p.code, p.column) for p in report.problems] == [
        (3, "formula", "Телефон")
    ]
    assert await count(uow_factory, Supporter) == 0


async def test_cp1251_with_semicolons_and_bad_values_are_warnings(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    data = (
        "Фамилия;Имя;Телефон;Почта\n"
        "Светлова;Анна;89215551234;не указана\n"
        "Петров;Пётр;нет;\n"
        "Пустой;;;\n"
    ).encode("cp1251")
    report = await run_import(uow_factory, cipher, data, dry_run=True)
    assert report.encoding == "cp1251" and not report.refused
    assert {(p.row, p.code) for p in report.problems} == {
        (2, "bad-email"),
        (3, "bad-phone"),
        (3, "skip-no-contact"),
        (4, "skip-no-contact"),
    }
    assert report.created == 1  # dry: counted, not written
    assert await count(uow_factory, Supporter) == 0


# --- identity ------------------------------------------------------------------------------


async def test_reimporting_the_same_file_changes_nothing(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    data = (
        HEADER
        + "A1,Светлова Анна,89215551234,anna@example.org,,01.02.1990,да,да\n"
        + "A2,Петров Пётр,89215551235,,,,нет,да\n"
    ).encode()
    first = await run_import(uow_factory, cipher, data)
    assert (first.created, first.merged) == (2, 0)
    again = await run_import(uow_factory, cipher, data)
    assert (again.created, again.merged, again.updated, again.unchanged) == (0, 0, 0, 2)
    assert await count(uow_factory, Supporter) == 2
    assert await count(uow_factory, SupporterSource) == 2
    changed = data.replace(b"A2,\xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2 "
                           b"\xd0\x9f\xd1\x91\xd1\x82\xd1\x80,89215551235,,,,\xd0\xbd\xd0\xb5\xd1\x82",
                           "A2,Петров Пётр,89215551235,,,,да".encode())  # fmt: skip
    assert changed != data
    third = await run_import(uow_factory, cipher, changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    async with uow_factory() as uow:
        petrov = await uow.supporters.by_index(
            phone=cipher.blind_index("+79215551235"), email=None
        )
        assert petrov is not None and petrov.consent_contact  # the organisation's new answer
    assert await count(uow_factory, Supporter) == 2


async def test_the_same_person_across_lists_in_every_spelling(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    await add_buildings(uow_factory, ("улица Садовая", "12"), ("Невский проспект", "28"))
    civic = (
        HEADER
        + "C1,Фёдоров Пётр Семёнович,8 (911) 000-11-22,,,,да,да\n"
        + 'C2,Ёлкина Наталья Викторовна,,,"ул. Садовая, д. 12, кв. 5",,да,да\n'
        + "C3,Светлова Анна,,Anna.Svetlova@Mail.RU,,,да,да\n"
        + "C4,Иванов Иван Петрович,,,Невский 28 кв 1,,да,да\n"
    ).encode()
    green = (
        "id,full name,phone,email,address\n"
        "G1,ПЕТР СЕМЕНОВИЧ ФЕДОРОВ,+79110001122,,\n"
        "G2,Наташа Елкина,,,Садовая 12 кв 5\n"
        "G3,Анна Светлова,,anna.svetlova@mail.ru,\n"
        "G4,Иванов Иван Сергеевич,,,Невский пр. 28 кв 9\n"
    ).encode()
    await run_import(uow_factory, cipher, civic)
    report = await run_import(uow_factory, cipher, green, org="green")
    assert (report.created, report.merged) == (1, 3)  # only the other Иван Иванов is new
    async with uow_factory() as uow:
        sources = {
            key: supporter
            for key, supporter in await uow.session.execute(
                select(SupporterSource.key, SupporterSource.supporter_id)
            )
        }
    assert sources["civic:C1"] == sources["green:G1"]  # phone formats, ё, order, case
    assert sources["civic:C2"] == sources["green:G2"]  # diminutive, ё, order: name + building
    assert sources["civic:C3"] == sources["green:G3"]  # e-mail case
    assert sources["civic:C4"] != sources["green:G4"]  # another patronymic: another man
    assert await count(uow_factory, Supporter) == 5


async def test_near_misses_go_to_the_review_queue_until_someone_decides(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    await add_buildings(uow_factory, ("улица Садовая", "12"))
    await run_import(
        uow_factory, cipher, (HEADER + "1,Кузнецова Мария,,,Садовая 12,,да,да\n").encode()
    )
    report = await run_import(
        uow_factory,
        cipher,
        (HEADER + "1,Кузнецов Марк,,,Садовая 12,,да,да\n").encode(),
        org="green",
    )
    assert (report.created, report.to_review) == (1, 1)
    admin = Actor(user_id=1, locale="ru", roles=frozenset({supporters_role("admin")}))
    async with uow_factory() as uow:
        review = await supporters.next_review(uow, cipher, admin)
        assert review is not None and {review.first.name, review.second.name} == {
            "Кузнецова Мария",
            "Кузнецов Марк",
        }
        await supporters.resolve_review(uow, admin, review.id, same=False)
    async with uow_factory() as uow:
        assert await supporters.next_review(uow, cipher, admin) is None
        match = await uow.session.scalar(select(SupporterMatch))
        assert match is not None and match.status == "distinct"
    assert await count(uow_factory, Supporter) == 2


def supporters_role(name: str) -> object:
    from bot.db.models import RoleName

    return RoleName(name)


async def test_merged_consent_is_the_strictest_and_names_the_organisation(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    await run_import(
        uow_factory, cipher, (HEADER + "1,Светлова Анна,89215551234,,,,да,да\n").encode()
    )
    await run_import(
        uow_factory,
        cipher,
        "ФИО,Телефон,Согласие на контакт,Волонтёр\nАнна Светлова,+79215551234,нет,да\n".encode(),
        org="green",
    )
    async with uow_factory() as uow:
        person = await uow.supporters.by_index(
            phone=cipher.blind_index("+79215551234"), email=None
        )
        assert person is not None
        civic = await uow.geography.organisation_by_code("civic")
        green = await uow.geography.organisation_by_code("green")
        assert civic and green
        assert (person.consent_contact, person.contact_org_id) == (False, None)  # one "no"
        assert (person.consent_news, person.news_org_id) == (True, civic.id)
        assert (person.consent_volunteer, person.volunteer_org_id) == (True, green.id)
        table = await supporters.export_table(uow, cipher, Visibility(everyone=True), None, "t")
    row = dict(zip(table.header, table.rows[0], strict=True))
    assert row["sources"] == "civic:1;green:2"  # green has no id column: its row number
    assert (row["name"], row["phone"], row["news_by"]) == (
        "Светлова Анна",
        "+79215551234",
        "civic",
    )


async def test_districts_come_from_the_address_list_and_the_rest_are_listed(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    district_id = await add_buildings(uow_factory, ("улица Кораблестроителей", "30"))
    data = (
        HEADER
        + '1,Светлова Анна,89215551234,,"ул. Кораблестроителей, д. 30, кв. 2",,да,да\n'
        + "2,Петров Пётр,89215551235,,Корабелстроителей 30 кв 7,,да,да\n"  # a typo
        + "3,Сидоров Олег,89215551236,,Несуществующая 1,,да,да\n"
    ).encode()
    report = await run_import(uow_factory, cipher, data)
    assert report.unassigned == 1
    async with uow_factory() as uow:
        people = list(await uow.session.scalars(select(Supporter).order_by(Supporter.id)))
        assert [p.district_id for p in people] == [district_id, district_id, None]
        admin = Actor(user_id=1, locale="ru", roles=frozenset({supporters_role("admin")}))
        unassigned = await supporters.listing(uow, cipher, admin, unassigned=True)
    assert [item.name for item in unassigned.items] == ["Сидоров Олег"]


# --- who sees whom -------------------------------------------------------------------------


async def test_scope_candidates_coordinators_and_forged_review_decisions(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    district_id = await add_buildings(uow_factory, ("улица Садовая", "12"))
    await run_import(
        uow_factory,
        cipher,
        (
            HEADER
            + "1,Согласная Анна,89215551201,,Садовая 12,,да,да\n"
            + "2,Несогласная Вера,89215551202,,Садовая 12,,нет,да\n"
            + "3,Другая Ольга,89215551203,,Литейный 1,,да,да\n"
        ).encode(),
    )
    await run_import(
        uow_factory,
        cipher,
        (
            HEADER
            + "1,Зелёная Ирина,89215551204,,Садовая 12,,да,да\n"
            + "2,Зелёная Ирена,89215551205,,Садовая 12,,да,да\n"
        ).encode(),
        org="green",
    )
    async with uow_factory() as uow:
        civic = await uow.geography.organisation_by_code("civic")
        assert civic is not None
        coordinator = Actor(
            user_id=7,
            locale="ru",
            roles=frozenset({supporters_role("coordinator")}),
            coordinator_scopes=(GrantScope(civic.id, None),),
        )
        page = await supporters.listing(uow, cipher, coordinator)
        assert {item.name for item in page.items} == {
            "Согласная Анна",
            "Несогласная Вера",
            "Другая Ольга",
        }
        assert all("***" in (item.phone or "") for item in page.items)  # masked in lists
        # A candidate of the district: only who agreed to be contacted by candidates.
        seen = Visibility(district_id=district_id)
        visible = await uow.supporters.page(seen, 0, 50)
        names = {cipher.decrypt(s.name_enc) for s in visible}
        assert names == {"Согласная Анна", "Зелёная Ирина", "Зелёная Ирена"}
        # The green pair is to review; the civic coordinator cannot see or decide it.
        match = await uow.session.scalar(select(SupporterMatch))
        assert match is not None
        assert await supporters.next_review(uow, cipher, coordinator) is None
        with pytest.raises(InputError):
            await supporters.resolve_review(uow, coordinator, match.id, same=True)
        nobody = Actor(user_id=8, locale="ru")
        with pytest.raises(InputError):
            await supporters.listing(uow, cipher, nobody)
    assert await count(uow_factory, Supporter) == 5
    async with uow_factory() as uow:
        from bot.db.models import AuditEntry

        actions = list(await uow.session.scalars(select(AuditEntry.action)))
    assert "supporters_listed" in actions


# --- encryption at rest --------------------------------------------------------------------


async def test_the_database_file_holds_no_supporter_data_in_the_clear(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher, engine: AsyncEngine, data_dir: Path
) -> None:
    data = (
        HEADER
        + "1,Светлова Анна Игоревна,+7 921 555-12-34,anna.svetlova@example.org,"
        + '"ул. Садовая, д. 12, кв. 5",03.04.1987,да,да\n'
    ).encode()
    report = await run_import(uow_factory, cipher, data)
    assert report.created == 1
    async with uow_factory() as uow:
        await supporters.add_supporter(
            uow,
            cipher,
            name="Соседова Дарья",
            phone="+79215550000",
            address="Садовая 12",
            consents={"contact": True},
            source="canvass:17",
        )
    await engine.dispose()  # everything on disk (the WAL is read too)
    raw = b"".join(path.read_bytes() for path in sorted(data_dir.glob("shtab.db*")))  # noqa: ASYNC240
    for secret in (
        "Светлова",
        "Анна Игоревна",
        "79215551234",
        "921 555",
        "anna.svetlova",
        "example.org",
        "Садовая",
        "1987-04-03",
        "03.04.1987",
        "Соседова",
        "79215550000",
    ):
        assert secret.encode() not in raw, secret
    async with uow_factory() as uow:
        table = await supporters.export_table(uow, cipher, Visibility(everyone=True), None, "t")
    names = {row[1] for row in table.rows}
    assert names == {"Светлова Анна Игоревна", "Соседова Дарья"}


def test_import_and_export_by_the_command_line(data_dir: Path, tmp_path: Path) -> None:
    from bot.__main__ import main

    source = tmp_path / "list.csv"
    source.write_text(HEADER + "X-1,Светлова Анна,89215551234,,,,да,да\n", encoding="utf-8")
    settings = make_settings(data_dir)
    assert settings.data_key is not None
    environment = {
        "DATABASE_URL": settings.database_url,
        "DATA_KEY": settings.data_key.get_secret_value(),
        "DATA_DIR": str(data_dir),
    }
    out = tmp_path / "out.csv"
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment.items():
            patch.setenv(key, value)
        assert main(["import-supporters", str(source), "--org", "civic", "--dry-run"]) == 0
        assert main(["export-supporters", "--out", str(out)]) == 0
        assert out.read_text(encoding="utf-8-sig").count("\n") == 1  # the header: dry run
        assert main(["import-supporters", str(source), "--org", "civic"]) == 0
        assert main(["import-supporters", str(source), "--org", "nobody"]) == 2
        assert main(["export-supporters", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(r["name"], r["phone"], r["sources"]) for r in rows] == [
        ("Светлова Анна", "'+79215551234", "civic:X-1")  # "+..." is guarded against formulas
    ]
    # What the command line wrote belongs to the bot's key hierarchy: the bot finds the
    # person by its own blind index and reads the name with its own keys.
    assert asyncio.run(_read_as_the_bot(settings, "+79215551234")) == "Светлова Анна"


async def _read_as_the_bot(settings: Settings, phone: str) -> str | None:
    engine = create_engine(settings.database_url)
    try:
        factory = UnitOfWorkFactory(create_session_factory(engine))
        keyring = Keyring(settings.data_keys, factory)
        await keyring.load()
        async with factory() as uow:
            found = await uow.supporters.by_index(
                phone=keyring.cipher.blind_index(phone), email=None
            )
            assert found is not None and found.name_enc is not None
            assert found.name_enc.startswith("e1.")  # a data key's token, not DATA_KEY's own
            return keyring.cipher.decrypt(found.name_enc)
    finally:
        await engine.dispose()


async def test_an_import_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    """The bulk writes speak each driver's own parameter style: PostgreSQL too."""
    cipher = FieldCipher(make_settings(tmp_path).data_keys)
    engine = create_engine(postgres_url)
    factory = UnitOfWorkFactory(create_session_factory(engine))
    try:
        data = (
            HEADER
            + "1,Светлова Анна,89215551234,anna@example.org,,01.02.1990,да,да\n"
            + "2,Петров Пётр,89215551235,,,,нет,да\n"
        ).encode()
        first = await run_import(factory, cipher, data)
        again = await run_import(factory, cipher, data)
        green = "ФИО,Телефон\nАнна Светлова,+79215551234\n".encode()
        merged = await run_import(factory, cipher, green, org="green")
        async with factory() as uow:
            table = await supporters.export_table(
                uow, cipher, Visibility(everyone=True), None, "t"
            )
            stored = await uow.supporters.get(int(str(table.rows[0][0])))
            assert stored is not None and stored.created_at.tzinfo is not None
    finally:
        await engine.dispose()
    assert (first.created, again.unchanged, merged.merged) == (2, 2, 1)
    assert sorted(str(row[-1]) for row in table.rows) == ["civic:1;green:2", "civic:2"]


async def test_joining_in_the_bot_finds_the_imported_record_and_forget_me_erases_it_all(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    from bot.services import privacy

    await run_import(
        uow_factory, cipher, (HEADER + "1,Светлова Анна,89215551234,,,,да,да\n").encode()
    )
    await run_import(
        uow_factory, cipher, "ФИО,Телефон\nАнна Светлова,+79215551234\n".encode(), org="green"
    )
    async with uow_factory() as uow:
        await supporters.ensure_user(uow, 4242, "ru")
        joined = await supporters.add_supporter(
            uow,
            cipher,
            name="Светлова Анна Игоревна",
            phone="+79215551234",
            consents={"contact": False, "volunteer": True, "news": True},
            source=supporters.OWN_SOURCE,
            user_id=4242,
        )
        # The person's own answer beats the organisation's "yes" to contact.
        assert (joined.consent_contact, joined.consent_volunteer) == (False, True)
        assert cipher.decrypt(joined.name_enc) == "Светлова Анна Игоревна"
        keys = [s.key for s in (await uow.supporters.sources([joined.id]))[joined.id]]
    assert keys == ["civic:1", "green:2", f"self:{joined.id}"]
    assert await count(uow_factory, Supporter) == 1
    async with uow_factory() as uow:
        await privacy.forget(uow, cipher, 4242)
    assert await count(uow_factory, Supporter) == 0
    assert await count(uow_factory, SupporterSource) == 0


def test_the_bench_generator_and_scorer_work_on_a_small_set(tmp_path: Path) -> None:
    """bench/supporters.py is measured, not tested; this keeps its generator from rotting."""
    from bench.supporters import STYLES, _pair_scores, generate

    counts = generate(tmp_path, rows=300, seed=7)
    assert sum(counts.values()) == 300 and set(counts) == {s.code for s in STYLES}
    truth = list(csv.DictReader(io.StringIO((tmp_path / "truth.csv").read_text("utf-8"))))
    assert len(truth) == 300 and len({row["person"] for row in truth}) < 300  # overlaps
    perfect = {row["source"]: int(row["person"]) for row in truth}
    assert _pair_scores(tmp_path / "truth.csv", perfect) == (1.0, 1.0)
    apart = {row["source"]: index for index, row in enumerate(truth)}
    assert _pair_scores(tmp_path / "truth.csv", apart)[1] == 0.0
