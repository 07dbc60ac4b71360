"""The nomination package of one candidate: the answers (encrypted one by one), the generated
versions (encrypted PDFs with their hashes), and the way through a coordinator's review. No
aiogram here: handlers render what this decides.

Rules kept here:
- an answer is checked (bot.services.documents_form) before it is stored, and storing one never
  touches the others; answers that stop applying ("yes" changed to "no") are erased;
- a change to the answers after the package was submitted or approved takes it back to a draft:
  a coordinator approves what will be printed, not an older version;
- a new version is generated only when the answers (or the district, or the election) changed
  since the last one; earlier versions stay, each with its time and SHA-256;
- the quest's "documents" action completes when a coordinator approves the package.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.db.models import Candidate, Election
from bot.db.models.documents import (
    NominationAnswer,
    NominationDocument,
    NominationPackage,
    PackageStatus,
)
from bot.db.uow import UnitOfWork
from bot.documents import nomination
from bot.documents.nomination import Declaration, NominationData
from bot.quests.schema import ActionTask
from bot.services import documents_form as form
from bot.services import names
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.documents_names import Form, FullName, Sex, decline, detect_sex
from bot.services.election import config_of
from bot.services.errors import InputError
from bot.services.quest import QuestService, StepResult

QUEST_ACTION = "documents"
FILE_PREFIX = {
    "statement": "Заявление_о_согласии",
    "declaration": "Сведения_о_доходах",
    "signatures": "Подписной_лист",
    "inventory": "Опись_документов",
}
_STREET = re.compile(
    r"\b(ул|улица|пр|просп|проспект|пер|переулок|наб|набережная|ш|шоссе|б-р|бульвар|пл|"
    r"площадь|линия|аллея|проезд|тупик|д|дом|кв|корп|стр|лит)\b\.?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class File:
    kind: str
    name: str
    data: bytes


@dataclass(frozen=True)
class Version:
    number: int
    created_at: datetime
    kinds: tuple[str, ...]
    sha256: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    """What the candidate's documents screen shows."""

    answered: int
    total: int
    status: PackageStatus
    version: int
    up_to_date: bool  # the current version was made from the current answers
    submitted_version: int | None
    approved_version: int | None
    comment: str | None
    declaration: bool

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def declaration_required(election: Election | None) -> bool:
    return election is None or bool(config_of(election).income_declaration)


