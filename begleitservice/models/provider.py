"""Provider and billing settings, kept as history: every change is a new row with the day it applies from, who
made it and when. Nothing here is updated or deleted; the row in force on a day is the latest one by
``valid_from`` (and, for the same day, the latest entered)."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import Choice, UTCDateTime, in_values, labels
from .user import User


class RateKind(Choice):
    """The dated rates kept in the app."""

    STUNDENSATZ = "hourly_rate", "Stundensatz (Rechnung je Stunde)"
    AUFWAND = "allowance_per_hour", "Aufwandsentschädigung je Stunde"
    KILOMETER = "km_rate", "Fahrtkosten je Kilometer"


RATE_KINDS = labels(RateKind)


class ProviderVersion(db.Model):
    """The provider's data (Leistungserbringer) as printed on bills from ``valid_from`` on."""

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")  # lines joined by "\n"
    ik: Mapped[str] = mapped_column(sa.String(9), default="")
    recognition: Mapped[str] = mapped_column(sa.String(300), default="")
    account_holder: Mapped[str] = mapped_column(sa.String(200), default="")
    iban: Mapped[str] = mapped_column(sa.String(34), default="")
    bic: Mapped[str] = mapped_column(sa.String(11), default="")
    payment_days: Mapped[int] = mapped_column(default=14)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    # The coordination as volunteers and families reach it: in every mail and on every link page.
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    contact_hours: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.CheckConstraint("payment_days BETWEEN 0 AND 365", name="payment_days"),)


class BillingRate(db.Model):
    """One dated rate: ``amount`` applies from ``valid_from`` until the next entry of the same kind."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    valid_from: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(in_values("kind", RateKind), name="kind"),
        sa.CheckConstraint("amount >= 0 AND amount <= 1000", name="amount"),
        sa.Index("ix_billing_rate_kind_valid_from", "kind", "valid_from"),
    )

    @property
    def kind_label(self) -> str:
        return RATE_KINDS[self.kind]
