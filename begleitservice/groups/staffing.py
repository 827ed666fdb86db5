"""The month's staffing proposal: the staffing instance from the database, solved by ``matching.staffing``, and
accepting (all or some of) the proposed roster places through the roster rules."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from billing.month import Month
from matching import staffing

from .. import clock, rules
from ..database import lock
from ..extensions import db
from ..models import (
    DementiaGroup,
    GroupRosterEntry,
    GroupSession,
    GroupStaffingAnswer,
    RosterSource,
    SessionStatus,
    StaffingAnswer,
    Volunteer,
    VolunteerStatus,
)
from . import operations as ops

log = logging.getLogger(__name__)

HISTORY_MONTHS = 3


@dataclass
class Proposal:
    """The instance, its solution, and the sessions by id (for the page)."""

    month: Month
    instance: staffing.Instance
    solution: staffing.Solution
    sessions: dict[int, GroupSession]
    volunteers: dict[int, Volunteer]


def month_sessions(month: Month) -> list[GroupSession]:
    """The month's sessions that are not called off, by day and group."""
    return list(
        db.session.scalars(
            sa.select(GroupSession)
            .where(
                GroupSession.on.between(month.first_day, month.last_day), GroupSession.status == SessionStatus.GEPLANT
            )
            .options(
                selectinload(GroupSession.roster),
                selectinload(GroupSession.group).selectinload(DementiaGroup.participants),
            )
            .order_by(GroupSession.on, GroupSession.start_minute, GroupSession.group_id)
        )
    )


def group_volunteers(on: date) -> list[Volunteer]:
    """Active volunteers who offer the Demenzgruppe and may work on ``on`` (valid Führungszeugnis)."""
    years = current_app.config["FUEHRUNGSZEUGNIS_MAX_YEARS"]
    found = db.session.scalars(
        sa.select(Volunteer)
        .where(
            Volunteer.status == VolunteerStatus.AKTIV,
            Volunteer.offers_demenzgruppe.is_(True),
            Volunteer.restricted_at.is_(None),
        )
        .options(
            selectinload(Volunteer.availability),
            selectinload(Volunteer.absences),
            selectinload(Volunteer.home_district),
            selectinload(Volunteer.travel_districts),
        )
        .order_by(Volunteer.id)
    ).all()
    return [v for v in found if rules.certificate_error(v, on=on, years=years) is None]


def _busy(commitments: rules.Commitments, first: date, last: date) -> list[tuple[date, int, int]]:
    """Home visits and stand-ins of the month (group sessions are the model's own business)."""
    busy = [(d.on, d.start, d.end) for d in commitments.dated if d.group_session_id is None]
    day = first
    while day <= last:
        for weekly in commitments.weekly:
            if weekly.generated_until is not None and weekly.generated_until >= day:
                continue
            for slot in weekly.rule.slots_on(day):
                start = slot.start_time.hour * 60 + slot.start_time.minute
                busy.append((day, start, start + slot.duration_minutes))
        day += timedelta(days=1)
    return busy


