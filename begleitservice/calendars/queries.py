"""What a calendar or a printed plan loads: the visits of one period with their people, absences, counts per day.

Every function runs a fixed number of statements, whatever the number of visits.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import scheduling

from ..appointments.convert import to_domain_all
from ..extensions import db
from ..models import Appointment, District, Pairing, PairingStatus, Senior, Volunteer, VolunteerAbsence
from ..models.names import search_condition


def visits_between(first: date, last: date):
    """Select of the visits from ``first`` to ``last`` (joined to pairing, senior and district for filters)."""
    return (
        sa.select(Appointment)
        .join(Appointment.pairing)
        .join(Pairing.senior)
        .join(Senior.district)
        .where(Appointment.on.between(first, last))
    )


def done_by(volunteer_id: int):
    """Condition: the volunteer does the visit (their own pairing's, unless a stand-in took it, or as stand-in)."""
    return sa.or_(
        sa.and_(Pairing.volunteer_id == volunteer_id, Appointment.cover_volunteer_id.is_(None)),
        Appointment.cover_volunteer_id == volunteer_id,
    )


def service_filter(query, *, district: str | None, name: str | None):
    """The Termine page's filters: the senior's district, and volunteers by typed name (also as stand-in)."""
    if district:
        query = query.where(District.name == district)
    if name:
        matching = sa.select(Volunteer.id).where(search_condition(Volunteer.search_text, name))
        query = query.where(sa.or_(Pairing.volunteer_id.in_(matching), Appointment.cover_volunteer_id.in_(matching)))
    return query


def with_people(query):
    """Load the pairing, its volunteer and senior (with district) and the stand-in in the same statement."""
    return query.options(
        joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
        joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.district),
        joinedload(Appointment.cover_volunteer),
    )


def counts_per_day(query) -> dict[date, int]:
    """Number of visits per day of a visits select (one grouped statement)."""
    grouped = query.with_only_columns(Appointment.on, sa.func.count()).group_by(Appointment.on)
    return dict(db.session.execute(grouped).tuples().all())


def domain_visits(query) -> list[scheduling.Appointment]:
    """The visits of a select as plain scheduling appointments, in time order."""
    ordered = query.order_by(Appointment.on, Appointment.planned_start, Appointment.planned_end, Appointment.id)
    return to_domain_all(db.session.scalars(with_people(ordered)).unique())


def absences_between(first: date, last: date, condition) -> list[scheduling.Absence]:
    """Absences overlapping the period of the volunteers selected by ``condition``, named for the calendar."""
    rows = db.session.execute(
        sa.select(VolunteerAbsence.starts_on, VolunteerAbsence.ends_on, Volunteer.first_name, Volunteer.last_name)
        .join(VolunteerAbsence.volunteer)
        .where(VolunteerAbsence.starts_on <= last, VolunteerAbsence.ends_on >= first, condition)
        .order_by(VolunteerAbsence.starts_on, VolunteerAbsence.id)
    ).all()
    return [scheduling.Absence(row.starts_on, row.ends_on, who=f"{row.first_name} {row.last_name}") for row in rows]


def senior_volunteers(senior_id: int):
    """Condition on Volunteer: visits the senior in a running Begleitung."""
    running = sa.select(Pairing.volunteer_id).where(
        Pairing.senior_id == senior_id, Pairing.status.in_(PairingStatus.RUNNING)
    )
    return Volunteer.id.in_(running)
