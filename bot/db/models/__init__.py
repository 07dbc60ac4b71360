"""The database schema. Personal data columns end in `_enc` (encrypted with DATA_KEY) or are
listed in `bot.services.privacy` so /privacy and /forget_me cover every one of them."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware in UTC. PostgreSQL does that by
    itself; SQLite stores text and hands back naive values, which would break every
    comparison with an aware "now"."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class RoleName(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CANDIDATE = "candidate"
    VOLUNTEER = "volunteer"
    SUPPORTER = "supporter"


class CandidateStatus(enum.StrEnum):
    DRAFT = "draft"
    REGISTERED = "registered"


def _now() -> datetime:
    from bot.services.clock import utcnow

    return utcnow()


def organisation_display_name(name: str, name_en: str | None, locale: str) -> str:
    """An organisation's name as a reader in `locale` sees it: the English one where given."""
    return name_en if locale == "en" and name_en else name


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def display_name(self, locale: str) -> str:
        return organisation_display_name(self.name, self.name_en, locale)


class Election(Base):
    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    election_day: Mapped[date] = mapped_column(Date)
    # Named dates of the electoral calendar ({"nomination_opens": "2026-06-21", ...}).
    calendar: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Numbers that vary by election: fund limits, donation caps, signature rules (see
    # bot.services.election for the keys and their meaning).
    config: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class MunicipalFormation(Base):
    __tablename__ = "municipal_formations"
    __table_args__ = (UniqueConstraint("election_id", "name", name="election_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    admin_district: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    # Lower case with ё folded to е: what a typed query is matched against.
    search_name: Mapped[str] = mapped_column(String(200), index=True)

    districts: Mapped[list[ElectoralDistrict]] = relationship(
        back_populates="formation", order_by="ElectoralDistrict.number"
    )


class ElectoralDistrict(Base):
    __tablename__ = "electoral_districts"
    __table_args__ = (UniqueConstraint("formation_id", "number", name="formation_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    formation_id: Mapped[int] = mapped_column(
        ForeignKey("municipal_formations.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer)
    voters: Mapped[int | None] = mapped_column(Integer)

    formation: Mapped[MunicipalFormation] = relationship(back_populates="districts")


class User(Base):
    """A person who consented to the processing of their data. No row exists before consent."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str] = mapped_column(String(8))
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    consent_version: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    # Set when the person blocked the bot (a my_chat_member update, or a 403 when sending):
    # reminders and broadcasts skip them until they come back.
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    # Loaded explicitly (UserRepository.person), never lazily: async code can't lazy-load.
    candidate: Mapped[Candidate | None] = relationship(lazy="raise", viewonly=True)


class RoleGrant(Base):
    """A role beyond what the user is by their own rows; scoped to organisations/formations."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[RoleName] = mapped_column(Enum(RoleName, native_enum=False, length=16))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    formation_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipal_formations.id", ondelete="CASCADE")
    )
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class Candidate(Base):
    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    status: Mapped[CandidateStatus] = mapped_column(
        Enum(CandidateStatus, native_enum=False, length=16), default=CandidateStatus.DRAFT
    )
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    email_enc: Mapped[str | None] = mapped_column(Text)
    # True once the candidate answered the e-mail question, even by skipping it.
    email_answered: Mapped[bool] = mapped_column(Boolean, default=False)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("electoral_districts.id", ondelete="SET NULL")
    )
    registered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    # The seriousness signal for coordinators: quest points and the last step forward.
    quest_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_progress_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The encrypted name row (bot.db.models.protection), loaded with the actor of every
    # update so the registration's "has a name yet?" costs no query. Only ever read when
    # loaded (lazy="raise"); written through bot.services.names.
    name_row: Mapped[protection.CandidateName | None] = relationship(
        "CandidateName", lazy="raise", viewonly=True
    )


class TaskStatus(enum.StrEnum):
    STARTED = "started"
    WAITING = "waiting"  # for a coordinator's approval
    RETURNED = "returned"  # a coordinator sent it back with a comment
    DONE = "done"


class TaskProgress(Base):
    """One candidate's progress on one quest task. `data_enc` holds the task's answers
    (questionnaire fields, ticked items, counter, uploaded file ids), encrypted: a
    questionnaire may hold passport details."""

    __tablename__ = "task_progress"
    __table_args__ = (UniqueConstraint("candidate_id", "task_id", name="candidate_task"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, native_enum=False, length=16), default=TaskStatus.STARTED
    )
    data_enc: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    points: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"  # no longer relevant (task done, deadline passed, muted, blocked)
    FAILED = "failed"  # gave up after repeated errors


class Reminder(Base):
    """The persistent outbox: a message due at a time. `key` makes planning idempotent
    (planning twice creates nothing new); claiming a row atomically makes sending once per
    row hold with several instances."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    not_after: Mapped[datetime | None] = mapped_column(UtcDateTime())
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[ReminderStatus] = mapped_column(
        Enum(ReminderStatus, native_enum=False, length=16), default=ReminderStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class NotificationSettings(Base):
    """A person's /settings: muted kinds and quiet hours (minutes after local midnight)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiet_start: Mapped[int] = mapped_column(Integer, default=22 * 60)
    quiet_end: Mapped[int] = mapped_column(Integer, default=9 * 60)
    timezone: Mapped[str | None] = mapped_column(String(64))


class AuditEntry(Base):
    """Who did what to whose data. Kept after /forget_me, with the subject's id only."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class ProcessedUpdate(Base):
    """Update ids already handled: a redelivered update is skipped (all instances share it)."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now, index=True)


class FsmRecord(Base):
    """Dialog state and data of aiogram's FSM, so a dialog survives a restart.

    The data is encrypted: mid-dialog answers are personal data too.
    """

    __tablename__ = "fsm_records"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data_enc: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=func.now())


class QuestionStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class Question(Base):
    """A candidate's question to the staff (/ask). The question and the answer may hold
    personal data, so both are encrypted; the row goes with the candidate (/forget_me)."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_status_asked", "status", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    text_enc: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The staff member's Telegram id (an admin may have no users row: no foreign key).
    answered_by: Mapped[int | None] = mapped_column(BigInteger)
    answer_enc: Mapped[str | None] = mapped_column(Text)
    status: Mapped[QuestionStatus] = mapped_column(
        Enum(QuestionStatus, native_enum=False, length=16), default=QuestionStatus.OPEN
    )


class FaqEntry(Base):
    """A question and answer everyone registered can read (/faq). Written by staff in a
    de-personalised wording: plain text, no personal data."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now, index=True)


# Each feature keeps its tables in its own module; importing them here registers them on
# Base.metadata, which Alembic and create_all read.
from bot.db.models import (  # noqa: E402
    addresses,  # noqa: F401
    canvass,  # noqa: F401
    console,  # noqa: F401
    documents,  # noqa: F401
    fund,  # noqa: F401
    materials,  # noqa: F401
    protection,
    supporters,  # noqa: F401
)
