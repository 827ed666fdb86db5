"""Seniors (supported people) with their care and billing data."""

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from billing.identifiers import kvnr_error

from ..extensions import db
from .base import GENDERS, Choice, Timestamps, UTCDateTime, in_values, labels, split_list
from .checks import digits_only_sql, kvnr_check_sql
from .district import District, Sozialraum
from .names import Searchable, name_indexes
from .pflegekasse import Pflegekasse


class SeniorStatus(Choice):
    """Where a senior stands with the service."""

    AKTIV = "aktiv"
    WARTEND = "wartend", "wartet auf Vermittlung"
    PAUSIERT = "pausiert"
    BEENDET = "beendet"
    GESPERRT = "gesperrt", "gesperrt (DSGVO)"

    #: still supported (or waiting): shown on the dashboard, selectable for a new request
    CURRENT: ClassVar[tuple["SeniorStatus", ...]]
    #: may be given a volunteer now (matching leaves paused seniors out)
    MATCHABLE: ClassVar[tuple["SeniorStatus", ...]]


SeniorStatus.CURRENT = (SeniorStatus.AKTIV, SeniorStatus.WARTEND, SeniorStatus.PAUSIERT)
SeniorStatus.MATCHABLE = (SeniorStatus.AKTIV, SeniorStatus.WARTEND)
SENIOR_STATUSES = labels(SeniorStatus)


class Senior(Searchable, Timestamps, db.Model):
    """A senior supported by the service. Pflegegrad and dementia are health data (Art. 9 DSGVO)."""

    __search_names__ = ("first_name", "last_name")
    __search_phones__ = ("phone",)
    __search_codes__ = ("kvnr", "contact_email", "postal_code")
    __sort_by__ = ("last_name", "first_name")

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80))
    birth_on: Mapped[date]
    street: Mapped[str] = mapped_column(sa.String(120))
    postal_code: Mapped[str] = mapped_column(sa.String(5))
    city: Mapped[str] = mapped_column(sa.String(80), default="Dortmund")
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id"))
    sozialraum_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sozialraum.id"))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_name: Mapped[str | None] = mapped_column(sa.String(120))
    contact_relation: Mapped[str | None] = mapped_column(sa.String(60))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    pflegegrad: Mapped[int | None]
    pflegekasse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pflegekasse.id"))
    kvnr: Mapped[str | None] = mapped_column(sa.String(10), unique=True)
    languages: Mapped[str] = mapped_column(sa.String(200), default="Deutsch")
    preferred_volunteer_gender: Mapped[str | None] = mapped_column(sa.String(1))
    has_dementia: Mapped[bool] = mapped_column(default=False)
    consent_on: Mapped[date | None]
    consent_scope: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20), default=SeniorStatus.AKTIV)
    care_notes: Mapped[str | None] = mapped_column(sa.Text)  # for the coordination only (may hold health data)
    # what a stand-in needs at the door (access, key, bell, pets, whom to call): printed on the Adressblatt
    stand_in_notes: Mapped[str | None] = mapped_column(sa.String(500))
    # Art. 17/18 DSGVO: erasure requested but invoices must be kept; locked and hidden until retain_until.
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retain_until: Mapped[date | None]

    district: Mapped[District] = relationship()
    sozialraum: Mapped[Sozialraum | None] = relationship()
    pflegekasse: Mapped[Pflegekasse | None] = relationship(back_populates="seniors")
    requests: Mapped[list["Request"]] = relationship(back_populates="senior")  # noqa: F821
    pairings: Mapped[list["Pairing"]] = relationship(back_populates="senior")  # noqa: F821
    # Abtretungserklärungen, oldest first (given, revoked, given again)
    abtretungen: Mapped[list["AbtretungPeriod"]] = relationship(  # noqa: F821
        back_populates="senior", order_by="AbtretungPeriod.given_on", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint("pflegegrad IS NULL OR pflegegrad BETWEEN 1 AND 5", name="pflegegrad"),
        sa.CheckConstraint(kvnr_check_sql("kvnr"), name="kvnr_check_digit"),
        sa.CheckConstraint(digits_only_sql("postal_code", 5), name="postal_code"),
        sa.CheckConstraint(
            "preferred_volunteer_gender IS NULL OR " + in_values("preferred_volunteer_gender", GENDERS),
            name="preferred_volunteer_gender",
        ),
        sa.CheckConstraint(in_values("status", SeniorStatus), name="status"),
        sa.CheckConstraint("consent_on IS NULL OR consent_scope IS NOT NULL", name="consent_scope"),
        sa.Index("ix_senior_name", "last_name", "first_name"),
        *name_indexes("senior"),
    )

    @validates("kvnr")
    def _validate_kvnr(self, key, value):
        if value and (error := kvnr_error(value)):
            raise ValueError(error)
        return value or None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def language_list(self) -> list[str]:
        return split_list(self.languages)

    def abtretung_valid_on(self, day: date) -> bool:
        """Whether an Abtretungserklärung covers ``day`` (given on or before, not revoked by then)."""
        return self.abtretung_on(day) is not None

    def abtretung_on(self, day: date) -> "AbtretungPeriod | None":  # noqa: F821
        """The Abtretungserklärung valid on ``day``, if any."""
        return next((a for a in self.abtretungen if a.valid_on(day)), None)

    @property
    def latest_abtretung(self) -> "AbtretungPeriod | None":  # noqa: F821
        """The most recent Abtretungserklärung (valid or revoked), if any."""
        return self.abtretungen[-1] if self.abtretungen else None

    def __str__(self) -> str:
        return self.name
