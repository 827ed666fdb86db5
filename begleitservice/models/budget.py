"""Entlastungsbetrag facts the service cannot see by itself: Pflegegrad history, living situation, reported
balances, other use, Umwandlung declarations, Abtretungserklärungen. The ledger (billing.ledger) is computed
from these, never stored."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from billing.eligibility import LIVING_LABELS, Living, LivingPeriod
from billing.invoices import Abtretung

from ..clock import now
from ..extensions import db
from .base import UTCDateTime, in_values
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


class LivingSituation(db.Model):
    """Where a senior lived from ``valid_from`` to ``valid_until`` (inclusive; None: still). Days no row covers
    count as at home; a care home or death ends the claim to the Entlastungsbetrag (§45b SGB XI)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), index=True)
    situation: Mapped[str] = mapped_column(sa.String(20))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    senior: Mapped[Senior] = relationship()
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(in_values("situation", Living), name="situation"),
        sa.CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="range"),
        sa.CheckConstraint(f"situation <> '{Living.VERSTORBEN.value}' OR valid_until IS NULL", name="death_final"),
    )

    @property
    def label(self) -> str:
        return LIVING_LABELS[Living(self.situation)]

    def as_period(self) -> LivingPeriod:
        return LivingPeriod(Living(self.situation), self.valid_from, self.valid_until)


class AbtretungPeriod(db.Model):
    """An Abtretungserklärung (§398 BGB): the Pflegekasse is billed directly from ``given_on`` up to the day
    before ``revoked_on``; ``document_on`` is the date on the signed declaration. Given again: a new row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), index=True)
    given_on: Mapped[date]
    document_on: Mapped[date]
    revoked_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    senior: Mapped[Senior] = relationship(back_populates="abtretungen")
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.CheckConstraint("revoked_on IS NULL OR revoked_on >= given_on", name="range"),)

    def as_data(self) -> Abtretung:
        """The period as the billing package knows it (the one home of "valid on day D")."""
        return Abtretung(self.given_on, self.revoked_on, self.document_on)

    def valid_on(self, day: date) -> bool:
        return self.as_data().valid_on(day)

    @classmethod
    def valid_on_sql(cls, day: date):
        """SQL twin of ``valid_on`` for list filters: given on or before ``day`` and not revoked by then."""
        return sa.and_(cls.given_on <= day, sa.or_(cls.revoked_on.is_(None), cls.revoked_on > day))
