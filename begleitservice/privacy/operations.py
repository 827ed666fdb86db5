"""Erasure on request (Art. 17): restrict while invoices must be kept, erase otherwise; purge after retention.

Functions take model objects, flush and never commit (the view, the CLI command or the job commits).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ..appointments.cover import give_back
from ..appointments.operations import local_today, raise_alert, revoke_calendar_token
from ..audit.operations import forget_person
from ..clock import now as clock_now
from ..extensions import db
from ..models import (
    AbtretungPeriod,
    AlertKind,
    Appointment,
    AppointmentAlert,
    AppointmentStatus,
    BilledVisit,
    ContactEntry,
    GroupAttendance,
    GroupParticipant,
    GroupRosterEntry,
    GroupStaffingAnswer,
    Invoice,
    LeftOutVisit,
    LeistungsnachweisDocument,
    LivingSituation,
    MatchProposal,
    MatchRejection,
    MatchUnserved,
    NotificationMarker,
    OutboxMessage,
    Pairing,
    PairingSlot,
    PairingStatus,
    PendingCorrection,
    PflegegradPeriod,
    PrivacyEvent,
    Request,
    RequestStatus,
    RequestStatusChange,
    RequestWindow,
    Senior,
    SeniorStatus,
    UsedLink,
    User,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
    VolunteerStatus,
)
from ..models.budget import BudgetOpening, BudgetOtherUse, UmwandlungDeclaration
from ..models.inbox import BudgetLapse, CoordinatorEvent
from ..models.scheduling import CoverOffer
from ..models.volunteer import volunteer_travel_district
from ..requests.operations import change_status
from .records import (
    Person,
    appointment_ids,
    billed_visit_filter,
    invoice_ids,
    pairing_ids,
    person_kind,
    request_ids,
    retention,
)

log = logging.getLogger(__name__)


class PrivacyError(ValueError):
    """A data-protection action is not possible; the message is German."""


@dataclass(frozen=True)
class ErasureResult:
    """What a request for erasure did: 'restrict' (until ``retain_until``) or 'erase'."""

    outcome: str
    retain_until: date | None = None


def is_restricted(person: Person) -> bool:
    """Whether the person is locked because of an erasure request (Art. 18)."""
    return person.restricted_at is not None


def restriction_message(person: Person) -> str:
    """The German refusal for any change to a restricted person."""
    until = person.retain_until.strftime("%d.%m.%Y") if person.retain_until else "zum Ende der Aufbewahrungsfrist"
    return f"Diese Person ist gesperrt (DSGVO) bis {until} und wird nicht mehr bearbeitet."


def ensure_not_restricted(person: Person) -> None:
    """Raise PrivacyError when the person is restricted."""
    if is_restricted(person):
        raise PrivacyError(restriction_message(person))


def record_event(kind: str, person: Person, *, user: User | None, note: str = "", at: datetime | None = None):
    """Write the data-protection log entry for an export, restriction or erasure."""
    event = PrivacyEvent(
        kind=kind, person_kind=person_kind(person), person_id=person.id, by=user, note=note[:500], at=at or clock_now()
    )
    db.session.add(event)
    db.session.flush()
    log.info("privacy %s of %s %s by user %s", kind, event.person_kind, person.id, user.id if user else "-")
    return event


def request_erasure(person: Person, *, user: User | None, now: datetime, note: str = "") -> ErasureResult:
    """Art. 17: restrict the person while billing records must be kept, otherwise erase everything about them."""
    ensure_not_restricted(person)
    kept = retention(person)
    if kept.applies:
        restrict(person, retain_until=kept.retain_until, user=user, now=now, note=note)
        return ErasureResult("restrict", kept.retain_until)
    erase(person, user=user, now=now, note=_joined("auf Antrag", note))
    return ErasureResult("erase")


def restrict(person: Person, *, retain_until: date, user: User | None, now: datetime, note: str = "") -> None:
    """Lock and hide the person, stop all processing, and blank everything the kept invoices do not need."""
    today, addresses = local_today(now), _addresses(person)
    for pairing in db.session.scalars(sa.select(Pairing).where(Pairing.id.in_(pairing_ids(person)))):
        if pairing.status != PairingStatus.BEENDET or pairing.ends_on is None or pairing.ends_on > today:
            pairing.status, pairing.ends_on = PairingStatus.BEENDET, max(today, pairing.starts_on)
    _delete_appointments(_coming_appointments(pairing_ids(person), today))
    for appointment in db.session.scalars(
        sa.select(Appointment).where(Appointment.id.in_(appointment_ids(pairing_ids(person))))
    ):
        appointment.note = appointment.decline_reason = None
    if isinstance(person, Senior):
        _restrict_senior(person, user=user)
    else:
        _restrict_volunteer(person, today=today, now=now)
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.recipient.in_(addresses)))
    _delete_contacts(person)  # the invoices kept do not need them
    person.restricted_at, person.retain_until = now, retain_until
    db.session.flush()
    kept = f"Aufbewahrung bis {retain_until.isoformat()}"
    record_event("restrict", person, user=user, at=now, note=_joined(kept, note))


def _joined(*parts: str) -> str:
    return "; ".join(part.strip() for part in parts if part and part.strip())


def _restrict_senior(senior: Senior, *, user: User | None) -> None:
    requests = request_ids(senior)
    for item in db.session.scalars(sa.select(Request).where(Request.id.in_(requests))):
        if item.status in RequestStatus.OPEN:
            change_status(item, RequestStatus.ZURUECKGEZOGEN, user=user, note="Löschung beantragt (DSGVO)")
        elif item.status == RequestStatus.VERMITTELT:
            change_status(item, RequestStatus.ABGESCHLOSSEN, user=user, note="Löschung beantragt (DSGVO)")
        item.notes, item.languages, item.volunteer_gender, item.source = None, "", None, None
    db.session.execute(sa.delete(RequestWindow).where(RequestWindow.request_id.in_(requests)))
    _delete_matching_rows(MatchProposal.request_id.in_(requests), MatchRejection.request_id.in_(requests))
    db.session.execute(sa.delete(MatchUnserved).where(MatchUnserved.request_id.in_(requests)))
    senior.status = SeniorStatus.GESPERRT
    senior.phone = senior.care_notes = senior.preferred_volunteer_gender = senior.sozialraum_id = None
    senior.stand_in_notes = None
    senior.contact_name = senior.contact_relation = senior.contact_phone = senior.contact_email = None
    senior.has_dementia, senior.languages = False, ""


def _restrict_volunteer(volunteer: Volunteer, *, today: date, now: datetime) -> None:
    for appointment in db.session.scalars(
        sa.select(Appointment).where(Appointment.cover_volunteer_id == volunteer.id, Appointment.on >= today)
    ):
        give_back(appointment, now=now)
        raise_alert(appointment, AlertKind.ABGESAGT, now=now).resolved_at = None
    _delete_matching_rows(MatchProposal.volunteer_id == volunteer.id, MatchRejection.volunteer_id == volunteer.id)
    db.session.execute(sa.delete(CoverOffer).where(CoverOffer.volunteer_id == volunteer.id))
    db.session.execute(sa.delete(VolunteerAvailability).where(VolunteerAvailability.volunteer_id == volunteer.id))
    db.session.execute(sa.delete(VolunteerAbsence).where(VolunteerAbsence.volunteer_id == volunteer.id))
    db.session.execute(
        sa.delete(volunteer_travel_district).where(volunteer_travel_district.c.volunteer_id == volunteer.id)
    )
    db.session.expire(volunteer, ["availability", "absences", "travel_districts"])
    revoke_calendar_token(volunteer)
    volunteer.status, volunteer.max_seniors = VolunteerStatus.AUSGESCHIEDEN, 0
    volunteer.phone = volunteer.notes = volunteer.fuehrungszeugnis_on = volunteer.fuehrungszeugnis_reminded_at = None
    volunteer.email, volunteer.languages = f"gesperrt-{volunteer.id}@dsgvo.invalid", ""


def _delete_contacts(person: Person) -> None:
    """Delete the person's contact log (for a senior with the contacts about their requests)."""
    column = ContactEntry.senior_id if isinstance(person, Senior) else ContactEntry.volunteer_id
    db.session.execute(sa.delete(ContactEntry).where(column == person.id))


