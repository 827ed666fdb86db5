"""Map a senior's stored budget facts onto billing.ledger.LedgerInput, and the billing configuration of the app.

Both the ledger page (part A) and the monthly billing run (part B) build the ledger through ``ledger_input`` and
``billing_config`` so that they always agree.

Service start: the month of the senior's first Häusliche-Entlastung pairing start. The ledger itself starts at
the earlier of that month and the first opening balance (``compute_ledger`` takes the minimum), so an opening
balance entered before the first visit simply starts the account earlier. A senior without Entlastung yet starts
at the first fact entered (opening, other use, Umwandlung), else in the current month. Other use recorded before
the account starts is not counted (the ledger page says so): enter an opening balance to cover that time.

Grades: the senior's PflegegradPeriod rows. A senior without any (data from before the history existed) gets
the current Pflegegrad, valid from the earliest of the record's creation day, the first pairing start and the
first opening balance.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app

from billing.config import DEFAULT_CONFIG, BillingConfig, config_from_dict
from billing.ledger import Charge, GradePeriod, LedgerInput, OpeningBalance, OtherUse, UmwandlungDeclaration
from billing.month import Month

from ..dashboard.clock import today as service_today
from ..extensions import db
from ..models import Pairing, Senior
from ..models.budget import BudgetOpening, BudgetOtherUse, PflegegradPeriod
from ..models.budget import UmwandlungDeclaration as UmwandlungRow

ENTLASTUNG = "entlastung"


def billing_config() -> BillingConfig:
    """The billing figures in force: DEFAULT_CONFIG with the overrides of ``app.config["BILLING"]`` (a dict)."""
    overrides = current_app.config.get("BILLING") or {}
    if isinstance(overrides, BillingConfig):
        return overrides
    return config_from_dict(overrides) if overrides else DEFAULT_CONFIG


def first_entlastung_start(senior: Senior) -> date | None:
    """The start date of the senior's first Häusliche-Entlastung pairing, or None."""
    return db.session.scalar(
        sa.select(sa.func.min(Pairing.starts_on)).where(Pairing.senior_id == senior.id, Pairing.service == ENTLASTUNG)
    )


def grade_periods(senior: Senior, *, fallback_from: date | None = None) -> tuple[GradePeriod, ...]:
    """The senior's Pflegegrad history; without rows the current Pflegegrad from ``fallback_from``."""
    rows = db.session.scalars(
        sa.select(PflegegradPeriod)
        .where(PflegegradPeriod.senior_id == senior.id)
        .order_by(PflegegradPeriod.valid_from, PflegegradPeriod.id)
    ).all()
    if rows:
        return tuple(GradePeriod(r.grade, r.valid_from, r.valid_until) for r in rows)
    if senior.pflegegrad is None:
        return ()
    return (GradePeriod(senior.pflegegrad, fallback_from or fallback_grade_start(senior)),)


def fallback_grade_start(senior: Senior) -> date:
    """Where the current Pflegegrad counts from when no history exists (see the module docstring)."""
    candidates = [senior.created_at.date() if senior.created_at else service_today()]
    if (start := _first_pairing_start(senior)) is not None:
        candidates.append(start)
    if (opening := _first_opening(senior)) is not None:
        candidates.append(opening)
    return min(candidates)


def ledger_input(senior: Senior, *, charges: tuple[Charge, ...] = ()) -> LedgerInput:
    """Everything the senior's Entlastungsbetrag ledger rests on; ``charges`` are this service's own amounts."""
    sid = senior.id
    openings = db.session.scalars(
        sa.select(BudgetOpening).where(BudgetOpening.senior_id == sid).order_by(BudgetOpening.as_of, BudgetOpening.id)
    ).all()
    others = db.session.scalars(
        sa.select(BudgetOtherUse)
        .where(BudgetOtherUse.senior_id == sid)
        .order_by(BudgetOtherUse.month, BudgetOtherUse.id)
    ).all()
    declared = db.session.scalars(
        sa.select(UmwandlungRow).where(UmwandlungRow.senior_id == sid).order_by(UmwandlungRow.month)
    ).all()
    start = first_entlastung_start(senior)
    if start is None:  # no Entlastung yet: from the first fact entered, else this month
        facts = [o.as_of for o in openings] + [u.month for u in others] + [d.month for d in declared]
        start = min(facts) if facts else service_today()
    return LedgerInput(
        grades=grade_periods(senior),
        service_start=Month.of(start),
        openings=tuple(OpeningBalance(o.as_of, o.current_year, o.source, o.carried) for o in openings),
        other_uses=tuple(OtherUse(Month.of(u.month), u.amount, u.note) for u in others),
        umwandlung=tuple(UmwandlungDeclaration(Month.of(d.month), d.amount, d.note or "") for d in declared),
        charges=tuple(charges),
    )


def _first_pairing_start(senior: Senior) -> date | None:
    return db.session.scalar(sa.select(sa.func.min(Pairing.starts_on)).where(Pairing.senior_id == senior.id))


def _first_opening(senior: Senior) -> date | None:
    return db.session.scalar(sa.select(sa.func.min(BudgetOpening.as_of)).where(BudgetOpening.senior_id == senior.id))
