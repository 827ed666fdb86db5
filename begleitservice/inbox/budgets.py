"""Budgets that lapse on 30 June: computed once a day from each senior's ledger, read by the inbox.

The ledger (billing.ledger through budget.operations.senior_ledger) is the one home of the rule; computing it
for every senior on every view would make the start page grow with the data, so the daily job stores the
result per senior and the inbox reads that small table with a count and a page.
"""

import logging
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from billing.month import Month

from ..budget.operations import senior_ledger
from ..extensions import db
from ..models import Pairing, PairingStatus, Senior, SeniorStatus
from ..models.inbox import BudgetLapse

log = logging.getLogger(__name__)

ENTLASTUNG = "entlastung"


def lapse_day(today: date) -> date:
    """The 30 June of ``today``'s year: the day last year's rest of the Entlastungsbetrag lapses."""
    return date(today.year, 6, 30)


def lapsing_amount(senior: Senior, *, on: date) -> Decimal:
    """What of the carried Entlastungsbetrag lapses at the end of ``on``'s month, with the visits known so far."""
    ledger, _, _ = senior_ledger(senior, until=Month.of(on))
    row = ledger.get(Month.of(on))
    return row.lapsed if row is not None else Decimal("0")


def refresh(*, today: date, now: datetime) -> int:
    """Replace the stored lapsing budgets: one row per current senior with Entlastung whose carry would lapse."""
    db.session.execute(sa.delete(BudgetLapse))
    lapses_on = lapse_day(today)
    if today > lapses_on:
        return 0
    with_entlastung = sa.select(Pairing.senior_id).where(
        Pairing.service == ENTLASTUNG, Pairing.status.in_(PairingStatus.RUNNING)
    )
    seniors = db.session.scalars(
        sa.select(Senior)
        .where(
            Senior.status.in_(SeniorStatus.CURRENT),
            Senior.pflegegrad.is_not(None),
            Senior.id.in_(with_entlastung),
        )
        .order_by(Senior.id)
    ).all()
    stored = 0
    for senior in seniors:
        try:
            amount = lapsing_amount(senior, on=lapses_on)
        except (KeyError, ValueError, LookupError) as error:  # e.g. a figure missing for a date: say so, go on
            log.warning("budget lapse of senior %d not computed: %s", senior.id, error)
            continue
        if amount > 0:
            db.session.add(BudgetLapse(senior_id=senior.id, lapses_on=lapses_on, amount=amount, computed_at=now))
            stored += 1
    db.session.flush()
    log.info("budget lapses: %d of %d seniors", stored, len(seniors))
    return stored
