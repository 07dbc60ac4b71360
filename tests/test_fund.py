"""The fund's rules without Telegram: control keys, ГОСТ Р 56042 QR codes read back by a real
decoder, the ledger's flags, and statements that try to break the import."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
import zxingcpp
from openpyxl import Workbook
from PIL import Image

from bot.db.models.fund import DonorType, Flag
from bot.i18n import Catalog
from bot.services import fund, fund_checks, fund_donor, fund_qr, fund_statement, names
from bot.services.election import ElectionConfig
from bot.services.errors import InputError

SBER_SPB_BIC = "044030653"
SBER_SPB_CORR = "30101810500000000653"
SBER_MSK_BIC = "044525225"
SBER_MSK_CORR = "30101810400000000225"
ACCOUNT = fund_checks.with_control_key(SBER_SPB_BIC, "40810810000000012345")


def details(**overrides: str | None) -> fund_checks.BankDetails:
    values: dict[str, str | None] = {
        "payee_name": "Иванова Мария Сергеевна (специальный избирательный счёт)",
        "bic": SBER_SPB_BIC,
        "account": ACCOUNT,
        "corr_account": SBER_SPB_CORR,
        "bank_name": "Северо-Западный банк ПАО Сбербанк",
        "payee_inn": "500100732259",
        "kpp": None,
    }
    values.update(overrides)
    return fund_checks.BankDetails(**values)  # type: ignore[arg-type]


def mistype(number: str, position: int) -> str:
    digit = int(number[position])
    return number[:position] + str((digit + 1) % 10) + number[position + 1 :]


# --- control keys ----------------------------------------------------------------------------


def test_well_formed_details_pass() -> None:
    checked = fund_checks.check_details(details(account=" ".join([ACCOUNT[:5], ACCOUNT[5:]])))
    assert checked.account == ACCOUNT and checked.corr_account == SBER_SPB_CORR
    assert fund_checks.corr_key_ok(SBER_MSK_BIC, SBER_MSK_CORR)
    msk = fund_checks.with_control_key(SBER_MSK_BIC, "40703810000000000001")
    assert fund_checks.normalise_account(msk, SBER_MSK_BIC) == msk
    # A clearing-currency account may carry a letter as its 6th character.
    lettered = ACCOUNT[:5] + "А" + ACCOUNT[6:]
    if ACCOUNT[5] == "0":
        assert fund_checks.normalise_account(lettered, SBER_SPB_BIC) == ACCOUNT


@pytest.mark.parametrize("position", range(20))
def test_any_single_mistyped_digit_of_the_account_is_caught(position: int) -> None:
    with pytest.raises(InputError) as caught:
        fund_checks.normalise_account(mistype(ACCOUNT, position), SBER_SPB_BIC)
    assert caught.value.code in ("fund-error-account-key", "fund-error-account-is-corr")


@pytest.mark.parametrize("position", range(3, 17))
def test_a_mistyped_digit_of_the_correspondent_account_is_caught(position: int) -> None:
    with pytest.raises(InputError) as caught:
        fund_checks.normalise_corr_account(mistype(SBER_SPB_CORR, position), SBER_SPB_BIC)
    assert caught.value.code == "fund-error-corr-key"


def test_the_account_does_not_match_another_banks_bic() -> None:
    with pytest.raises(InputError) as caught:
        fund_checks.check_details(details(bic=SBER_MSK_BIC, corr_account=SBER_MSK_CORR))
    assert caught.value.code == "fund-error-account-key"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("bic", "04403065", "fund-error-bic-format"),
        ("bic", "144030653", "fund-error-bic-country"),
        ("account", "4081081000000001234", "fund-error-account-format"),
        ("account", SBER_SPB_CORR, "fund-error-account-is-corr"),
        ("corr_account", "40101810500000000653", "fund-error-corr-prefix"),
        ("corr_account", "30101810400000000225", "fund-error-corr-bic"),
        ("payee_inn", "500100732258", "fund-error-inn-checksum"),
        ("payee_inn", "12345", "fund-error-inn-format"),
        ("kpp", "7842010", "fund-error-kpp-format"),
        ("payee_name", "Иванова | Мария", "fund-error-pipe"),
    ],
)
def test_each_wrong_field_is_named(field: str, value: str, code: str, catalog: Catalog) -> None:
    with pytest.raises(InputError) as caught:
        fund_checks.check_details(details(**{field: value}))
    assert caught.value.code == code
    names = {
        "bic": "БИК",
        "account": "счёт",
        "corr_account": "орреспондентский",
        "payee_inn": "ИНН получателя",
        "kpp": "КПП",
        "payee_name": "|",
    }
    text = catalog.text("ru", code, **caught.value.params)
    assert names[field].lower() in text.lower()


def test_the_correspondent_account_may_be_absent() -> None:
    assert fund_checks.normalise_corr_account("0", SBER_SPB_BIC) == "0"


# --- QR codes --------------------------------------------------------------------------------


def decode(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "exactly one QR code in the image"
    return found[0].text


def test_a_donation_qr_decodes_to_the_same_fields_with_cyrillic_and_donor_data() -> None:
    payer = fund_qr.Payer(
        last_name="Салтыков-Щедрин",
        first_name="Ёжик",
        middle_name="Вениаминович",
        birth_date=date(1979, 2, 28),
        address="г. Санкт-Петербург, Васильевский остров, 11-я линия, д. 36, лит. А, кв. 147",
        passport="4010123456",
    )
    long_name = "Константинопольская-Преображенская Анастасия-Мария Вениаминовна"
    purpose = fund_qr.purpose(long_name, citizenship="РФ")
    assert purpose.startswith(fund_qr.PURPOSE_START) and len(purpose) <= fund_qr.MAX_PURPOSE
    payload = fund_qr.build_payload(details(), purpose=purpose, amount_kop=1_500_050, payer=payer)
    fields = fund_qr.parse_payload(decode(fund_qr.render_png(payload)))
    assert list(fields)[:5] == ["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"]
    assert fields["Name"] == details().payee_name
    assert fields["PersonalAcc"] == ACCOUNT and fields["BIC"] == SBER_SPB_BIC
    assert fields["CorrespAcc"] == SBER_SPB_CORR and fields["PayeeINN"] == "500100732259"
    assert fields["Sum"] == "1500050" and fields["Purpose"] == purpose
    assert fields["LastName"] == "Салтыков-Щедрин" and fields["FirstName"] == "Ёжик"
    assert fields["MiddleName"] == "Вениаминович" and fields["BirthDate"] == "28.02.1979"
    assert fields["PayerAddress"] == payer.address
    assert fields["PayerIdType"] == "01" and fields["PayerIdNum"] == "4010123456"


def test_the_purpose_declines_the_name_and_stays_within_160() -> None:
    assert fund_qr.purpose("Иванова Мария Сергеевна") == (
        "Добровольное пожертвование в избирательный фонд кандидата Ивановой Марии Сергеевны"
    )
    very_long = "Ааааааааааааааааааааааааааааааааааааааааааааааааааааааааа Бббббб Вввввввич"
    assert len(fund_qr.purpose(very_long, citizenship="РФ")) <= fund_qr.MAX_PURPOSE


def test_a_value_with_the_separator_switches_separators_and_round_trips() -> None:
    payload = fund_qr.build_payload(details(), purpose="Пожертвование | кандидату")
    assert payload.startswith("ST00012#")
    assert fund_qr.parse_payload(decode(fund_qr.render_png(payload)))["Purpose"] == (
        "Пожертвование | кандидату"
    )


def test_a_payload_without_the_mandatory_fields_in_order_is_refused() -> None:
    with pytest.raises(fund_qr.PayloadError):
        fund_qr.parse_payload("ST00012|BIC=044030653|Name=x")
    with pytest.raises(fund_qr.PayloadError):
        fund_qr.parse_payload("ST00011|Name=x")


# --- the supporter's details -----------------------------------------------------------------


def test_donor_details_are_parsed_and_wrong_lines_are_named() -> None:
    text = "\n".join(
        ["петров пётр петрович", "02.01.1980", "г. Санкт-Петербург, ул. Ленина, д. 1",
         "4010 123456", "Россия"]
    )  # fmt: skip
    payer = fund_donor.parse_payer(text, date(2027, 9, 19))
    assert (payer.last_name, payer.first_name, payer.middle_name) == ("Петров", "Пётр", "Петрович")
    assert payer.passport == "4010123456"
    with pytest.raises(InputError) as caught:
        fund_donor.parse_payer(text.replace("4010 123456", "4010 12345"), date(2027, 9, 19))
    assert caught.value.code == "fund-donor-bad-passport"
    with pytest.raises(fund_donor.NotEligible) as refused:
        fund_donor.parse_payer(text.replace("02.01.1980", "20.09.2009"), date(2027, 9, 19))
    assert refused.value.code == "fund-no-adult"
    with pytest.raises(fund_donor.NotEligible):
        fund_donor.parse_payer(text.replace("Россия", "Франция"), date(2027, 9, 19))


# --- ledger rules ----------------------------------------------------------------------------


def test_money_parsing_and_display() -> None:
    assert fund.parse_money("5 000") == 500_000
    assert fund.parse_money("1500,5") == 150_050
    assert fund.rub(150_050) == "1\u00a0500,50\u00a0₽"
    for bad in ("", "-5", "0", "1,234,5", "abc", "1e5"):
        with pytest.raises(InputError):
            fund.parse_money(bad)


def test_flags_anonymous_ineligible_and_over_the_cap() -> None:
    config = ElectionConfig(donation_cap_citizen_rub=15_000, fund_limit_rub=1_000_000)
    citizen = fund.Donor(DonorType.CITIZEN, "Петров Пётр", date(1980, 1, 2))
    assert fund.judge(citizen, 1_000_000, 0, config) == (None, 0)
    assert fund.judge(citizen, 1_000_000, 1_000_000, config) == (Flag.OVER_CAP, 500_000)
    incomplete = fund.Donor(DonorType.CITIZEN, "Петров Пётр", complete=False)
    assert fund.judge(incomplete, 100, 0, config) == (Flag.ANONYMOUS, 100)
    foreign = fund.Donor(DonorType.CITIZEN, "Петров Пётр", date(1980, 1, 2), eligible=False)
    assert fund.judge(foreign, 100, 0, config) == (Flag.INELIGIBLE, 100)
    assert fund.judge(fund.Donor(DonorType.OWN), 10**9, 0, config) == (None, 0)
    # The same person however they type their name.
    assert fund.donor_key(citizen) == fund.donor_key(
        fund.Donor(DonorType.CITIZEN, "  петров   ПЁТР ", date(1980, 1, 2))
    )


def test_every_label_table_names_existing_messages(catalog: Catalog) -> None:
    from bot.handlers import fund_details, fund_views

    keys = [
        *fund_details.SETUP_PROMPTS.values(),
        *fund_views.DONOR_TYPE_LABELS.values(),
        *fund_views.FLAG_LABELS.values(),
        *fund_views.FLAG_SHORT.values(),
        *(q.ask for q in fund_donor.QUESTIONS),
        *(q.refusal for q in fund_donor.QUESTIONS),
    ]
    for locale in ("ru", "en"):
        assert set(keys) <= catalog.message_ids(locale)


# --- statements ------------------------------------------------------------------------------

HEADER = "Дата;Сумма;Плательщик;Назначение платежа\n"
GOOD_ROW = (
    "05.07.2027;5 000,00;Петров Пётр Петрович;Пожертвование, 02.01.1980 г.р., паспорт 4010 123456,"
    " г. Санкт-Петербург, ул. Ленина, д. 1, гражданство РФ\n"
)


def test_a_cp1251_csv_statement_is_read() -> None:
    text = HEADER + GOOD_ROW + "06.07.2027;-1 200,50;Типография;Подписные листы\n"
    statement = fund_statement.read_statement(text.encode("cp1251"), "выписка.csv")
    assert [r.amount_kop for r in statement.rows] == [500_000, -120_050]
    donor = fund_statement.donor_from(statement.rows[0], "Иванова Мария Сергеевна")
    assert donor.type is DonorType.CITIZEN and donor.complete
    assert donor.birth_date == date(1980, 1, 2)


def test_broken_rows_are_all_reported_with_their_numbers() -> None:
    text = (
        HEADER
        + GOOD_ROW
        + "32.07.2027;100;Сидоров Сидор;x\n"
        + "07.07.2027;сто рублей;Сидоров Сидор;x\n"
        + '08.07.2027;=1+1;Сидоров Сидор;"=HYPERLINK(""http://evil"")"\n'
    )
    with pytest.raises(fund_statement.StatementError) as caught:
        fund_statement.read_statement(text.encode(), "s.csv")
    assert [(e.row, e.code) for e in caught.value.errors] == [
        (3, "fund-import-bad-date"),
        (4, "fund-import-bad-amount"),
        (5, "fund-import-formula"),
    ]


def test_hostile_files_are_refused_with_a_reason() -> None:
    utf16 = (HEADER + GOOD_ROW).encode("utf-16")
    with pytest.raises(fund_statement.StatementError) as caught:
        fund_statement.read_statement(utf16, "s.csv")
    assert caught.value.errors[0].code == "fund-import-encoding"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (fund_statement.MAX_UNZIPPED + 1))
    assert len(bomb.getvalue()) < 200_000  # small on the wire, 40 MB unpacked
    with pytest.raises(fund_statement.StatementError) as caught:
        fund_statement.read_statement(bomb.getvalue(), "s.xlsx")
    assert caught.value.errors[0].code == "fund-import-too-big"
    with pytest.raises(fund_statement.StatementError) as caught:
        fund_statement.read_statement(b"x" * (fund_statement.MAX_BYTES + 1), "s.csv")
    assert caught.value.errors[0].code == "fund-import-too-big"
    with pytest.raises(fund_statement.StatementError) as caught:
        fund_statement.read_statement(b"PK\x03\x04 not really a zip", "s.xlsx")
    assert caught.value.errors[0].code == "fund-import-broken"
    with pytest.raises(fund_statement.StatementError) as caught:
        fund_statement.read_statement(b"a;b\n1;2\n", "s.csv")
    assert caught.value.errors[0].code == "fund-import-columns"
    with pytest.raises(fund_statement.StatementError) as caught:
        fund_statement.read_statement(b"%PDF-1.4", "s.pdf")
    assert caught.value.errors[0].code == "fund-import-format"


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_statement_with_credit_and_debit_columns_and_a_formula() -> None:
    good = xlsx(
        [
            ["Выписка по счёту"],
            ["Дата", "Приход", "Расход", "Контрагент", "Назначение"],
            [date(2027, 7, 5), 3000, None, "ООО Ромашка ИНН 7707083893", "Пожертвование"],
            ["06.07.2027", None, "150.5", "Типография", "Листовки"],
        ]
    )
    statement = fund_statement.read_statement(good, "s.xlsx")
    assert [(r.row, r.amount_kop) for r in statement.rows] == [(3, 300_000), (4, -15_050)]
    assert fund_statement.donor_from(statement.rows[0], None).type is DonorType.LEGAL
    evil = xlsx([["Дата", "Сумма"], ["05.07.2027", "=SUM(1,2)"]])
    with pytest.raises(fund_statement.StatementError) as caught:
        fund_statement.read_statement(evil, "s.xlsx")
    assert [(e.row, e.code) for e in caught.value.errors] == [(2, "fund-import-formula")]


@pytest.mark.postgres
async def test_a_statement_imports_on_postgres_with_its_reminders(postgres_url: str) -> None:
    """The bulk paths (staged rows, one insert of outbox rows) on the production database."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from bot.db.engine import create_engine, create_session_factory
    from bot.db.models import Candidate, CandidateStatus, Reminder, User
    from bot.db.models.fund import FundEntry
    from bot.db.uow import UnitOfWorkFactory
    from bot.services.clock import FrozenClock, reset_clock, set_clock
    from bot.services.crypto import FieldCipher
    from tests.conftest import DATA_KEY

    set_clock(FrozenClock(datetime(2027, 7, 10, 7, 0, tzinfo=UTC)))

    engine = create_engine(postgres_url)
    uow_factory = UnitOfWorkFactory(create_session_factory(engine))
    cipher = FieldCipher([DATA_KEY])
    now = datetime(2027, 7, 10, tzinfo=UTC)
    text = HEADER + GOOD_ROW + GOOD_ROW.replace("5 000,00", "12 000") + "06.07.2027;1;;x\n"
    statement = fund_statement.read_statement(text.encode(), "s.csv")
    try:
        async with uow_factory() as uow:
            uow.session.add(User(id=7, locale="ru", consent_at=now, consent_version="t"))
            await uow.session.flush()
            candidate = Candidate(user_id=7, status=CandidateStatus.REGISTERED)
            uow.session.add(candidate)
            await names.store(uow, cipher, candidate, "Иванова Мария")
            report = await fund_statement.import_statement(
                uow, cipher, candidate, await uow.geography.current_election(), statement,
                actor_id=7, tz=ZoneInfo("Europe/Moscow"),
            )  # fmt: skip
        assert (report.donations, report.flagged) == (3, 2)
        async with uow_factory() as uow:
            again = await fund_statement.import_statement(
                uow, cipher, candidate, None, statement, actor_id=7, tz=ZoneInfo("Europe/Moscow")
            )
            flags = list(await uow.session.scalars(select(FundEntry.flag).order_by(FundEntry.id)))
            reminders = await uow.session.scalar(
                select(func.count()).select_from(Reminder).where(Reminder.kind == "fund_return")
            )
        assert again.duplicates == 3 and again.donations == 0
        assert flags == [None, Flag.OVER_CAP, Flag.ANONYMOUS] and reminders == 8
    finally:
        reset_clock()
        await engine.dispose()