def _addresses(person: Person) -> list[str]:
    if isinstance(person, Senior):
        return [person.contact_email] if person.contact_email else []
    return [person.email] if person.email else []


def _coming_appointments(pairings: list[int], today: date) -> list[int]:
    """Appointments from today on that have not taken place and are not billed (they will not happen)."""
    billed = sa.select(BilledVisit.appointment_id)
    return list(
        db.session.scalars(
            sa.select(Appointment.id).where(
                Appointment.pairing_id.in_(pairings),
                Appointment.on >= today,
                Appointment.status != AppointmentStatus.STATTGEFUNDEN,  # held visits are kept for the invoices
                Appointment.id.not_in(billed),
            )
        )
    )


def _delete_matching_rows(proposals, rejections) -> None:
    db.session.execute(sa.delete(MatchProposal).where(proposals))
    db.session.execute(sa.delete(MatchRejection).where(rejections))


def _delete_appointments(appointments: list[int]) -> None:
    """Delete appointments with everything hanging on them (billing rows only exist when purging)."""
    if not appointments:
        return
    db.session.execute(sa.delete(BilledVisit).where(BilledVisit.appointment_id.in_(appointments)))
    for model in (AppointmentAlert, CoverOffer, NotificationMarker, UsedLink, LeftOutVisit, CoordinatorEvent):
        db.session.execute(sa.delete(model).where(model.appointment_id.in_(appointments)))
    db.session.execute(sa.delete(Appointment).where(Appointment.id.in_(appointments)))


def _delete_pairings(pairings: list[int]) -> None:
    if not pairings:
        return
    _delete_appointments(appointment_ids(pairings))
    db.session.execute(sa.update(MatchProposal).where(MatchProposal.pairing_id.in_(pairings)).values(pairing_id=None))
    db.session.execute(sa.delete(PairingSlot).where(PairingSlot.pairing_id.in_(pairings)))
    db.session.execute(sa.delete(Pairing).where(Pairing.id.in_(pairings)))


