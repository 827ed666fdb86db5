"""The Demenzbetreuungsgruppen in the reports: one place for how group sessions count.

A session counts when it was held (begleitservice.groups.hours decides that, the one source of group hours).
- Seniors: a participant present at a held session was supported, in the senior's area; their hours are the
  minutes of the sessions they attended ("Stunden Demenzgruppen", like a visit's hours in the senior's area).
- Volunteers: present on the roster of a held session, counted in the group's area; their minutes are reported
  beside as "Ehrenamtsstunden Demenzgruppen".
- A request for the offer "Demenzgruppe" counts as placed when its senior got a place in a group (taking part,
  or took part and left) starting on or after the day the request was received.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..groups import hours
from ..models import (
    Attendance,
    DementiaGroup,
    GroupAttendance,
    GroupParticipant,
    GroupRosterEntry,
    GroupSession,
    ParticipantStatus,
    Request,
    Senior,
)
from .periods import Period

OFFER = "demenzgruppe"
HAD_PLACE = (ParticipantStatus.AKTIV, ParticipantStatus.BEENDET)


def _held(period: Period):
    return hours._held(period.start, period.end)  # the groups feature's rule of a held session


def _duration():
    return GroupSession.end_minute - GroupSession.start_minute


def _place_of_request():
    """A group place of the request's senior, starting on or after the request was received."""
    return sa.and_(
        Request.service == OFFER,
        GroupParticipant.senior_id == Request.senior_id,
        GroupParticipant.status.in_(HAD_PLACE),
        sa.or_(GroupParticipant.starts_on.is_(None), GroupParticipant.starts_on >= Request.received_on),
    )


def placed_expression():
    """SQL truth of "this request got a group place" (correlated with Request)."""
    return sa.exists().where(_place_of_request())


def place_starts():
    """(request_id, on): the first day of each group place a request led to, for the days to placement."""
    return (
        sa.select(Request.id.label("request_id"), GroupParticipant.starts_on.label("on"))
        .join(GroupParticipant, _place_of_request())
        .where(GroupParticipant.starts_on.is_not(None))
    )


def attending_seniors(period: Period, area):
    """(area, service, person) rows: seniors present at a held session, in the senior's area."""
    return (
        sa.select(area.label("area"), sa.literal(OFFER).label("service"), GroupAttendance.senior_id.label("person"))
        .join(GroupSession, GroupSession.id == GroupAttendance.session_id)
        .join(Senior, Senior.id == GroupAttendance.senior_id)
        .where(_held(period), GroupAttendance.status == Attendance.ANWESEND)
    )


def participant_minutes(period: Period, area) -> dict:
    """Minutes of held sessions the seniors attended, per senior area."""
    rows = db.session.execute(
        sa.select(area, sa.func.sum(_duration()))
        .select_from(GroupAttendance)
        .join(GroupSession, GroupSession.id == GroupAttendance.session_id)
        .join(Senior, Senior.id == GroupAttendance.senior_id)
        .where(_held(period), GroupAttendance.status == Attendance.ANWESEND)
        .group_by(area)
    )
    return {key: int(minutes or 0) for key, minutes in rows}


def _group_area(by: str):
    return DementiaGroup.district_id if by == "district" else DementiaGroup.sozialraum_id


def present_volunteers(period: Period, by: str):
    """(area, service, person) rows: volunteers present on the roster of a held session, in the group's area."""
    return (
        sa.select(
            _group_area(by).label("area"),
            sa.literal(OFFER).label("service"),
            GroupRosterEntry.volunteer_id.label("person"),
        )
        .join(GroupSession, GroupSession.id == GroupRosterEntry.session_id)
        .join(DementiaGroup, DementiaGroup.id == GroupSession.group_id)
        .where(_held(period), GroupRosterEntry.is_present.is_(True))
    )


def volunteer_minutes(period: Period, by: str) -> dict:
    """Volunteers' minutes at held sessions (present on the roster), per group area."""
    area = _group_area(by)
    rows = db.session.execute(
        sa.select(area, sa.func.sum(_duration()))
        .select_from(GroupRosterEntry)
        .join(GroupSession, GroupSession.id == GroupRosterEntry.session_id)
        .join(DementiaGroup, DementiaGroup.id == GroupSession.group_id)
        .where(_held(period), GroupRosterEntry.is_present.is_(True))
        .group_by(area)
    )
    return {key: int(minutes or 0) for key, minutes in rows}


def waiting_lists() -> list[tuple[str, str, int, int, int]]:
    """Per group: name, district, capacity, participants taking part or offered a place, and waiting."""
    from ..models import District

    placed = sa.func.sum(sa.case((GroupParticipant.status.in_(ParticipantStatus.PLACED), 1), else_=0))
    waiting = sa.func.sum(sa.case((GroupParticipant.status == ParticipantStatus.WARTEND, 1), else_=0))
    rows = db.session.execute(
        sa.select(DementiaGroup.name, District.name, DementiaGroup.capacity, placed, waiting)
        .join(District, District.id == DementiaGroup.district_id)
        .outerjoin(GroupParticipant, GroupParticipant.group_id == DementiaGroup.id)
        .group_by(DementiaGroup.id, DementiaGroup.name, District.name, DementiaGroup.capacity)
        .order_by(DementiaGroup.name)
    )
    return [(name, district, capacity, int(p or 0), int(w or 0)) for name, district, capacity, p, w in rows]
