"""The coordinators' /export of what candidates collect: every canvass note and every fund
ledger entry of the candidates in the coordinator's scope (`directory.rows`, the one rule).
No aiogram here. Cells are built raw; `export.render_*` makes them formula-safe.

Identifying columns (residents' contacts and notes, donors' names) are filled here and, in a
pseudonymised export, replaced by `pseudonymised_*` with a stable pseudonym or a mask.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from decimal import Decimal

from bot.db.uow import UnitOfWork
from bot.services.canvass_addresses import label
from bot.services.crypto import FieldCipher
from bot.services.directory import Row
from bot.services.export import Table
from bot.services.export_protect import pseudonymise
from bot.services.keyring import read
from bot.services.validation import mask_phone

# Columns of the canvass table; the header comes localised in the same order.
CANVASS_CANDIDATE, CANVASS_RESIDENT, CANVASS_PHONE, CANVASS_NOTE = 1, 9, 10, 11
# Columns of the donations table.
DONATIONS_CANDIDATE, DONATIONS_DONOR = 1, 6


def _candidate_pseudonym(cipher: FieldCipher, candidate_id: object) -> str:
    # The same pseudonym as the candidates' export: one person, one line across files.
    return "К-" + cipher.blind_index(f"pseudonym:candidate:{candidate_id}")[:8]


async def canvass_table(
    uow: UnitOfWork,
    cipher: FieldCipher,
    rows: Sequence[Row],
    full_names: Mapping[int, str | None],
    header: tuple[str, ...],
    outcome_names: Mapping[str, str],
    topic_names: Mapping[str, str],
) -> Table:
    """One line per confirmed canvass note of each candidate in `rows` (already scoped).
    Decrypting is CPU work: done in a worker thread."""
    raw: list[tuple[object, ...]] = []
    for row in rows:
        candidate = row.candidate
        visits = await uow.canvass.visits(candidate.id)
        buildings = await uow.canvass.buildings({v.building_id for v in visits})
        for v in visits:
            building = buildings.get(v.building_id)
            raw.append(
                (
                    candidate.id,
                    full_names.get(candidate.id) or "",
                    row.formation or "",
                    row.district_number or "",
                    label(building) if building else "",
                    v.apartment or "",
                    outcome_names.get(v.outcome, v.outcome),
                    ", ".join(topic_names.get(x, x) for x in v.topics or []),
                    "✓" if v.follow_up and v.follow_up_done_at is None else "",
                    v.contact_name_enc,
                    v.contact_phone_enc,
                    v.note_enc,
                    v.created_at.strftime("%Y-%m-%d %H:%M"),
                )
            )
    encrypted = (CANVASS_RESIDENT, CANVASS_PHONE, CANVASS_NOTE)
    return Table(header, await asyncio.to_thread(_decrypted, raw, encrypted, cipher))


def _decrypted(
    raw: list[tuple[object, ...]], columns: tuple[int, ...], cipher: FieldCipher
) -> list[tuple[object, ...]]:
    """The rows with the given columns' tokens decrypted ("" when empty or the key is gone)."""
    lines = []
    for line in raw:
        values = list(line)
        for column in columns:
            token = values[column]
            values[column] = (read(cipher, token) if isinstance(token, str) else None) or ""
        lines.append(tuple(values))
    return lines


def pseudonymised_canvass(table: Table, cipher: FieldCipher) -> Table:
    """No candidate's or resident's name, no note (it may name anyone), the phone masked:
    enough to count doors, outcomes and topics per district."""
    return pseudonymise(
        table,
        {
            CANVASS_CANDIDATE: lambda line: _candidate_pseudonym(cipher, line[0]),
            CANVASS_RESIDENT: "",
            CANVASS_PHONE: lambda line: (
                mask_phone(str(line[CANVASS_PHONE])) if line[CANVASS_PHONE] else ""
            ),
            CANVASS_NOTE: "",
        },
    )


def _rub(kop: int) -> Decimal:
    # Exact roubles and kopecks ("1200.00"), a number to a spreadsheet.
    return Decimal(kop).scaleb(-2)


async def donations_table(
    uow: UnitOfWork,
    cipher: FieldCipher,
    rows: Sequence[Row],
    full_names: Mapping[int, str | None],
    header: tuple[str, ...],
    names: Mapping[str, str],
) -> Table:
    """One line per fund ledger entry (donations and spending) of each candidate in `rows`.
    `names` localises kinds, donor types and flags by their values. Amounts in roubles as
    numbers, so the spreadsheet sums them. The payment's purpose is left out: it may name
    anyone, and the coordinator needs the figures, not the story."""
    raw: list[tuple[object, ...]] = []
    for row in rows:
        candidate = row.candidate
        for e in await uow.fund.entries(candidate.id):
            raw.append(
                (
                    candidate.id,
                    full_names.get(candidate.id) or "",
                    e.booked_on.strftime("%Y-%m-%d"),
                    names.get(e.kind.value, e.kind.value),
                    _rub(e.amount_kop),
                    names.get(e.donor_type.value, e.donor_type.value) if e.donor_type else "",
                    e.donor_name_enc,
                    names.get(e.flag.value, e.flag.value) if e.flag else "",
                    _rub(e.return_kop) if e.flag else "",
                    e.return_due.strftime("%Y-%m-%d") if e.return_due else "",
                    e.returned_at.strftime("%Y-%m-%d") if e.returned_at else "",
                )
            )
    return Table(header, await asyncio.to_thread(_decrypted, raw, (DONATIONS_DONOR,), cipher))


def pseudonymised_donations(table: Table, cipher: FieldCipher) -> Table:
    """No candidate's or donor's name: amounts, dates and flags stay."""
    return pseudonymise(
        table,
        {
            DONATIONS_CANDIDATE: lambda line: _candidate_pseudonym(cipher, line[0]),
            DONATIONS_DONOR: "",
        },
    )
