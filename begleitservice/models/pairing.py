"""Begleitungen (a volunteer regularly visits a senior) and their appointments."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduling.model import Status as AppointmentStatus

from ..extensions import db
from .base import SERVICES, WEEKDAYS, Choice, Timestamps, UTCDateTime, in_values, labels, minutes_label
from .checks import attach_service_rule
from .request import Request
from .senior import Senior
from .volunteer import Volunteer


class PairingStatus(Choice):
    """Where a Begleitung stands."""

    AKTIV = "aktiv"
    PAUSIERT = "pausiert"
    BEENDET = "beendet"

    #: not ended: the pairing still holds its volunteer, senior and request
    RUNNING: ClassVar[tuple["PairingStatus", ...]]


PairingStatus.RUNNING = (PairingStatus.AKTIV, PairingStatus.PAUSIERT)


class PairingEndReason(Choice):
    """Why a Begleitung ended (for the reports)."""

    WUNSCH_SENIOR = "wunsch_senior", "Wunsch der Senior:in"
    WUNSCH_EHRENAMT = "wunsch_ehrenamt", "Wunsch der Ehrenamtlichen"
    EHRENAMT_AUSGESCHIEDEN = "ehrenamt_ausgeschieden", "Ehrenamtliche:r ausgeschieden"
    PASST_NICHT = "passt_nicht", "Passte nicht zusammen"
    UMZUG = "umzug", "Umzug oder Pflegeheim"
    VERSTORBEN = "verstorben", "Senior:in verstorben"
    SONSTIGES = "sonstiges", "Sonstiges"


PAIRING_END_REASONS = labels(PairingEndReason)

# The appointment lifecycle is scheduling's Status (same codes; groups OPEN, LIVE, CANCELLED live there).
PAIRING_STATUSES = labels(PairingStatus)
APPOINTMENT_STATUSES = labels(AppointmentStatus)
RUNNING_FOR_REQUEST = f"request_id IS NOT NULL AND status <> '{PairingStatus.BEENDET}'"


class Pairing(Timestamps, db.Model):
    """A Begleitung: one volunteer visits one senior in a service, on weekly slots."""

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id"), index=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("request.id"))
    service: Mapped[str] = mapped_column(sa.String(20))
    interval_weeks: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(20), default=PairingStatus.AKTIV)
    end_reason: Mapped[str | None] = mapped_column(sa.String(30))  # why it ended (status beendet), for reports
    # Soft placing rules (district, availability, capacity, language, gender wish) a coordinator overrode, and why.
    override_rules: Mapped[str | None] = mapped_column(sa.String(200))
    override_reason: Mapped[str | None] = mapped_column(sa.String(500))
    override_by: Mapped[str | None] = mapped_column(sa.String(120))  # the coordinator's name at the time
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    volunteer: Mapped[Volunteer] = relationship(back_populates="pairings")
    senior: Mapped[Senior] = relationship(back_populates="pairings")
    request: Mapped[Request | None] = relationship()
    slots: Mapped[list["PairingSlot"]] = relationship(
        back_populates="pairing",
        cascade="all, delete-orphan",
        order_by="(PairingSlot.weekday, PairingSlot.start_minute)",
    )
    appointments: Mapped[list["Appointment"]] = relationship(
        back_populates="pairing", order_by="(Appointment.on, Appointment.planned_start)"
    )

    __table_args__ = (
        sa.CheckConstraint(in_values("service", SERVICES), name="service"),
        sa.CheckConstraint(in_values("status", PairingStatus), name="status"),
        sa.CheckConstraint("interval_weeks IN (1, 2)", name="interval_weeks"),
        sa.CheckConstraint("end_reason IS NULL OR " + in_values("end_reason", PairingEndReason), name="end_reason"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="range"),
        # At most one running (not ended) Begleitung per request, also if two clicks ever raced past the app.
        sa.Index(
            "uq_pairing_running_request",
            "request_id",
            unique=True,
            sqlite_where=sa.text(RUNNING_FOR_REQUEST),
            postgresql_where=sa.text(RUNNING_FOR_REQUEST),
        ),
        sa.CheckConstraint("(override_rules IS NULL) = (override_reason IS NULL)", name="override_has_reason"),
    )

    @property
    def overridden_rules(self) -> frozenset[str]:
        """The soft rules overridden for this Begleitung (see begleitservice.rules)."""
        return frozenset(filter(None, (self.override_rules or "").split(",")))

    @property
    def weekly_minutes(self) -> int:
        """Planned minutes per week (a biweekly slot counts half)."""
        return sum(slot.duration_minutes for slot in self.slots) // self.interval_weeks

    def __str__(self) -> str:
        return f"{self.volunteer.name} ↔ {self.senior.name} ({SERVICES[self.service]})"


attach_service_rule(Pairing.__table__)


class PairingSlot(db.Model):
    """A weekly visit of a pairing: weekday, start and duration."""

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("pairing.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_minute: Mapped[int]
    duration_minutes: Mapped[int]

    pairing: Mapped[Pairing] = relationship(back_populates="slots")

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint(
            "start_minute >= 0 AND duration_minutes BETWEEN 15 AND 600 AND start_minute + duration_minutes <= 1440",
            name="range",
        ),
    )

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.duration_minutes

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {minutes_label(self.start_minute)}–{minutes_label(self.end_minute)}"


class Appointment(Timestamps, db.Model):
    """A Termin: one visit of a pairing on a date (times are local wall-clock times)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("pairing.id"), index=True)
    on: Mapped[date] = mapped_column(index=True)
    planned_start: Mapped[time]
    planned_end: Mapped[time]
    status: Mapped[str] = mapped_column(sa.String(20), default=AppointmentStatus.GEPLANT)
    actual_minutes: Mapped[int | None]
    km: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))  # driven for this visit (Fahrtkosten), held only
    is_one_off: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    activity: Mapped[str | None] = mapped_column(sa.String(200))  # what was done (Leistungsnachweis), reported
    replaces_on: Mapped[date | None]  # a one-off visit standing in for this skipped rule date
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(sa.String(300))
    # A stand-in (Vertretung) does this one visit; the pairing and its volunteer stay as they are.
    cover_volunteer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("volunteer.id"), index=True)
    # The coordinator recorded the status or hours after a phone call ("telefonisch"), not the volunteer's link.
    by_phone: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    pairing: Mapped[Pairing] = relationship(back_populates="appointments")
    cover_volunteer: Mapped[Volunteer | None] = relationship(foreign_keys=[cover_volunteer_id])

    __table_args__ = (
        sa.CheckConstraint(in_values("status", AppointmentStatus), name="status"),
        sa.CheckConstraint("planned_end > planned_start", name="range"),
        sa.CheckConstraint(
            "actual_minutes IS NULL OR (status = 'stattgefunden' AND actual_minutes BETWEEN 1 AND 720)",
            name="actual_minutes",
        ),
        sa.CheckConstraint("km IS NULL OR (status = 'stattgefunden' AND km BETWEEN 0 AND 500)", name="km"),
        sa.UniqueConstraint("pairing_id", "on", "planned_start", name="uq_appointment_slot"),
    )

    @property
    def planned_minutes(self) -> int:
        return (self.planned_end.hour * 60 + self.planned_end.minute) - (
            self.planned_start.hour * 60 + self.planned_start.minute
        )
