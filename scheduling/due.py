"""What is due when: confirmation requests, reminders, escalations, hours requests, certificates, summary."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from scheduling.formatting import format_appointment, format_date, format_iso_week
from scheduling.model import Appointment, Status, require_aware, to_local

log = logging.getLogger(__name__)


class DueKind(StrEnum):
    """Kinds of notification the jobs send."""

    CONFIRMATION_REQUEST = "confirmation_request"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    HOURS_REQUEST = "hours_request"
    CERTIFICATE_REMINDER = "certificate_reminder"
    WEEKLY_SUMMARY = "weekly_summary"


class Recipient(StrEnum):
    """Who should get the notification."""

    VOLUNTEER = "volunteer"
    COORDINATION = "coordination"


@dataclass(frozen=True)
class DueItem:
    """One notification to send; persist ``key`` as the "already sent" marker after queuing it."""

    kind: DueKind
    key: str
    recipient: Recipient
    detail: str
    appointment: Appointment | None = None
    volunteer_id: int | str | None = None


@dataclass(frozen=True)
class CertificateStatus:
    """A volunteer's Führungszeugnis: date seen and when we last reminded (UTC)."""

    volunteer_id: int | str
    seen_on: date | None
    last_reminded_at: datetime | None = None


@dataclass(frozen=True)
class WeeklySummary:
    """The coordinators' weekly list of unconfirmed appointments."""

    key: str
    week_label: str
    first_day: date
    last_day: date
    unconfirmed: tuple[Appointment, ...]


def marker(kind: DueKind, ref: object) -> str:
    """The "already sent" key for a kind and an appointment id (or other reference)."""
    return f"{DueKind(kind).value}:{ref}"


def _keyed(appointments: Iterable[Appointment]) -> list[Appointment]:
    result = []
    for appointment in appointments:
        if appointment.id is None:
            log.warning("appointment on %s has no id; no notification possible", appointment.on)
            continue
        result.append(appointment)
    return sorted(result, key=lambda a: (a.starts_at, str(a.id)))


def _item(kind: DueKind, recipient: Recipient, appointment: Appointment, detail: str) -> DueItem:
    return DueItem(
        kind=kind,
        key=marker(kind, appointment.id),
        recipient=recipient,
        detail=detail,
        appointment=appointment,
        volunteer_id=appointment.volunteer_id,
    )


def _when(appointment: Appointment) -> str:
    return format_appointment(appointment.on, appointment.start, appointment.end)


def due_confirmation_requests(
    appointments: Iterable[Appointment], *, now: datetime, sent: Collection[str], days_before: int = 7
) -> list[DueItem]:
    """Planned appointments starting within ``days_before`` calendar days whose request is not sent."""
    today = to_local(now).date()
    items = []
    for appointment in _keyed(appointments):
        key = marker(DueKind.CONFIRMATION_REQUEST, appointment.id)
        if appointment.status != Status.GEPLANT or key in sent or appointment.starts_at <= now:
            continue
        if today >= appointment.on - timedelta(days=days_before):
            detail = f"Bitte Termin bestätigen: {_when(appointment)}"
            items.append(_item(DueKind.CONFIRMATION_REQUEST, Recipient.VOLUNTEER, appointment, detail))
    return items


def due_reminders(appointments: Iterable[Appointment], *, now: datetime, sent: Collection[str]) -> list[DueItem]:
    """Planned or confirmed appointments from the day before (local date) until their start."""
    today = to_local(now).date()
    items = []
    for appointment in _keyed(appointments):
        key = marker(DueKind.REMINDER, appointment.id)
        if appointment.status not in Status.OPEN or key in sent:
            continue
        if appointment.starts_at > now and today >= appointment.on - timedelta(days=1):
            detail = f"Erinnerung an den Besuch: {_when(appointment)}"
            items.append(_item(DueKind.REMINDER, Recipient.VOLUNTEER, appointment, detail))
    return items


