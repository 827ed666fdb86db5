"""This service's own charges to a senior's budget: billed visits (locked splits) and expected ones.

Billed visits come from the monthly run (models.invoicing, part of the billing area); until a month is billed
its Entlastung appointments that are planned, confirmed or took place count as expected ("voraussichtlich"),
with the actual minutes where recorded, else the planned ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
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
    return billed_charges_of([senior.id])[senior.id]


def billed_charges_of(senior_ids: Sequence[int]) -> dict[int, tuple[Charge, ...]]:
    """``billed_charges`` for many seniors in one query, by senior id."""
    found: dict[int, list[Charge]] = defaultdict(list)
    if BilledVisit is None or not senior_ids:
        return {sid: () for sid in senior_ids}
    visits = db.session.scalars(
        sa.select(BilledVisit)
        .where(BilledVisit.senior_id.in_(senior_ids), BilledVisit.is_cancelled.is_(False))
        .order_by(BilledVisit.on, BilledVisit.start, BilledVisit.id)
    )
    for v in visits:
        found[v.senior_id].append(
            Charge(Month.of(v.on), v.amount, str(v.appointment_id), locked=visit_split(v), day=v.on)
        )
    return {sid: tuple(found[sid]) for sid in senior_ids}


def expected_charges(senior: Senior, *, skip_months: frozenset[Month] = frozenset()) -> tuple[Charge, ...]:
    """Charges of the senior's Entlastung appointments in months not yet billed (actual or planned minutes)."""
    return _expected_of([senior.id], {senior.id: skip_months})[senior.id]


def _expected_of(senior_ids: Sequence[int], skip: Mapping[int, frozenset[Month]]) -> dict[int, tuple[Charge, ...]]:
    rows = db.session.scalars(
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(
            Pairing.senior_id.in_(senior_ids),
            Pairing.service == ENTLASTUNG,
            Appointment.status.in_(AppointmentStatus.LIVE),
        )
        .options(joinedload(Appointment.pairing).joinedload(Pairing.volunteer), joinedload(Appointment.cover_volunteer))
    )
    items: dict[int, list] = defaultdict(list)
    for a in rows:
        if Month.of(a.on) not in skip[a.pairing.senior_id]:
            items[a.pairing.senior_id].append(visit_data(a, expected=True))
    config = billing_config()
    return {sid: charges_from_lines(build_lines(items[sid], config=config)) for sid in senior_ids}


def own_charges(senior: Senior, *, until: date | None = None) -> OwnCharges:
    """Billed charges plus expected ones of unbilled months (up to ``until`` if given), in date order."""
    return own_charges_of([senior.id], until=until)[senior.id]


def own_charges_of(senior_ids: Sequence[int], *, until: date | None = None) -> dict[int, OwnCharges]:
    """``own_charges`` for many seniors in a few queries in all, by senior id."""
    months = billed_months()
    billed = billed_charges_of(senior_ids)
    expected = _expected_of(senior_ids, {sid: months | {c.month for c in billed[sid]} for sid in senior_ids})
    result = {}
    for sid in senior_ids:
        upcoming = expected[sid]
        if until is not None:
            upcoming = tuple(c for c in upcoming if c.month <= Month.of(until))
        charges = tuple(sorted(billed[sid] + upcoming, key=lambda c: c.month))  # stable: date order within a month
        result[sid] = OwnCharges(charges, frozenset(c.ref for c in upcoming), months)
    return result
