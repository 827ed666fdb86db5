"""Volunteers (Ehrenamtliche), their weekly availability and absences."""

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..clock import today
from ..extensions import db
from .base import (
    GENDERS,
    SERVICES,
    Choice,
    Timestamps,
    UTCDateTime,
    WeeklyInterval,
    in_values,
    labels,
    split_list,
)
from .district import District
from .names import Searchable, name_indexes

#: the languages of mails and volunteer pages (labels and the switch live in begleitservice.i18n)
PAGE_LANGUAGES = ("de", "tr", "en", "ru", "pl", "ar")


class VolunteerStatus(Choice):
    """Where a volunteer stands with the service."""

    BEWERBUNG = "bewerbung", "Bewerbung"
    AKTIV = "aktiv"
    PAUSIERT = "pausiert"
    AUSGESCHIEDEN = "ausgeschieden"

    #: still with the service (applicants included): shown on the dashboard
    CURRENT: ClassVar[tuple["VolunteerStatus", ...]]


VolunteerStatus.CURRENT = (VolunteerStatus.BEWERBUNG, VolunteerStatus.AKTIV, VolunteerStatus.PAUSIERT)
VOLUNTEER_STATUSES = labels(VolunteerStatus)

volunteer_travel_district = sa.Table(
    "volunteer_travel_district",
    db.metadata,
    sa.Column("volunteer_id", sa.ForeignKey("volunteer.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("district_id", sa.ForeignKey("district.id"), primary_key=True),
)


class Volunteer(Searchable, Timestamps, db.Model):
    """An Ehrenamtliche(r) with services, districts, languages and capacity."""

    __search_names__ = ("first_name", "last_name")
    __search_phones__ = ("phone",)
    __search_codes__ = ("email",)
    __sort_by__ = ("last_name", "first_name")

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)  # optional: some only use the phone
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    home_district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id"))
    offers_besuchsdienst: Mapped[bool] = mapped_column(default=False)
    offers_entlastung: Mapped[bool] = mapped_column(default=False)
    offers_demenzgruppe: Mapped[bool] = mapped_column(default=False)
    languages: Mapped[str] = mapped_column(sa.String(200), default="Deutsch")
    # the language of the mails, link pages and printed plan this volunteer gets (begleitservice.i18n.LANGUAGES)
    language: Mapped[str] = mapped_column(sa.String(5), default="de", server_default="de")
    gender: Mapped[str] = mapped_column(sa.String(1))
    max_minutes_per_week: Mapped[int] = mapped_column(default=240)
    max_seniors: Mapped[int] = mapped_column(default=2)
    # Demenzgruppen: at most so many group sessions a month (the staffing proposal respects it). No CHECK: SQLite
    # adds it only by recreating the table, which breaks the pairing triggers; the forms keep it within 0..31.
    max_group_sessions_per_month: Mapped[int] = mapped_column(default=4, server_default="4")
    basisqualifizierung_on: Mapped[date | None]
    basisqualifizierung_ref: Mapped[str | None] = mapped_column(sa.String(80))
    fuehrungszeugnis_on: Mapped[date | None]
    fuehrungszeugnis_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)  # iCal feed
    # "Mein Bereich" links carry this number; "Link sperren" raises it and every link sent before stops working.
    link_version: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(sa.String(20), default=VolunteerStatus.AKTIV)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # Art. 17/18 DSGVO: erasure requested but billed visits must be kept; locked and hidden until retain_until.
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retain_until: Mapped[date | None]
    # the day the status became "ausgeschieden" (reports count who left in a period); cleared on return
    left_on: Mapped[date | None]

    home_district: Mapped[District] = relationship()
    travel_districts: Mapped[list[District]] = relationship(secondary=volunteer_travel_district, order_by=District.name)
    availability: Mapped[list["VolunteerAvailability"]] = relationship(
        back_populates="volunteer",
        cascade="all, delete-orphan",
        order_by="(VolunteerAvailability.weekday, VolunteerAvailability.start_minute)",
    )
    absences: Mapped[list["VolunteerAbsence"]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", order_by="VolunteerAbsence.starts_on"
    )
    pairings: Mapped[list["Pairing"]] = relationship(back_populates="volunteer")  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(in_values("gender", GENDERS), name="gender"),
        sa.CheckConstraint(in_values("status", VolunteerStatus), name="status"),
        sa.CheckConstraint(in_values("language", PAGE_LANGUAGES), name="language"),
        sa.CheckConstraint("max_minutes_per_week BETWEEN 0 AND 2400", name="max_minutes_per_week"),
        sa.CheckConstraint("max_seniors BETWEEN 0 AND 20", name="max_seniors"),
        sa.CheckConstraint(
            "NOT offers_entlastung OR basisqualifizierung_on IS NOT NULL",
            name="entlastung_needs_qualification",
        ),
        sa.CheckConstraint("email = lower(email) AND email LIKE '%_@_%'", name="email"),
        *name_indexes("volunteer"),
    )

    @validates("status")
    def _note_leaving(self, key, value):
        if value == VolunteerStatus.AUSGESCHIEDEN and self.status != VolunteerStatus.AUSGESCHIEDEN:
            self.left_on = self.left_on or today()
        elif value != VolunteerStatus.AUSGESCHIEDEN:
            self.left_on = None
        return value

    @validates("email")
    def _normalise_email(self, key, value):
        return value.strip().lower() if value else value

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def language_list(self) -> list[str]:
        return split_list(self.languages)

    @property
    def services(self) -> list[str]:
        """Service codes this volunteer offers, in the canonical order."""
        offered = {
            "besuchsdienst": self.offers_besuchsdienst,
            "entlastung": self.offers_entlastung,
            "demenzgruppe": self.offers_demenzgruppe,
        }
        return [code for code in SERVICES if offered[code]]

    @property
    def districts(self) -> list[District]:
        """Home district first, then the districts they travel to."""
        return [self.home_district, *(d for d in self.travel_districts if d.id != self.home_district_id)]

    def __str__(self) -> str:
        return self.name


class VolunteerAvailability(WeeklyInterval, db.Model):
    """A weekly interval in which a volunteer can visit (minutes after midnight, local time)."""

    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)

    volunteer: Mapped[Volunteer] = relationship(back_populates="availability")


class VolunteerAbsence(db.Model):
    """A date range in which a volunteer is away (holiday, illness)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(sa.String(120))
    # Reported by the volunteer in "Mein Bereich" (None: recorded by a coordinator); the inbox shows it until seen.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    volunteer: Mapped[Volunteer] = relationship(back_populates="absences")

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="range"),)
