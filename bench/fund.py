"""The electoral fund's CPU and database work: QR codes, the printable card, statements.

    python bench/fund.py [--rows 5000] [--qr 100]

- qr: ГОСТ Р 56042 payloads with a donor's data rendered to PNG (what every supporter who
  opens a donation link waits for), timed per code;
- card: the printable donation card PDF with its QR code;
- parse: a bank statement of --rows rows read from CSV (Windows-1251) and from XLSX;
- import: the same statement written into a fresh migrated SQLite database through the real
  service (each row's donor checked against the per-donor cap, flags, return reminders), in
  one unit of work, then imported again (every row a duplicate, nothing added).

Everything runs in this process; the bot handlers call the same functions in a worker thread.
The last line is machine-readable (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.db.engine import create_engine, create_session_factory  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Candidate, CandidateStatus, User  # noqa: E402
from bot.db.models.fund import FundEntry  # noqa: E402
from bot.db.uow import UnitOfWorkFactory  # noqa: E402
from bot.documents import fund as printables  # noqa: E402
from bot.services import fund_checks, fund_qr, fund_statement, names  # noqa: E402
from bot.services.crypto import FieldCipher  # noqa: E402
from bot.services.geography import ensure_demo_data  # noqa: E402

BIC = "044030653"
DETAILS = fund_checks.BankDetails(
    "Иванова Мария Сергеевна (специальный избирательный счёт)",
    BIC,
    fund_checks.with_control_key(BIC, "40810810000000012345"),
    "30101810500000000653",
    "ПАО Сбербанк",
)
PAYER = fund_qr.Payer(
    "Петров", "Пётр", "Петрович", date(1980, 1, 2),
    "г. Санкт-Петербург, ул. Ленина, д. 1, кв. 2", "4010123456",
)  # fmt: skip
TZ = ZoneInfo("Europe/Moscow")
SURNAMES = ("Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Соколов", "Лебедев")
NAMES = ("Пётр", "Иван", "Сергей", "Андрей", "Олег", "Юрий", "Павел")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="statement rows (5000)")
    parser.add_argument("--qr", type=int, default=100, help="QR codes rendered (100)")
    return parser.parse_args(argv)


def statement_rows(count: int) -> list[list[object]]:
    """Donations from a few hundred people (some over the cap, some anonymous) and spending."""
    start = datetime.now(UTC).date() - timedelta(days=90)
    rows: list[list[object]] = [["Дата", "Сумма", "Плательщик", "Назначение платежа"]]
    for index in range(count):
        day = (start + timedelta(days=index % 60)).strftime("%d.%m.%Y")
        if index % 10 == 9:
            rows.append([day, f"-{1000 + index},50", "ООО Типография", f"Листовки, счёт {index}"])
            continue
        person = index % 300
        name = f"{SURNAMES[person % 7]} {NAMES[person // 7 % 7]} Петрович{person}"
        purpose = (
            f"Пожертвование, {1 + person % 28:02d}.0{1 + person % 9}.19{60 + person % 40} г.р.,"
            f" паспорт 40{person % 100:02d} {100000 + index}, г. Санкт-Петербург, ул. Ленина,"
            " д. 1, гражданство РФ"
        )
        payer = "" if index % 37 == 0 else name  # now and then a payment without a payer
        rows.append([day, f"{500 + index % 4000}", payer, purpose])
    return rows


def as_csv(rows: list[list[object]]) -> bytes:
    return "\n".join(";".join(str(v) for v in row) for row in rows).encode("cp1251")


def as_xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bench_qr(count: int) -> float:
    purpose = fund_qr.purpose("Иванова Мария Сергеевна", citizenship="РФ")
    started = time.perf_counter()
    for index in range(count):
        payload = fund_qr.build_payload(
            DETAILS, purpose=purpose, amount_kop=100_000 + index, payer=PAYER
        )
        fund_qr.render_png(payload)
    return (time.perf_counter() - started) * 1000 / count


def bench_card() -> float:
    png = fund_qr.render_png(fund_qr.build_payload(DETAILS, purpose="Пожертвование"))
    card = printables.CardContent(
        "Поддержите кандидата", "Иванова Мария Сергеевна", "Гавань, округ №2", png,
        "Наведите камеру", [("Счёт", DETAILS.account), ("БИК", BIC)], "Ссылка",
        "https://t.me/shtab_bot?start=don-abc", "Кто может жертвовать", ["Гражданин"] * 4, "",
    )  # fmt: skip
    started = time.perf_counter()
    for _ in range(10):
        printables.donation_card_pdf(card)
    return (time.perf_counter() - started) * 1000 / 10


async def bench_import(statement: fund_statement.Statement) -> tuple[float, float, int, int]:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'fund.db'}"
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(url)
        uow_factory = UnitOfWorkFactory(create_session_factory(engine))
        cipher = FieldCipher([Fernet.generate_key().decode()])
        now = datetime.now(UTC)
        async with uow_factory() as uow:
            await ensure_demo_data(uow)
            uow.session.add(User(id=1, locale="ru", consent_at=now, consent_version="bench"))
            await uow.session.flush()
            candidate = Candidate(user_id=1, status=CandidateStatus.REGISTERED)
            uow.session.add(candidate)
            await names.store(uow, cipher, candidate, "Иванова Мария Сергеевна")
        times = []
        for _ in range(2):
            started = time.perf_counter()
            async with uow_factory() as uow:
                found = await uow.candidates.by_user(1)
                assert found is not None
                report = await fund_statement.import_statement(
                    uow, cipher, found, await uow.geography.current_election(), statement,
                    actor_id=1, tz=TZ,
                )  # fmt: skip
            times.append(time.perf_counter() - started)
            if len(times) == 1:
                flagged = report.flagged
            else:
                assert report.donations == report.spending == 0, "a second import added rows"
        async with uow_factory() as uow:
            stored = int(
                await uow.session.scalar(select(func.count()).select_from(FundEntry)) or 0
            )
        await engine.dispose()
    return times[0], times[1], stored, flagged


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    qr_ms = bench_qr(args.qr)
    print(f"qr: {qr_ms:.1f} ms per code with donor data ({args.qr} codes)")
    card_ms = bench_card()
    print(f"card: {card_ms:.1f} ms per PDF")
    rows = statement_rows(args.rows)
    csv_data, xlsx_data = as_csv(rows), as_xlsx(rows)
    started = time.perf_counter()
    statement = fund_statement.read_statement(csv_data, "s.csv")
    csv_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    from_xlsx = fund_statement.read_statement(xlsx_data, "s.xlsx")
    xlsx_ms = (time.perf_counter() - started) * 1000
    assert len(statement.rows) == len(from_xlsx.rows) == args.rows
    print(f"parse: {args.rows} rows, CSV {csv_ms:.0f} ms ({len(csv_data) // 1024} KiB),"
          f" XLSX {xlsx_ms:.0f} ms ({len(xlsx_data) // 1024} KiB)")  # fmt: skip
    first, again, stored, flagged = asyncio.run(bench_import(statement))
    print(f"import: {stored} entries in {first:.2f} s, {flagged} flagged;"
          f" the same file again in {again:.2f} s, nothing added")  # fmt: skip
    ok = stored == args.rows
    print(
        f"RESULT qr_ms={qr_ms:.1f} card_pdf_ms={card_ms:.1f} rows={args.rows}"
        f" parse_csv_ms={csv_ms:.0f} parse_xlsx_ms={xlsx_ms:.0f}"
        f" import_rows_per_s={args.rows / first:.0f} reimport_s={again:.2f}"
        f" flagged={flagged} stored={stored}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
