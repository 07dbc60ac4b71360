"""The leaflet builder and the registry of print runs.

A candidate builds a leaflet from a photo, a short biography, 3–5 programme points and
contacts, on one of three templates, and makes files of it: drafts marked ОБРАЗЕЦ at any time,
a final print file only with the whole imprint (bot.services.materials_imprint). Every file is
a numbered version; any part can be changed and a file made again. A final file's print run
goes into the registry with its cost from the fund, and a reminder comes while the copy for
the commission is not ticked.

Everything is checked against the candidate: a leaflet, file or run of someone else reads as
missing. The texts and the photo are stored encrypted. No aiogram here.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.db.models import Candidate, Reminder
from bot.db.models.materials import Leaflet, LeafletTemplate, LeafletVersion, PrintRun
from bot.db.uow import UnitOfWork
from bot.documents.leaflets import LeafletSpec, Rendered, render_leaflet
from bot.quests.schema import ActionTask
from bot.services import fund, names
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.materials_imprint import (
    Imprint,
    clean_copies,
    clean_inn,
    clean_issued_on,
    clean_printer_address,
    clean_printer_name,
    imprint_text,
)
from bot.services.payload import int_of
from bot.services.quest import QuestService, StepResult
from bot.services.reminders import SEND_HOUR, Planned, at_local

MAX_BIO = 800
MAX_POINT = 200
MIN_POINTS, MAX_POINTS = 3, 5
MAX_CONTACTS = 300
MAX_LEAFLETS = 20  # per candidate
MAX_VERSIONS = 200  # per leaflet
MAX_PHOTO_MB = 10
MAX_PHOTO_BYTES = MAX_PHOTO_MB * 1024 * 1024
MIN_PHOTO_SIDE = 400  # px: less prints blurred even small
MAX_PHOTO_PIXELS = 50_000_000  # checked from the header, before anything is decoded
STORED_PHOTO_SIDE = 2000  # px: 300 dpi for 17 cm, more than any template's photo needs
PHOTO_FORMATS = ("JPEG", "PNG")
MAX_COST_RUBLES = 100_000_000
# The quest's action tasks this part completes.
BUILDER_ACTION = "materials"
REGISTRY_ACTION = "print_runs"
# The reminder while a run's copy has not gone to the commission: days after registering.
REMINDER_KIND = "print_run_copy"
REMINDER_DAYS = (1, 3, 7, 14)
PARTS = ("photo", "bio", "points", "contacts")
RENDER_SLOTS = 2
_render_slots = threading.BoundedSemaphore(RENDER_SLOTS)
_BULLET = re.compile(r"^\s*(?:[-–—•*·▪️✅]+|\d{1,2}[.)])\s*")


# --- what the candidate types and sends --------------------------------------------------------


def clean_bio(raw: str) -> str:
    lines = [" ".join(line.split()) for line in raw.strip().splitlines()]
    text = "\n".join(line for line in lines if line)
    if not text:
        raise InputError("materials-text-expected")
    if len(text) > MAX_BIO:
        raise InputError("materials-too-long", limit=MAX_BIO, length=len(text))
    return text


def clean_points(raw: str) -> tuple[str, ...]:
    """One point per line; bullets and numbers people type in front are dropped."""
    points = [" ".join(_BULLET.sub("", line).split()) for line in raw.splitlines()]
    points = [point for point in points if point]
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        raise InputError(
            "materials-points-count", low=MIN_POINTS, high=MAX_POINTS, count=len(points)
        )
    for number, point in enumerate(points, 1):
        if len(point) > MAX_POINT:
            raise InputError(
                "materials-point-too-long", number=number, limit=MAX_POINT, length=len(point)
            )
    return tuple(points)


def clean_contacts(raw: str) -> str:
    lines = [" ".join(line.split()) for line in raw.strip().splitlines()]
    text = "\n".join(line for line in lines if line)
    if not text:
        raise InputError("materials-text-expected")
    if len(text) > MAX_CONTACTS:
        raise InputError("materials-too-long", limit=MAX_CONTACTS, length=len(text))
    return text


def clean_cost(raw: str) -> int:
    """Rubles as people write them ("12 500", "12500,50", "12 500 ₽") → kopecks."""
    text = re.sub(r"[\s\u00a0₽]|руб\.?|р\.?$", "", raw.strip().lower()).replace(",", ".")
    match = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,2}))?", text)
    if not match or int(match.group(1)) > MAX_COST_RUBLES:
        raise InputError("materials-cost-format")
    kopecks = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if kopecks <= 0:
        raise InputError("materials-cost-format")
    return kopecks


def render_in_slot(spec: LeafletSpec) -> Rendered:
    """Render in a worker thread, at most RENDER_SLOTS at a time: the renderer is Python
    holding the GIL in turns, and more renders at once than cores would only slow the
    event loop's thread (the dialogs) down without finishing any file sooner."""
    with _render_slots:
        return render_leaflet(spec)


