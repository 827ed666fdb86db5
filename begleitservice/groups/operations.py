"""Demenzgruppen state changes: enrolment and waiting list, sessions, rosters, attendance, cancelling.

Every function takes model objects, flushes and never commits: the view, the CLI command or the job commits.
Errors are ``GroupError`` with a German message (and the form field it concerns).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from matching.staffing import staffing_need
from scheduling.formatting import format_date
from scheduling.groups import Closure, SessionPlan, plan_sessions

from .. import clock, rules
from ..database import lock
from ..extensions import db
from ..i18n import fmt_date, language_of
from ..mail.outbox import queue_mail
from ..models import (
    Attendance,
    DementiaGroup,
    GroupAttendance,
    GroupParticipant,
    GroupRosterEntry,
    GroupSession,
    ParticipantStatus,
    RosterSource,
    Senior,
    SessionStatus,
    Volunteer,
)
from ..models.base import minutes_label

log = logging.getLogger(__name__)


class GroupError(ValueError):
    """A change to a group cannot be made; the message is German and names the form field."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# --- participants and waiting list --------------------------------------------------------------------------


def placed(group: DementiaGroup) -> list[GroupParticipant]:
    """Participants holding a place (taking part, or offered one)."""
    return [p for p in group.participants if p.status in ParticipantStatus.PLACED]


def waiting_list(group: DementiaGroup) -> list[GroupParticipant]:
    """The waiting list in its order: who waits longest first."""
    waiting = [p for p in group.participants if p.status == ParticipantStatus.WARTEND]
    return sorted(waiting, key=lambda p: (p.waiting_since_at, p.id))


def free_places(group: DementiaGroup) -> int:
    """Places not taken or offered."""
    return max(0, group.capacity - len(placed(group)))


def enrol(
    group: DementiaGroup,
    senior: Senior,
    *,
    needs_transport: bool = False,
    transport_notes: str | None = None,
    team_notes: str | None = None,
) -> GroupParticipant:
    """Put the senior on the group's waiting list (at its end); a free place is offered at once."""
    group = lock(DementiaGroup, group.id)  # two enrolments at once: one after the other
    if any(p.senior_id == senior.id and p.status in ParticipantStatus.OPEN for p in group.participants):
        raise GroupError(f"{senior.name} steht schon auf der Liste der Gruppe „{group.name}“.", "senior_id")
    participant = GroupParticipant(
        group=group,
        senior=senior,
        status=ParticipantStatus.WARTEND,
        waiting_since_at=clock.now(),
        needs_transport=needs_transport,
        transport_notes=transport_notes or None,
        team_notes=team_notes or None,
    )
    db.session.add(participant)
    db.session.flush()
    offer_free_places(group)
    return participant


def offer_free_places(group: DementiaGroup) -> list[GroupParticipant]:
    """Offer every free place to the next on the waiting list ("Platz angeboten"); return whom."""
    offered = []
    for participant in waiting_list(group)[: free_places(group)]:
        participant.status = ParticipantStatus.ANGEBOTEN
        participant.offered_at = clock.now()
        offered.append(participant)
    db.session.flush()
    return offered


def admit(participant: GroupParticipant, *, starts_on: date) -> None:
    """The senior takes part from ``starts_on`` (after a place was offered, or directly if one is free)."""
    group = lock(DementiaGroup, participant.group_id)
    db.session.refresh(participant)
    if participant.status == ParticipantStatus.AKTIV:
        raise GroupError(f"{participant.senior.name} nimmt schon teil.", "")
    if participant.status == ParticipantStatus.BEENDET:
        raise GroupError(f"Die Teilnahme von {participant.senior.name} ist beendet.", "")
    if participant.status == ParticipantStatus.WARTEND and free_places(group) == 0:
        raise GroupError(f"Die Gruppe „{group.name}“ ist voll ({group.capacity} Plätze).", "")
    if starts_on < group.starts_on:
        raise GroupError(f"Die Gruppe beginnt erst am {format_date(group.starts_on)}.", "starts_on")
    participant.status = ParticipantStatus.AKTIV
    participant.starts_on = starts_on
    participant.waiting_since_at = participant.waiting_since_at or clock.now()
    db.session.flush()


