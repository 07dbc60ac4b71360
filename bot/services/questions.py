"""Questions from candidates to the staff (/ask, /questions) and the FAQ built from the
answers (/faq).

A question and its answer may hold personal data: both are stored encrypted, and go with the
candidate on /forget_me (the foreign key cascades). An FAQ entry is plain text written by staff
in a de-personalised wording, readable by everyone registered.

A coordinator sees and answers the questions of candidates in their scope (organisations,
formations), an admin or a whole-coalition coordinator everyone's; out of scope looks exactly
like missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from bot.db.models import Candidate, CandidateStatus, FaqEntry, Question, QuestionStatus
from bot.db.repositories.questions import QuestionRepository
from bot.db.uow import UnitOfWork
from bot.services import names
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.directory import Scope
from bot.services.errors import InputError
from bot.services.keyring import DataKeyCipher, person_cipher, preload_people, read

MAX_QUESTION = 2000
MAX_ANSWER = 3000
MAX_FAQ_QUESTION = 300
LIST_LIMIT = 15


# One rule for what staff may see, shared with the directory, review and broadcasts.
StaffScope = Scope


def fold(text: str) -> str:
    """What a search compares: case-insensitive, with ё and е the same letter."""
    return text.casefold().replace("ё", "е")


def excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class QuestionView:
    id: int
    candidate_name: str | None
    asked_at: datetime
    text: str
    status: QuestionStatus


@dataclass(frozen=True)
class Answered:
    question_id: int
    candidate_id: int
    candidate_user_id: int
    candidate_locale: str | None
    question: str
    answer: str


class QuestionService:
    def __init__(self, uow: UnitOfWork, cipher: FieldCipher) -> None:
        self._uow = uow
        self._cipher = cipher
        self.repo = QuestionRepository(uow.session)

    # ---------------------------------------------------------------- candidates

    async def ask(self, candidate: Candidate, text: str) -> QuestionView:
        text = text.strip()
        if candidate.status is not CandidateStatus.REGISTERED:
            raise InputError("questions-register-first")
        if not text:
            raise InputError("questions-text-only")
        if len(text) > MAX_QUESTION:
            raise InputError("questions-too-long", limit=MAX_QUESTION, length=len(text))
        own = await self._own(candidate)
        question = await self.repo.add(
            Question(
                candidate_id=candidate.id,
                text_enc=own.encrypt(text),
                status=QuestionStatus.OPEN,
            )
        )
        await self._uow.audit.record(
            candidate.user_id, "question_asked", "candidate", candidate.id, question=question.id
        )
        return await self._view(question, candidate)

    async def recipients(self, candidate: Candidate, admin_ids: Iterable[int]) -> list[int]:
        """Who is told about a new question: the coordinators whose scope covers the
        candidate; the admins when there are none. Never the asker."""
        formation_id = await self._formation_of(candidate)
        people = await self.repo.coordinators_covering(candidate.organisation_id, formation_id)
        if not [person for person in people if person != candidate.user_id]:
            people = sorted(admin_ids)
        return [person for person in people if person != candidate.user_id]

    # ---------------------------------------------------------------- staff

    async def open_questions(
        self, scope: StaffScope, limit: int = LIST_LIMIT
    ) -> list[QuestionView]:
        organisations = None if scope.organisations is None else set(scope.organisations)
        formations = None if scope.formations is None else set(scope.formations)
        rows = await self.repo.open_in_scope(organisations, formations, limit)
        await preload_people(self._uow, self._cipher, [c.user_id for _, c in rows])
        found = await names.full_names(self._uow, self._cipher, [c for _, c in rows])
        return [self._prepared(q, found.get(c.id)) for q, c in rows]

    async def question(self, question_id: int, scope: StaffScope) -> QuestionView:
        """An open question for the answer form; answered or out of reach is refused."""
        question, candidate = await self._load(question_id, scope)
        if question.status is not QuestionStatus.OPEN:
            raise InputError("questions-already-answered")
        return await self._view(question, candidate)

    async def answer(
        self, question_id: int, scope: StaffScope, staff_id: int, text: str
    ) -> Answered:
        text = text.strip()
        if not text:
            raise InputError("questions-text-only")
        if len(text) > MAX_ANSWER:
            raise InputError("questions-too-long", limit=MAX_ANSWER, length=len(text))
        question, candidate = await self._load(question_id, scope)
        own = await self._own(candidate)
        # Conditional: of two staff members answering at once, exactly one succeeds.
        result = await self._uow.session.execute(
            update(Question)
            .where(Question.id == question.id, Question.status == QuestionStatus.OPEN)
            .values(
                status=QuestionStatus.ANSWERED,
                answer_enc=own.encrypt(text),
                answered_by=staff_id,
                answered_at=utcnow(),
            )
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InputError("questions-already-answered")
        await self._uow.audit.record(
            staff_id, "question_answered", "candidate", candidate.id, question=question.id
        )
        user = await self._uow.users.get(candidate.user_id)
        return Answered(
            question_id=question.id,
            candidate_id=candidate.id,
            candidate_user_id=candidate.user_id,
            candidate_locale=user.locale if user else None,
            question=self._cipher.decrypt(question.text_enc) or "",
            answer=text,
        )

    async def add_to_faq(
        self, question_id: int, scope: StaffScope, staff_id: int, wording: str, default: str
    ) -> FaqEntry:
        """Publish an answered question's answer under a staff-written, de-personalised
        wording, in the language the answer was written for (the candidate's). Once per
        question."""
        wording = " ".join(wording.split())
        if not wording:
            raise InputError("questions-text-only")
        if len(wording) > MAX_FAQ_QUESTION:
            raise InputError("questions-too-long", limit=MAX_FAQ_QUESTION, length=len(wording))
        question, candidate = await self.faq_candidate(question_id, scope)
        user = await self._uow.users.get(candidate.user_id)
        entry = await self.repo.add_faq(
            FaqEntry(
                question=wording,
                answer=self._cipher.decrypt(question.answer_enc) or "",
                locale=user.locale if user else default,
                created_by=staff_id,
            )
        )
        await self._uow.audit.record(
            staff_id, "faq_added", "question", question.id, faq=entry.id, candidate=candidate.id
        )
        return entry

    async def faq_candidate(
        self, question_id: int, scope: StaffScope
    ) -> tuple[Question, Candidate]:
        """Only an answered question, not yet in the FAQ, can go there."""
        question, candidate = await self._load(question_id, scope)
        if question.status is not QuestionStatus.ANSWERED or question.answer_enc is None:
            raise InputError("questions-gone")
        history = await self._uow.audit.for_subject("question", question.id)
        if any(entry.action == "faq_added" for entry in history):
            raise InputError("questions-faq-exists")
        return question, candidate

    # ---------------------------------------------------------------- FAQ

    async def faq(self, query: str, locale: str, limit: int | None = None) -> list[FaqEntry]:
        """Entries whose question or answer holds every word of the query (all of them
        without a query), the reader's language first, newest first."""
        words = [fold(word) for word in query.split()]
        entries = [
            entry
            for entry in await self.repo.faq_entries()
            if all(word in fold(entry.question + "\n" + entry.answer) for word in words)
        ]
        entries.sort(key=lambda entry: entry.locale != locale)  # stable: newest first stays
        return entries[:limit]

    # ---------------------------------------------------------------- helpers

    async def _load(self, question_id: int, scope: StaffScope) -> tuple[Question, Candidate]:
        question = await self.repo.get(question_id)
        candidate = (
            await self._uow.session.get(Candidate, question.candidate_id) if question else None
        )
        if question is None or candidate is None or not await self._covers(scope, candidate):
            raise InputError("questions-gone")
        await preload_people(self._uow, self._cipher, [candidate.user_id])
        return question, candidate

    async def _own(self, candidate: Candidate) -> FieldCipher | DataKeyCipher:
        """The asker's own key: the question and its answer are erased with them."""
        own = await person_cipher(self._uow, self._cipher, candidate.user_id)
        assert own is not None
        return own

    async def _covers(self, scope: StaffScope, candidate: Candidate) -> bool:
        if scope.everyone:
            return True
        if candidate.organisation_id in (scope.organisations or frozenset()):
            return True
        formation_id = await self._formation_of(candidate)
        return formation_id is not None and formation_id in (scope.formations or frozenset())

    async def _formation_of(self, candidate: Candidate) -> int | None:
        if candidate.district_id is None:
            return None
        district = await self._uow.geography.district(candidate.district_id)
        return district.formation_id if district else None

    async def _view(self, question: Question, candidate: Candidate) -> QuestionView:
        name = await names.full_name(self._uow, self._cipher, candidate)
        return self._prepared(question, name)

    def _prepared(self, question: Question, name: str | None) -> QuestionView:
        return QuestionView(
            id=question.id,
            candidate_name=name,
            asked_at=question.asked_at,
            text=read(self._cipher, question.text_enc) or "",
            status=question.status,
        )
