"""The scheduler's jobs: small named functions, safe to run twice, each logging what it did.

Each job takes ``now`` (aware, UTC) and flushes; :func:`run_job` is the edge that commits. "Already sent" markers
with a unique key make a second run (or a concurrent one) queue nothing twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

import scheduling
from scheduling.model import to_local

from .. import clock
from ..appointments import operations
from ..appointments.convert import to_domain
from ..appointments.links.tokens import external_url
from ..audit.operations import purge_job as audit_purge_job
from ..extensions import db
from ..inbox.notify import daily_digest, notify
from ..mail import notices
from ..mail.outbox import mark_sent, sent_keys
from ..mail.sender import send_pending
from ..models import (
    AlertKind,
    Appointment,
    AppointmentStatus,
    NotificationKind,
    Pairing,
    PairingStatus,
    User,
    Volunteer,
    VolunteerStatus,
)
from ..privacy.operations import purge_job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A named job with its schedule (APScheduler trigger arguments from the config)."""

    name: str
    func: Callable[..., str]
    trigger: Callable[[dict], tuple[str, dict]]
    description: str


def _daily(config: dict) -> tuple[str, dict]:
    hour, minute = config["SCHEDULER_DAILY_AT"].split(":")
    return "cron", {"hour": int(hour), "minute": int(minute)}


def _digest(config: dict) -> tuple[str, dict]:
    hour, minute = config["SCHEDULER_DIGEST_AT"].split(":")
    return "cron", {"hour": int(hour), "minute": int(minute)}


def _weekly(config: dict) -> tuple[str, dict]:
    day, at = config["SCHEDULER_WEEKLY_SUMMARY_AT"].split()
    hour, minute = at.split(":")
    return "cron", {"day_of_week": day, "hour": int(hour), "minute": int(minute)}


def _notify(config: dict) -> tuple[str, dict]:
    return "interval", {"minutes": config["SCHEDULER_NOTIFY_MINUTES"]}


def _outbox(config: dict) -> tuple[str, dict]:
    return "interval", {"seconds": config["SCHEDULER_OUTBOX_SECONDS"]}


def _appointments(*, first, last, statuses) -> list[Appointment]:
    """Appointments between two local dates in the given statuses, with what the mails need."""
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .join(Appointment.pairing)
            .where(Appointment.on.between(first, last), Appointment.status.in_(statuses))
            .options(
                joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
                joinedload(Appointment.pairing).joinedload(Pairing.senior),
            )
            .order_by(Appointment.on, Appointment.planned_start)
        ).unique()
    )


def _queue_due(kind: str, due: list[scheduling.DueItem], by_id: dict[int, Appointment], send) -> int:
    for item in due:
        appointment = by_id[item.appointment.id]
        send(appointment)
        mark_sent(item.key, appointment_id=appointment.id)
    log.info("%s: %d queued", kind, len(due))
    return len(due)


def _markers(kind: scheduling.DueKind, appointments: list[Appointment]) -> set[str]:
    return sent_keys(scheduling.marker(kind, a.id) for a in appointments)


def roll_horizon(*, now: datetime) -> str:
    """Keep every pairing's appointments up to the horizon; introduce new pairings to their volunteer."""
    weeks = current_app.config["APPOINTMENT_HORIZON_WEEKS"]
    today = to_local(now).date()
    has_future = sa.select(Appointment.id).where(
        Appointment.pairing_id == Pairing.id, Appointment.on >= today, Appointment.status == AppointmentStatus.GEPLANT
    )
    pairings = db.session.scalars(
        sa.select(Pairing)
        .where(sa.or_(Pairing.status == PairingStatus.AKTIV, has_future.exists()))
        .options(
            selectinload(Pairing.slots),
            selectinload(Pairing.appointments),
            joinedload(Pairing.volunteer).selectinload(Volunteer.absences),
            joinedload(Pairing.senior),
        )
        .order_by(Pairing.id)
    ).unique()
    created = moved = deleted = introduced = 0
    for pairing in pairings:
        plan = operations.sync_pairing(pairing, now=now, horizon_weeks=weeks)
        created, moved, deleted = created + len(plan.create), moved + len(plan.update), deleted + len(plan.delete)
        introduced += notices.introduce(pairing, now=now)
    log.info("roll_horizon: %d created, %d moved, %d deleted, %d introduced", created, moved, deleted, introduced)
    return f"{created} Termine angelegt, {moved} verschoben, {deleted} gelöscht, {introduced} Vorstellungen"