def end_participation(participant: GroupParticipant, *, ends_on: date | None) -> list[GroupParticipant]:
    """End the participation (or take the senior off the waiting list); the freed place is offered to the next."""
    group = lock(DementiaGroup, participant.group_id)
    db.session.refresh(participant)
    if participant.status == ParticipantStatus.BEENDET:
        raise GroupError(f"Die Teilnahme von {participant.senior.name} ist schon beendet.", "")
    if participant.status == ParticipantStatus.AKTIV:
        if ends_on is None:
            raise GroupError("Bitte das Datum der letzten Teilnahme angeben.", "ends_on")
        if ends_on < participant.starts_on:
            raise GroupError(
                f"Das Ende liegt vor dem Beginn der Teilnahme ({format_date(participant.starts_on)}).", "ends_on"
            )
        participant.ends_on = ends_on
    participant.status = ParticipantStatus.BEENDET
    db.session.flush()
    return offer_free_places(group)


def participants_on(group: DementiaGroup, day: date) -> list[GroupParticipant]:
    """Who is enrolled in the group on ``day`` (the attendance list of that session)."""
    found = [p for p in group.participants if p.takes_part_on(day)]
    return sorted(found, key=lambda p: (p.senior.last_name, p.senior.first_name))


# --- sessions -----------------------------------------------------------------------------------------------


def session_plan(group: DementiaGroup, *, first: date, last: date) -> SessionPlan:
    """The group's session dates from ``first`` to ``last``: weekly, without NRW holidays and closing weeks."""
    return plan_sessions(
        weekday=group.weekday,
        start_minute=group.start_minute,
        end_minute=group.end_minute,
        starts_on=group.starts_on,
        ends_on=group.ends_on,
        first=first,
        last=last,
        closures=[Closure(c.starts_on, c.ends_on, c.reason) for c in group.closures],
    )


def generate_sessions(group: DementiaGroup, *, first: date, last: date) -> tuple[list[GroupSession], SessionPlan]:
    """Create the sessions the plan asks for that do not exist yet (existing ones stay as they are)."""
    plan = session_plan(group, first=first, last=last)
    have = set(db.session.scalars(sa.select(GroupSession.on).where(GroupSession.group_id == group.id)))
    created = []
    for occurrence in plan.sessions:
        if occurrence.on in have:
            continue
        session = GroupSession(
            group=group,
            on=occurrence.on,
            start_minute=group.start_minute,
            end_minute=group.end_minute,
            status=SessionStatus.GEPLANT,
        )
        db.session.add(session)
        created.append(session)
    db.session.flush()
    return created, plan


def needed_volunteers(group: DementiaGroup, day: date) -> int:
    """The staffing rule for the session on ``day``: one per N participants enrolled then, at least the minimum."""
    return staffing_need(len(participants_on(group, day)), group.participants_per_volunteer, group.min_volunteers)


def cancel_session(session: GroupSession, *, reason: str) -> int:
    """Call the session off and tell everyone concerned by mail (roster volunteers, participants' contacts);
    return the number of mails queued."""
    session = lock(GroupSession, session.id)
    if session.is_cancelled:
        raise GroupError("Dieser Termin ist bereits abgesagt.", "")
    reason = (reason or "").strip()
    if not reason:
        raise GroupError("Bitte einen Grund für die Absage angeben.", "reason")
    if len(reason) > 300:
        raise GroupError("Der Grund darf höchstens 300 Zeichen lang sein.", "reason")
    session.status = SessionStatus.ABGESAGT
    session.cancel_reason = reason
    session.cancelled_at = clock.now()
    group = session.group
    recipients: dict[str, tuple[str, str]] = {}  # address → (name, language of the mail)
    for entry in session.roster:
        if entry.volunteer.email:  # without an address the coordination phones
            recipients.setdefault(entry.volunteer.email, (entry.volunteer.name, entry.volunteer.language))
    for participant in participants_on(group, session.on):
        senior = participant.senior
        if senior.contact_email:
            name = senior.contact_name or f"Angehörige von {senior.name}"
            recipients.setdefault(senior.contact_email, (name, "de"))
    for email, (name, language) in recipients.items():
        with language_of(language):  # volunteers read it in their language, relatives in German
            when = fmt_date(session.on) + ", " + session.time_label + (" Uhr" if language == "de" else "")
            queue_mail(
                kind="group_session_cancelled",
                to=email,
                subject=_(
                    "Demenzgruppe „%(group)s“: Termin am %(date)s fällt aus",
                    group=group.name,
                    date=fmt_date(session.on),
                ),
                template="group_session_cancelled",
                name=name,
                group=group,
                when=when,
                reason=reason,
            )
    db.session.flush()
    log.info("group session %d cancelled, %d mails", session.id, len(recipients))
    return len(recipients)


