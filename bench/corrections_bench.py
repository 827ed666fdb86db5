"""Benchmark of the correction engine (billing.corrections, pure): correction plans and Nachberechnung covers.

Builds seniors with a year of billed months (8 visits a month, Abtretung, Pflegegrad 2), then times
``plan_correction`` (a Storno of the first month: every later month recomputed) and ``cover_late`` (one late
visit in the first month against eleven later billed months: the worst case, with the cent search).

    .venv/bin/python bench/corrections_bench.py [--seniors 800] [--months 12]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from billing.config import DEFAULT_CONFIG
from billing.corrections import Billed, cover_late, plan_correction
from billing.invoices import Abtretung, Pflegekasse, RecipientKind, Senior, number_invoices
from billing.ledger import GradePeriod, LedgerInput
from billing.lines import Appointment, build_lines, charges_from_lines
from billing.month import Month
from billing.run import SeniorMonth, prepare_month

KASSE = Pflegekasse("AOK NordWest", "100696012", ("Kopenhagener Str. 1", "44269 Dortmund"))


def visit(ref: str, day: date, minutes: int) -> Appointment:
    from datetime import time as clock

    return Appointment(ref, "s", day, clock(10), clock(12), "v", "Erika Engel", minutes=minutes)


def billed_year(months: list[Month], config) -> tuple[Senior, LedgerInput, list[Billed]]:
    """One senior billed month after month as the run does (history locked), 8 visits of 2 h 15 a month."""
    senior = Senior(
        "s",
        "Anna Abel",
        date(1938, 1, 1),
        ("Hohe Str. 1", "44139 Dortmund"),
        "A123456780",
        KASSE,
        (Abtretung(date(2020, 1, 1)),),
    )
    data = LedgerInput(grades=(GradePeriod(2, date(2020, 1, 1)),), service_start=months[0])
    billed: list[Billed] = []
    last = None
    for month in months:
        history = tuple(
            c.__class__(c.month, c.amount, c.ref, locked=b.split, day=c.day)
            for b in billed
            for c in charges_from_lines([b.line])
        )
        visits = tuple(visit(f"{month.iso}-{n}", date(month.year, month.month, 1 + 3 * n), 135) for n in range(8))
        run = prepare_month(
            month,
            [SeniorMonth(senior, LedgerInput(data.grades, data.service_start, charges=history), visits)],
            config=config,
        )
        numbered = number_invoices(run.invoices, last=last, issued_on=month.last_day)
        last = numbered[-1].number if numbered else last
        kasse = {r: i.number for i in numbered if i.recipient.kind is RecipientKind.PFLEGEKASSE for r in i.line_refs}
        own = {r: i.number for i in numbered if i.recipient.kind is RecipientKind.SENIOR for r in i.line_refs}
        billed += [
            Billed(bl.line, bl.split, kasse.get(bl.line.ref), own.get(bl.line.ref), bl.grade)
            for r in run.seniors
            for bl in r.billed
        ]
    return senior, data, billed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seniors", type=int, default=800)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    config = DEFAULT_CONFIG
    months = Month(2026, 1).until(Month(2026, 1 + args.months - 1)) if args.months <= 12 else None
    senior, data, billed = billed_year(months, config)
    first = billed[0].ref
    started = time.perf_counter()
    for _ in range(args.seniors):
        plan = plan_correction(senior, data, billed, start=months[0], config=config, corrected={first: 720})
    plan_s = time.perf_counter() - started
    (late,) = build_lines([visit("late", date(2026, 1, 30), 240)], config=config)
    started = time.perf_counter()
    for _ in range(args.seniors):
        covers = cover_late(data, billed, [late], config=config)
    late_s = time.perf_counter() - started
    print(f"machine: {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}")
    print(f"{args.seniors} seniors × {len(months)} billed months × 8 visits")
    print(
        f"plan_correction (Storno of month 1, {len(plan.months)} months change): "
        f"{plan_s:.2f} s total, {plan_s / args.seniors * 1000:.1f} ms per senior"
    )
    print(
        f"cover_late (one late visit in month 1, split {covers['late'].split}): "
        f"{late_s:.2f} s total, {late_s / args.seniors * 1000:.1f} ms per senior"
    )


if __name__ == "__main__":
    main()
