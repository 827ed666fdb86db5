"""Map a senior's stored budget facts onto billing.ledger.LedgerInput, and the billing configuration of the app.

Both the ledger page (part A) and the monthly billing run (part B) build the ledger through ``ledger_input`` and
``billing_config`` so that they always agree.

Service start: the month of the senior's first Häusliche-Entlastung pairing start. The ledger itself starts at
the earlier of that month and the first opening balance (``compute_ledger`` takes the minimum), so an opening
balance entered before the first visit simply starts the account earlier. A senior without Entlastung yet starts
at the first fact entered (opening, other use, Umwandlung), else in the current month. Other use recorded before
the account starts is not counted (the ledger page says so): enter an opening balance to cover that time.

Living situation: the senior's LivingSituation rows (days no row covers count as at home).

Grades: the senior's PflegegradPeriod rows. A senior without any (data from before the history existed) gets
the current Pflegegrad, valid from the earliest of the record's creation day, the first pairing start and the
first opening balance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

import sqlalchemy as sa
from flask import current_app

from billing.config import DEFAULT_CONFIG, BillingConfig, config_from_dict
from billing.ledger import Charge, GradePeriod, LedgerInput, OpeningBalance, OtherUse, UmwandlungDeclaration
from billing.month import Month

from ..clock import today as service_today
from ..extensions import db
from ..models import GroupParticipant, Pairing, Senior
from ..models.budget import BudgetOpening, BudgetOtherUse, LivingSituation, PflegegradPeriod
from ..models.budget import UmwandlungDeclaration as UmwandlungRow
from ..provider.settings import with_settings

ENTLASTUNG = "entlastung"


def configured_billing() -> BillingConfig:
    """DEFAULT_CONFIG with the overrides of ``app.config["BILLING"]`` (a dict), before the app's own settings."""
    overrides = current_app.config["BILLING"] or {}
    if isinstance(overrides, BillingConfig):
        return overrides
    return config_from_dict(overrides) if overrides else DEFAULT_CONFIG


def billing_config(*, on: date | None = None) -> BillingConfig:
    """The billing figures in force: the configured ones, the rates stored in the app's settings and the
    provider's data on ``on`` (default: today)."""
    return with_settings(configured_billing(), day=on or service_today())


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
    if rows or senior.pflegegrad is None:
        return _grades(senior, rows, None)
    return _grades(senior, rows, fallback_from or fallback_grade_start(senior))


def _grades(senior: Senior, rows, fallback_from: date | None) -> tuple[GradePeriod, ...]:
    if rows:
        return tuple(GradePeriod(r.grade, r.valid_from, r.valid_until) for r in rows)
    if senior.pflegegrad is None:
        return ()
    return (GradePeriod(senior.pflegegrad, fallback_from),)


def fallback_grade_start(senior: Senior) -> date:
    """Where the current Pflegegrad counts from when no history exists (see the module docstring)."""
    return _fallback_start(senior, _first_pairing_start(senior), _first_opening(senior))


def _fallback_start(senior: Senior, first_pairing: date | None, first_opening: date | None) -> date:
    candidates = [senior.created_at.date() if senior.created_at else service_today()]
    candidates += [day for day in (first_pairing, first_opening) if day is not None]
    return min(candidates)


def ledger_input(senior: Senior, *, charges: tuple[Charge, ...] = ()) -> LedgerInput:
    """Everything the senior's Entlastungsbetrag ledger rests on; ``charges`` are this service's own amounts."""
    return ledger_inputs([senior], charges={senior.id: charges})[senior.id]


def ledger_inputs(
    seniors: Sequence[Senior], *, charges: Mapping[int, tuple[Charge, ...]] | None = None
) -> dict[int, LedgerInput]:
    """``ledger_input`` for many seniors at once (a few queries in all, not a few per senior), by senior id."""
    charges = charges or {}
    ids = [s.id for s in seniors]
    openings = _by_senior(BudgetOpening, ids, BudgetOpening.as_of, BudgetOpening.id)
    others = _by_senior(BudgetOtherUse, ids, BudgetOtherUse.month, BudgetOtherUse.id)
    declared = _by_senior(UmwandlungRow, ids, UmwandlungRow.month)
    grades = _by_senior(PflegegradPeriod, ids, PflegegradPeriod.valid_from, PflegegradPeriod.id)
    living = _by_senior(LivingSituation, ids, LivingSituation.valid_from, LivingSituation.id)
    starts = {}
    for chunk in _chunks(ids):
        entlastung = sa.func.min(sa.case((Pairing.service == ENTLASTUNG, Pairing.starts_on)))
        query = sa.select(Pairing.senior_id, entlastung, sa.func.min(Pairing.starts_on))
        for sid, first_entlastung, first_any in db.session.execute(
            query.where(Pairing.senior_id.in_(chunk)).group_by(Pairing.senior_id)
        ):
            starts[sid] = (first_entlastung, first_any)
        # a Demenzgruppe is an offer under §45a like the Entlastung: taking part starts the service too
        for sid, first_group in db.session.execute(
            sa.select(GroupParticipant.senior_id, sa.func.min(GroupParticipant.starts_on))
            .where(GroupParticipant.senior_id.in_(chunk), GroupParticipant.starts_on.is_not(None))
            .group_by(GroupParticipant.senior_id)
        ):
            first_entlastung, first_any = starts.get(sid, (None, None))
            starts[sid] = (
                min(d for d in (first_entlastung, first_group) if d is not None),
                min(d for d in (first_any, first_group) if d is not None),
            )
    result = {}
    for senior in seniors:
        sid = senior.id
        own_openings, own_others, own_declared = openings[sid], others[sid], declared[sid]
        start, first_pairing = starts.get(sid, (None, None))
        if start is None:  # no Entlastung yet: from the first fact entered, else this month
            facts = [o.as_of for o in own_openings] + [u.month for u in own_others] + [d.month for d in own_declared]
            start = min(facts) if facts else service_today()
        first_opening = own_openings[0].as_of if own_openings else None  # ordered by as_of
        fallback = None if grades[sid] else _fallback_start(senior, first_pairing, first_opening)
        result[sid] = LedgerInput(
            grades=_grades(senior, grades[sid], fallback),
            service_start=Month.of(start),
            openings=tuple(OpeningBalance(o.as_of, o.current_year, o.source, o.carried) for o in own_openings),
            other_uses=tuple(OtherUse(Month.of(u.month), u.amount, u.note) for u in own_others),
            umwandlung=tuple(UmwandlungDeclaration(Month.of(d.month), d.amount, d.note or "") for d in own_declared),
            charges=tuple(charges.get(sid, ())),
            living=tuple(row.as_period() for row in living[sid]),
        )
    return result


def _chunks(ids: Sequence[int], size: int = 500):
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def _by_senior(model, ids: Sequence[int], *order) -> dict[int, list]:
    """The rows of ``model`` per senior id, in ``order`` (every id present, possibly with no rows)."""
    rows: dict[int, list] = defaultdict(list)
    for chunk in _chunks(ids):
        for row in db.session.scalars(sa.select(model).where(model.senior_id.in_(chunk)).order_by(*order)):
            rows[row.senior_id].append(row)
    return rows


def _first_pairing_start(senior: Senior) -> date | None:
    return db.session.scalar(sa.select(sa.func.min(Pairing.starts_on)).where(Pairing.senior_id == senior.id))


def _first_opening(senior: Senior) -> date | None:
    return db.session.scalar(sa.select(sa.func.min(BudgetOpening.as_of)).where(BudgetOpening.senior_id == senior.id))