# --- roster and attendance ----------------------------------------------------------------------------------


def roster_violations(session: GroupSession, volunteer: Volunteer) -> list[rules.Violation]:
    """Every rule that keeps the volunteer off this session (group service, present, not elsewhere then)."""
    visit = rules.Visit(
        volunteer=volunteer,
        senior=None,
        service="demenzgruppe",
        on=session.on,
        start=session.start_minute,
        end=session.end_minute,
        group_session_id=session.id,
    )
    return rules.check_visit(visit, rules=rules.GROUP_SESSION_RULES)


def add_to_roster(
    session: GroupSession, volunteer: Volunteer, *, source: str = RosterSource.MANUELL, check: bool = True
) -> GroupRosterEntry:
    """Put the volunteer on the session's roster (the group rules must hold)."""
    session = lock(GroupSession, session.id)
    if session.is_cancelled:
        raise GroupError("Der Termin ist abgesagt.", "")
    if any(e.volunteer_id == volunteer.id for e in session.roster):
        raise GroupError(f"{volunteer.name} ist für diesen Termin schon eingeteilt.", "volunteer_id")
    if check and (violations := roster_violations(session, volunteer)):
        raise GroupError(" ".join(v.message for v in violations), "volunteer_id")
    entry = GroupRosterEntry(session=session, volunteer=volunteer, source=source, created_at=clock.now())
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_from_roster(session: GroupSession, volunteer_id: int) -> None:
    """Take a volunteer off the roster."""
    session = lock(GroupSession, session.id)
    for entry in list(session.roster):
        if entry.volunteer_id == volunteer_id:
            session.roster.remove(entry)
    db.session.flush()


def record_attendance(
    session: GroupSession,
    marks: Mapping[int, str],
    *,
    present_volunteers: set[int] | None = None,
    by: str | None = None,
    today: date | None = None,
) -> int:
    """Record each participant's attendance (senior id → anwesend/entschuldigt/unentschuldigt) and which roster
    volunteers came; a second submit of the same marks changes nothing. Return how many marks changed."""
    session = lock(GroupSession, session.id)
    if session.is_cancelled:
        raise GroupError("Der Termin ist abgesagt; Anwesenheit kann nicht erfasst werden.", "")
    today = today or clock.today()
    if session.on > today:
        raise GroupError(
            f"Die Anwesenheit kann erst am Tag des Termins ({format_date(session.on)}) erfasst werden.", ""
        )
    allowed = {p.senior_id for p in participants_on(session.group, session.on)}
    unknown = set(marks) - allowed
    if unknown:
        raise GroupError("Mindestens eine Person nimmt an diesem Tag nicht an der Gruppe teil.", "")
    valid = {a.value for a in Attendance}
    if any(mark not in valid for mark in marks.values()):
        raise GroupError("Bitte für jede Person anwesend, entschuldigt oder unentschuldigt wählen.", "")
    existing = {a.senior_id: a for a in session.attendance}
    if any(existing.get(sid) is None or existing[sid].status != mark for sid, mark in marks.items()):
        from ..accounting.operations import billing_run_of  # accounting imports groups.hours: import on use

        if billing_run_of(session.on) is not None:
            raise GroupError(
                f"Der Monat {session.on:%m/%Y} ist bereits abgerechnet: die Anwesenheit kann nicht mehr geändert "
                "werden (bitte die Buchhaltung fragen).",
                "",
            )
    changed = 0
    for senior_id, mark in marks.items():
        row = existing.get(senior_id)
        if row is None:
            session.attendance.append(GroupAttendance(senior_id=senior_id, status=mark, recorded_by=by))
            changed += 1
        elif row.status != mark:
            row.status, row.recorded_by = mark, by
            changed += 1
    if present_volunteers is not None:
        for entry in session.roster:
            came = entry.volunteer_id in present_volunteers
            if entry.is_present != came:
                entry.is_present = came
                changed += 1
    db.session.flush()
    return changed


def time_span(group: DementiaGroup) -> str:
    """'14:00–17:00'."""
    return f"{minutes_label(group.start_minute)}–{minutes_label(group.end_minute)}"