def erase(person: Person, *, user: User | None, now: datetime, note: str = "") -> None:
    """Delete the person and every row about them (after retention also their billing records), in FK order."""
    kind, person_id, addresses = person_kind(person), person.id, _addresses(person)
    db.session.execute(sa.delete(BilledVisit).where(billed_visit_filter(person)))
    _delete_contacts(person)
    if isinstance(person, Senior):
        _erase_senior_rows(person)
    else:
        _erase_volunteer_rows(person)
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.recipient.in_(addresses)))
    model = type(person)
    db.session.execute(sa.delete(model).where(model.id == person_id))
    forget_person(person)
    db.session.add(PrivacyEvent(kind="erase", person_kind=kind, person_id=person_id, by=user, at=now, note=note[:500]))
    db.session.flush()
    log.info("privacy erase of %s %s by user %s", kind, person_id, user.id if user else "-")


def _erase_senior_rows(senior: Senior) -> None:
    db.session.execute(sa.delete(BudgetLapse).where(BudgetLapse.senior_id == senior.id))
    for model in (GroupAttendance, GroupParticipant):  # Demenzgruppen: attendance, places and waiting list
        db.session.execute(sa.delete(model).where(model.senior_id == senior.id))
    requests = request_ids(senior)
    _delete_pairings(pairing_ids(senior))
    _delete_matching_rows(MatchProposal.request_id.in_(requests), MatchRejection.request_id.in_(requests))
    db.session.execute(sa.update(Pairing).where(Pairing.request_id.in_(requests)).values(request_id=None))
    for model in (MatchUnserved, RequestWindow, RequestStatusChange):
        db.session.execute(sa.delete(model).where(model.request_id.in_(requests)))
    db.session.execute(sa.delete(Request).where(Request.id.in_(requests)))
    budget_facts = (PflegegradPeriod, LivingSituation, AbtretungPeriod, BudgetOpening, BudgetOtherUse)
    for model in (*budget_facts, UmwandlungDeclaration, LeistungsnachweisDocument, PendingCorrection):
        db.session.execute(sa.delete(model).where(model.senior_id == senior.id))
    # Invoices addressed to the senior go with them (Storno invoices first: they point at what they cancel);
    # collective invoices to a Pflegekasse stay as the Kasse's record, without this person's billed visits.
    for kinds in (("storno",), ("invoice",)):
        db.session.execute(sa.delete(Invoice).where(Invoice.senior_id == senior.id, Invoice.kind.in_(kinds)))


def _erase_volunteer_rows(volunteer: Volunteer) -> None:
    for appointment in db.session.scalars(sa.select(Appointment).where(Appointment.cover_volunteer_id == volunteer.id)):
        appointment.cover_volunteer_id = None
        appointment.note = "Vertretung durch eine inzwischen gelöschte Person"
    db.session.flush()
    _delete_pairings(pairing_ids(volunteer))
    _delete_matching_rows(MatchProposal.volunteer_id == volunteer.id, MatchRejection.volunteer_id == volunteer.id)
    for model in (CoverOffer, VolunteerAvailability, VolunteerAbsence, GroupRosterEntry, GroupStaffingAnswer):
        db.session.execute(sa.delete(model).where(model.volunteer_id == volunteer.id))
    db.session.execute(
        sa.delete(volunteer_travel_district).where(volunteer_travel_district.c.volunteer_id == volunteer.id)
    )


def due_for_purge(*, today: date) -> list[Person]:
    """Restricted persons whose retention period has ended (recomputed: a later invoice extends it)."""
    due: list[Person] = []
    for model in (Senior, Volunteer):
        for person in db.session.scalars(
            sa.select(model).where(model.restricted_at.is_not(None), model.retain_until < today).order_by(model.id)
        ):
            kept = retention(person)
            if kept.applies and kept.retain_until >= today:
                person.retain_until = kept.retain_until
                continue
            due.append(person)
    return due


def purge(*, now: datetime, dry_run: bool = False) -> list[str]:
    """Erase restricted persons past their retention, with their billing records; German lines of what was done."""
    lines = []
    for person in due_for_purge(today=local_today(now)):
        invoices = len(invoice_ids(person))
        label = f"{'Senior:in' if isinstance(person, Senior) else 'Ehrenamtliche:r'} {person.id}"
        lines.append(f"{label}: Aufbewahrung bis {person.retain_until:%d.%m.%Y} abgelaufen, {invoices} Rechnung(en)")
        if not dry_run:
            erase(person, user=None, now=now, note="Aufbewahrungsfrist abgelaufen")
    db.session.flush()
    return lines


def purge_job(*, now: datetime) -> str:
    """Scheduler job: erase restricted persons whose retention period has ended."""
    lines = purge(now=now)
    return f"{len(lines)} Person(en) nach Ablauf der Aufbewahrungsfrist gelöscht"
