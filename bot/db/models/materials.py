"""Campaign materials: the candidate's leaflets and every file made of them, the registry of
print runs, and the coordinators' directory of vetted designers and print houses.

What the candidate typed (biography, programme, contacts, the imprint) and their photo are
personal data: encrypted, and gone with the candidate on /forget_me (the foreign keys cascade).
Numbers the fund ledger sums (print run, cost) stay plain.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, UtcDateTime, _now


class LeafletTemplate(enum.StrEnum):
    A5 = "a5"  # A5, one-sided
    A4_DUPLEX = "a4_duplex"  # A4, two-sided
    DOOR_HANGER = "door_hanger"  # 100 x 210 mm with a cut-out for the door handle


class ResourceKind(enum.StrEnum):
    DESIGNER = "designer"
    PRINTER = "printer"


class Leaflet(Base):
    """One leaflet being built. `content_enc` is the JSON of its texts and imprint
    (bot.services.materials.LeafletContent); the photo is the re-encoded JPEG, base64,
    encrypted."""

    __tablename__ = "leaflets"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    template: Mapped[LeafletTemplate] = mapped_column(
        Enum(LeafletTemplate, native_enum=False, length=16)
    )
    content_enc: Mapped[str | None] = mapped_column(Text)
    photo_enc: Mapped[str | None] = mapped_column(Text)
    # The photo rules were asked: no children; other people shown only with written consent.
    photo_others: Mapped[bool] = mapped_column(Boolean, default=False)
    versions_made: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class LeafletVersion(Base):
    """A file made of a leaflet: a draft (marked ОБРАЗЕЦ) or a final print file. The snapshot
    of what went into it is kept; the PDF itself stays in Telegram (`file_id`) and can be
    sent again from there."""

    __tablename__ = "leaflet_versions"
    __table_args__ = (UniqueConstraint("leaflet_id", "number", name="leaflet_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leaflet_id: Mapped[int] = mapped_column(
        ForeignKey("leaflets.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    template: Mapped[LeafletTemplate] = mapped_column(
        Enum(LeafletTemplate, native_enum=False, length=16)
    )
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    content_enc: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    file_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class PrintRun(Base):
    """A print run of a final file: what the imprint says (run, date, printer) and what it
    cost from the electoral fund, and whether a copy went to the commission before
    distribution (67-ФЗ art. 54)."""

    __tablename__ = "print_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    # One run per final file: a reprint needs a new imprint (date, run), so a new file.
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("leaflet_versions.id", ondelete="SET NULL"), unique=True
    )
    item: Mapped[str] = mapped_column(String(120))  # "Листовка №1, версия 3"
    template: Mapped[LeafletTemplate] = mapped_column(
        Enum(LeafletTemplate, native_enum=False, length=16)
    )
    copies: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    printer_enc: Mapped[str] = mapped_column(Text)  # name and ИНН (an ИП is a person)
    cost_kopecks: Mapped[int] = mapped_column(BigInteger)
    copy_submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class MaterialResource(Base):
    """A vetted designer or print house, kept by coordinators, shown to every candidate.
    The contact may be a freelancer's own phone: encrypted."""

    __tablename__ = "material_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ResourceKind] = mapped_column(Enum(ResourceKind, native_enum=False, length=16))
    name: Mapped[str] = mapped_column(String(200))
    contact_enc: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
