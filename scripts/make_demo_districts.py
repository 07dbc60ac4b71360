"""Build bot/data/spb_demo_districts.csv from the list of St. Petersburg's municipal formations.

The source has no split into electoral districts, so this INVENTS one, deterministically:
2 districts for up to 10 polling stations, 3 for up to 20, 4 above; up to 5 seats each;
about 2,000 voters per polling station. Every row says it is invented.
Usage: python scripts/make_demo_districts.py SOURCE.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

VOTERS_PER_STATION = 2000
SEAT_PLANS = {2: [5, 5], 3: [4, 3, 3], 4: [5, 5, 5, 5]}


def plan(stations: int) -> list[int]:
    count = 2 if stations <= 10 else 3 if stations <= 20 else 4
    return SEAT_PLANS[count]


def main(source: Path, target: Path) -> None:
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["admin_district", "municipal_formation", "district_number", "seats", "voters", "note"]
        )
        for row in rows:
            stations = len(row["polling_stations"].split())
            seats = plan(stations)
            voters = stations * VOTERS_PER_STATION
            for number, district_seats in enumerate(seats, start=1):
                share = voters * district_seats // sum(seats)
                writer.writerow(
                    [
                        row["admin_district"],
                        row["municipal_formation"],
                        number,
                        district_seats,
                        share,
                        "invented for the demo",
                    ]
                )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).parent.parent / "bot/data/spb_demo_districts.csv")
