"""The directory of vetted designers and print houses (/resources): coordinators keep it,
every registered candidate reads it. A freelancer's contact may be their own phone, so it is
stored encrypted; every change is in the audit log. No aiogram here."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models.materials import MaterialResource, ResourceKind
from bot.db.uow import UnitOfWork
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError

MAX_NAME = 120
MAX_CONTACT = 300
MAX_NOTE = 500
MAX_ENTRIES = 200
EDITABLE = ("name", "contact", "note")
NO_NOTE = "-"  # what a coordinator types to leave the note empty


@dataclass(frozen=True)
class ResourceView:
    id: int
    kind: ResourceKind
    name: str
    contact: str
    note: str | None


def _clean(raw: str, limit: int, *, optional: bool = False) -> str | None:
    lines = [" ".join(line.split()) for line in raw.strip().splitlines()]
    text = "\n".join(line for line in lines if line)
    if optional and text in ("", NO_NOTE):
        return None
    if not text:
        raise InputError("materials-text-expected")
    if len(text) > limit:
        raise InputError("materials-too-long", limit=limit, length=len(text))
    return text


def clean_name(raw: str) -> str:
    return _clean(raw, MAX_NAME) or ""


def clean_contact(raw: str) -> str:
    return _clean(raw, MAX_CONTACT) or ""


def clean_note(raw: str) -> str | None:
    return _clean(raw, MAX_NOTE, optional=True)


def kind_of(value: str) -> ResourceKind:
    try:
        return ResourceKind(value)
    except ValueError:
        raise InputError("materials-gone") from None


class ResourceDirectory:
    def __init__(self, uow: UnitOfWork, cipher: FieldCipher) -> None:
        self._uow = uow
        self._cipher = cipher

    async def entries(self) -> list[ResourceView]:
        return [self._view(row) for row in await self._uow.materials.resources()]

    async def entry(self, resource_id: int) -> ResourceView:
        return self._view(await self._row(resource_id))

    async def add(
        self, staff_id: int, kind: str, name: str, contact: str, note: str | None
    ) -> ResourceView:
        if len(await self._uow.materials.resources()) >= MAX_ENTRIES:
            raise InputError("materials-too-many", limit=MAX_ENTRIES)
        row = MaterialResource(
            kind=kind_of(kind),
            name=clean_name(name),
            contact_enc=self._cipher.encrypt(clean_contact(contact)) or "",
            note=clean_note(note) if note is not None else None,
            added_by=staff_id,
        )
        await self._uow.materials.add(row)
        await self._uow.audit.record(staff_id, "resource_added", "resource", row.id)
        return self._view(row)

    async def edit(self, staff_id: int, resource_id: int, field: str, raw: str) -> ResourceView:
        row = await self._row(resource_id)
        if field == "name":
            row.name = clean_name(raw)
        elif field == "contact":
            row.contact_enc = self._cipher.encrypt(clean_contact(raw)) or ""
        elif field == "note":
            row.note = clean_note(raw)
        else:
            raise InputError("materials-gone")
        row.updated_at = utcnow()
        await self._uow.audit.record(staff_id, "resource_edited", "resource", row.id, field=field)
        return self._view(row)

    async def remove(self, staff_id: int, resource_id: int) -> None:
        if not await self._uow.materials.remove_resource(resource_id):
            raise InputError("materials-gone")
        await self._uow.audit.record(staff_id, "resource_removed", "resource", resource_id)

    async def _row(self, resource_id: int) -> MaterialResource:
        row = await self._uow.materials.resource(resource_id)
        if row is None:
            raise InputError("materials-gone")
        return row

    def _view(self, row: MaterialResource) -> ResourceView:
        return ResourceView(
            id=row.id,
            kind=row.kind,
            name=row.name,
            contact=self._cipher.decrypt(row.contact_enc) or "",
            note=row.note,
        )
