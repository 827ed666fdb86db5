"""Entlastungsbetrag facts the service cannot see by itself: Pflegegrad history, reported balances, other use,
Umwandlung declarations. The ledger (billing.ledger) is computed from these, never stored."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import UTCDateTime
from .senior import Senior

MONEY = sa.Numeric(10, 2)


class PflegegradPeriod(db.Model):
    """A Pflegegrad a senior held from ``valid_from`` to ``valid_until`` (inclusive; None: still valid)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), index=True)
    grade: Mapped[int]
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    senior: Mapped[Senior] = relationship()

    __table_args__ = (
        sa.CheckConstraint("grade BETWEEN 1 AND 5", name="grade"),
        sa.CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="range"),
    )


class BudgetOpening(db.Model):
    """An opening balance (Stand) of the Entlastungsbetrag as the Pflegekasse or the family reported it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date]
    current_year: Mapped[Decimal] = mapped_column(MONEY)
    carried: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    source: Mapped[str] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    senior: Mapped[Senior] = relationship()
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("carried >= 0", name="carried"),
        sa.CheckConstraint("length(trim(source)) > 0", name="source"),
    )


class BudgetOtherUse(db.Model):
    """Use of the Entlastungsbetrag by another provider in a month, as the senior or family reported it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), index=True)
    month: Mapped[date]  # first day of the month
    amount: Mapped[Decimal] = mapped_column(MONEY)
    note: Mapped[str] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    senior: Mapped[Senior] = relationship()
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount"),
        sa.CheckConstraint("length(trim(note)) > 0", name="note"),
    )


class UmwandlungDeclaration(db.Model):
    """The amount of Pflegesachleistung the senior declared available for §45a offers in a month (§45a Abs. 4)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), index=True)
    month: Mapped[date]  # first day of the month
    amount: Mapped[Decimal] = mapped_column(MONEY)
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    senior: Mapped[Senior] = relationship()
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("amount >= 0", name="amount"),
        sa.UniqueConstraint("senior_id", "month", name="uq_umwandlung_declaration_month"),
    )
