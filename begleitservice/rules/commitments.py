"""What volunteers have already taken on: weekly Begleitungen, dated visits (one-offs, stand-ins) and absences.

Loaded in a few queries for many volunteers at once, so that checking a whole list of candidates (matching,
stand-ins) costs the same as checking one. The rule functions in ``checks`` only read these plain records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

import scheduling

from ..extensions import db
from ..models import Appointment, DementiaGroup, GroupRosterEntry, GroupSession, Pairing, Volunteer
from ..models.group import SessionStatus
from ..models.pairing import AppointmentStatus, PairingStatus


@dataclass(frozen=True)
class Weekly:
    """A Begleitung of the volunteer: its weekly rule, how far its appointments are generated, whom it visits."""

    pairing_id: int
    senior: str
    rule: scheduling.VisitRule
    minutes_per_week: int
    generated_until: date | None  # last day with an appointment row; later days are planned by the rule only


@dataclass(frozen=True)
class Dated:
    """One visit on a date that the volunteer makes (their own, or as a stand-in), or a Demenzgruppe session on
    their roster (``group_session_id`` set, ``senior`` then names the group; no appointment or pairing)."""

    appointment_id: int | None
    pairing_id: int | None
    senior: str
    on: date
    start: int
    end: int
    as_cover: bool
    group_session_id: int | None = None


@dataclass
class Commitments:
    """Everything that binds one volunteer's time from a given day on."""

    volunteer_id: int
    weekly: list[Weekly] = field(default_factory=list)
    dated: list[Dated] = field(default_factory=list)
    absences: list[tuple[date, date, str | None]] = field(default_factory=list)


def minute(at) -> int:
    """Minutes after midnight of a ``time``."""
    return at.hour * 60 + at.minute


def weekly_rule(slots, *, interval_weeks: int, starts_on: date, ends_on: date | None) -> scheduling.VisitRule:
    """A pairing's weekly slots ((weekday, start, end) in minutes) as the scheduling package's rule."""
    return scheduling.VisitRule(
        tuple(scheduling.Slot.from_minutes(w, s, e - s) for w, s, e in slots), starts_on, ends_on, interval_weeks
    )


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def load(
    volunteers: list[Volunteer], *, since: date, until: date | None = None, dated: bool = True
) -> dict[int, Commitments]:
    """The commitments of ``volunteers`` from ``since`` on (dated visits up to ``until``, unless ``dated`` is off;
    absences from the volunteers' own list, so load them with the volunteers)."""
    ids = [v.id for v in volunteers if v.id is not None]
    found = {
        v.id: Commitments(v.id, absences=[(a.starts_on, a.ends_on, a.reason) for a in v.absences]) for v in volunteers
    }
    if not ids:
        return found
    pairings = db.session.scalars(
        sa.select(Pairing)
        .where(
            Pairing.volunteer_id.in_(ids),
            Pairing.status.in_(PairingStatus.RUNNING),  # a paused Begleitung keeps its senior and its time
            sa.or_(Pairing.ends_on.is_(None), Pairing.ends_on >= since),
        )
        .options(selectinload(Pairing.slots), joinedload(Pairing.senior))
    ).all()
    reach = (
        dict(
            db.session.execute(
                sa.select(Appointment.pairing_id, sa.func.max(Appointment.on))
                .where(Appointment.pairing_id.in_([p.id for p in pairings]))
                .group_by(Appointment.pairing_id)
            ).all()
        )
        if pairings
        else {}
    )
    for pairing in pairings:
        if not pairing.slots:
            continue
        found[pairing.volunteer_id].weekly.append(
            Weekly(
                pairing_id=pairing.id,
                senior=pairing.senior.name,
                rule=weekly_rule(
                    [(s.weekday, s.start_minute, s.end_minute) for s in pairing.slots],
                    interval_weeks=pairing.interval_weeks,
                    starts_on=pairing.starts_on,
                    ends_on=pairing.ends_on,
                ),
                minutes_per_week=pairing.weekly_minutes,
                generated_until=reach.get(pairing.id),
            )
        )
    if not dated:  # the weekly picture only (the matching instance plans a typical week)
        return found
    window = Appointment.on >= since if until is None else Appointment.on.between(since, until)
    visits = db.session.execute(
        sa.select(Appointment, Pairing.volunteer_id)
        .join(Appointment.pairing)
        .where(
            window,
            Appointment.status.in_(AppointmentStatus.LIVE),  # a called-off visit leaves the time free
            sa.or_(
                sa.and_(Pairing.volunteer_id.in_(ids), Appointment.cover_volunteer_id.is_(None)),
                Appointment.cover_volunteer_id.in_(ids),
            ),
        )
        .options(joinedload(Appointment.pairing).joinedload(Pairing.senior))
    ).all()
    for appointment, owner in visits:
        doer = appointment.cover_volunteer_id or owner
        found[doer].dated.append(
            Dated(
                appointment_id=appointment.id,
                pairing_id=appointment.pairing_id,
                senior=appointment.pairing.senior.name,
                on=appointment.on,
                start=minute(appointment.planned_start),
                end=minute(appointment.planned_end),
                as_cover=appointment.cover_volunteer_id is not None,
            )
        )
    _add_group_sessions(
        found, ids, window=GroupSession.on >= since if until is None else GroupSession.on.between(since, until)
    )
    return found


def _add_group_sessions(found: dict[int, Commitments], ids: list[int], *, window) -> None:
    """The Demenzgruppe sessions the volunteers are on the roster of (not called off), as dated commitments."""
    rows = db.session.execute(
        sa.select(GroupRosterEntry.volunteer_id, GroupSession, DementiaGroup.name)
        .join(GroupRosterEntry.session)
        .join(GroupSession.group)
        .where(window, GroupRosterEntry.volunteer_id.in_(ids), GroupSession.status == SessionStatus.GEPLANT)
    ).all()
    for volunteer_id, session, group_name in rows:
        found[volunteer_id].dated.append(
            Dated(
                appointment_id=None,
                pairing_id=None,
                senior=group_name,
                on=session.on,
                start=session.start_minute,
                end=session.end_minute,
                as_cover=False,
                group_session_id=session.id,
            )
        )


def dated_by_day(commitments: Commitments) -> dict[date, list[Dated]]:
    """The dated visits grouped by day."""
    days: dict[date, list[Dated]] = defaultdict(list)
    for visit in commitments.dated:
        days[visit.on].append(visit)
    return days
