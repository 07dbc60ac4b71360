"""The election's address list: every known residential building, the electoral district and
polling station it belongs to. Canvassing picks buildings from it; the supporter base is
assigned to districts through it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, UtcDateTime, _now


class Building(Base):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("election_id", "address_key", name="election_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    formation_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipal_formations.id", ondelete="SET NULL"), index=True
    )
    # None until someone places the building: such rows are listed for review, never dropped.
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("electoral_districts.id", ondelete="SET NULL"), index=True
    )
    street: Mapped[str] = mapped_column(String(200))  # as the list spells it, for display
    house: Mapped[str] = mapped_column(String(20))
    block: Mapped[str | None] = mapped_column(String(20))  # корпус / строение / литера
    # bot.services.addresses.address_key(): what typed and imported addresses are matched on.
    address_key: Mapped[str] = mapped_column(String(250), index=True)
    apartments: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    polling_station: Mapped[str | None] = mapped_column(String(20))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=_now)
