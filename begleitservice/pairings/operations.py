"""State changes of Begleitungen and their appointments (used by the views, the matching "accept", the CLI)."""

import logging
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from .. import rules
from ..accounting.operations import MonthBilled, ensure_reportable
from ..appointments.operations import follow_rule
from ..clock import now
from ..database import lock
from ..extensions import db
from ..inputs import MAX_KM, date_error
from ..models import (
    APPOINTMENT_STATUSES,
    PAIRING_STATUSES,
    REQUEST_STATUSES,
    SERVICES,
    Appointment,
    AppointmentStatus,
    Pairing,
    PairingSlot,
    PairingStatus,
    Request,
    RequestStatus,
    Senior,
    User,
    Volunteer,
)
from ..models.base import minutes_label
from ..requests.operations import allowed_statuses, change_status

log = logging.getLogger(__name__)

MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 15, 600
MAX_ACTUAL_MINUTES = 720


class PairingError(ValueError):
    """A pairing or appointment cannot be saved; the message is German and names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class PairingRuleError(PairingError):
    """The Begleitung breaks placing rules: ``violations`` (each with its field); ``overridable`` when all are soft."""

    def __init__(self, violations: list[rules.Violation]):
        super().__init__(violations[0].field, " ".join(v.message for v in violations))
        self.violations = violations

    @property
    def overridable(self) -> bool:
        return all(not v.hard for v in self.violations)


def slots_from_intervals(intervals: list[tuple[int, int, int]]) -> list[PairingSlot]:
    """PairingSlot rows (weekday, start, duration) from parsed intervals; refuse durations out of 15–600 min."""
    if not intervals:
        raise PairingError("slots", "Bitte geben Sie mindestens einen wöchentlichen Termin an.")
    slots = []
    for weekday, start, end in intervals:
        if not MIN_SLOT_MINUTES <= end - start <= MAX_SLOT_MINUTES:
            raise PairingError(
                "slots",
                f"Ein Termin ({minutes_label(start)}–{minutes_label(end)}) muss zwischen 15 Minuten "
                "und 10 Stunden dauern.",
            )
        slots.append(PairingSlot(weekday=weekday, start_minute=start, duration_minutes=end - start))
    return slots


def _check(
    *, volunteer: Volunteer, senior: Senior, service: str, starts_on: date, ends_on: date | None, status: str
) -> None:
    if service not in SERVICES:
        raise PairingError("service", "Bitte wählen Sie ein Angebot.")
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if message := date_error(day, "plan"):
            raise PairingError(field, message)
    if ends_on is not None and ends_on < starts_on:
        raise PairingError("ends_on", "Das Ende darf nicht vor dem Beginn liegen.")
    if status not in PAIRING_STATUSES:
        raise PairingError("status", f"Unbekannter Status „{status}“.")
    if status == PairingStatus.BEENDET:  # the placing rules skip it, the database trigger (models/checks.py) not
        if message := rules.senior_service_error(service, senior):
            raise PairingError("service", message)
        if message := rules.qualification_error(volunteer, service, on=None):
            raise PairingError("volunteer_id", message)


def _check_request_free(request_id: int, *, status: str, other_than: int | None = None) -> None:
    """A request is placed once: refuse a second running (not ended) Begleitung for it."""
    if status == PairingStatus.BEENDET:
        return
    query = sa.select(Pairing).where(Pairing.request_id == request_id, Pairing.status != PairingStatus.BEENDET)
    if other_than is not None:
        query = query.where(Pairing.id != other_than)
    if (running := db.session.scalar(query.limit(1))) is not None:
        raise PairingError(
            "senior_id",
            f"Aus dieser Anfrage ist schon die Begleitung {running.volunteer.name} ↔ {running.senior.name} "
            f"(Status „{PAIRING_STATUSES[running.status]}“) entstanden; eine Anfrage wird nur einmal vermittelt.",
        )


def _placing_rules(
    placement: rules.Placement, *, pairing: Pairing | None, status: str, override: rules.Override | None
) -> list[rules.Violation]:
    """Apply the placing rules to a Begleitung as it is about to be saved; return the soft rules overridden.

    An ended Begleitung binds nobody: no rule applies. On an edit the volunteer's qualification is checked again
    only when the volunteer, the senior (the Pflegegrad rule is among those checks) or the service changes or the
    Begleitung becomes active again.
    """
    if status == PairingStatus.BEENDET:
        return []
    lock(Volunteer, placement.volunteer.id)  # two Begleitungen saved at once for one volunteer: one sees the other
    checks = rules.PLACEMENT_RULES
    if pairing is not None and (
        pairing.volunteer_id == placement.volunteer.id
        and pairing.senior_id == placement.senior.id
        and pairing.service == placement.service
        and (pairing.status == PairingStatus.AKTIV or status != PairingStatus.AKTIV)
    ):
        checks = tuple(rule for rule in checks if rule not in rules.QUALIFICATION_RULES)
    earlier = pairing.overridden_rules if pairing is not None else frozenset()
    if override is None and earlier and pairing is not None:
        override = rules.Override(pairing.override_reason or "", rules=earlier)
    try:
        return rules.enforce(rules.check_placement(placement, rules=checks), override=override)
    except rules.RuleError as error:
        raise PairingRuleError(error.violations) from error


def _record_override(pairing: Pairing, overridden: list[rules.Violation], override, user: User | None) -> None:
    """Store which soft rules were overridden, why, by whom and when (cleared when none is broken any more)."""
    codes = ",".join(dict.fromkeys(v.rule for v in overridden))
    if not codes:
        pairing.override_rules = pairing.override_reason = pairing.override_by = pairing.override_at = None
        return
    if codes == pairing.override_rules and not (override and override.confirmed):
        return
    pairing.override_rules, pairing.override_reason = codes, override.reason.strip()[:500]
    pairing.override_by, pairing.override_at = (user.name if user else None), now()


KEEP_REASON = object()  # update_pairing without end_reason: keep the recorded one (while the pairing stays ended)


def _end_reason(status: str, reason: str | None) -> str | None:
    """The reason a Begleitung ended is kept only while it is ended."""
    return (reason or None) if status == PairingStatus.BEENDET else None


def create_pairing(
    *,
    volunteer: Volunteer,
    senior: Senior,
    service: str,
    slots: list[tuple[int, int, int]],
    interval_weeks: int = 1,
    starts_on: date,
    ends_on: date | None = None,
    status: str = PairingStatus.AKTIV,
    request: Request | None = None,
    user: User | None = None,
    override: rules.Override | None = None,
    end_reason: str | None = None,
) -> Pairing:
    """Create a pairing with its weekly slots if the placing rules allow it (soft ones maybe overridden); when made
    from ``request``, mark that request "vermittelt"."""
    _check(volunteer=volunteer, senior=senior, service=service, starts_on=starts_on, ends_on=ends_on, status=status)
    if request is not None:
        lock(Request, request.id)  # two saves from one request at once: the second sees the first's Begleitung
        _check_request_free(request.id, status=status)
    if request is not None and request.senior_id != senior.id:
        raise PairingError("senior_id", f"Die Anfrage gehört zu {request.senior.name}, nicht zu {senior.name}.")
    if (
        request is not None
        and request.status != RequestStatus.VERMITTELT
        and RequestStatus.VERMITTELT not in allowed_statuses(request)
    ):
        raise PairingError(
            "senior_id",
            f"Die Anfrage hat den Status „{REQUEST_STATUSES[request.status]}“ und kann nicht mehr vermittelt werden.",
        )
    new_slots = slots_from_intervals(slots)
    placement = rules.Placement(
        volunteer=volunteer,
        senior=senior,
        service=service,
        slots=tuple(slots),
        interval_weeks=interval_weeks,
        starts_on=starts_on,
        ends_on=ends_on,
        **rules.wishes(senior, request),
    )
    overridden = _placing_rules(placement, pairing=None, status=status, override=override)
    pairing = Pairing(
        volunteer=volunteer,
        senior=senior,
        service=service,
        interval_weeks=interval_weeks,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        slots=new_slots,
        end_reason=_end_reason(status, end_reason),
    )
    _record_override(pairing, overridden, override, user)
    db.session.add(pairing)
    if request is not None:
        pairing.request = request
        if request.status != RequestStatus.VERMITTELT:
            change_status(request, RequestStatus.VERMITTELT, user=user, note=f"Begleitung mit {volunteer.name}")
    db.session.flush()
    follow_rule(pairing)
    log.info("pairing %s created: volunteer %s, senior %s", pairing.id, volunteer.id, senior.id)
    return pairing


def update_pairing(
    pairing: Pairing,
    *,
    volunteer: Volunteer,
    senior: Senior,
    service: str,
    slots: list[tuple[int, int, int]],
    interval_weeks: int,
    starts_on: date,
    ends_on: date | None,
    status: str,
    user: User | None = None,
    override: rules.Override | None = None,
    end_reason: str | object | None = KEEP_REASON,
) -> Pairing:
    """Change a pairing's people, service, slots, rhythm, dates or status if the placing rules allow it, and flush."""
    _check(volunteer=volunteer, senior=senior, service=service, starts_on=starts_on, ends_on=ends_on, status=status)
    if pairing.request_id is not None and status != pairing.status:
        lock(Request, pairing.request_id)
        _check_request_free(pairing.request_id, status=status, other_than=pairing.id)
    new_slots = slots_from_intervals(slots)
    placement = rules.Placement(
        volunteer=volunteer,
        senior=senior,
        service=service,
        slots=tuple(slots),
        interval_weeks=interval_weeks,
        starts_on=starts_on,
        ends_on=ends_on,
        pairing_id=pairing.id,
        **rules.wishes(senior, pairing.request),
    )
    overridden = _placing_rules(placement, pairing=pairing, status=status, override=override)
    _record_override(pairing, overridden, override, user)
    pairing.volunteer, pairing.senior, pairing.service = volunteer, senior, service
    pairing.interval_weeks, pairing.starts_on, pairing.ends_on, pairing.status = (
        interval_weeks,
        starts_on,
        ends_on,
        status,
    )
    pairing.end_reason = _end_reason(status, pairing.end_reason if end_reason is KEEP_REASON else end_reason)
    if [(s.weekday, s.start_minute, s.duration_minutes) for s in pairing.slots] != [
        (s.weekday, s.start_minute, s.duration_minutes) for s in new_slots
    ]:
        pairing.slots = new_slots
    db.session.flush()
    follow_rule(pairing)
    return pairing