def locality_of(address: str) -> str:
    """The region and town of an address, all a signature sheet may show of it (67-ФЗ
    appendix 8): the parts before the street."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    kept: list[str] = []
    for part in parts:
        if (_STREET.search(part) and kept) or re.search(r"\d", part):
            break
        kept.append(part)
    return ", ".join(kept or parts[:1])


def filename(kind: str, surname: str, version: int) -> str:
    safe = re.sub(r"[^\w-]", "", surname) or "candidate"
    return f"{FILE_PREFIX[kind]}_{safe}_v{version}.pdf"


class DocumentsService:
    def __init__(
        self, uow: UnitOfWork, cipher: FieldCipher, candidate: Candidate, today: date
    ) -> None:
        self.uow = uow
        self.cipher = cipher
        self.candidate = candidate
        self.today = today
        self._rows: dict[str, NominationAnswer] | None = None
        self._election: Election | None = None
        self._election_read = False

    # --- answers ---------------------------------------------------------------------------

    async def _answer_rows(self) -> dict[str, NominationAnswer]:
        if self._rows is None:
            self._rows = await self.uow.documents.answers(self.candidate.id)
        return self._rows

    async def answers(self) -> dict[str, str]:
        return {
            field: self.cipher.decrypt(row.value_enc) or ""
            for field, row in (await self._answer_rows()).items()
        }

    async def election(self) -> Election | None:
        if not self._election_read:
            self._election = await self.uow.geography.current_election()
            self._election_read = True
        return self._election

    async def declaration(self) -> bool:
        return declaration_required(await self.election())

    async def context(self) -> form.Context:
        election = await self.election()
        return form.Context(election.election_day if election else self.today, self.today)

    async def next_question(self) -> form.Question | None:
        return form.next_question(await self.answers(), await self.declaration())

    async def answer(self, field: str, raw: str | None) -> bool:
        """Check and store one answer (None: skip an optional question). True when it changed
        something. InputError when the value breaks a rule; nothing is stored then."""
        question = form.BY_ID.get(field)
        answers = await self.answers()
        declaration = await self.declaration()
        if question is None or not form.applies(question, answers, declaration):
            raise InputError("stale-button")
        if raw is None:
            if question.required:
                raise InputError("docs-error-required")
            value = ""
        else:
            value = form.check(question, raw, answers, await self.context())
        return await self._store(field, value)

    async def choose(self, field: str, index: int) -> bool:
        question = form.BY_ID.get(field)
        if question is None or not form.applies(
            question, await self.answers(), await self.declaration()
        ):
            raise InputError("stale-button")
        return await self._store(field, form.choice_value(question, index))

    async def suggestion(self, field: str) -> str | None:
        """A ready answer offered as a button: the name given at registration, the usual
        citizenship. It still goes through the same check when chosen."""
        if field == "full_name":
            return await names.full_name(self.uow, self.cipher, self.candidate)
        if field == "citizenship":
            return "Российская Федерация"
        return None

    async def _store(self, field: str, value: str) -> bool:
        rows = await self._answer_rows()
        before = await self.answers()
        if before.get(field) == value:
            return False
        now = utcnow()
        row = rows.get(field)
        encrypted = self.cipher.encrypt(value) or ""
        if row is None:
            row = NominationAnswer(
                candidate_id=self.candidate.id, field=field, value_enc=encrypted, updated_at=now
            )
            self.uow.documents.add_answer(row)
            rows[field] = row
        else:
            row.value_enc = encrypted
            row.updated_at = now
        after = {**before, field: value}
        gone = form.stale(after, await self.declaration())
        if gone:
            await self.uow.documents.delete_answers(self.candidate.id, gone)
            for name in gone:
                rows.pop(name, None)
        await self._changed()
        return True

    async def _changed(self) -> None:
        """An answer changed: a package under review or approved goes back to a draft (a
        returned one stays returned, its comment in view, until it is sent again)."""
        package = await self.uow.documents.package(self.candidate.id)
        if package is not None and package.status in _CHECKED:
            package.status = PackageStatus.DRAFT
            package.updated_at = utcnow()

    # --- the package -----------------------------------------------------------------------

    async def package(self) -> NominationPackage:
        package = await self.uow.documents.package(self.candidate.id)
        if package is None:
            package = NominationPackage(candidate_id=self.candidate.id, updated_at=utcnow())
            await self.uow.documents.add_package(package)
        return package

    async def overview(self) -> Overview:
        answers = await self.answers()
        declaration = await self.declaration()
        answered, total = form.progress(answers, declaration)
        package = await self.uow.documents.package(self.candidate.id)
        digest = await self._digest(answers) if answered == total else None
        return Overview(
            answered=answered,
            total=total,
            status=package.status if package else PackageStatus.DRAFT,
            version=package.version if package else 0,
            up_to_date=package is not None
            and digest is not None
            and package.answers_digest == digest,
            submitted_version=package.submitted_version if package else None,
            approved_version=package.approved_version if package else None,
            comment=self.cipher.decrypt(package.comment_enc) if package else None,
            declaration=declaration,
        )

    async def _digest(self, answers: dict[str, str]) -> str:
        election = await self.election()
        district = await self._district_key()
        material = json.dumps(
            {
                "answers": answers,
                "district": district,
                "election": [election.id, election.election_day.isoformat(), election.config]
                if election
                else None,
                "renderer": RENDERER_VERSION,
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        # Keyed: the digest of the answers must not let anyone test guesses of them.
        return self.cipher.blind_index(material)

    async def _district_key(self) -> list[object] | None:
        if self.candidate.district_id is None:
            return None
        district = await self.uow.geography.district(self.candidate.district_id)
        if district is None:
            return None
        return [district.id, district.number, district.seats, district.formation.name]

    async def data(self, answers: dict[str, str], version: int, at: datetime) -> NominationData:
        """Everything the renderers need, in plain values."""
        declaration = await self.declaration()
        done, total = form.progress(answers, declaration)
        if done < total:
            raise InputError("docs-error-incomplete", left=total - done)
        if self.candidate.district_id is None:
            raise InputError("docs-error-no-district")
        district = await self.uow.geography.district(self.candidate.district_id)
        election = await self.election()
        if district is None or election is None:
            raise InputError("docs-error-no-district")
        name = FullName.parse(answers["full_name"])
        sex = detect_sex(name) or (Sex.FEMALE if answers.get("sex") == "f" else Sex.MALE)
        education = None
        if answers.get("education") == "yes":
            education = ", ".join(
                answers[k] for k in ("edu_institution", "edu_year", "edu_diploma") if answers[k]
            )
        work = ", ".join(p for p in (answers["work_place"], answers.get("work_position")) if p)
        return NominationData(
            version=version,
            generated_at=at,
            name=str(name),
            name_genitive=decline(name, Form.GENITIVE, sex),
            name_instrumental=decline(name, Form.INSTRUMENTAL, sex),
            female=sex is Sex.FEMALE,
            birth_date=answers["birth_date"],
            birth_place=answers["birth_place"],
            address=answers["address"],
            locality=locality_of(answers["address"]),
            passport_series=answers["passport_series"],
            passport_number=answers["passport_number"],
            passport_issued=answers["passport_issued"],
            passport_issuer=answers["passport_issuer"],
            passport_division=answers["passport_division"],
            inn=answers.get("inn") or None,
            snils=answers.get("snils") or None,
            citizenship=answers["citizenship"],
            education=education,
            work=work,
            deputy_council=answers.get("deputy_council")
            if answers.get("deputy") == "yes"
            else None,
            criminal=answers.get("criminal_details") if answers.get("criminal") == "yes" else None,
            party_membership=answers.get("party_membership") or None,
            nominating_party=answers.get("nomination_party")
            if answers.get("nomination") == "party"
            else None,
            election_name=election.name,
            election_day=election.election_day,
            formation=district.formation.name,
            district_number=district.number,
            seats=district.seats,
            declaration=_declaration(answers, election.election_day.year - 1)
            if declaration
            else None,
        )

    async def generate(self) -> tuple[int, list[File], bool]:
        """The current version's files, generating a new version first when the answers
        changed since the last one. (version, files, whether it is new)."""
        answers = await self.answers()
        package = await self.package()
        digest = await self._digest(answers)
        if package.version and package.answers_digest == digest:
            return package.version, await self.files(package.version), False
        version = package.version + 1
        now = utcnow()
        data = await self.data(answers, version, now)
        # Rendering is CPU work: a worker thread keeps the bot answering everyone else.
        rendered = await asyncio.to_thread(nomination.render_all, data)
        surname = FullName.parse(answers["full_name"]).last
        files = []
        for kind, pdf in rendered:
            self.uow.documents.add_document(
                NominationDocument(
                    candidate_id=self.candidate.id,
                    version=version,
                    kind=kind,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    size=len(pdf),
                    content_enc=self.cipher.encrypt_bytes(pdf),
                    created_at=now,
                )
            )
            files.append(File(kind, filename(kind, surname, version), pdf))
        package.version = version
        package.answers_digest = digest
        package.updated_at = now
        if package.status in _CHECKED:
            package.status = PackageStatus.DRAFT
        return version, files, True

    async def files(self, version: int) -> list[File]:
        rows = await self.uow.documents.documents(self.candidate.id, version)
        if not rows:
            raise InputError("docs-error-no-version")
        surname = FullName.parse((await self.answers()).get("full_name") or "— —").last
        return [
            File(
                row.kind,
                filename(row.kind, surname, version),
                self.cipher.decrypt_bytes(row.content_enc),
            )
            for row in rows
        ]

    async def history(self) -> list[Version]:
        by_version: dict[int, list[NominationDocument]] = {}
        for row in await self.uow.documents.history(self.candidate.id):
            by_version.setdefault(row.version, []).append(row)
        return [
            Version(
                number,
                rows[0].created_at,
                tuple(r.kind for r in rows),
                tuple(r.sha256 for r in rows),
            )
            for number, rows in sorted(by_version.items(), reverse=True)
        ]

    async def submit(self) -> int:
        """Send the current version to the coordinators. The package must be complete and
        generated from the current answers."""
        overview = await self.overview()
        if not overview.complete:
            raise InputError("docs-error-incomplete", left=overview.total - overview.answered)
        if not overview.up_to_date:
            raise InputError("docs-error-generate-first")
        package = await self.package()
        if package.status is PackageStatus.SUBMITTED:
            raise InputError("docs-error-already-submitted")
        if package.status is PackageStatus.APPROVED:
            raise InputError("docs-error-already-approved")
        now = utcnow()
        package.status = PackageStatus.SUBMITTED
        package.submitted_version = package.version
        package.submitted_at = now
        package.updated_at = now
        return package.version

    async def sync_quest(self, quest: QuestService) -> list[tuple[str, StepResult]]:
        """Complete the quest's documents task if the package was approved and the task is
        open (a candidate may fill the documents in before the quest reaches them: then this
        runs again when they next open /documents). [(task id, what it changed)]"""
        package = await self.uow.documents.package(self.candidate.id)
        if package is None or package.approved_version is None:
            return []
        view = await quest.view()
        ids = [
            task.full_id
            for stage in view.stages
            for task in stage.tasks
            if task.actionable
            and isinstance(task.item.task, ActionTask)
            and task.item.task.action == QUEST_ACTION
        ]
        if not ids:
            return []
        return list(zip(ids, await quest.report_action_done(QUEST_ACTION), strict=False))


# Statuses a change of the answers undoes: what was submitted or approved is no longer current.
_CHECKED = (PackageStatus.SUBMITTED, PackageStatus.APPROVED)

# Part of the digest: a change to the layouts regenerates everyone's documents on next request.
RENDERER_VERSION = 1


def _declaration(answers: dict[str, str], year: int) -> Declaration:
    def lines(field: str) -> tuple[str, ...]:
        return tuple(line for line in (answers.get(field) or "").splitlines() if line)

    def money(field: str) -> tuple[tuple[str, str], ...]:
        pairs = (form.split_money_line(line) for line in lines(field))
        return tuple(pair for pair in pairs if pair is not None)

    return Declaration(
        year=year,
        income=money("income"),
        real_estate=lines("real_estate"),
        vehicles=lines("vehicles"),
        accounts=money("accounts"),
        securities=lines("securities"),
    )


# --- the coordinator's side ------------------------------------------------------------------


async def decide(
    uow: UnitOfWork,
    cipher: FieldCipher,
    package: NominationPackage,
    staff_id: int,
    comment: str | None,
) -> None:
    """Approve the submitted version (comment None) or return it with a comment. The caller
    checked the staff member's scope; the quest task is completed by the caller through
    `DocumentsService.sync_quest` with the candidate's quest service."""
    if package.status is not PackageStatus.SUBMITTED:
        raise InputError("review-gone")
    now = utcnow()
    package.decided_at = now
    package.decided_by = staff_id
    package.updated_at = now
    if comment is None:
        package.status = PackageStatus.APPROVED
        package.approved_version = package.submitted_version
        package.comment_enc = None
    else:
        package.status = PackageStatus.RETURNED
        package.comment_enc = cipher.encrypt(comment)
    await uow.audit.record(
        staff_id,
        "documents_approved" if comment is None else "documents_returned",
        "candidate",
        package.candidate_id,
        version=package.submitted_version,
    )
