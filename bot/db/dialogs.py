"""A person's dialog-state row (aiogram's FSM) as an update holds it: plain values, written
with Core statements when the unit of work commits.

The row is read with the person (UserRepository.person_and_dialog) and changes two or three
times in most updates (state, data, cleared). Through the ORM each change was a flush of a
tracked object; here the last value is written once, in the update's own commit, so the
dialog step and the answer it saved still land together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import FsmRecord

_TABLE = FsmRecord.__table__
_READ = select(_TABLE.c.state, _TABLE.c.data_enc).where(_TABLE.c.key == bindparam("row_key"))
_INSERT = insert(_TABLE)
_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.key == bindparam("row_key"))
    .values(state=bindparam("state"), data_enc=bindparam("data_enc"))
)
_DELETE = delete(_TABLE).where(_TABLE.c.key == bindparam("row_key"))


@dataclass
class DialogRow:
    key: str
    user_id: int
    state: str | None = None
    data_enc: str | None = None
    stored: bool = False  # the database has this row (as of the last read or write)
    changed: bool = False  # state or data differ from what the database has

    @property
    def empty(self) -> bool:
        return self.state is None and self.data_enc is None


async def read_dialog(session: AsyncSession, key: str, user_id: int) -> DialogRow:
    row = (await session.execute(_READ, {"row_key": key})).first()
    if row is None:
        return DialogRow(key, user_id)
    return DialogRow(key, user_id, row.state, row.data_enc, stored=True)


async def write_dialog(session: AsyncSession, row: DialogRow) -> None:
    """Bring the database in line with the row. An empty row (no state, no data) is
    deleted rather than kept: less to leak. The caller commits, then calls `written`."""
    if row.empty:
        if row.stored:
            await session.execute(_DELETE, {"row_key": row.key})
    elif row.stored:
        await session.execute(
            _UPDATE, {"row_key": row.key, "state": row.state, "data_enc": row.data_enc}
        )
    else:
        await session.execute(
            _INSERT,
            {"key": row.key, "user_id": row.user_id, "state": row.state, "data_enc": row.data_enc},
        )


def written(row: DialogRow) -> None:
    """The write of `row` is committed."""
    row.stored = not row.empty
    row.changed = False