KEEP = object()  # record_appointment without km: keep the kilometres reported (if the visit still took place)


def record_appointment(
    appointment: Appointment,
    *,
    status: str,
    actual_minutes: int | None,
    km: Decimal | object | None = KEEP,
    by_phone: bool = False,
    activity: str | object | None = KEEP,
) -> Appointment:
    """Set an appointment's status, the minutes it actually took and the kilometres driven (only for
    "stattgefunden"); ``by_phone``: the volunteer told the coordinator on the phone ("telefonisch", shown);
    ``activity``: what was done, a few words for the Leistungsnachweis (only for "stattgefunden").

    In a billed month only a visit that was not billed may be recorded (a Nachberechnung in the next run)."""
    if km is KEEP:
        km = appointment.km if status == AppointmentStatus.STATTGEFUNDEN else None
    if activity is KEEP:
        activity = appointment.activity if status == AppointmentStatus.STATTGEFUNDEN else None
    activity = " ".join((activity or "").split()) or None
    if status not in APPOINTMENT_STATUSES:
        raise PairingError("status", f"Unbekannter Status „{status}“.")
    try:
        ensure_reportable(appointment)
    except MonthBilled as error:
        raise PairingError("status", str(error)) from error
    if actual_minutes is not None and status != AppointmentStatus.STATTGEFUNDEN:
        raise PairingError(
            "actual_minutes", "Tatsächliche Minuten gibt es nur bei Status „stattgefunden“; bitte leer lassen."
        )
    if actual_minutes is not None and not 1 <= actual_minutes <= MAX_ACTUAL_MINUTES:
        raise PairingError("actual_minutes", "Bitte eine Dauer von 1 bis 720 Minuten angeben.")
    if km is not None and (status != AppointmentStatus.STATTGEFUNDEN or not 0 <= km <= MAX_KM):
        raise PairingError("km", f"Kilometer (0 bis {MAX_KM}) gibt es nur bei Status „stattgefunden“.")
    if activity is not None and status != AppointmentStatus.STATTGEFUNDEN:
        raise PairingError("activity", "Eine Tätigkeit gibt es nur bei Status „stattgefunden“; bitte leer lassen.")
    if activity is not None and len(activity) > 200:
        raise PairingError("activity", "Bitte höchstens 200 Zeichen.")
    moment = now()
    if status == AppointmentStatus.BESTAETIGT and appointment.status != status:
        appointment.confirmed_at = moment
    if status == AppointmentStatus.ABGESAGT and appointment.status != status:
        appointment.declined_at = moment
    appointment.status, appointment.actual_minutes, appointment.km = status, actual_minutes, km
    appointment.activity = activity
    appointment.by_phone = by_phone
    db.session.flush()
    return appointment
