"""Demenzbetreuungsgruppen: groups, their participants and waiting list, sessions, rosters and attendance."""

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import WEEKDAYS, Choice, Timestamps, UTCDateTime, in_values, label_of, labels, minutes_label
from .district import District, Sozialraum
from .senior import Senior
from .volunteer import Volunteer


class PriceUnit(Choice):
    """What a group's price is charged for."""

    SITZUNG = "sitzung", "je Gruppentermin"
    STUNDE = "stunde", "je Stunde"


class ParticipantStatus(Choice):
    """Where a senior stands with a group: on the waiting list, offered a place, taking part, or left."""

    WARTEND = "wartend", "auf der Warteliste"
    ANGEBOTEN = "angeboten", "Platz angeboten"
    AKTIV = "aktiv", "nimmt teil"
    BEENDET = "beendet"

    #: holds a place or a waiting position (at most one such row per senior and group)
    OPEN: ClassVar[tuple["ParticipantStatus", ...]]
    #: counts against the capacity
    PLACED: ClassVar[tuple["ParticipantStatus", ...]]


ParticipantStatus.OPEN = (ParticipantStatus.WARTEND, ParticipantStatus.ANGEBOTEN, ParticipantStatus.AKTIV)
ParticipantStatus.PLACED = (ParticipantStatus.ANGEBOTEN, ParticipantStatus.AKTIV)


class SessionStatus(Choice):
    """A group session is planned (and then held) or called off."""

    GEPLANT = "geplant"
    ABGESAGT = "abgesagt"


class Attendance(Choice):
    """A participant's attendance at one session; only ``anwesend`` is billed."""

    ANWESEND = "anwesend"
    ENTSCHULDIGT = "entschuldigt"
    UNENTSCHULDIGT = "unentschuldigt"


class RosterSource(Choice):
    """How a volunteer came onto a session's roster."""

    VORSCHLAG = "vorschlag", "aus dem Einsatzvorschlag"
    MANUELL = "manuell", "von der Koordination eingetragen"


class StaffingAnswer(Choice):
    """A volunteer's answer for one session of the month (by link or entered by the coordination)."""

    JA = "ja", "kann"
    NEIN = "nein", "kann nicht"


PRICE_UNITS = labels(PriceUnit)
PARTICIPANT_STATUSES = labels(ParticipantStatus)
SESSION_STATUSES = labels(SessionStatus)
ATTENDANCES = labels(Attendance)
OPEN_PARTICIPATION = "status IN ('wartend', 'angeboten', 'aktiv')"


class DementiaGroup(Timestamps, db.Model):
    """A Demenzbetreuungsgruppe: meets weekly at one place and time, staffed by volunteers, led by a professional."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    place: Mapped[str] = mapped_column(sa.String(120))  # e.g. "Begegnungsstätte Hörde"
    street: Mapped[str] = mapped_column(sa.String(120))
    postal_code: Mapped[str] = mapped_column(sa.String(5))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id"))
    sozialraum_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sozialraum.id"))
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    capacity: Mapped[int] = mapped_column(default=10)
    # The staffing rule: at least one volunteer per ``participants_per_volunteer`` participants, never fewer
    # than ``min_volunteers``.
    participants_per_volunteer: Mapped[int] = mapped_column(default=3)
    min_volunteers: Mapped[int] = mapped_column(default=2)
    lead_name: Mapped[str] = mapped_column(sa.String(120))  # the professional in charge
    lead_phone: Mapped[str | None] = mapped_column(sa.String(40))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    district: Mapped[District] = relationship()
    sozialraum: Mapped[Sozialraum | None] = relationship()
    prices: Mapped[list["GroupPrice"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="(GroupPrice.valid_from, GroupPrice.id)"
    )
    closures: Mapped[list["GroupClosure"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupClosure.starts_on"
    )
    participants: Mapped[list["GroupParticipant"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupParticipant.id"
    )
    sessions: Mapped[list["GroupSession"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupSession.on"
    )

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute", name="time"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="range"),
        sa.CheckConstraint("capacity BETWEEN 1 AND 40", name="capacity"),
        sa.CheckConstraint("participants_per_volunteer BETWEEN 1 AND 20", name="ratio"),
        sa.CheckConstraint("min_volunteers BETWEEN 0 AND 20", name="min_volunteers"),
    )

    @property
    def duration_minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def time_label(self) -> str:
        """'Mittwoch 14:00–17:00'."""
        return f"{WEEKDAYS[self.weekday]} {minutes_label(self.start_minute)}–{minutes_label(self.end_minute)}"

    @property
    def staffing_label(self) -> str:
        """'1 Ehrenamtliche:r je 3 Teilnehmende, mindestens 2'."""
        return f"1 Ehrenamtliche:r je {self.participants_per_volunteer} Teilnehmende, mindestens {self.min_volunteers}"

    def price_on(self, day: date) -> "GroupPrice | None":
        """The price in force on ``day`` (the latest entry by ``valid_from``), or None."""
        found = None
        for price in self.prices:
            if price.valid_from <= day:
                found = price
        return found

    def __str__(self) -> str:
        return self.name


class GroupPrice(db.Model):
    """A dated price of a group: ``amount`` per session or per hour from ``valid_from`` until the next entry."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("dementia_group.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date]
    unit: Mapped[str] = mapped_column(sa.String(20), default=PriceUnit.SITZUNG)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    group: Mapped[DementiaGroup] = relationship(back_populates="prices")

    __table_args__ = (
        sa.CheckConstraint(in_values("unit", PriceUnit), name="unit"),
        sa.CheckConstraint("amount >= 0 AND amount <= 1000", name="amount"),
        sa.UniqueConstraint("group_id", "valid_from", name="uq_group_price_day"),
    )

    @property
    def unit_label(self) -> str:
        return label_of(PriceUnit, self.unit)