def build_instance(
    month: Month, *, time_limit_s: float | None = None
) -> tuple[staffing.Instance, list[GroupSession], list[Volunteer]]:
    """The staffing instance of the month from the database."""
    config = current_app.config
    sessions = month_sessions(month)
    volunteers = group_volunteers(month.first_day)
    ids = [v.id for v in volunteers]
    loaded = rules.load_commitments(volunteers, since=month.first_day, until=month.last_day)
    answers: dict[int, dict[str, set]] = defaultdict(lambda: {"ja": set(), "nein": set()})
    if sessions and ids:
        for row in db.session.scalars(
            sa.select(GroupStaffingAnswer).where(GroupStaffingAnswer.session_id.in_([s.id for s in sessions]))
        ):
            answers[row.volunteer_id][row.answer].add(row.session_id)
    history: dict[int, dict[int, int]] = defaultdict(dict)
    since = month.first_day - timedelta(days=31 * HISTORY_MONTHS)
    if ids:
        rows = db.session.execute(
            sa.select(GroupRosterEntry.volunteer_id, GroupSession.group_id, sa.func.count())
            .join(GroupRosterEntry.session)
            .where(
                GroupSession.on.between(since, month.first_day - timedelta(days=1)),
                GroupRosterEntry.volunteer_id.in_(ids),
            )
            .group_by(GroupRosterEntry.volunteer_id, GroupSession.group_id)
        ).all()
        for volunteer_id, group_id, count in rows:
            history[volunteer_id][group_id] = count
    district_groups: dict[int, set[int]] = defaultdict(set)
    for s in sessions:
        district_groups[s.group.district_id].add(s.group_id)
    session_group = {s.id: s.group_id for s in sessions}
    instance = staffing.Instance(
        sessions=[
            staffing.Session(
                id=s.id,
                group=s.group_id,
                on=s.on,
                start=s.start_minute,
                end=s.end_minute,
                need=ops.needed_volunteers(s.group, s.on),
                group_name=s.group.name,
                fixed=tuple(e.volunteer_id for e in s.roster if e.volunteer_id in set(ids)),
            )
            for s in sessions
        ],
        volunteers=[
            staffing.Volunteer(
                id=v.id,
                name=v.name,
                max_sessions=v.max_group_sessions_per_month,
                availability=[(a.weekday, a.start_minute, a.end_minute) for a in v.availability],
                absences=[(a.starts_on, a.ends_on) for a in v.absences],
                busy=_busy(loaded.get(v.id, rules.Commitments(v.id)), month.first_day, month.last_day),
                declined=answers[v.id]["nein"] if v.id in answers else set(),
                accepted=answers[v.id]["ja"] if v.id in answers else set(),
                history=dict(history.get(v.id, {})),
                groups=_groups_of(v, district_groups, history.get(v.id, {}), answers.get(v.id), session_group),
            )
            for v in volunteers
        ],
        buffer=config["TRAVEL_BUFFER_MINUTES"],
        time_limit_s=time_limit_s if time_limit_s is not None else config["MATCH_TIME_LIMIT_S"],
        workers=config["MATCH_WORKERS"],
        seed=config["MATCH_SEED"],
    )
    return instance, sessions, volunteers


def _groups_of(volunteer, district_groups, history, answers, session_group) -> set[int]:
    """The groups a volunteer goes to: those in their districts (home and travel), those they were with before,
    and those of sessions they said "kann" to."""
    groups = {g for d in volunteer.districts for g in district_groups.get(d.id, ())}
    groups |= set(history)
    if answers:
        groups |= {session_group[s] for s in answers["ja"] if s in session_group}
    return groups


def propose(month: Month) -> Proposal:
    """Solve the month's staffing (nothing is saved)."""
    instance, sessions, volunteers = build_instance(month)
    solution = staffing.solve(instance)
    log.info("staffing %s: %s in %.2fs", month, solution.status, solution.seconds)
    return Proposal(month, instance, solution, {s.id: s for s in sessions}, {v.id: v for v in volunteers})


def accept(pairs: list[tuple[int, int]]) -> tuple[int, list[str]]:
    """Put the chosen (session, volunteer) places on the rosters through the roster rules; return how many were
    added and the German reasons of those refused (already there, or a rule broken since the proposal)."""
    added, refused = 0, []
    for session_id, volunteer_id in pairs:
        session, volunteer = db.session.get(GroupSession, session_id), db.session.get(Volunteer, volunteer_id)
        if session is None or volunteer is None:
            refused.append("Ein Termin oder eine Ehrenamtliche aus dem Vorschlag gibt es nicht mehr.")
            continue
        if any(e.volunteer_id == volunteer_id for e in session.roster):
            continue  # already on it (a second accept, or placed by hand)
        try:
            with db.session.begin_nested():
                ops.add_to_roster(session, volunteer, source=RosterSource.VORSCHLAG)
        except ops.GroupError as error:
            refused.append(f"{session.group.name}, {session.on:%d.%m.%Y}: {error}")
        else:
            added += 1
    return added, refused


def answer(session: GroupSession, volunteer: Volunteer, value: str) -> None:
    """Record a volunteer's yes or no for a session (a second answer replaces the first). The coordination and the
    volunteer (by link) answering at the same instant: the session row is locked, so one waits and then replaces."""
    if value not in {a.value for a in StaffingAnswer}:
        raise ops.GroupError("Bitte „kann“ oder „kann nicht“ wählen.", "answer")
    lock(GroupSession, session.id)
    row = db.session.scalar(
        sa.select(GroupStaffingAnswer).where(
            GroupStaffingAnswer.session_id == session.id, GroupStaffingAnswer.volunteer_id == volunteer.id
        )
    )
    if row is None:
        db.session.add(
            GroupStaffingAnswer(session_id=session.id, volunteer_id=volunteer.id, answer=value, answered_at=clock.now())
        )
    else:
        row.answer = value
    db.session.flush()


