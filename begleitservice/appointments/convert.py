"""Map the app's models onto the pure ``scheduling`` dataclasses (one direction: models → plain data)."""

from collections.abc import Iterable

import scheduling
from scheduling.model import Status

from ..models import Appointment, Pairing, PairingStatus, Senior, Volunteer


def senior_label(senior: Senior) -> str:
    """'Hildegard B.': first name and the initial of the surname, nothing more (no health data)."""
    initial = f" {senior.last_name.strip()[:1].upper()}." if senior.last_name.strip() else ""
    return f"{senior.first_name}{initial}"


def appointment_volunteer(appointment: Appointment) -> Volunteer:
    """Who does this visit: the stand-in (Vertretung) who took it over, else the pairing's volunteer."""
    return appointment.cover_volunteer or appointment.pairing.volunteer


def to_domain(appointment: Appointment) -> scheduling.Appointment:
    """The plain appointment the scheduling package works with (needs pairing, volunteer, senior, district)."""
    pairing = appointment.pairing
    volunteer = appointment_volunteer(appointment)
    return scheduling.Appointment(
        id=appointment.id,
        on=appointment.on,
        start=appointment.planned_start,
        end=appointment.planned_end,
        status=Status(appointment.status),
        is_one_off=appointment.is_one_off,
        replaces_on=appointment.replaces_on,
        pairing_id=appointment.pairing_id,
        volunteer_id=volunteer.id,
        senior_id=pairing.senior_id,
        senior_label=senior_label(pairing.senior),
        volunteer_label=volunteer.name,
        district=pairing.senior.district.name,
        actual_minutes=appointment.actual_minutes,
    )


def to_domain_all(appointments: Iterable[Appointment]) -> list[scheduling.Appointment]:
    """Convert many appointments (load pairing, volunteer and senior with them to avoid N+1 queries)."""
    return [to_domain(a) for a in appointments]


def visit_rule(pairing: Pairing) -> scheduling.VisitRule | None:
    """The pairing's recurring rule, or None when it is not active or has no slots."""
    if pairing.status != PairingStatus.AKTIV or not pairing.slots:
        return None
    slots = tuple(scheduling.Slot.from_minutes(s.weekday, s.start_minute, s.duration_minutes) for s in pairing.slots)
    return scheduling.VisitRule(slots, pairing.starts_on, pairing.ends_on, pairing.interval_weeks)


def absences_of(volunteer: Volunteer) -> tuple[scheduling.Absence, ...]:
    """The volunteer's absences as plain date ranges."""
    return tuple(scheduling.Absence(a.starts_on, a.ends_on) for a in volunteer.absences)
