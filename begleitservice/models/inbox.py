"""The coordinators' inbox and notifications: only the human state is stored, the items come from the facts.

An inbox item is derived on every view from the facts (a decline, a request waiting, ...) and named by a stable
key such as ``absage:42:2026-12-01 08:00:00``; :class:`InboxItemState` keeps what people added to it (assigned to,
snoozed until, done with a note) under that key. When the fact is solved, the item is no longer derived and its
state is simply not read any more; when the same fact arises again (a new decline of the same visit), its key is
new, so an old "done" does not hide it.
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import Choice, UTCDateTime, in_values, labels
from .user import User


class InboxItemState(db.Model):
    """What people added to one inbox item: who takes care of it, until when it waits, done with a note."""

    key: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    snoozed_until: Mapped[date | None]
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    done_note: Mapped[str | None] = mapped_column(sa.String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    __table_args__ = (sa.CheckConstraint("done_at IS NOT NULL OR done_note IS NULL", name="note_when_done"),)

    def __str__(self) -> str:
        return f"Aufgabe {self.key}"


class BudgetLapse(db.Model):
    """A senior's Entlastungsbetrag carried from last year that would lapse on 30 June (the daily job's figure)."""

    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), primary_key=True)
    lapses_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount"),)


class NotificationKind(Choice):
    """What the coordinators may hear about by mail."""

    ABSAGE_KURZFRISTIG = "absage_kurzfristig", "Kurzfristige Absage (kurz vor dem Besuch)"
    UNBESTAETIGT = "unbestaetigt", "Besuch kurz vorher noch unbestätigt (droht auszufallen)"
    VERTRETUNG = "vertretung", "Vertretung hat zugesagt (anrufen, Senior:in informieren)"
    AUSGEFALLEN = "ausgefallen", "Besuch hat nicht stattgefunden (gemeldet)"
    ABSAGE = "absage", "Absage mit mehr Vorlauf"
    ABWESENHEIT = "abwesenheit", "Abwesenheit von Ehrenamtlichen gemeldet (Urlaub, Krankheit)"


class Delivery(Choice):
    """How a user hears about one kind of notification."""

    SOFORT = "sofort", "sofort per E-Mail"
    ZUSAMMENFASSUNG = "zusammenfassung", "in der täglichen Zusammenfassung"
    KEINE = "keine", "gar nicht"


NOTIFICATION_KINDS = labels(NotificationKind)
DELIVERIES = labels(Delivery)
#: what a coordinator gets without having chosen (admins get nothing until they choose)
DEFAULT_DELIVERY = {
    NotificationKind.ABSAGE_KURZFRISTIG: Delivery.SOFORT,
    NotificationKind.UNBESTAETIGT: Delivery.SOFORT,
    NotificationKind.VERTRETUNG: Delivery.SOFORT,
    NotificationKind.AUSGEFALLEN: Delivery.SOFORT,
    NotificationKind.ABSAGE: Delivery.ZUSAMMENFASSUNG,
    NotificationKind.ABWESENHEIT: Delivery.SOFORT,
}


class NotificationSetting(db.Model):
    """One user's choice for one kind of notification (no row: the default of the user's role)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    delivery: Mapped[str] = mapped_column(sa.String(20))

    __table_args__ = (
        sa.CheckConstraint(in_values("kind", NotificationKind), name="kind"),
        sa.CheckConstraint(in_values("delivery", Delivery), name="delivery"),
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_setting_kind"),
    )


class CoordinatorEvent(db.Model):
    """Something the coordinators were (or will be, in the digest) told about: kind, visit, German summary."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    summary: Mapped[str] = mapped_column(sa.String(300))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)

    __table_args__ = (sa.CheckConstraint(in_values("kind", NotificationKind), name="kind"),)