def photo_in_slot(data: bytes) -> bytes:
    """normalise_photo in the same few worker slots as rendering."""
    with _render_slots:
        return normalise_photo(data)


def check_photo_size(declared: int | None) -> None:
    """Before downloading: Telegram tells the size, a huge file is refused unread."""
    if declared is not None and declared > MAX_PHOTO_BYTES:
        raise InputError("materials-photo-too-big", limit=MAX_PHOTO_MB)


def normalise_photo(data: bytes) -> bytes:
    """A JPEG or PNG of a printable size, re-encoded as a plain JPEG: turned upright, its
    metadata (the camera's GPS position among it) dropped, at most STORED_PHOTO_SIDE px.
    Anything else — another format, a broken or truncated file, a decompression bomb — is
    refused with a reason. CPU work: call through asyncio.to_thread."""
    check_photo_size(len(data))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind not in PHOTO_FORMATS:
                raise InputError("materials-photo-type")
            if width * height > MAX_PHOTO_PIXELS:
                raise InputError("materials-photo-too-big", limit=MAX_PHOTO_MB)
            if min(width, height) < MIN_PHOTO_SIDE:
                raise InputError("materials-photo-too-small", side=MIN_PHOTO_SIDE)
            # A big JPEG decodes straight at a reduced scale (DCT scaling): much less work.
            scale = min(1.0, STORED_PHOTO_SIDE / max(width, height))
            image.draft("RGB", (round(width * scale), round(height * scale)))
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except InputError:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard, far above ours
        raise InputError("materials-photo-too-big", limit=MAX_PHOTO_MB) from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise InputError("materials-photo-broken") from None
    upright.thumbnail((STORED_PHOTO_SIDE, STORED_PHOTO_SIDE), Image.Resampling.LANCZOS, 2.0)
    buffer = io.BytesIO()
    upright.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


