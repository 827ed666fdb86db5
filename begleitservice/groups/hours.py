"""THE source of the Demenzgruppen hours (for reports, allowances and billing): minutes of held sessions.

A session counts when it was not called off and its day has come (today or earlier). A volunteer's minutes are
those of the sessions they were on the roster of and present at (``GroupRosterEntry.is_present``); a senior's
are those of the sessions they attended (``Attendance.ANWESEND``; excused and unexcused absences count nothing).
Periods are local dates, both inclusive. No Flask import: callable from jobs, CLI and reports alike (inside an
app context for the database session).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import (
    Attendance,
    DementiaGroup,
    GroupAttendance,
    GroupRosterEntry,
    GroupSession,
    SessionStatus,
    Volunteer,
)


@dataclass(frozen=True)
class AttendedSession:
    """One session a senior attended: the billable unit of the Demenzgruppe, by the day."""

    session_id: int
    group_id: int
    group_name: str
    senior_id: int
    on: date
    start_minute: int
    end_minute: int

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute


def _held(first: date, last: date):
    """Sessions from ``first`` to ``last`` that took place: not called off, not in the future."""
    return sa.and_(
        GroupSession.on.between(first, min(last, clock.today())), GroupSession.status == SessionStatus.GEPLANT
    )


def group_minutes_by_volunteer(first: date, last: date) -> dict[int, int]:
    """Minutes per volunteer id spent at held Demenzgruppe sessions from ``first`` to ``last``."""
    duration = GroupSession.end_minute - GroupSession.start_minute
    rows = db.session.execute(
        sa.select(GroupRosterEntry.volunteer_id, sa.func.sum(duration))
        .join(GroupRosterEntry.session)
        .where(_held(first, last), GroupRosterEntry.is_present.is_(True))
        .group_by(GroupRosterEntry.volunteer_id)
    ).all()
    return {volunteer_id: int(minutes) for volunteer_id, minutes in rows}


def group_minutes_by_senior(first: date, last: date) -> dict[int, int]:
    """Minutes per senior id attended at held Demenzgruppe sessions from ``first`` to ``last``."""
    duration = GroupSession.end_minute - GroupSession.start_minute
    rows = db.session.execute(
        sa.select(GroupAttendance.senior_id, sa.func.sum(duration))
        .join(GroupAttendance.session)
        .where(_held(first, last), GroupAttendance.status == Attendance.ANWESEND)
        .group_by(GroupAttendance.senior_id)
    ).all()
    return {senior_id: int(minutes) for senior_id, minutes in rows}


def attended_sessions(first: date, last: date, *, senior_ids=None) -> list[AttendedSession]:
    """Every session attended from ``first`` to ``last`` (optionally of some seniors), by senior and day."""
    query = (
        sa.select(GroupAttendance.senior_id, GroupSession, DementiaGroup.name)
        .join(GroupAttendance.session)
        .join(GroupSession.group)
        .where(_held(first, last), GroupAttendance.status == Attendance.ANWESEND)
        .order_by(GroupAttendance.senior_id, GroupSession.on, GroupSession.id)
    )
    if senior_ids is not None:
        query = query.where(GroupAttendance.senior_id.in_(list(senior_ids)))
    return [
        AttendedSession(s.id, s.group_id, name, senior_id, s.on, s.start_minute, s.end_minute)
        for senior_id, s, name in db.session.execute(query).all()
    ]


@dataclass(frozen=True)
class Shift:
    """A volunteer present at one held session (for the allowance)."""

    session_id: int
    volunteer_id: int
    volunteer_name: str
    on: date
    minutes: int


def volunteer_shifts(first: date, last: date, *, volunteer_ids=None) -> list[Shift]:
    """Every held session a volunteer was present at from ``first`` to ``last`` (optionally of some volunteers)."""
    query = (
        sa.select(GroupRosterEntry.volunteer_id, GroupSession, Volunteer)
        .join(GroupRosterEntry.session)
        .join(GroupRosterEntry.volunteer)
        .where(_held(first, last), GroupRosterEntry.is_present.is_(True))
        .order_by(GroupSession.on, GroupSession.id, GroupRosterEntry.volunteer_id)
    )
    if volunteer_ids is not None:
        query = query.where(GroupRosterEntry.volunteer_id.in_(list(volunteer_ids)))
    return [
        Shift(s.id, volunteer_id, volunteer.name, s.on, s.end_minute - s.start_minute)
        for volunteer_id, s, volunteer in db.session.execute(query).all()
    ]
