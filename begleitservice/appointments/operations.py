"""Appointment state changes: follow the rule, replacements, confirm/decline/report, alerts, calendar token.

Every function takes model objects, flushes and never commits: the view, the CLI command or the job commits.
"""

import logging
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

import scheduling
from scheduling.model import local_datetime, to_local
from scheduling.recurrence import generate, horizon_end

from .. import clock, rules
from ..accounting.operations import billing_run_of, ensure_not_billed, ensure_reportable
from ..database import lock
from ..extensions import db
from ..inbox.notify import decline_kind, notify
from ..inputs import MAX_KM, date_error
from ..mail.outbox import forget_markers
from ..models import (
    AlertKind,
    Appointment,
    AppointmentAlert,
    AppointmentStatus,
    NotificationKind,
    Pairing,
    PairingStatus,
    Volunteer,
)
from ..rules.commitments import minute
from .convert import absences_of, to_domain, visit_rule

log = logging.getLogger(__name__)


class AppointmentError(ValueError):
    """An appointment cannot be saved; the message is German and names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def sync_pairing(pairing: Pairing, *, now: datetime, horizon_weeks: int) -> scheduling.Plan:
    """Make the pairing's appointments follow its rule up to the horizon: create, move, delete future planned ones.

    Past, confirmed, called-off and one-off appointments stay as they are (the scheduling package decides).
    """
    existing = {a.id: a for a in pairing.appointments}
    plan = scheduling.reconcile(
        visit_rule(pairing),
        [to_domain(a) for a in existing.values()],
        now=now,
        horizon_weeks=horizon_weeks,
        absences=absences_of(pairing.volunteer),
    )
    for move in plan.update:
        appointment = existing[move.appointment.id]
        ensure_not_billed(appointment, moving_to=move.on)
        appointment.on, appointment.planned_start, appointment.planned_end = move.on, move.start, move.end
        _forget(appointment)
    for gone in plan.delete:
        appointment = existing[gone.id]
        ensure_not_billed(appointment)
        _forget(appointment)
        pairing.appointments.remove(appointment)
        db.session.delete(appointment)
    for occurrence in plan.create:
        pairing.appointments.append(
            Appointment(
                on=occurrence.on,
                planned_start=occurrence.start,
                planned_end=occurrence.end,
                status=AppointmentStatus.GEPLANT,
            )
        )
    db.session.flush()
    if plan.has_changes:
        log.info(
            "pairing %d: %d created, %d moved, %d deleted, %d skipped",
            pairing.id,
            len(plan.create),
            len(plan.update),
            len(plan.delete),
            len(plan.skipped),
        )
    return plan


def pairing_saved(pairing: Pairing, *, now: datetime, horizon_weeks: int) -> scheduling.Plan:
    """Call in the unit of work that creates or changes a pairing: its appointments follow the (new) rule, and
    the volunteer of a new, active pairing gets the introduction mail (queued once)."""
    from ..mail.notices import introduce

    plan = sync_pairing(pairing, now=now, horizon_weeks=horizon_weeks)
    introduce(pairing, now=now)
    return plan


def follow_rule(pairing: Pairing) -> scheduling.Plan:
    """pairing_saved() with the app's clock and horizon: for operations that change a pairing or its volunteer."""
    from flask import current_app

    return pairing_saved(pairing, now=clock.now(), horizon_weeks=current_app.config["APPOINTMENT_HORIZON_WEEKS"])


def _forget(appointment: Appointment) -> None:
    """An appointment moved or is going away: its sent markers and alerts no longer apply."""
    forget_markers(appointment.id)
    db.session.execute(sa.delete(AppointmentAlert).where(AppointmentAlert.appointment_id == appointment.id))


def skipped_dates(pairing: Pairing, *, today: date, horizon_weeks: int) -> list[scheduling.SkippedDate]:
    """Rule dates from today to the horizon without an appointment (holiday, absence), with German reasons."""
    rule = visit_rule(pairing)
    if rule is None:
        return []
    generation = generate(
        rule, first=today, last=horizon_end(today, weeks=horizon_weeks), absences=absences_of(pairing.volunteer)
    )
    return list(generation.skipped)


