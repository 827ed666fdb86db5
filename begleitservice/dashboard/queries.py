"""Read-only queries for the start page: open work for coordinators, billing gaps for accounting."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from scheduling.due import certificate_expires_on

from ..extensions import db
from ..models import (
    Appointment,
    AppointmentStatus,
    Pairing,
    Request,
    RequestStatus,
    Senior,
    SeniorStatus,
    Volunteer,
    VolunteerStatus,
)

TOP_REQUESTS = 10
LIST_LIMIT = 20
UPCOMING_DAYS = 7
EXPIRY_NOTICE_DAYS = 60


@dataclass
class Counted:
    """The first few items of a list and how many there are in all."""

    total: int
    items: list


@dataclass
class CertificateDue:
    """A volunteer whose Führungszeugnis is missing or (soon) too old."""

    volunteer: Volunteer
    expires_on: date | None  # None: none on file


def _counted(query, *, limit: int) -> Counted:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    return Counted(total=total, items=db.session.scalars(query.limit(limit)).unique().all())


def _with_people(query):
    return query.join(Appointment.pairing).options(
        joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
        joinedload(Appointment.pairing).joinedload(Pairing.senior),
    )


def open_requests() -> Counted:
    """Open and proposed requests, oldest first."""
    query = (
        sa.select(Request)
        .where(Request.status.in_(RequestStatus.OPEN))
        .options(joinedload(Request.senior).joinedload(Senior.district))
        .order_by(Request.received_on, Request.id)
    )
    return _counted(query, limit=TOP_REQUESTS)


def unconfirmed_appointments(today: date) -> Counted:
    """Appointments in the next seven days that are still only "geplant"."""
    query = _with_people(
        sa.select(Appointment)
        .where(
            Appointment.status == AppointmentStatus.GEPLANT,
            Appointment.on.between(today, today + timedelta(days=UPCOMING_DAYS)),
        )
        .order_by(Appointment.on, Appointment.planned_start)
    )
    return _counted(query, limit=LIST_LIMIT)


def unreported_appointments(today: date) -> Counted:
    """Past appointments that were neither cancelled nor reported with actual minutes, oldest first."""
    query = _with_people(
        sa.select(Appointment)
        .where(
            Appointment.on < today,
            Appointment.status.in_(AppointmentStatus.LIVE),
            Appointment.actual_minutes.is_(None),
        )
        .order_by(Appointment.on, Appointment.planned_start)
    )
    return _counted(query, limit=LIST_LIMIT)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def certificates_due(today: date, *, max_years: int) -> list[CertificateDue]:
    """Current volunteers whose Führungszeugnis is missing, too old, or becomes too old within 60 days."""
    cutoff = _years_before(today + timedelta(days=EXPIRY_NOTICE_DAYS), max_years)
    volunteers = db.session.scalars(
        sa.select(Volunteer)
        .where(
            Volunteer.status.in_(VolunteerStatus.CURRENT),
            sa.or_(Volunteer.fuehrungszeugnis_on.is_(None), Volunteer.fuehrungszeugnis_on <= cutoff),
        )
        .order_by(Volunteer.fuehrungszeugnis_on.is_not(None), Volunteer.fuehrungszeugnis_on, Volunteer.sort_name)
    ).all()
    return [
        CertificateDue(
            v, certificate_expires_on(v.fuehrungszeugnis_on, valid_years=max_years) if v.fuehrungszeugnis_on else None
        )
        for v in volunteers
    ]


def seniors_without_consent() -> list[Senior]:
    """Current seniors with a Pflegegrad (health data) but no recorded consent."""
    return db.session.scalars(
        sa.select(Senior)
        .where(
            Senior.status.in_(SeniorStatus.CURRENT),
            Senior.pflegegrad.is_not(None),
            Senior.consent_on.is_(None),
        )
        .order_by(Senior.sort_name, Senior.id)
    ).all()


def previous_month(today: date) -> tuple[date, date]:
    """First and last day of the month before ``today``'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def entlastung_last_month(today: date) -> dict:
    """Counts of "stattgefunden" Entlastung appointments last month, with and without actual minutes."""
    first, last = previous_month(today)
    row = db.session.execute(
        sa.select(
            sa.func.count(Appointment.actual_minutes),
            sa.func.count() - sa.func.count(Appointment.actual_minutes),
            sa.func.coalesce(sa.func.sum(Appointment.actual_minutes), 0),
        )
        .join(Appointment.pairing)
        .where(
            Pairing.service == "entlastung",
            Appointment.status == AppointmentStatus.STATTGEFUNDEN,
            Appointment.on.between(first, last),
        )
    ).one()
    return {"first": first, "last": last, "with_minutes": row[0], "without_minutes": row[1], "minutes": row[2]}


def seniors_missing_billing_data() -> list[Senior]:
    """Current seniors with a Pflegegrad whose KVNR or Pflegekasse is missing."""
    return db.session.scalars(
        sa.select(Senior)
        .where(
            Senior.status.in_(SeniorStatus.CURRENT),
            Senior.pflegegrad.is_not(None),
            sa.or_(Senior.kvnr.is_(None), Senior.pflegekasse_id.is_(None)),
        )
        .order_by(Senior.sort_name, Senior.id)
    ).all()
