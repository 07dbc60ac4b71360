"""Nomination documents: time per generated document and peak memory.

    python bench/documents.py [--packages 20]

Renders `--packages` full packages (statement, income declaration, signature sheet, cover
list) for varied candidates, each document the way DocumentsService.generate makes it: render
with fpdf2, hash, encrypt. Reports the median and p95 milliseconds per document (target: median
under 150 ms), per kind, and the peak of Python allocations while one package is made (measured
in a separate pass: tracemalloc slows the timed runs down). The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from bot.documents.nomination import RENDERERS, Declaration, NominationData, kinds  # noqa: E402
from bot.services.crypto import FieldCipher  # noqa: E402
from bot.services.documents_names import Form, FullName, decline, detect_sex  # noqa: E402

TARGET_MS = 150.0
NAMES = ("Иванов Иван Иванович", "Петрова Анна Сергеевна", "Салтыков-Щедрин Михаил Евграфович",
         "Бондаренко Ольга Петровна", "Белых Андрей Ильич")  # fmt: skip


def candidate(number: int) -> NominationData:
    name = FullName.parse(NAMES[number % len(NAMES)])
    sex = detect_sex(name)
    assert sex is not None
    return NominationData(
        version=number + 1,
        generated_at=datetime(2027, 6, 22, 9, tzinfo=UTC),
        name=str(name),
        name_genitive=decline(name, Form.GENITIVE, sex),
        name_instrumental=decline(name, Form.INSTRUMENTAL, sex),
        female=sex.value == "f",
        birth_date="07.03.1985",
        birth_place="гор. Ленинград",
        address=f"г. Санкт-Петербург, ул. Наличная, д. {number + 1}, корп. 1, кв. 12",
        locality="г. Санкт-Петербург",
        passport_series="40 12",
        passport_number=f"{100000 + number}",
        passport_issued="15.04.2012",
        passport_issuer="ТП № 12 отдела УФМС России по Санкт-Петербургу и Ленинградской обл. "
        "в Василеостровском р-не",
        passport_division="780-012",
        inn="500100732259",
        snils="112-233-445 95",
        citizenship="Российская Федерация",
        education="Санкт-Петербургский государственный университет, 2007, диплом ВСГ 1234567",
        work="ГБОУ средняя общеобразовательная школа № 5, учитель истории",
        deputy_council="депутат МС МО Гавань" if number % 3 == 0 else None,
        criminal="ч. 1 ст. 158 УК РФ, погашена 12.05.2015" if number % 5 == 0 else None,
        party_membership=None,
        nominating_party="Зелёные" if number % 2 else None,
        election_name="Выборы депутатов муниципальных советов",
        election_day=date(2027, 9, 19),
        formation="Гавань",
        district_number=2,
        seats=3,
        declaration=Declaration(
            2026,
            income=(("ГБОУ СОШ № 5, зарплата", "850000.00"), ("ПАО Сбербанк", "1200.50")),
            real_estate=("квартира, Санкт-Петербург, 54,2 кв. м",),
            accounts=(("ПАО Сбербанк, счёт 40817810000000000001", "15000.00"),),
        ),
    )


def make(kind: str, data: NominationData, cipher: FieldCipher) -> int:
    pdf = RENDERERS[kind](data)
    hashlib.sha256(pdf).hexdigest()
    cipher.encrypt_bytes(pdf)
    return len(pdf)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packages", type=int, default=20)
    args = parser.parse_args()
    cipher = FieldCipher([Fernet.generate_key().decode()])
    make("statement", candidate(0), cipher)  # warm-up: imports, the declension rules
    per_kind: dict[str, list[float]] = {}
    cpu: list[float] = []  # CPU time: what the document costs when the machine is shared
    sizes: list[int] = []
    for number in range(args.packages):
        data = candidate(number)
        for kind in kinds(data):
            started, started_cpu = time.perf_counter(), time.process_time()
            sizes.append(make(kind, data, cipher))
            per_kind.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    tracemalloc.start()
    data = candidate(1)
    for kind in kinds(data):
        make(kind, data, cipher)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    everything = [ms for values in per_kind.values() for ms in values]
    median = statistics.median(everything)
    p95 = statistics.quantiles(everything, n=20)[-1] if len(everything) >= 20 else max(everything)
    print(f"{len(everything)} documents from {args.packages} packages")
    for kind, values in per_kind.items():
        print(
            f"  {kind:<12} median {statistics.median(values):6.1f} ms  max {max(values):6.1f} ms"
        )
    print(f"median {median:.1f} ms, p95 {p95:.1f} ms per document (target < {TARGET_MS:.0f} ms)")
    print(f"average size {statistics.mean(sizes) / 1024:.1f} KiB; peak Python memory per package "
          f"{peak / 2**20:.1f} MB")  # fmt: skip
    cpu_median = statistics.median(cpu)
    print(f"CPU time per document: median {cpu_median:.1f} ms")
    print(
        f"RESULT median_ms={median:.1f} p95_ms={p95:.1f} cpu_median_ms={cpu_median:.1f} "
        f"peak_mb={peak / 2**20:.1f}"
    )
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