def conflicts(pairing: Pairing, *, now: datetime, horizon_weeks: int) -> list[scheduling.Conflict]:
    """Kept appointments (confirmed or one-off) that now fall on a holiday or into an absence."""
    plan = scheduling.reconcile(
        visit_rule(pairing),
        [to_domain(a) for a in pairing.appointments],
        now=now,
        horizon_weeks=horizon_weeks,
        absences=absences_of(pairing.volunteer),
    )
    return list(plan.conflicts)


def replacement_for(pairing: Pairing, skipped_on: date) -> Appointment | None:
    """The one-off appointment standing in for a skipped rule date, if there is one."""
    return next((a for a in pairing.appointments if a.is_one_off and a.replaces_on == skipped_on), None)


def add_one_off(
    pairing: Pairing,
    *,
    on: date,
    start: time,
    end: time,
    replaces_on: date | None = None,
    now: datetime,
    note: str | None = None,
    allow_past: bool = False,
) -> Appointment:
    """Add a one-off appointment (optionally replacing a skipped rule date); refuse clashes, billed months and,
    unless ``allow_past`` (a coordinator recording an extra visit afterwards), the past."""
    if message := date_error(on, "plan"):
        raise AppointmentError("on", message)
    if end <= start:
        raise AppointmentError("end", "Das Ende muss nach dem Beginn liegen.")
    if not allow_past and local_datetime(on, start) <= now:
        raise AppointmentError("on", "Ein Ersatztermin muss in der Zukunft liegen.")
    if billing_run_of(on) is not None:
        raise AppointmentError("on", f"Der Monat {on:%m/%Y} ist abgerechnet – Korrektur nur per Storno.")
    if pairing.status != PairingStatus.AKTIV:
        raise AppointmentError("on", "Die Begleitung ist nicht aktiv.")
    if replaces_on is not None and replacement_for(pairing, replaces_on) is not None:
        raise AppointmentError("replaces_on", "Für diesen Termin gibt es schon einen Ersatztermin.")
    for other in pairing.appointments:  # also a called-off one: one record per visit time of a Begleitung
        if other.on == on and other.planned_start < end and start < other.planned_end:
            raise AppointmentError("start", "Zu dieser Zeit gibt es schon einen Termin dieser Begleitung.")
    visit = rules.Visit(
        volunteer=pairing.volunteer,
        senior=pairing.senior,
        service=pairing.service,
        on=on,
        start=minute(start),
        end=minute(end),
        pairing_id=pairing.id,
    )
    lock(Volunteer, pairing.volunteer_id)  # two visits booked at once for one volunteer: one sees the other
    if violations := rules.check_visit(visit, rules=rules.TIME_RULES):
        raise AppointmentError(violations[0].field, " ".join(v.message for v in violations))
    appointment = Appointment(
        on=on,
        planned_start=start,
        planned_end=end,
        status=AppointmentStatus.GEPLANT,
        is_one_off=True,
        replaces_on=replaces_on,
        note=note or None,
    )
    pairing.appointments.append(appointment)
    db.session.flush()
    log.info("pairing %d: one-off appointment %d on %s", pairing.id, appointment.id, on)
    return appointment


def starts_at(appointment: Appointment) -> datetime:
    """Start as an aware Europe/Berlin datetime."""
    return local_datetime(appointment.on, appointment.planned_start)


def can_confirm(appointment: Appointment, *, now: datetime) -> bool:
    """A planned visit that has not started can be confirmed."""
    return appointment.status == AppointmentStatus.GEPLANT and starts_at(appointment) > now


def can_decline(appointment: Appointment, *, now: datetime) -> bool:
    """A planned or confirmed visit that has not started can be declined."""
    return appointment.status in AppointmentStatus.OPEN and starts_at(appointment) > now


def can_report(appointment: Appointment, *, now: datetime) -> bool:
    """Hours can be reported once the visit has started, unless it was called off or its hours are known
    (a visit the coordinator marked as held without minutes still waits for them)."""
    open_hours = appointment.status in AppointmentStatus.OPEN or (
        appointment.status == AppointmentStatus.STATTGEFUNDEN and appointment.actual_minutes is None
    )
    return open_hours and starts_at(appointment) <= now


