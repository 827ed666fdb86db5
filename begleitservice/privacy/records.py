"""What is stored about one person: the ids of their rows, the billing records that must be kept, and row dumps."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa

from ..budget.inputs import billing_config
from ..extensions import db
from ..models import (
    Appointment,
    BilledVisit,
    BillingRun,
    Invoice,
    LeistungsnachweisDocument,
    Pairing,
    Request,
    Senior,
    Volunteer,
)

Person = Senior | Volunteer


def person_kind(person: Person) -> str:
    """'senior' or 'volunteer' (the PrivacyEvent's person kind)."""
    return "senior" if isinstance(person, Senior) else "volunteer"


def plain(value):
    """A JSON-ready value: ISO dates and times, decimal strings, everything else as it is."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):  # a signature image
        return "data:image/png;base64," + base64.b64encode(value).decode()
    return value


def row(obj, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every column of a model object, JSON-ready."""
    mapper = sa.inspect(obj).mapper
    return {attr.key: plain(getattr(obj, attr.key)) for attr in mapper.column_attrs if attr.key not in exclude}


def ids(query) -> list[int]:
    """The ids a select of one id column returns."""
    return list(db.session.scalars(query))


def pairing_ids(person: Person) -> list[int]:
    """The person's Begleitungen."""
    column = Pairing.senior_id if isinstance(person, Senior) else Pairing.volunteer_id
    return ids(sa.select(Pairing.id).where(column == person.id).order_by(Pairing.id))


def request_ids(senior: Senior) -> list[int]:
    """The senior's Vermittlungsanfragen."""
    return ids(sa.select(Request.id).where(Request.senior_id == senior.id).order_by(Request.id))


def appointment_ids(pairings: list[int]) -> list[int]:
    """The appointments of these pairings."""
    return ids(sa.select(Appointment.id).where(Appointment.pairing_id.in_(pairings)).order_by(Appointment.id))


def billed_visit_filter(person: Person):
    """Billed visits that concern the person: as the billed senior; as the visiting volunteer or on their pairings."""
    if isinstance(person, Senior):
        return BilledVisit.senior_id == person.id
    own_pairings = sa.select(Appointment.id).join(Appointment.pairing).where(Pairing.volunteer_id == person.id)
    return sa.or_(BilledVisit.volunteer_id == person.id, BilledVisit.appointment_id.in_(own_pairings))


def invoice_ids(person: Person) -> list[int]:
    """Invoices (and Storno invoices) that name the person or carry one of their billed visits."""
    visits = sa.select(BilledVisit).where(billed_visit_filter(person)).subquery()
    on_visits = sa.union(
        sa.select(visits.c.kasse_invoice_id),
        sa.select(visits.c.senior_invoice_id),
        sa.select(visits.c.cancelled_by_id),
    ).subquery()
    condition = Invoice.id.in_(sa.select(on_visits.c[0]))
    if isinstance(person, Senior):
        condition = sa.or_(condition, Invoice.senior_id == person.id)
    return ids(sa.select(Invoice.id).where(condition).order_by(Invoice.id))


@dataclass(frozen=True)
class Retention:
    """Whether billing records keep the person, and until when (end of the year of the last record + N years)."""

    last_record_on: date | None
    retain_until: date | None

    @property
    def applies(self) -> bool:
        return self.retain_until is not None


def retention(person: Person) -> Retention:
    """The retention duty (§147 AO) the person's invoices, billed visits and Leistungsnachweise impose."""
    dates: list[date] = []
    invoices = invoice_ids(person)
    if invoices:
        dates.append(db.session.scalar(sa.select(sa.func.max(Invoice.issued_on)).where(Invoice.id.in_(invoices))))
    runs = sa.select(BilledVisit.run_id).where(billed_visit_filter(person))
    if isinstance(person, Senior):
        runs = sa.union(
            runs, sa.select(LeistungsnachweisDocument.run_id).where(LeistungsnachweisDocument.senior_id == person.id)
        ).subquery()
        runs = sa.select(runs.c[0])
    last_run = db.session.scalar(sa.select(sa.func.max(BillingRun.run_at)).where(BillingRun.id.in_(runs)))
    if last_run is not None:
        dates.append(last_run.date())
    if not dates:
        return Retention(None, None)
    last = max(dates)
    return Retention(last, billing_config().retention_until(last))
