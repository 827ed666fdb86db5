"""This service's own charges to a senior's budget: billed visits (locked splits) and expected ones.

Billed visits come from the monthly run (models.invoicing, part of the billing area); until a month is billed
its Entlastung appointments that are planned, confirmed or took place count as expected ("voraussichtlich"),
with the actual minutes where recorded, else the planned ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from billing.ledger import Charge
from billing.lines import build_lines, charges_from_lines
from billing.month import Month

from ..accounting.convert import visit_data, visit_split
from ..extensions import db
from ..models import Appointment, AppointmentStatus, Pairing, Senior
from .inputs import ENTLASTUNG, billing_config

try:  # the monthly run's tables; absent until the billing area is installed
    from ..models.invoicing import BilledVisit, BillingRun
except ImportError:  # pragma: no cover - depends on the billing area being present
    BilledVisit = BillingRun = None


@dataclass(frozen=True)
class OwnCharges:
    """The charges for the ledger and which of them are only expected (refs), plus the billed months."""

    charges: tuple[Charge, ...]
    expected_refs: frozenset[str]
    billed_months: frozenset[Month]


def billed_months() -> frozenset[Month]:
    """Months the monthly run has billed (their appointments are locked)."""
    if BillingRun is None:
        return frozenset()
    return frozenset(Month.of(d) for d in db.session.scalars(sa.select(BillingRun.month)))


def billed_charges(senior: Senior) -> tuple[Charge, ...]:
    """The senior's billed, not cancelled visits with the split they were billed with."""
    if BilledVisit is None:
        return ()
    visits = db.session.scalars(
        sa.select(BilledVisit)
        .where(BilledVisit.senior_id == senior.id, BilledVisit.is_cancelled.is_(False))
        .order_by(BilledVisit.on, BilledVisit.start, BilledVisit.id)
    )
    return tuple(
        Charge(
            Month.of(v.on),
            v.amount,
            str(v.appointment_id),
            locked=visit_split(v),
            day=v.on,
        )
        for v in visits
    )


def expected_charges(senior: Senior, *, skip_months: frozenset[Month] = frozenset()) -> tuple[Charge, ...]:
    """Charges of the senior's Entlastung appointments in months not yet billed (actual or planned minutes)."""
    rows = db.session.scalars(
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(
            Pairing.senior_id == senior.id,
            Pairing.service == ENTLASTUNG,
            Appointment.status.in_(AppointmentStatus.LIVE),
        )
        .options(joinedload(Appointment.pairing).joinedload(Pairing.volunteer), joinedload(Appointment.cover_volunteer))
    )
    items = [visit_data(a, expected=True) for a in rows if Month.of(a.on) not in skip_months]
    return charges_from_lines(build_lines(items, config=billing_config()))


def own_charges(senior: Senior, *, until: date | None = None) -> OwnCharges:
    """Billed charges plus expected ones of unbilled months (up to ``until`` if given), in date order."""
    months = billed_months()
    billed = billed_charges(senior)
    expected = expected_charges(senior, skip_months=months | {c.month for c in billed})
    if until is not None:
        expected = tuple(c for c in expected if c.month <= Month.of(until))
    charges = tuple(sorted(billed + expected, key=lambda c: c.month))  # stable: date order within a month
    return OwnCharges(charges, frozenset(c.ref for c in expected), months)