# --- asking volunteers by link ("Gruppentermine im <Monat>" in "Mein Bereich") -------------------------------


def groups_of_volunteer(volunteer: Volunteer, *, since: date) -> set[int]:
    """The groups a volunteer can be asked for: those meeting in their districts (home and travel) and those whose
    rosters they were on since ``since``."""
    district_ids = [d.id for d in volunteer.districts]
    groups = set(db.session.scalars(sa.select(DementiaGroup.id).where(DementiaGroup.district_id.in_(district_ids))))
    groups |= set(
        db.session.scalars(
            sa.select(GroupSession.group_id)
            .join(GroupRosterEntry, GroupRosterEntry.session_id == GroupSession.id)
            .where(GroupRosterEntry.volunteer_id == volunteer.id, GroupSession.on >= since)
        )
    )
    return groups


def offered_sessions(volunteer: Volunteer, month: Month, *, today: date) -> list[GroupSession]:
    """The month's sessions the volunteer may answer "kann" / "kann nicht" for: not called off, not past, of the
    groups they can serve (none when they do not offer the Demenzgruppe or are not active)."""
    if not volunteer.offers_demenzgruppe or volunteer.status != VolunteerStatus.AKTIV:
        return []
    groups = groups_of_volunteer(volunteer, since=month.first_day - timedelta(days=31 * HISTORY_MONTHS))
    return [s for s in month_sessions(month) if s.on >= today and s.group_id in groups]


def answers_of(volunteer: Volunteer, sessions: list[GroupSession]) -> dict[int, str]:
    """session id → the volunteer's answer so far."""
    if not sessions:
        return {}
    rows = db.session.execute(
        sa.select(GroupStaffingAnswer.session_id, GroupStaffingAnswer.answer).where(
            GroupStaffingAnswer.volunteer_id == volunteer.id,
            GroupStaffingAnswer.session_id.in_([s.id for s in sessions]),
        )
    )
    return dict(rows.all())


def ask_volunteers(month: Month, *, now: datetime) -> int:
    """Queue one mail per volunteer who can serve a session of the month still ahead, with the link to
    "Gruppentermine im <Monat>" in "Mein Bereich" (in the volunteer's language). A second press on the same day
    (double click, second coordinator) queues nothing again. Return the number of mails queued."""
    from ..appointments.links.tokens import external_url, make_area_token
    from ..i18n import language_of
    from ..mail.outbox import queue_mail
    from ..models import NotificationMarker

    today = clock.today()
    if month.last_day < today:
        raise ops.GroupError("Dieser Monat ist vorbei; es gibt keine Termine mehr zum Fragen.", "")
    queued = 0
    for volunteer in group_volunteers(max(month.first_day, today)):
        if not volunteer.email or not offered_sessions(volunteer, month, today=today):
            continue
        marker = f"gruppentermine:{volunteer.id}:{month.iso}:{today.isoformat()}"
        try:
            with db.session.begin_nested():  # the marker's unique key: a second press at the same moment waits, fails
                db.session.add(NotificationMarker(key=marker, created_at=now))
        except IntegrityError:
            continue
        url = external_url(
            "area.group_sessions",
            token=make_area_token(volunteer, issued_at=now),
            year=month.year,
            month=month.month,
        )
        with language_of(volunteer.language):
            from ..area.views import fmt_month

            label = fmt_month(month)
            queue_mail(
                kind="group_sessions_request",
                to=volunteer.email,
                subject=_("Demenzgruppen: Können Sie im %(month)s?", month=label),
                template="group_sessions_request",
                volunteer=volunteer,
                month_label=label,
                url=url,
                days=current_app.config["MEIN_BEREICH_MAX_AGE_DAYS"],
            )
        queued += 1
    db.session.flush()
    log.info("staffing %s: %d volunteers asked by mail", month, queued)
    return queued