def due_escalations(
    appointments: Iterable[Appointment], *, now: datetime, sent: Collection[str], hours_before: int = 48
) -> list[DueItem]:
    """Appointments still unconfirmed at most ``hours_before`` real hours before their start."""
    require_aware(now)
    items = []
    for appointment in _keyed(appointments):
        key = marker(DueKind.ESCALATION, appointment.id)
        if appointment.status != Status.GEPLANT or key in sent:
            continue
        if now < appointment.starts_at <= now + timedelta(hours=hours_before):
            detail = f"Noch nicht bestätigt: {_when(appointment)}"
            items.append(_item(DueKind.ESCALATION, Recipient.COORDINATION, appointment, detail))
    return items


def due_hours_requests(
    appointments: Iterable[Appointment], *, now: datetime, sent: Collection[str], lookback_days: int = 14
) -> list[DueItem]:
    """Ended, not cancelled appointments without actual hours, ended within ``lookback_days``."""
    require_aware(now)
    items = []
    for appointment in _keyed(appointments):
        key = marker(DueKind.HOURS_REQUEST, appointment.id)
        if appointment.is_cancelled or appointment.actual_minutes is not None or key in sent:
            continue
        if now - timedelta(days=lookback_days) < appointment.ends_at <= now:
            detail = f"Bitte geleistete Stunden eintragen: {_when(appointment)}"
            items.append(_item(DueKind.HOURS_REQUEST, Recipient.VOLUNTEER, appointment, detail))
    return items


def certificate_expires_on(seen_on: date, *, valid_years: int = 5) -> date:
    """Day the certificate becomes older than ``valid_years`` (29 February → 28 February)."""
    try:
        return seen_on.replace(year=seen_on.year + valid_years)
    except ValueError:
        return seen_on.replace(year=seen_on.year + valid_years, day=28)


def due_certificate_reminders(
    volunteers: Iterable[CertificateStatus],
    *,
    now: datetime,
    valid_years: int = 5,
    remind_every_days: int = 30,
    lead_days: int = 0,
    include_missing: bool = True,
) -> list[DueItem]:
    """Volunteers whose Führungszeugnis is (about to be) too old, at most once per ``remind_every_days``."""
    today = to_local(now).date()
    items = []
    for volunteer in volunteers:
        last = volunteer.last_reminded_at
        if last is not None and now - require_aware(last) < timedelta(days=remind_every_days):
            continue
        if volunteer.seen_on is None:
            if not include_missing:
                continue
            detail = "Kein Führungszeugnis erfasst."
        else:
            expires_on = certificate_expires_on(volunteer.seen_on, valid_years=valid_years)
            if today < expires_on - timedelta(days=lead_days):
                continue
            verb = "ist seit" if today >= expires_on else "ist ab"
            detail = (
                f"Führungszeugnis vom {format_date(volunteer.seen_on)} {verb} "
                f"{format_date(expires_on)} älter als {valid_years} Jahre."
            )
        items.append(
            DueItem(
                kind=DueKind.CERTIFICATE_REMINDER,
                key=marker(DueKind.CERTIFICATE_REMINDER, f"{volunteer.volunteer_id}:{today.isoformat()}"),
                recipient=Recipient.VOLUNTEER,
                detail=detail,
                volunteer_id=volunteer.volunteer_id,
            )
        )
    return items


def weekly_summary(
    appointments: Iterable[Appointment],
    *,
    now: datetime,
    sent: Collection[str],
    days_ahead: int = 14,
    send_empty: bool = False,
) -> WeeklySummary | None:
    """Once per ISO week: planned (unconfirmed) appointments of the next ``days_ahead`` days, or None."""
    today = to_local(now).date()
    year, week, _ = today.isocalendar()
    key = marker(DueKind.WEEKLY_SUMMARY, f"{year}-W{week:02d}")
    if key in sent:
        return None
    last_day = today + timedelta(days=days_ahead)
    unconfirmed = tuple(
        a
        for a in sorted(appointments, key=lambda a: (a.starts_at, str(a.id)))
        if a.status == Status.GEPLANT and a.starts_at > now and a.on <= last_day
    )
    if not unconfirmed and not send_empty:
        return None
    return WeeklySummary(key, format_iso_week(today), today, last_day, unconfirmed)


def group_by_volunteer(items: Iterable[DueItem]) -> dict[int | str | None, list[DueItem]]:
    """Items per volunteer, so one mail can list several appointments."""
    grouped: dict[int | str | None, list[DueItem]] = defaultdict(list)
    for item in items:
        grouped[item.volunteer_id].append(item)
    return dict(grouped)
