"""Right of access (Art. 15): everything stored about one senior or volunteer, as JSON-ready data."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..audit.operations import events_of
from ..extensions import db
from ..models import (
    AbtretungPeriod,
    Appointment,
    BilledVisit,
    ContactEntry,
    Invoice,
    LeistungsnachweisDocument,
    LivingSituation,
    MatchProposal,
    MatchRejection,
    MatchUnserved,
    MonthSignature,
    OutboxMessage,
    Pairing,
    PairingSlot,
    PendingCorrection,
    PflegegradPeriod,
    PrivacyEvent,
    Request,
    RequestStatusChange,
    RequestWindow,
    Senior,
    Volunteer,
)
from ..models.budget import BudgetOpening, BudgetOtherUse, UmwandlungDeclaration
from ..models.scheduling import CoverOffer
from .records import Person, billed_visit_filter, invoice_ids, pairing_ids, person_kind, plain, request_ids, row

# Billed-visit columns that describe the senior's billing, not the volunteer's work.
CENT = Decimal("0.01")
SENIOR_BILLING_COLUMNS = ("grade", "entlastungsbetrag", "umwandlung", "private", "senior_id")


def _rows(model, condition, *, order=None, exclude: tuple[str, ...] = ()) -> list[dict]:
    query = sa.select(model).where(condition).order_by(*(order or (model.id,)))
    return [row(obj, exclude=exclude) for obj in db.session.scalars(query)]


def _grouped(model, key, ids: list[int]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for obj in db.session.scalars(sa.select(model).where(key.in_(ids)).order_by(model.id)):
        grouped[getattr(obj, key.key)].append(row(obj))
    return grouped


def export_person(person: Person, *, now: datetime) -> dict:
    """Everything stored about ``person`` (their row, requests, pairings, appointments, billing, mails, log)."""
    common = {
        "art": person_kind(person),
        "erstellt_am": plain(now),
        "person": row(person, exclude=("calendar_token",)),
        "begleitungen": _pairings(person),
        "termine": _appointments(person),
        "abgerechnete_besuche": _billed_visits(person),
        "rechnungen": _invoices(person),
        "kontakte": _contacts(person),
        "datenschutz_protokoll": _rows(
            PrivacyEvent, sa.and_(PrivacyEvent.person_kind == person_kind(person), PrivacyEvent.person_id == person.id)
        ),
        "zugriffsprotokoll": [row(event, exclude=("ip", "label")) for event in events_of(person)],
    }
    if isinstance(person, Senior):
        return common | _senior_parts(person)
    return common | _volunteer_parts(person)


def _senior_parts(senior: Senior) -> dict:
    requests = request_ids(senior)
    windows = _grouped(RequestWindow, RequestWindow.request_id, requests)
    history = _grouped(RequestStatusChange, RequestStatusChange.request_id, requests)
    anfragen = [
        row(item) | {"wunschzeiten": windows[item.id], "statusverlauf": history[item.id]}
        for item in db.session.scalars(sa.select(Request).where(Request.id.in_(requests)).order_by(Request.id))
    ]
    own = Senior.id == senior.id
    return {
        "person_bezuege": {
            "stadtbezirk": senior.district.name,
            "sozialraum": senior.sozialraum.name if senior.sozialraum else None,
            "pflegekasse": {"name": senior.pflegekasse.name, "ik": senior.pflegekasse.ik}
            if senior.pflegekasse
            else None,
        },
        "anfragen": anfragen,
        "budget": {
            "pflegegrad_verlauf": _rows(PflegegradPeriod, PflegegradPeriod.senior_id == senior.id),
            "kontostaende": _rows(BudgetOpening, BudgetOpening.senior_id == senior.id),
            "andere_nutzung": _rows(BudgetOtherUse, BudgetOtherUse.senior_id == senior.id),
            "umwandlung": _rows(UmwandlungDeclaration, UmwandlungDeclaration.senior_id == senior.id),
            "wohnsituation": _rows(LivingSituation, LivingSituation.senior_id == senior.id),
            "abtretungen": _rows(AbtretungPeriod, AbtretungPeriod.senior_id == senior.id),
            "offene_korrekturen": _rows(PendingCorrection, PendingCorrection.senior_id == senior.id),
        },
        "leistungsnachweise": _rows(LeistungsnachweisDocument, LeistungsnachweisDocument.senior_id == senior.id),
        "unterschriften": _rows(MonthSignature, MonthSignature.senior_id == senior.id),
        "vorschlaege": _rows(MatchProposal, MatchProposal.request_id.in_(requests)),
        "nicht_vermittelt": _rows(MatchUnserved, MatchUnserved.request_id.in_(requests)),
        "ablehnungen": _rows(MatchRejection, MatchRejection.request_id.in_(requests)),
        "mails": _rows(OutboxMessage, OutboxMessage.recipient == senior.contact_email) if own else [],
    }


def _volunteer_parts(volunteer: Volunteer) -> dict:
    return {
        "person_bezuege": {
            "wohnbezirk": volunteer.home_district.name,
            "einsatzbezirke": [d.name for d in volunteer.travel_districts],
        },
        "verfuegbarkeit": [row(item) for item in volunteer.availability],
        "abwesenheiten": [row(item) for item in volunteer.absences],
        "vorschlaege": _rows(MatchProposal, MatchProposal.volunteer_id == volunteer.id),
        "ablehnungen": _rows(MatchRejection, MatchRejection.volunteer_id == volunteer.id),
        "vertretungsangebote": _rows(CoverOffer, CoverOffer.volunteer_id == volunteer.id),
        # the senior's signature image is theirs: the volunteer's export says only who signed when
        "unterschriften": _rows(MonthSignature, MonthSignature.volunteer_id == volunteer.id, exclude=("image",)),
        "mails": _rows(OutboxMessage, OutboxMessage.recipient == volunteer.email),
    }


def _contacts(person: Person) -> list[dict]:
    """The contact log about the person (a senior's includes the contacts about their requests), with who logged."""
    column = ContactEntry.senior_id if isinstance(person, Senior) else ContactEntry.volunteer_id
    entries = db.session.scalars(
        sa.select(ContactEntry)
        .where(column == person.id)
        .options(joinedload(ContactEntry.by))
        .order_by(ContactEntry.on, ContactEntry.id)
    )
    return [row(entry) | {"erfasst_von": entry.by.name if entry.by else None} for entry in entries]


def _pairings(person: Person) -> list[dict]:
    pairings = pairing_ids(person)
    slots = _grouped(PairingSlot, PairingSlot.pairing_id, pairings)
    return [
        row(pairing) | {"termine_woechentlich": slots[pairing.id]}
        for pairing in db.session.scalars(sa.select(Pairing).where(Pairing.id.in_(pairings)).order_by(Pairing.id))
    ]


def _appointments(person: Person) -> list[dict]:
    condition = Appointment.pairing_id.in_(pairing_ids(person))
    if isinstance(person, Volunteer):
        condition = sa.or_(condition, Appointment.cover_volunteer_id == person.id)
    return _rows(Appointment, condition, order=(Appointment.on, Appointment.planned_start, Appointment.id))


def _billed_visits(person: Person) -> list[dict]:
    exclude = () if isinstance(person, Senior) else SENIOR_BILLING_COLUMNS
    visits = db.session.scalars(
        sa.select(BilledVisit).where(billed_visit_filter(person)).order_by(BilledVisit.on, BilledVisit.id)
    ).all()
    query = sa.select(Invoice.id, Invoice.number).where(Invoice.id.in_(invoice_ids(person)))
    numbers = dict(db.session.execute(query).tuples().all())
    return [
        row(visit, exclude=exclude)
        | {
            "rechnung_pflegekasse": numbers.get(visit.kasse_invoice_id),
            "rechnung_senior": numbers.get(visit.senior_invoice_id),
        }
        for visit in visits
    ]


def _invoices(person: Person) -> list[dict]:
    """Invoices that concern the person: number, date, month, kind, and their own share (whole invoice if theirs)."""
    shares: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for visit in db.session.scalars(sa.select(BilledVisit).where(billed_visit_filter(person))):
        for invoice_id in {visit.kasse_invoice_id, visit.senior_invoice_id} - {None}:
            shares[invoice_id]["betrag"] += visit.amount
            shares[invoice_id]["minuten"] += visit.minutes
    result = []
    for invoice in db.session.scalars(
        sa.select(Invoice).where(Invoice.id.in_(invoice_ids(person))).order_by(Invoice.issued_on, Invoice.number)
    ):
        own = isinstance(person, Senior) and invoice.senior_id == person.id
        entry = {
            "nummer": invoice.number,
            "art": invoice.kind,
            "monat": plain(invoice.month),
            "datum": plain(invoice.issued_on),
            "empfaenger_art": invoice.recipient_kind,
            "storniert_rechnung": invoice.cancels.number if invoice.cancels else None,
            "anteil_betrag": str(Decimal(shares[invoice.id]["betrag"]).quantize(CENT)),
            "anteil_minuten": shares[invoice.id]["minuten"],
        }
        if isinstance(person, Volunteer):
            entry.pop("anteil_betrag")
        if own:
            entry["rechnung"] = row(invoice)
        result.append(entry)
    return result
