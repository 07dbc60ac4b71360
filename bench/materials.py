"""Leaflet rendering: how long a print PDF and its preview take, and whether the bot stays
responsive while several candidates make files at once.

    python bench/materials.py [--runs 10] [--concurrent 8]

1. **per template**: `render_leaflet` (fit the texts, the PDF with an embedded 300 dpi photo,
   the PNG preview) for A5, A4 two-sided and the door hanger, --runs times each after one warm
   run; median and worst in ms.
2. **photo**: `normalise_photo` of a 12-megapixel JPEG as a phone sends it as a file (decode,
   turn upright, drop metadata, scale to 2400 px, re-encode).
3. **concurrent**: --concurrent renders started at once through `asyncio.to_thread` and the
   service's render slots (at most RENDER_SLOTS at a time), as the handler does, while a
   ticker on the event loop wakes every 10 ms and records how late it woke: the worst
   lateness is how long an update would wait behind the renders (the renders are Python code
   holding the GIL in turns, so the loop gets slices, not the whole CPU).

The last line is machine-readable (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from PIL import Image  # noqa: E402

from bot.documents.leaflets import LeafletSpec, render_leaflet  # noqa: E402
from bot.services.materials import RENDER_SLOTS, normalise_photo, render_in_slot  # noqa: E402
from bot.services.materials_imprint import Imprint, imprint_text  # noqa: E402

TICK = 0.01


def photo(width: int, height: int) -> bytes:
    # A gradient, not a flat colour: JPEG sizes and decode times close to a real photo's.
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def spec(template: str, portrait: bytes) -> LeafletSpec:
    name = "Иванова Мария Сергеевна"
    imprint = Imprint(
        "ООО «Типография Нева»",
        "190000, Санкт-Петербург, ул. Примерная, д. 1",
        "7707083893",
        5000,
        date(2027, 7, 25),
    )
    return LeafletSpec(
        template=template,
        name=name,
        subtitle="Кандидат в депутаты муниципального совета МО «Гавань», избирательный округ № 2",
        bio="Учитель математики в школе № 5, 15 лет веду кружок для подростков. " * 3,
        points=tuple(
            f"Пункт {n}: добиться ремонта дворов, освещения и новых скамеек у домов"
            for n in range(1, 6)
        ),
        contacts="+7 911 123-45-67 · vk.com/ivanova · ivanova@example.ru",
        imprint=imprint_text(imprint, name),
        photo=portrait,
        draft=False,
    )


def timed(function: object, *args: object, runs: int) -> list[float]:
    function(*args)  # type: ignore[operator]  # warm: fonts parsed, code paths loaded
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(*args)  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times


async def idle_lag(seconds: float = 2.0) -> float:
    """The ticker's worst lateness with nothing else running: the machine's own noise,
    to read the concurrent figure against."""
    worst = 0.0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        await asyncio.sleep(TICK)
        worst = max(worst, (time.perf_counter() - start - TICK) * 1000)
    return worst


async def concurrent(specs: list[LeafletSpec]) -> tuple[float, float, float]:
    """(seconds for all renders, 95th percentile and worst event-loop lateness in ms)."""
    late: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(TICK)
            late.append((time.perf_counter() - start - TICK) * 1000)

    ticking = asyncio.create_task(ticker())
    start = time.perf_counter()
    await asyncio.gather(*(asyncio.to_thread(render_in_slot, item) for item in specs))
    elapsed = time.perf_counter() - start
    done.set()
    await ticking
    late.sort()
    return elapsed, late[int(len(late) * 0.95)], late[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--concurrent", type=int, default=8)
    args = parser.parse_args()

    stored = normalise_photo(photo(3000, 4000))
    results: dict[str, float] = {}
    for template, key in (("a5", "a5"), ("a4_duplex", "a4"), ("door_hanger", "door")):
        times = timed(render_leaflet, spec(template, stored), runs=args.runs)
        results[f"{key}_ms"] = statistics.median(times)
        print(
            f"{template:12} median {statistics.median(times):7.1f} ms, "
            f"worst {max(times):7.1f} ms over {args.runs}"
        )
    phone = photo(3000, 4000)
    times = timed(normalise_photo, phone, runs=max(3, args.runs // 2))
    results["photo_ms"] = statistics.median(times)
    print(f"photo 12 MP ({len(phone) // 1024} KB) median {statistics.median(times):7.1f} ms")

    templates = ("a5", "a4_duplex", "door_hanger")
    specs = [spec(templates[i % 3], stored) for i in range(args.concurrent)]
    idle = asyncio.run(idle_lag())
    elapsed, lag_p95, lag = asyncio.run(concurrent(specs))
    print(
        f"{args.concurrent} concurrent renders in {elapsed:.2f} s "
        f"({args.concurrent / elapsed:.1f}/s); event loop late by {lag_p95:.1f} ms "
        f"(95th percentile), at most {lag:.1f} ms "
        f"(idle: {idle:.1f} ms)"
    )
    print(
        f"RESULT a5_ms={results['a5_ms']:.0f} a4_ms={results['a4_ms']:.0f} "
        f"door_ms={results['door_ms']:.0f} photo_ms={results['photo_ms']:.0f} "
        f"concurrent={args.concurrent} slots={RENDER_SLOTS} "
        f"renders_per_s={args.concurrent / elapsed:.2f} "
        f"loop_lag_p95_ms={lag_p95:.0f} loop_lag_max_ms={lag:.0f} idle_lag_max_ms={idle:.0f}"
    )


if __name__ == "__main__":
    main()
