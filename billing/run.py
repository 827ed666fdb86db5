"""The monthly billing run: appointments → lines → ledger split → Leistungsnachweise and invoice drafts.

The app passes, per senior, the billing fields, the ledger history (charges of earlier months with their
billed split as ``locked``) and the appointments of the month; it gets back everything to store and print.
Charges in the ledger input for the billing month or later are replaced by the lines of this run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from billing.completeness import Problem, senior_problems
from billing.config import CATEGORY_TEXT, BillingConfig, Provider
from billing.invoices import BilledLine, Invoice, Senior, grades_label, plan_invoices, route_lines
from billing.ledger import Ledger, LedgerInput, LedgerMonth, Split, compute_ledger, sum_splits
from billing.lines import Appointment, Line, build_lines, charges_from_lines
from billing.money import ZERO, hours
from billing.month import Month


@dataclass(frozen=True)
class SeniorMonth:
    """Input of the run for one senior."""

    senior: Senior
    ledger: LedgerInput
    appointments: tuple[Appointment, ...]


@dataclass(frozen=True)
class DigitalSignature:
    """The senior's (or representative's) signature given on a volunteer's phone for that volunteer's lines."""

    volunteer: str
    signer: str
    signed_at: datetime  # aware UTC
    png: bytes


@dataclass(frozen=True)
class Leistungsnachweis:
    """Record of services of one senior and month, to be signed by senior and volunteer(s)."""

    month: Month
    senior: Senior
    grade: int | None
    lines: tuple[BilledLine, ...]
    provider: Provider
    budget: LedgerMonth | None = None
    category: str = CATEGORY_TEXT
    note: str = ""  # e.g. "Nachberechnung September 2026" for visits billed after their month
    digital: tuple[DigitalSignature, ...] = ()  # signed on the phone (valid ones only); paper stays possible

    @property
    def grade_label(self) -> str:
        """The Pflegegrade on the visit days, in visit order (``2 / 3`` after a change), or ``–``."""
        return grades_label(bl.grade for bl in self.lines) or (str(self.grade) if self.grade else "–")

    @property
    def minutes(self) -> int:
        return sum(bl.line.minutes for bl in self.lines)

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def split(self) -> Split:
        return sum_splits(bl.split for bl in self.lines)

    @property
    def total(self) -> Decimal:
        return sum((bl.line.amount for bl in self.lines), ZERO)

    @property
    def rates(self) -> tuple[Decimal, ...]:
        return tuple(sorted({bl.line.rate for bl in self.lines}))

    @property
    def volunteers(self) -> tuple[str, ...]:
        return tuple(sorted({bl.line.appointment.volunteer_name for bl in self.lines}))


@dataclass(frozen=True)
class SeniorResult:
    senior: Senior
    grade: int | None
    lines: tuple[Line, ...]  # every visit that took place, billable or not (for reports)
    billed: tuple[BilledLine, ...]
    ledger: Ledger
    leistungsnachweis: Leistungsnachweis | None


@dataclass(frozen=True)
class MonthRun:
    month: Month
    seniors: tuple[SeniorResult, ...]
    invoices: tuple[Invoice, ...]  # unnumbered drafts; see invoices.number_invoices
    problems: tuple[Problem, ...]  # of the seniors' billing data (billing.completeness), German


def bill_senior(month: Month, data: SeniorMonth, *, config: BillingConfig) -> tuple[SeniorResult, list[Problem]]:
    """Lines, ledger and Leistungsnachweis of one senior for ``month``, and the problems found."""
    lines = build_lines((a for a in data.appointments if month.contains(a.day)), config=config)
    history = tuple(c for c in data.ledger.charges if c.month < month)
    ledger_input = dataclasses.replace(data.ledger, charges=history + charges_from_lines(lines))
    ledger = compute_ledger(ledger_input, config=config, until=month)
    splits = {ref: cs.split for ref, cs in ledger.splits.items()}
    grades = {ref: cs.grade for ref, cs in ledger.splits.items()}
    billed = tuple(route_lines(data.senior, lines, splits, grades=grades))
    grade = data.ledger.grade_in(month)
    note = None
    if billed:
        note = Leistungsnachweis(month, data.senior, grade, billed, config.provider, ledger.get(month))
    result = SeniorResult(data.senior, grade, tuple(lines), billed, ledger, note)
    return result, senior_problems(data.senior, billed, ledger, eligibility=data.ledger.eligibility)


def prepare_month(
    month: Month, inputs: Iterable[SeniorMonth], *, config: BillingConfig, collective: bool = True
) -> MonthRun:
    """Run the month for all seniors: results per senior, invoice drafts, problems."""
    results, problems = [], []
    for data in inputs:
        result, found = bill_senior(month, data, config=config)
        results.append(result)
        problems.extend(found)
    invoices = plan_invoices(
        month,
        [(r.senior, r.grade, r.billed) for r in results if r.billed],
        provider=config.provider,
        collective=collective,
    )
    return MonthRun(month, tuple(results), tuple(invoices), tuple(problems))