def confirmation_requests(*, now: datetime) -> str:
    """Ask volunteers to confirm planned visits N days ahead."""
    days = current_app.config["CONFIRMATION_DAYS_BEFORE"]
    today = to_local(now).date()
    candidates = _appointments(first=today, last=today + timedelta(days=days), statuses=[AppointmentStatus.GEPLANT])
    sent = _markers(scheduling.DueKind.CONFIRMATION_REQUEST, candidates)
    due = scheduling.due_confirmation_requests([to_domain(a) for a in candidates], now=now, sent=sent, days_before=days)
    count = _queue_due("confirmation_requests", due, {a.id: a for a in candidates}, notices.confirmation_request)
    return f"{count} Bestätigungsanfragen"


def reminders(*, now: datetime) -> str:
    """Remind volunteers the day before a visit."""
    today = to_local(now).date()
    candidates = _appointments(first=today, last=today + timedelta(days=1), statuses=AppointmentStatus.OPEN)
    sent = _markers(scheduling.DueKind.REMINDER, candidates)
    due = scheduling.due_reminders([to_domain(a) for a in candidates], now=now, sent=sent)
    count = _queue_due("reminders", due, {a.id: a for a in candidates}, notices.reminder)
    return f"{count} Erinnerungen"


def hours_requests(*, now: datetime) -> str:
    """Ask volunteers to report the hours of visits that have ended."""
    days = current_app.config["HOURS_REQUEST_LOOKBACK_DAYS"]
    today = to_local(now).date()
    candidates = _appointments(first=today - timedelta(days=days), last=today, statuses=AppointmentStatus.OPEN)
    sent = _markers(scheduling.DueKind.HOURS_REQUEST, candidates)
    due = scheduling.due_hours_requests([to_domain(a) for a in candidates], now=now, sent=sent, lookback_days=days)
    count = _queue_due("hours_requests", due, {a.id: a for a in candidates}, notices.hours_request)
    return f"{count} Stundenabfragen"


def escalations(*, now: datetime) -> str:
    """Put visits still unconfirmed shortly before their start on the coordinators' dashboard."""
    hours = current_app.config["ESCALATION_HOURS_BEFORE"]
    today = to_local(now).date()
    last = to_local(now + timedelta(hours=hours)).date()
    candidates = _appointments(first=today, last=last, statuses=[AppointmentStatus.GEPLANT])
    sent = _markers(scheduling.DueKind.ESCALATION, candidates)
    due = scheduling.due_escalations([to_domain(a) for a in candidates], now=now, sent=sent, hours_before=hours)
    by_id = {a.id: a for a in candidates}

    def escalate(appointment: Appointment) -> None:
        operations.raise_alert(appointment, AlertKind.UNBESTAETIGT, now=now)
        notify(NotificationKind.UNBESTAETIGT, appointment, now=now)

    count = _queue_due("escalations", due, by_id, escalate)
    return f"{count} Termine an die Koordination gemeldet"


def weekly_summary(*, now: datetime) -> str:
    """Once a week: mail the coordinators the visits still unconfirmed."""
    today = to_local(now).date()
    candidates = _appointments(first=today, last=today + timedelta(days=14), statuses=[AppointmentStatus.GEPLANT])
    year, week, _ = today.isocalendar()
    sent = sent_keys([scheduling.marker(scheduling.DueKind.WEEKLY_SUMMARY, f"{year}-W{week:02d}")])
    summary = scheduling.weekly_summary([to_domain(a) for a in candidates], now=now, sent=sent)
    if summary is None:
        log.info("weekly_summary: nothing to send")
        return "keine Wochenübersicht fällig"
    coordinators = list(
        db.session.scalars(
            sa.select(User).where(User.role == "coordinator", User.is_active.is_(True)).order_by(User.id)
        )
    )
    if not coordinators:
        log.warning("weekly_summary: no active coordinator to send it to")
        return "keine Koordinator:innen mit Zugang"
    notices.weekly_summary(summary, coordinators)
    mark_sent(summary.key)
    log.info("weekly_summary: %d unconfirmed, %d mails", len(summary.unconfirmed), len(coordinators))
    return f"Wochenübersicht mit {len(summary.unconfirmed)} Terminen an {len(coordinators)} Koordinator:innen"