class GroupClosure(db.Model):
    """A closing period of a group (Schließwochen, both days inclusive): no sessions are generated then."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("dementia_group.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(sa.String(120))

    group: Mapped[DementiaGroup] = relationship(back_populates="closures")

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="range"),)


class GroupParticipant(Timestamps, db.Model):
    """A senior with a group: waiting (with a position), offered a place, taking part from/to a date, or left."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("dementia_group.id", ondelete="CASCADE"), index=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=ParticipantStatus.WARTEND)
    waiting_since_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the waiting list's order
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    needs_transport: Mapped[bool] = mapped_column(default=False)  # Fahrdienst
    transport_notes: Mapped[str | None] = mapped_column(sa.String(300))
    team_notes: Mapped[str | None] = mapped_column(sa.String(1000))

    group: Mapped[DementiaGroup] = relationship(back_populates="participants")
    senior: Mapped[Senior] = relationship()

    __table_args__ = (
        sa.CheckConstraint(in_values("status", ParticipantStatus), name="status"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="range"),
        sa.CheckConstraint("status <> 'aktiv' OR starts_on IS NOT NULL", name="active_has_start"),
        # A senior holds at most one place or waiting position per group, also if two clicks raced.
        sa.Index(
            "uq_group_participant_open",
            "group_id",
            "senior_id",
            unique=True,
            sqlite_where=sa.text(OPEN_PARTICIPATION),
            postgresql_where=sa.text(OPEN_PARTICIPATION),
        ),
    )

    @property
    def status_label(self) -> str:
        return label_of(ParticipantStatus, self.status)

    def takes_part_on(self, day: date) -> bool:
        """True when the senior is an enrolled participant on ``day``."""
        if self.status not in (ParticipantStatus.AKTIV, ParticipantStatus.BEENDET) or self.starts_on is None:
            return False
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class GroupSession(Timestamps, db.Model):
    """One afternoon of a group on a date (times copied from the group when generated: local wall-clock minutes)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("dementia_group.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(index=True)
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default=SessionStatus.GEPLANT)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(300))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[DementiaGroup] = relationship(back_populates="sessions")
    roster: Mapped[list["GroupRosterEntry"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="GroupRosterEntry.id"
    )
    attendance: Mapped[list["GroupAttendance"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="GroupAttendance.id"
    )

    __table_args__ = (
        sa.CheckConstraint(in_values("status", SessionStatus), name="status"),
        sa.CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute", name="time"),
        sa.CheckConstraint("(status = 'abgesagt') = (cancelled_at IS NOT NULL)", name="cancelled"),
        sa.UniqueConstraint("group_id", "on", name="uq_group_session_day"),
    )

    @property
    def duration_minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def time_label(self) -> str:
        return f"{minutes_label(self.start_minute)}–{minutes_label(self.end_minute)}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.ABGESAGT

    @property
    def status_label(self) -> str:
        return label_of(SessionStatus, self.status)


class GroupRosterEntry(db.Model):
    """A volunteer on a session's roster; ``is_present`` is set false when they did not come after all."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("group_session.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(20), default=RosterSource.MANUELL)
    is_present: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    session: Mapped[GroupSession] = relationship(back_populates="roster")
    volunteer: Mapped[Volunteer] = relationship()

    __table_args__ = (
        sa.CheckConstraint(in_values("source", RosterSource), name="source"),
        sa.UniqueConstraint("session_id", "volunteer_id", name="uq_group_roster_volunteer"),
    )


class GroupAttendance(db.Model):
    """Whether a participant came to a session: anwesend (billed), entschuldigt or unentschuldigt."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("group_session.id", ondelete="CASCADE"), index=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    recorded_by: Mapped[str | None] = mapped_column(sa.String(120))

    session: Mapped[GroupSession] = relationship(back_populates="attendance")
    senior: Mapped[Senior] = relationship()

    __table_args__ = (
        sa.CheckConstraint(in_values("status", Attendance), name="status"),
        sa.UniqueConstraint("session_id", "senior_id", name="uq_group_attendance_senior"),
    )

    @property
    def status_label(self) -> str:
        return label_of(Attendance, self.status)


class GroupStaffingAnswer(db.Model):
    """A volunteer's yes or no for one session (given by link or entered by the coordination)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("group_session.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(sa.String(10))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    __table_args__ = (
        sa.CheckConstraint(in_values("answer", StaffingAnswer), name="answer"),
        sa.UniqueConstraint("session_id", "volunteer_id", name="uq_group_staffing_answer"),
    )