def confirm(appointment: Appointment, *, now: datetime) -> None:
    """The volunteer confirms: status bestätigt; an 'unconfirmed' alert is settled."""
    ensure_not_billed(appointment)
    appointment.status = AppointmentStatus.BESTAETIGT
    appointment.confirmed_at = now
    appointment.by_phone = False  # the volunteer's own answer (link, Mein Bereich)
    for alert in _alerts(appointment, AlertKind.UNBESTAETIGT):
        alert.resolved_at = alert.resolved_at or now
    db.session.flush()
    log.info("appointment %d confirmed", appointment.id)


def decline(appointment: Appointment, *, now: datetime, reason: str | None) -> None:
    """The volunteer declines: status abgesagt with the reason, and an alert for the coordinators at once.

    When a stand-in declines a visit they took over, it needs a stand-in again (and the alert is open again).
    """
    ensure_not_billed(appointment)
    if appointment.cover_volunteer_id is not None:
        from .cover import give_back

        give_back(appointment, now=now)
    appointment.status = AppointmentStatus.ABGESAGT
    appointment.declined_at = now
    appointment.by_phone = False
    appointment.decline_reason = (reason or "").strip()[:300] or None
    raise_alert(appointment, AlertKind.ABGESAGT, now=now).resolved_at = None
    notify(decline_kind(appointment, now=now), appointment, now=now)
    db.session.flush()
    log.info("appointment %d declined", appointment.id)


def report(appointment: Appointment, *, minutes: int | None, now: datetime, km: Decimal | None = None) -> None:
    """The volunteer reports the visit: took place for ``minutes`` (and ``km`` driven), or did not take place.

    A visit of a billed month that was not billed may still be reported: it is billed in the next run as a
    Nachberechnung of its month."""
    ensure_reportable(appointment)
    if minutes is not None and not 1 <= minutes <= 720:
        raise AppointmentError("minutes", "Bitte eine Dauer zwischen 15 Minuten und 12 Stunden wählen.")
    if km is not None and (not minutes or not 0 <= km <= MAX_KM):
        raise AppointmentError("km", f"Kilometer (0 bis {MAX_KM}) nur, wenn der Besuch stattgefunden hat.")
    appointment.status = AppointmentStatus.STATTGEFUNDEN if minutes else AppointmentStatus.AUSGEFALLEN
    appointment.actual_minutes = minutes or None
    appointment.km = km
    appointment.by_phone = False
    if not minutes:
        notify(NotificationKind.AUSGEFALLEN, appointment, now=now)
    db.session.flush()
    log.info("appointment %d reported: %s", appointment.id, appointment.status)


def _alerts(appointment: Appointment, kind: str) -> list[AppointmentAlert]:
    return list(
        db.session.scalars(
            sa.select(AppointmentAlert).where(
                AppointmentAlert.appointment_id == appointment.id, AppointmentAlert.kind == kind
            )
        )
    )


def raise_alert(appointment: Appointment, kind: str, *, now: datetime) -> AppointmentAlert:
    """Put the appointment on the coordinators' dashboard (once per kind)."""
    existing = _alerts(appointment, kind)
    if existing:
        return existing[0]
    alert = AppointmentAlert(appointment_id=appointment.id, kind=kind, created_at=now)
    db.session.add(alert)
    db.session.flush()
    return alert


def resolve_alerts(appointment: Appointment, *, now: datetime) -> int:
    """A coordinator has seen to the appointment: its open alerts leave the dashboard."""
    count = 0
    for alert in db.session.scalars(
        sa.select(AppointmentAlert).where(
            AppointmentAlert.appointment_id == appointment.id, AppointmentAlert.resolved_at.is_(None)
        )
    ):
        alert.resolved_at = now
        count += 1
    db.session.flush()
    return count


def issue_calendar_token(volunteer: Volunteer) -> str:
    """A new private feed token; the old feed URL stops working."""
    volunteer.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return volunteer.calendar_token


def revoke_calendar_token(volunteer: Volunteer) -> None:
    """Switch the volunteer's feed off."""
    volunteer.calendar_token = None
    db.session.flush()


def local_today(now: datetime) -> date:
    """The Berlin date of an aware timestamp."""
    return to_local(now).date()


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
