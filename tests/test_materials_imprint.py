"""The imprint of 67-ФЗ art. 54: its fields checked, the candidate's name declined for the fund
line, no final file while a field is missing, and the print runs' costs as the fund ledger
will take them."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Candidate, CandidateStatus, User
from bot.db.models.materials import LeafletVersion
from bot.db.uow import UnitOfWorkFactory
from bot.services import names
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.materials import (
    MaterialsService,
    MissingImprint,
    MissingParts,
    normalise_photo,
    print_run_costs,
)
from bot.services.materials_imprint import (
    BLANK,
    Imprint,
    clean_copies,
    clean_inn,
    clean_issued_on,
    clean_printer_address,
    genitive,
    imprint_text,
)
from tests.conftest import make_settings

MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("name", "declined"),
    [
        ("Иванова Мария Сергеевна", "Ивановой Марии Сергеевны"),
        ("Иванов Иван Иванович", "Иванова Ивана Ивановича"),
        ("Бондаренко Олег Петрович", "Бондаренко Олега Петровича"),
        ("Белых Анна Викторовна", "Белых Анны Викторовны"),
        ("Салтыков-Щедрин Михаил Евграфович", "Салтыкова-Щедрина Михаила Евграфовича"),
        ("Ткач Ольга Ивановна", "Ткач Ольги Ивановны"),
        ("Смирнов Алексей", "Смирнова Алексея"),
    ],
)
def test_the_fund_line_names_the_candidate_in_the_genitive(name: str, declined: str) -> None:
    assert genitive(name) == declined


def test_the_imprint_lists_what_is_missing_and_prints_blanks_in_a_draft() -> None:
    empty = Imprint()
    assert empty.missing("Иванова Мария Сергеевна") == [
        "printer_name",
        "printer_address",
        "printer_inn",
        "copies",
        "issued_on",
    ]
    assert Imprint().missing(None)[0] == "customer"
    partial = Imprint(printer_name="ООО «Нева»", copies=100)
    assert partial.missing("Иванова Мария Сергеевна") == [
        "printer_address",
        "printer_inn",
        "issued_on",
    ]
    text = imprint_text(partial, "Иванова Мария Сергеевна")
    assert "Изготовитель: ООО «Нева»" in text and f"ИНН {BLANK}" in text
    assert f"Дата выпуска {BLANK}" in text and "Тираж 100 экз." in text
    assert text.endswith("кандидата Ивановой Марии Сергеевны.")
    restored = Imprint.from_json(Imprint("a", "b", "7707083893", 5, date(2027, 7, 1)).to_json())
    assert restored == Imprint("a", "b", "7707083893", 5, date(2027, 7, 1))
    assert Imprint.from_json("garbage") == Imprint()


def test_imprint_fields_are_validated() -> None:
    assert clean_inn("7707 083 893") == "7707083893"
    assert clean_inn("500100732259") == "500100732259"  # a sole trader's 12 digits
    for bad, code in (("7707083894", "error-inn-checksum"), ("12345", "error-inn-format")):
        with pytest.raises(InputError) as caught:
            clean_inn(bad)
        assert caught.value.code == code
    assert clean_copies("5 000") == 5000
    for bad in ("0", "много", "-3", "100000000"):
        with pytest.raises(InputError):
            clean_copies(bad)
    assert clean_issued_on("25.07.2027") == date(2027, 7, 25)
    with pytest.raises(InputError):
        clean_issued_on("2027-07-25")
    with pytest.raises(InputError):
        clean_printer_address("СПб")  # no street and number


# --- the service, on a real database ------------------------------------------------------------


@pytest.fixture
async def uow_factory(data_dir: Path) -> AsyncIterator[UnitOfWorkFactory]:
    engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
    yield UnitOfWorkFactory(create_session_factory(engine))
    await engine.dispose()


@pytest.fixture
def cipher(data_dir: Path) -> FieldCipher:
    return FieldCipher(make_settings(data_dir).data_keys)


async def add_candidate(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher, user_id: int, name: str
) -> None:
    async with uow_factory() as uow:
        now = datetime(2027, 7, 20, tzinfo=UTC)
        uow.session.add(User(id=user_id, locale="ru", consent_at=now, consent_version="1"))
        await uow.session.flush()
        candidate = Candidate(user_id=user_id, status=CandidateStatus.REGISTERED)
        uow.session.add(candidate)
        await names.store(uow, cipher, candidate, name)


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (100, 100, 100)).save(buffer, "JPEG")
    return normalise_photo(buffer.getvalue())


async def test_no_print_file_while_an_imprint_field_is_missing(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    await add_candidate(uow_factory, cipher, 7001, "Иванов Иван Иванович")
    async with uow_factory() as uow:
        candidate = await uow.candidates.by_user(7001)
        assert candidate is not None
        service = MaterialsService(uow, cipher, candidate)
        leaflet = await service.create("a5")
        with pytest.raises(MissingParts) as parts:
            await service.make_file(leaflet.id, False, "Кандидат")
        assert parts.value.parts == ("photo", "bio", "points", "contacts")
        await service.set_photo(leaflet.id, photo(), False)
        await service.set_bio(leaflet.id, "Инженер, живу в округе двадцать лет.")
        await service.set_points(leaflet.id, "Дворы\nСкамейки\nСвет")
        await service.set_contacts(leaflet.id, "+7 911 000-00-00")
        await service.set_imprint(leaflet.id, "printer_name", "ООО «Типография Нева»")
        await service.set_imprint(leaflet.id, "copies", "2000")
        with pytest.raises(MissingImprint) as missing:
            await service.make_file(leaflet.id, True, "Кандидат")
        assert missing.value.fields == ("printer_address", "printer_inn", "issued_on")
        draft = await service.make_file(leaflet.id, False, "Кандидат")
        assert not draft.final
        text = " ".join(PdfReader(io.BytesIO(draft.rendered.pdf)).pages[0].extract_text().split())
        assert "ОБРАЗЕЦ" in text and "кандидата Иванова Ивана Ивановича" in text
        await service.set_imprint(leaflet.id, "printer_address", "190000, Санкт-Петербург, д. 1")
        await service.set_imprint(leaflet.id, "printer_inn", "7707083893")
        await service.set_imprint(leaflet.id, "issued_on", "25.07.2027")
        final = await service.make_file(leaflet.id, True, "Кандидат")
        assert final.final and final.number == 2
        with pytest.raises(InputError) as caught:
            await service.register_run(draft.version_id, "1000", MSK)
        assert caught.value.code == "materials-run-needs-final"
        await service.register_run(final.version_id, "15 000", MSK)
        with pytest.raises(InputError) as caught:
            await service.register_run(final.version_id, "15 000", MSK)
        assert caught.value.code == "materials-run-exists"
        costs = await print_run_costs(uow, candidate.id, cipher)
    assert [(c.item, c.issued_on, c.cost_kopecks) for c in costs] == [
        ("Листовка №1, версия 2", "2027-07-25", 1_500_000)
    ]
    assert costs[0].printer == "ООО «Типография Нева», ИНН 7707083893"
    async with uow_factory() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(LeafletVersion))
        assert count == 2
        assert (await print_run_costs(uow, candidate.id))[0].printer == ""  # no cipher, no name
