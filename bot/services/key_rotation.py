"""`python -m bot rotate-key`: re-encrypt every stored secret under the newest DATA_KEY.

Rotating a key is two steps: put a new key first in DATA_KEY (new writes use it, old values
stay readable through MultiFernet), then run this command so that old values are re-encrypted
too. It finds the encrypted columns by their name (every column ending in `_enc`, in every
table the models define), so a feature that adds one is covered without touching this file.

A value no key can read is left as it is and counted: rotation never destroys data.

Blind indexes (phone look-up, dedup) are keyed by the OLDEST key in DATA_KEY (see
bot.services.crypto): keep that key in the list after rotating, or the look-ups stop matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from sqlalchemy import Column, Table, and_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db.models import Base
from bot.services.crypto import DecryptionError, FieldCipher

BATCH = 500


@dataclass
class RotationReport:
    rotated: dict[str, int] = field(default_factory=dict)  # "table.column" -> values
    unreadable: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rotated.values())

    def lines(self) -> list[str]:
        out = [f"{name}: {count}" for name, count in sorted(self.rotated.items())]
        out += [f"{name}: {count} UNREADABLE, left as is" for name, count in
                sorted(self.unreadable.items()) if count]  # fmt: skip
        return out


def encrypted_columns() -> list[tuple[Table, list[Column[str]]]]:
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name.endswith("_enc")]
        if columns:
            found.append((table, columns))
    return found


async def rotate_all(
    engine: AsyncEngine, cipher: FieldCipher, batch: int = BATCH
) -> RotationReport:
    report = RotationReport()
    for table, columns in encrypted_columns():
        for column in columns:
            name = f"{table.name}.{column.name}"
            report.rotated[name], report.unreadable[name] = await _rotate_column(
                engine, cipher, table, column, batch
            )
    return report


async def _rotate_column(
    engine: AsyncEngine, cipher: FieldCipher, table: Table, column: Column[str], batch: int
) -> tuple[int, int]:
    keys = list(table.primary_key.columns)
    rotated = unreadable = 0
    offset = 0
    while True:
        # One transaction per batch: a long table never holds one huge lock, and a crash
        # half-way leaves every row readable (old or new key), so simply run it again.
        async with engine.begin() as connection:
            rows = (
                await connection.execute(
                    select(*keys, column)
                    .where(column.is_not(None))
                    .order_by(*keys)
                    .offset(offset)
                    .limit(batch)
                )
            ).all()
            for row in rows:
                token = row[-1]
                try:
                    new = cipher.rotate(token)
                except (InvalidToken, DecryptionError):
                    unreadable += 1
                    continue
                match = and_(*(key == value for key, value in zip(keys, row[:-1], strict=True)))
                await connection.execute(update(table).where(match).values({column.name: new}))
                rotated += 1
        if len(rows) < batch:
            return rotated, unreadable
        offset += batch


async def run(settings: Settings) -> str:
    """The command: rotate, then say what was done and what to keep."""
    from bot.db.engine import create_engine

    keys = settings.data_keys
    engine = create_engine(settings.database_url)
    try:
        report = await rotate_all(engine, FieldCipher(keys))
    finally:
        await engine.dispose()
    lines = [f"re-encrypted {report.total} values under the newest of {len(keys)} key(s):"]
    lines += [f"  {line}" for line in report.lines()]
    if len(keys) > 1:
        lines.append(
            "Keep the oldest key last in DATA_KEY: blind indexes (phone look-ups) derive from it."
        )
    return "\n".join(lines)
