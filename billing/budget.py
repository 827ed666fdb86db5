"""Planning check: will the Entlastungsbetrag (and declared Umwandlung) cover the hours a pairing plans?"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from billing.config import BillingConfig
from billing.ledger import Charge, LedgerInput, compute_ledger
from billing.money import amount_for, format_eur
from billing.month import Month


@dataclass(frozen=True)
class ForecastMonth:
    month: Month
    planned_minutes: int
    planned_amount: Decimal
    covered: Decimal
    private: Decimal


@dataclass(frozen=True)
class BudgetCheck:
    """Whether planned hours stay within the budget; ``message`` says it in German for the coordinator."""

    covered: bool
    first_short_month: Month | None
    months: tuple[ForecastMonth, ...]
    message: str


def check_budget(
    data: LedgerInput,
    *,
    planned_minutes_per_month: int,
    from_month: Month,
    months: int = 12,
    config: BillingConfig,
) -> BudgetCheck:
    """Simulate the ledger with ``planned_minutes_per_month`` (all planned visits of the senior) from
    ``from_month`` on for ``months`` months; say whether and from when the budget won't cover them.

    Charges already recorded before ``from_month`` count; the grades are assumed to continue as recorded.
    """
    horizon = from_month.until(_add_months(from_month, months - 1))
    planned = tuple(
        Charge(
            m,
            amount_for(planned_minutes_per_month, config.hourly_rate.value_on(m.first_day)),
            f"plan-{m.iso}",
        )
        for m in horizon
    )
    kept = tuple(c for c in data.charges if c.month < from_month)
    ledger = compute_ledger(
        replace(data, charges=kept + planned),
        config=config,
        until=horizon[-1],
    )
    rows = []
    for charge in planned:
        split = ledger.split_of(charge.ref)
        rows.append(ForecastMonth(charge.month, planned_minutes_per_month, charge.amount, split.insured, split.private))
    short = next((r for r in rows if r.private > 0), None)
    if short is None:
        message = f"Das Budget deckt die geplanten Stunden bis {horizon[-1]}."
    else:
        message = (
            f"Ab {short.month} reicht das Budget nicht: voraussichtlich {format_eur(short.private)} privat "
            f"in diesem Monat (geplant {format_eur(short.planned_amount)})."
        )
    return BudgetCheck(short is None, short and short.month, tuple(rows), message)


def _add_months(month: Month, count: int) -> Month:
    index = month.year * 12 + month.month - 1 + count
    return Month(index // 12, index % 12 + 1)
