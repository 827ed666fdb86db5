"""Scheduling records: the mail outbox, "already sent" markers, used link tokens and appointment alerts."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import Choice, UTCDateTime, in_values, label_of, labels
from .pairing import Appointment
from .volunteer import Volunteer


class OutboxStatus(Choice):
    """Where a queued mail stands."""

    PENDING = "pending", "wartet"
    SENDING = "sending", "wird gesendet"
    SENT = "sent", "gesendet"
    FAILED = "failed", "fehlgeschlagen"


class CoverOfferStatus(Choice):
    """The answer to one stand-in offer (Vertretungsanfrage) for one visit."""

    OFFEN = "offen"
    ANGENOMMEN = "angenommen"
    VERGEBEN = "vergeben", "anderweitig vergeben"
    ZURUECKGEZOGEN = "zurueckgezogen", "zurückgezogen"


class AlertKind(Choice):
    """Why a visit is on the coordinators' list: declined, or still unconfirmed shortly before it."""

    UNBESTAETIGT = "unbestaetigt", "noch nicht bestätigt"
    ABGESAGT = "abgesagt"


OUTBOX_STATUSES = labels(OutboxStatus)
ALERT_KINDS = labels(AlertKind)
LINK_PURPOSES = {
    "confirm": "Termin bestätigen",
    "decline": "Termin absagen",
    "report": "Stunden melden",
}
COVER_OFFER_STATUSES = labels(CoverOfferStatus)


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID such as ``<8f3a…(32 hex digits)@begleitservice.example>``."""
    return f"<{uuid.uuid4().hex}@{domain}>"


class OutboxMessage(db.Model):
    """One mail, written in the same transaction as the change that causes it; sent later by the scheduler."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    claim: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The Message-ID header, made once when the mail is queued: a resend after a crash carries the same one, so
    # the recipient's mail program shows it once and a log search finds both deliveries.
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True, default=lambda: new_message_id("localhost"))

    __table_args__ = (
        sa.CheckConstraint(in_values("status", OutboxStatus), name="status"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
        sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    @property
    def status_label(self) -> str:
        return label_of(OutboxStatus, self.status)


class NotificationMarker(db.Model):
    """A "this was already sent" key (e.g. 'reminder:42'), so a job run twice sends nothing twice."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    appointment_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class UsedLink(db.Model):
    """A volunteer link that has been used once; its nonce cannot be used again."""

    nonce: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    appointment_id: Mapped[int] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(sa.String(200))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    __table_args__ = (sa.CheckConstraint(in_values("purpose", LINK_PURPOSES), name="purpose"),)


class AppointmentAlert(db.Model):
    """Something the coordinators must look at: a decline, or a visit still unconfirmed shortly before."""

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    appointment: Mapped[Appointment] = relationship()

    __table_args__ = (
        sa.CheckConstraint(in_values("kind", AlertKind), name="kind"),
        sa.UniqueConstraint("appointment_id", "kind", name="uq_appointment_alert_kind"),
    )

    @property
    def kind_label(self) -> str:
        return label_of(AlertKind, self.kind)


class CoverOffer(db.Model):
    """A stand-in offer (Vertretung) for one declined visit, sent to one volunteer; the first to accept gets it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    status: Mapped[str] = mapped_column(sa.String(20), default=CoverOfferStatus.OFFEN)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    appointment: Mapped[Appointment] = relationship()
    volunteer: Mapped[Volunteer] = relationship()

    __table_args__ = (
        sa.CheckConstraint(in_values("status", CoverOfferStatus), name="status"),
        sa.CheckConstraint(
            "(status = 'offen' AND decided_at IS NULL) OR (status <> 'offen' AND decided_at IS NOT NULL)",
            name="decided",
        ),
        sa.UniqueConstraint("appointment_id", "volunteer_id", name="uq_cover_offer_volunteer"),
        # At most one accepted offer per visit, also if two acceptances ever raced past the application.
        sa.Index(
            "uq_cover_offer_accepted",
            "appointment_id",
            unique=True,
            sqlite_where=sa.text("status = 'angenommen'"),
            postgresql_where=sa.text("status = 'angenommen'"),
        ),
    )

    @property
    def status_label(self) -> str:
        return label_of(CoverOfferStatus, self.status)