# --- stored content ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeafletContent:
    bio: str | None = None
    points: tuple[str, ...] = ()
    contacts: str | None = None
    imprint: Imprint = field(default_factory=Imprint)

    def to_json(self) -> str:
        return json.dumps(
            {
                "bio": self.bio,
                "points": list(self.points),
                "contacts": self.contacts,
                "imprint": self.imprint.to_json(),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str | None) -> LeafletContent:
        data = json.loads(raw) if raw else {}
        points = data.get("points")
        return cls(
            bio=data.get("bio") if isinstance(data.get("bio"), str) else None,
            points=tuple(str(p) for p in points) if isinstance(points, list) else (),
            contacts=data.get("contacts") if isinstance(data.get("contacts"), str) else None,
            imprint=Imprint.from_json(data.get("imprint")),
        )


@dataclass(frozen=True)
class VersionView:
    id: int
    number: int
    final: bool
    made_at: datetime
    has_file: bool
    run_id: int | None


@dataclass(frozen=True)
class LeafletView:
    id: int
    number: int  # the candidate's own numbering: 1, 2, 3...
    template: LeafletTemplate
    content: LeafletContent
    has_photo: bool
    photo_others: bool
    versions: tuple[VersionView, ...]
    missing_parts: tuple[str, ...]  # of PARTS
    missing_imprint: tuple[str, ...]  # of materials_imprint.FIELDS, and "customer"


@dataclass(frozen=True)
class Made:
    version_id: int
    number: int
    final: bool
    rendered: Rendered


@dataclass(frozen=True)
class RunView:
    id: int
    number: int
    item: str
    template: LeafletTemplate
    copies: int
    issued_on: str  # дд.мм.гггг
    printer: str
    cost_kopecks: int
    submitted: bool


@dataclass(frozen=True)
class PrintRunCost:
    """One print run's cost, as the fund ledger takes it."""

    run_id: int
    item: str
    issued_on: str  # ISO date
    printer: str
    cost_kopecks: int


class MissingParts(Exception):
    def __init__(self, parts: tuple[str, ...]) -> None:
        super().__init__(", ".join(parts))
        self.parts = parts


class MissingImprint(Exception):
    def __init__(self, fields: tuple[str, ...]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def subtitle_for(formation: str | None, district: int | None) -> str:
    """The line under the name: what the candidate runs for (Russian, as printed)."""
    text = "Кандидат в депутаты муниципального совета"
    if formation:
        text += f" МО «{formation}»"
    if district is not None:
        text += f", избирательный округ № {district}"
    return text


def format_rubles(kopecks: int) -> str:
    rubles, rest = divmod(kopecks, 100)
    whole = f"{rubles:,}".replace(",", "\u00a0")
    return f"{whole},{rest:02d}" if rest else whole


class MaterialsService:
    """One candidate's leaflets, files and print runs."""

    def __init__(self, uow: UnitOfWork, cipher: FieldCipher, candidate: Candidate) -> None:
        self._uow = uow
        self._cipher = cipher
        self.candidate = candidate
        self.repo = uow.materials
        self._name: str | None = None

    # ---------------------------------------------------------------- leaflets

    async def candidate_name(self) -> str | None:
        """The candidate's name (decrypted once per service): leaflets and imprints show it."""
        if self._name is None:
            self._name = await names.full_name(self._uow, self._cipher, self.candidate)
        return self._name

    async def leaflets(self) -> list[LeafletView]:
        rows = await self.repo.leaflets(self.candidate.id)
        return [await self._view(row, number) for number, row in enumerate(rows, 1)]

    async def leaflet(self, leaflet_id: int) -> LeafletView:
        row = await self._own(leaflet_id)
        rows = await self.repo.leaflets(self.candidate.id)
        return await self._view(row, [r.id for r in rows].index(row.id) + 1)

    async def create(self, template: str) -> LeafletView:
        if await self.repo.count_leaflets(self.candidate.id) >= MAX_LEAFLETS:
            raise InputError("materials-too-many", limit=MAX_LEAFLETS)
        row = Leaflet(
            candidate_id=self.candidate.id,
            template=_template(template),
            content_enc=self._cipher.encrypt(LeafletContent().to_json()),
        )
        await self.repo.add(row)
        return await self.leaflet(row.id)

    async def set_template(self, leaflet_id: int, template: str) -> LeafletView:
        row = await self._own(leaflet_id)
        row.template = _template(template)
        return await self._touched(row)

    async def set_photo(self, leaflet_id: int, jpeg: bytes, others: bool) -> LeafletView:
        """`jpeg` comes from normalise_photo; `others` is the answer to the photo rules:
        other people are shown, and their written consent is there."""
        row = await self._own(leaflet_id)
        row.photo_enc = self._cipher.encrypt(base64.b64encode(jpeg).decode())
        row.photo_others = others
        return await self._touched(row)

    async def set_bio(self, leaflet_id: int, raw: str) -> LeafletView:
        return await self._change(leaflet_id, bio=clean_bio(raw))

    async def set_points(self, leaflet_id: int, raw: str) -> LeafletView:
        return await self._change(leaflet_id, points=clean_points(raw))

    async def set_contacts(self, leaflet_id: int, raw: str) -> LeafletView:
        return await self._change(leaflet_id, contacts=clean_contacts(raw))

    async def set_imprint(self, leaflet_id: int, name: str, raw: str) -> LeafletView:
        cleaners = {
            "printer_name": clean_printer_name,
            "printer_address": clean_printer_address,
            "printer_inn": clean_inn,
            "copies": clean_copies,
            "issued_on": clean_issued_on,
        }
        if name not in cleaners:
            raise InputError("materials-gone")
        value = cleaners[name](raw)
        row = await self._own(leaflet_id)
        content = self._content(row)
        imprint = replace(content.imprint, **{name: value})
        return await self._store(row, replace(content, imprint=imprint))

    # ---------------------------------------------------------------- files

    async def make_file(self, leaflet_id: int, final: bool, subtitle: str) -> Made:
        """A new numbered version: a draft (ОБРАЗЕЦ, blanks where the imprint is missing) or
        a final print file, which needs every part and the whole imprint. The rendering runs
        in a worker thread."""
        row = await self._own(leaflet_id)
        view = await self.leaflet(leaflet_id)
        if view.missing_parts:
            raise MissingParts(view.missing_parts)
        if final and view.missing_imprint:
            raise MissingImprint(view.missing_imprint)
        if row.versions_made >= MAX_VERSIONS:
            raise InputError("materials-too-many-versions", limit=MAX_VERSIONS)
        content = view.content
        full_name = await self.candidate_name()
        name = full_name or ""
        spec = LeafletSpec(
            template=row.template.value,
            name=name,
            subtitle=subtitle,
            bio=content.bio or "",
            points=content.points,
            contacts=content.contacts or "",
            imprint=imprint_text(content.imprint, full_name),
            photo=self._photo(row),
            draft=not final,
            made_at=utcnow(),
        )
        rendered = await asyncio.to_thread(render_in_slot, spec)  # LayoutError goes up
        row.versions_made += 1
        version = LeafletVersion(
            leaflet_id=row.id,
            number=row.versions_made,
            template=row.template,
            final=final,
            content_enc=self._cipher.encrypt(content.to_json()),
            sha256=hashlib.sha256(rendered.pdf).hexdigest(),
        )
        await self.repo.add(version)
        if final:
            await self._uow.audit.record(
                self.candidate.user_id,
                "leaflet_final_made",
                "candidate",
                self.candidate.id,
                leaflet=row.id,
                version=version.number,
            )
        return Made(version.id, version.number, final, rendered)

    async def attach_file(self, version_id: int, file_id: str) -> None:
        """The PDF as Telegram stored it: sent again from there, never rebuilt."""
        version, _ = await self._own_version(version_id)
        version.file_id = file_id

    async def version_file(self, version_id: int) -> tuple[str, int, bool]:
        version, _ = await self._own_version(version_id)
        if not version.file_id:
            raise InputError("materials-gone")
        return version.file_id, version.number, version.final

    # ---------------------------------------------------------------- print runs

    async def run_draft(self, version_id: int) -> tuple[LeafletView, VersionView]:
        """What a run of this file would be: only a final file, only once."""
        version, leaflet = await self._own_version(version_id)
        if not version.final:
            raise InputError("materials-run-needs-final")
        if await self.repo.run_of_version(version.id) is not None:
            raise InputError("materials-run-exists")
        view = await self.leaflet(leaflet.id)
        found = next(v for v in view.versions if v.id == version.id)
        return view, found

    async def register_run(self, version_id: int, cost_raw: str, tz: ZoneInfo) -> RunView:
        cost = clean_cost(cost_raw)
        view, version = await self.run_draft(version_id)
        stored = await self.repo.version(version.id)
        assert stored is not None
        imprint = LeafletContent.from_json(self._cipher.decrypt(stored.content_enc)).imprint
        assert imprint.copies is not None and imprint.issued_on is not None
        printer = f"{imprint.printer_name}, ИНН {imprint.printer_inn}"
        run = PrintRun(
            candidate_id=self.candidate.id,
            version_id=stored.id,
            item=f"Листовка №{view.number}, версия {version.number}",
            template=stored.template,
            copies=imprint.copies,
            issued_on=imprint.issued_on,
            printer_enc=self._cipher.encrypt(printer) or "",
            cost_kopecks=cost,
        )
        await self.repo.add(run)
        await self._book_in_fund(run, printer, tz)
        for planned in plan_copy_reminders(run, self.candidate.user_id, tz):
            await self._uow.reminders.plan(
                Reminder(
                    key=planned.key,
                    user_id=planned.user_id,
                    kind=planned.kind,
                    due_at=planned.due_at,
                    payload=planned.payload,
                )
            )
        await self._uow.audit.record(
            self.candidate.user_id,
            "print_run_registered",
            "candidate",
            self.candidate.id,
            run=run.id,
            copies=run.copies,
            cost=cost,
        )
        return (await self.runs())[-1]

    async def _book_in_fund(self, run: PrintRun, printer: str, tz: ZoneInfo) -> None:
        """A print run is paid from the electoral fund: its cost goes into the fund ledger as
        spending, once (the run's id is the entry's import key), on the day it is registered."""
        if run.cost_kopecks <= 0:
            return
        await fund.record_spending(
            self._uow,
            self._cipher,
            self.candidate,
            amount_kop=run.cost_kopecks,
            booked_on=utcnow().astimezone(tz).date(),
            note=f"{run.item}: печать, тираж {run.copies}, {printer}",
            actor_id=self.candidate.user_id,
            source="print_run",
            import_key=f"print_run:{run.id}",
        )

    async def toggle_copy(self, run_id: int) -> RunView:
        """Tick (or untick, if ticked by mistake) "a copy went to the commission"."""
        run = await self._own_run(run_id)
        run.copy_submitted_at = None if run.copy_submitted_at else utcnow()
        return next(view for view in await self.runs() if view.id == run.id)

    async def runs(self) -> list[RunView]:
        rows = await self.repo.runs(self.candidate.id)
        return [
            RunView(
                id=row.id,
                number=number,
                item=row.item,
                template=row.template,
                copies=row.copies,
                issued_on=row.issued_on.strftime("%d.%m.%Y"),
                printer=self._cipher.decrypt(row.printer_enc) or "",
                cost_kopecks=row.cost_kopecks,
                submitted=row.copy_submitted_at is not None,
            )
            for number, row in enumerate(rows, 1)
        ]

    # ---------------------------------------------------------------- the quest

    async def report_to_quest(self, quest: QuestService) -> list[tuple[str, StepResult]]:
        """Complete the stage's action tasks whose work is done: a final file made (the
        builder), a run registered with its copy at the commission (the registry). Safe to
        call again: only open tasks are completed. Returns each completed task's id with
        what completing it achieved."""
        done: list[tuple[str, StepResult]] = []
        if await self.repo.has_final(self.candidate.id):
            done += await _report(quest, BUILDER_ACTION)
        runs = await self.repo.runs(self.candidate.id)
        if any(run.copy_submitted_at is not None for run in runs):
            done += await _report(quest, REGISTRY_ACTION)
        return done

    # ---------------------------------------------------------------- helpers

    async def _own(self, leaflet_id: int) -> Leaflet:
        row = await self.repo.leaflet(leaflet_id)
        if row is None or row.candidate_id != self.candidate.id:
            raise InputError("materials-gone")
        return row

    async def _own_version(self, version_id: int) -> tuple[LeafletVersion, Leaflet]:
        version = await self.repo.version(version_id)
        leaflet = await self.repo.leaflet(version.leaflet_id) if version else None
        if version is None or leaflet is None or leaflet.candidate_id != self.candidate.id:
            raise InputError("materials-gone")
        return version, leaflet

    async def _own_run(self, run_id: int) -> PrintRun:
        run = await self.repo.run(run_id)
        if run is None or run.candidate_id != self.candidate.id:
            raise InputError("materials-gone")
        return run

    def _content(self, row: Leaflet) -> LeafletContent:
        return LeafletContent.from_json(self._cipher.decrypt(row.content_enc))

    def _photo(self, row: Leaflet) -> bytes:
        return base64.b64decode(self._cipher.decrypt(row.photo_enc) or "")

    async def _change(self, leaflet_id: int, **changes: object) -> LeafletView:
        row = await self._own(leaflet_id)
        return await self._store(row, replace(self._content(row), **changes))

    async def _store(self, row: Leaflet, content: LeafletContent) -> LeafletView:
        row.content_enc = self._cipher.encrypt(content.to_json())
        return await self._touched(row)

    async def _touched(self, row: Leaflet) -> LeafletView:
        row.updated_at = utcnow()
        return await self.leaflet(row.id)

    async def _view(self, row: Leaflet, number: int) -> LeafletView:
        content = self._content(row)
        versions = []
        for version in await self.repo.versions(row.id):
            run = await self.repo.run_of_version(version.id) if version.final else None
            versions.append(
                VersionView(
                    id=version.id,
                    number=version.number,
                    final=version.final,
                    made_at=version.created_at,
                    has_file=version.file_id is not None,
                    run_id=run.id if run else None,
                )
            )
        present = {
            "photo": row.photo_enc is not None,
            "bio": bool(content.bio),
            "points": bool(content.points),
            "contacts": bool(content.contacts),
        }
        return LeafletView(
            id=row.id,
            number=number,
            template=row.template,
            content=content,
            has_photo=row.photo_enc is not None,
            photo_others=row.photo_others,
            versions=tuple(versions),
            missing_parts=tuple(part for part in PARTS if not present[part]),
            missing_imprint=tuple(content.imprint.missing(await self.candidate_name())),
        )


async def _report(quest: QuestService, action: str) -> list[tuple[str, StepResult]]:
    # The quest completes the open tasks of the action in stage order, one result each.
    open_ids = [
        task.full_id
        for stage in (await quest.view()).stages
        for task in stage.tasks
        if isinstance(task.item.task, ActionTask)
        and task.item.task.action == action
        and task.actionable
    ]
    return list(zip(open_ids, await quest.report_action_done(action), strict=False))


def _template(value: str) -> LeafletTemplate:
    try:
        return LeafletTemplate(value)
    except ValueError:
        raise InputError("materials-gone") from None


# --- the reminder ------------------------------------------------------------------------------


def plan_copy_reminders(run: PrintRun, user_id: int, tz: ZoneInfo) -> list[Planned]:
    """Mornings 1, 3, 7 and 14 days after the run was registered."""
    registered = (run.created_at or utcnow()).astimezone(tz).date()
    return [
        Planned(
            key=f"{REMINDER_KIND}:{run.id}:{days}",
            user_id=user_id,
            kind=REMINDER_KIND,
            due_at=at_local(registered + timedelta(days=days), SEND_HOUR, tz),
            payload={"run": run.id, "days": days, "registered": registered.isoformat()},
        )
        for days in REMINDER_DAYS
    ]


def copy_reminder_relevant(
    payload: dict[str, object], run: PrintRun | None, now: datetime, tz: ZoneInfo
) -> bool:
    """The run is still there, its copy not ticked — and no later reminder of it is due
    yet: after downtime one goes out, not a pile."""
    if run is None or run.copy_submitted_at is not None:
        return False
    registered = run.created_at.astimezone(tz).date()
    if registered.isoformat() != payload.get("registered"):
        return False
    later = [days for days in REMINDER_DAYS if days > int_of(payload, "days")]
    if not later:
        return True
    return now < at_local(registered + timedelta(days=min(later)), SEND_HOUR, tz)


async def print_run_costs(
    uow: UnitOfWork, candidate_id: int, cipher: FieldCipher | None = None
) -> list[PrintRunCost]:
    """Every print run's cost from the candidate's fund, for the fund ledger: the one call
    the ledger needs (runs are registered here, their spending shown there). The printer's
    name is encrypted: given the cipher it is filled in, else left empty."""
    rows = await uow.materials.runs(candidate_id)
    return [
        PrintRunCost(
            run_id=row.id,
            item=row.item,
            issued_on=row.issued_on.isoformat(),
            printer=(cipher.decrypt(row.printer_enc) or "") if cipher else "",
            cost_kopecks=row.cost_kopecks,
        )
        for row in rows
    ]
