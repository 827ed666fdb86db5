"""Map the app's models onto the dataclasses of the pure ``billing`` package, and stored invoices back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from billing.config import Provider
from billing.corrections import Billed
from billing.invoices import Invoice as DraftInvoice
from billing.invoices import InvoiceLine, InvoiceSection, Recipient, RecipientKind
from billing.invoices import Pflegekasse as KasseData
from billing.invoices import Senior as SeniorData
from billing.ledger import Charge, Split
from billing.lines import Appointment as VisitData
from billing.lines import Line, Service
from billing.money import hours
from billing.month import Month

from ..appointments.convert import appointment_volunteer
from ..extensions import db
from ..groups.hours import AttendedSession
from ..models import (
    Appointment,
    AppointmentStatus,
    BilledVisit,
    DementiaGroup,
    GroupSession,
    Invoice,
    Pflegekasse,
    PriceUnit,
    Senior,
)
from ..models.invoicing import group_line_ref


def kasse_address(kasse: Pflegekasse) -> tuple[str, ...]:
    """The postal address lines of a Pflegekasse (empty lines left out)."""
    town = f"{kasse.postal_code or ''} {kasse.city or ''}".strip()
    return tuple(line for line in (kasse.street, town) if line)


def senior_data(senior: Senior) -> SeniorData:
    """The billing fields of a senior (no care notes, no dementia flag)."""
    kasse = senior.pflegekasse
    abtretungen = tuple(a.as_data() for a in senior.abtretungen)
    return SeniorData(
        ref=str(senior.id),
        name=senior.name,
        birth_date=senior.birth_on,
        address=(senior.street, f"{senior.postal_code} {senior.city}"),
        kvnr=senior.kvnr or "",
        pflegekasse=KasseData(kasse.name, kasse.ik, kasse_address(kasse)) if kasse else None,
        abtretungen=abtretungen,
    )


def visit_data(appointment: Appointment, *, expected: bool = False) -> VisitData:
    """An appointment as a billing line input (actual minutes; planned duration if none were reported).

    ``expected``: count a planned or confirmed visit as if it took place (for the budget forecast).
    """
    volunteer = appointment_volunteer(appointment)
    return VisitData(
        ref=str(appointment.id),
        senior_ref=str(appointment.pairing.senior_id),
        day=appointment.on,
        start=appointment.planned_start,
        end=appointment.planned_end,
        volunteer_ref=str(volunteer.id),
        volunteer_name=volunteer.name,
        service=Service(appointment.pairing.service),
        took_place=expected or appointment.status == AppointmentStatus.STATTGEFUNDEN,
        minutes=appointment.actual_minutes,
        km=appointment.km,
        note=appointment.activity or "",
    )


def session_data(attended: AttendedSession, group: DementiaGroup) -> VisitData:
    """A Demenzgruppe session a senior attended as a billing line input, at the group's price of that day."""
    price = group.price_on(attended.on)
    return VisitData(
        ref=group_line_ref(attended.session_id, attended.senior_id),
        senior_ref=str(attended.senior_id),
        day=attended.on,
        start=time(attended.start_minute // 60, attended.start_minute % 60),
        end=time(attended.end_minute // 60 % 24, attended.end_minute % 60),
        volunteer_ref="",
        volunteer_name=f"Demenzgruppe {attended.group_name}",
        service=Service.DEMENZGRUPPE,
        minutes=attended.minutes,
        group_price=price.amount if price else None,
        per_session=price is None or price.unit == PriceUnit.SITZUNG,
    )


def visit_split(visit: BilledVisit) -> Split:
    return Split(visit.entlastungsbetrag, visit.umwandlung, visit.private)


def history_charges_of(senior_ids: Iterable[int], before: Month) -> dict[int, tuple[Charge, ...]]:
    """Per senior id: their billed visits of months before ``before``, with their billed split locked (seniors
    without any are left out)."""
    ids = list(senior_ids)
    charges: dict[int, list[Charge]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        visits = db.session.scalars(
            sa.select(BilledVisit)
            .where(
                BilledVisit.senior_id.in_(ids[i : i + 500]),
                BilledVisit.on < before.first_day,
                sa.not_(BilledVisit.is_cancelled),
            )
            .order_by(BilledVisit.on, BilledVisit.start, BilledVisit.appointment_id, BilledVisit.id)
        )
        for v in visits:
            charges[v.senior_id].append(Charge(Month.of(v.on), v.amount, v.line_ref, locked=visit_split(v), day=v.on))
    return {sid: tuple(own) for sid, own in charges.items()}


def billed_line(visit: BilledVisit) -> Billed:
    """A billed visit as ``billing.corrections`` knows it: the line as billed, its split, its invoice numbers."""
    group = visit.group_session_id is not None
    appointment = VisitData(
        ref=visit.line_ref,
        senior_ref=str(visit.senior_id),
        day=visit.on,
        start=visit.start,
        end=visit.end,
        volunteer_ref="" if group else str(visit.volunteer_id),
        volunteer_name=visit.done_by,
        minutes=visit.minutes,
        service=Service.DEMENZGRUPPE if group else Service.ENTLASTUNG,
    )
    line = Line(appointment, visit.minutes, hours(visit.minutes), visit.rate, visit.amount)
    return Billed(
        line,
        visit_split(visit),
        visit.kasse_invoice.number if visit.kasse_invoice else None,
        visit.senior_invoice.number if visit.senior_invoice else None,
        visit.grade,
    )


def billed_lines_of(senior_ids: Iterable[int]) -> dict[int, list[Billed]]:
    """Per senior id: every billed, not cancelled visit (any month), in date order."""
    ids = list(senior_ids)
    found: dict[int, list[Billed]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        visits = db.session.scalars(
            sa.select(BilledVisit)
            .where(BilledVisit.senior_id.in_(ids[i : i + 500]), sa.not_(BilledVisit.is_cancelled))
            .options(
                selectinload(BilledVisit.volunteer),
                selectinload(BilledVisit.group_session).selectinload(GroupSession.group),
                selectinload(BilledVisit.kasse_invoice),
                selectinload(BilledVisit.senior_invoice),
            )
            .order_by(BilledVisit.on, BilledVisit.start, BilledVisit.appointment_id, BilledVisit.id)
        )
        for visit in visits:
            found[visit.senior_id].append(billed_line(visit))
    return found


def stored_invoice(invoice: Invoice, *, provider: Provider) -> DraftInvoice:
    """A numbered invoice as the ``billing`` package knows it, rebuilt from its billed visits that are not
    cancelled (for a Storno of what is still valid of it)."""
    to_kasse = invoice.recipient_kind == "pflegekasse"
    column = BilledVisit.kasse_invoice_id if to_kasse else BilledVisit.senior_invoice_id
    visits = db.session.scalars(
        sa.select(BilledVisit)
        .where(column == invoice.id, sa.not_(BilledVisit.is_cancelled))
        .order_by(BilledVisit.on, BilledVisit.start)
    ).all()
    by_senior: dict[int, list[BilledVisit]] = defaultdict(list)
    for visit in visits:
        by_senior[visit.senior_id].append(visit)
    sections = []
    for own in by_senior.values():
        senior = senior_data(own[0].senior)
        lines = tuple(_line(v, _charged(v, to_kasse)) for v in own)
        abtretung = senior.abtretung_on(own[0].on) if to_kasse else None
        sections.append(InvoiceSection(senior, own[0].grade, lines, abtretung))
    sections.sort(key=lambda s: (s.senior.name, s.senior.ref))
    kind = RecipientKind.PFLEGEKASSE if to_kasse else RecipientKind.SENIOR
    ref = invoice.recipient_ik if to_kasse else str(invoice.senior_id)
    address = tuple(line for line in invoice.recipient_address.split("\n") if line)
    return DraftInvoice(
        month=Month.of(invoice.month),
        recipient=Recipient(kind, ref or "", invoice.recipient_name, address, invoice.recipient_ik),
        sections=tuple(sections),
        provider=provider,
        number=invoice.number,
        issued_on=invoice.issued_on,
    )


def _charged(visit: BilledVisit, to_kasse: bool) -> Split:
    if to_kasse:
        return Split(visit.entlastungsbetrag, visit.umwandlung)
    if visit.kasse_invoice_id is not None:
        return Split(private=visit.private)
    return visit_split(visit)


def _line(visit: BilledVisit, split: Split) -> InvoiceLine:
    return InvoiceLine(
        visit.line_ref,
        visit.on,
        visit.start,
        visit.end,
        visit.minutes,
        hours(visit.minutes),
        visit.rate,
        visit.amount,
        split,
        visit.done_by,
        visit.grade,
    )


def totals(split: Split) -> dict[str, Decimal]:
    """The money columns of an Invoice row."""
    return {
        "entlastungsbetrag": split.entlastungsbetrag,
        "umwandlung": split.umwandlung,
        "private": split.private,
        "total": split.total,
    }