def certificate_reminders(*, now: datetime) -> str:
    """Remind active volunteers whose Führungszeugnis is older than the configured period (every N days)."""
    config = current_app.config
    volunteers = {
        v.id: v
        for v in db.session.scalars(
            sa.select(Volunteer).where(
                Volunteer.status == VolunteerStatus.AKTIV, Volunteer.fuehrungszeugnis_on.is_not(None)
            )
        )
    }
    statuses = [
        scheduling.CertificateStatus(v.id, v.fuehrungszeugnis_on, v.fuehrungszeugnis_reminded_at)
        for v in volunteers.values()
    ]
    due = scheduling.due_certificate_reminders(
        statuses,
        now=now,
        valid_years=config["FUEHRUNGSZEUGNIS_MAX_YEARS"],
        remind_every_days=config["FUEHRUNGSZEUGNIS_REMIND_EVERY_DAYS"],
        include_missing=False,
    )
    for item in due:
        volunteer = volunteers[item.volunteer_id]
        notices.certificate_reminder(volunteer, item.detail)
        volunteer.fuehrungszeugnis_reminded_at = now
    db.session.flush()
    log.info("certificate_reminders: %d queued", len(due))
    return f"{len(due)} Erinnerungen an das Führungszeugnis"


def coordinator_digest(*, now: datetime) -> str:
    """Once a day: each coordinator's digest of what they chose not to get at once, with the inbox's counts."""
    from ..inbox.items import GROUPS, Context, count

    ctx = Context(today=to_local(now).date(), now=now, config=current_app.config)
    counts = [(g.title, external_url("inbox.group", slug=g.slug), count(g, ctx)) for g in GROUPS]
    return f"{daily_digest(now=now, counts=counts)} Zusammenfassungen an die Koordination"


def budget_lapses(*, now: datetime) -> str:
    """Compute which seniors' carried Entlastungsbetrag lapses on 30 June (read by the inbox)."""
    from ..inbox.budgets import refresh

    return f"{refresh(today=to_local(now).date(), now=now)} Senior:innen mit verfallendem Übertrag"


def send_outbox(*, now: datetime) -> str:
    """Send the due mails of the outbox (commits per mail itself)."""
    return str(send_pending(now=now))


JOBS = {
    job.name: job
    for job in (
        Job("roll_horizon", roll_horizon, _daily, "Termine bis zum Horizont anlegen, neue Begleitungen vorstellen"),
        Job("confirmation_requests", confirmation_requests, _notify, "Bestätigungsanfragen versenden"),
        Job("reminders", reminders, _notify, "Erinnerungen am Vortag versenden"),
        Job("hours_requests", hours_requests, _notify, "Nach dem Besuch nach den Stunden fragen"),
        Job("escalations", escalations, _notify, "Unbestätigte Termine 48 Stunden vorher melden"),
        Job("weekly_summary", weekly_summary, _weekly, "Wochenübersicht an die Koordination"),
        Job("certificate_reminders", certificate_reminders, _daily, "An das Führungszeugnis erinnern"),
        Job("coordinator_digest", coordinator_digest, _digest, "Tägliche Zusammenfassung an die Koordination"),
        Job("budget_lapses", budget_lapses, _daily, "Verfallende Entlastungsbeträge für den Posteingang berechnen"),
        Job("send_outbox", send_outbox, _outbox, "Postausgang versenden"),
        Job("dsgvo_purge", purge_job, _daily, "Gesperrte Personen nach Ablauf der Aufbewahrungsfrist löschen"),
        Job("audit_purge", audit_purge_job, _daily, "Protokolleinträge nach Ablauf der Aufbewahrungsfrist löschen"),
    )
}


def run_job(name: str, *, now: datetime | None = None) -> str:
    """Run one job as a unit of work and commit; a concurrent run that got there first leaves nothing twice."""
    job = JOBS[name]
    now = now or clock.now()
    log.info("job %s started", name)
    try:
        result = job.func(now=now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.warning("job %s: another run recorded the same notifications first; rolled back", name)
        return "bereits von einem anderen Lauf erledigt"
    except Exception:
        db.session.rollback()
        log.exception("job %s failed", name)
        raise
    log.info("job %s done: %s", name, result)
    return result
