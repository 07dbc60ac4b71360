"""The nomination documents: questionnaire answers (encrypted) and generated package versions.

Every answer is personal data (passport, ИНН, address, criminal record...), so each one is a
Fernet token in `value_enc`; the field name is not secret. Generated PDFs carry the same data and
are stored encrypted too, every version kept with its hash so a printed copy can be matched.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, UtcDateTime, _now


class PackageStatus(enum.StrEnum):
    DRAFT = "draft"  # being filled in, or changed since it was last checked
    SUBMITTED = "submitted"  # waiting for a coordinator
    RETURNED = "returned"  # a coordinator sent it back with a comment
    APPROVED = "approved"


class NominationAnswer(Base):
    __tablename__ = "nomination_answers"
    __table_args__ = (UniqueConstraint("candidate_id", "field", name="candidate_field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(32))
    value_enc: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class NominationPackage(Base):
    """One per candidate: where the package stands and which version is current."""

    __tablename__ = "nomination_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[PackageStatus] = mapped_column(
        Enum(PackageStatus, native_enum=False, length=16), default=PackageStatus.DRAFT
    )
    version: Mapped[int] = mapped_column(Integer, default=0)  # 0: nothing generated yet
    # A keyed hash of the answers the current version was made from: a change means a new one.
    answers_digest: Mapped[str | None] = mapped_column(String(64))
    submitted_version: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    approved_version: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by: Mapped[int | None] = mapped_column(BigInteger)  # staff Telegram id
    comment_enc: Mapped[str | None] = mapped_column(Text)  # may quote personal data
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class NominationDocument(Base):
    """One generated PDF of one version of the package, encrypted."""

    __tablename__ = "nomination_documents"
    __table_args__ = (
        UniqueConstraint("candidate_id", "version", "kind", name="candidate_version_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))  # statement, declaration, signatures, inventory
    sha256: Mapped[str] = mapped_column(String(64))  # of the PDF itself
    size: Mapped[int] = mapped_column(Integer)
    content_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
