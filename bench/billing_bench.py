"""Benchmark of the billing package at ten times Dortmund's size: one month of the Häusliche Entlastung.

Generates ~800 seniors with ~8 visits each and 750 volunteers as plain data (with a year of locked ledger
history per senior), then times the pure computation (lines, ledgers, invoices, allowances, exports) and the
PDF rendering (all Leistungsnachweise and invoices, Typst, PDF/A-2b), one by one on a sample and with render_all.

    .venv/bin/python bench/billing_bench.py [--seniors 800] [--sample 100]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import sys
import time
from datetime import date
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader

from billing.allowances import allowance_lines, payout_list
from billing.config import DEFAULT_CONFIG
from billing.documents import compiler, render_all, render_document
from billing.exports import accounting_rows, write_accounting, write_invoices, write_payouts
from billing.identifiers import ik_check_digit, kvnr_check_digit
from billing.invoices import Abtretung, Pflegekasse, Senior, number_invoices
from billing.ledger import (
    Charge,
    GradePeriod,
    LedgerInput,
    OpeningBalance,
    OtherUse,
    Split,
    UmwandlungDeclaration,
)
from billing.lines import Appointment
from billing.month import Month
from billing.run import SeniorMonth, prepare_month

MONTH = Month(2026, 11)
KASSEN = ["AOK NordWest", "TK", "BARMER", "DAK-Gesundheit", "IKK classic", "KKH", "BKK Dortmund", "Knappschaft"]
FIRST = ["Erika", "Hans", "Gisela", "Mehmet", "Irina", "Walter", "Ursula", "Fatma", "Helga", "Jürgen", "Zofia"]
LAST = ["Müller", "Schmidt", "Yılmaz", "Kowalski", "Schäfer", "Becker", "Petrov", "Öztürk", "Hoffmann", "Wagner"]


def _ik(rng: random.Random) -> str:
    first = f"10{rng.randrange(10**6):06d}"
    return first + str(ik_check_digit(first))


def _kvnr(rng: random.Random) -> str:
    first = chr(65 + rng.randrange(26)) + f"{rng.randrange(10**8):08d}"
    return first + str(kvnr_check_digit(first))


def generate(seniors: int, volunteers: int, visits: int, seed: int = 2026) -> list[SeniorMonth]:
    """The month's input for ``seniors`` seniors, as the app would map it from its models."""
    rng = random.Random(seed)
    kassen = [Pflegekasse(f"{name} Pflegekasse", _ik(rng), ("Postfach 1234", "44000 Dortmund")) for name in KASSEN]
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(volunteers)]
    inputs = []
    for i in range(seniors):
        grade = rng.choice([1, 2, 2, 2, 3, 3, 4, 5])
        start = Month(2025, rng.randrange(1, 13))
        senior = Senior(
            ref=f"S{i:04d}",
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            birth_date=date(rng.randrange(1925, 1950), rng.randrange(1, 13), rng.randrange(1, 29)),
            address=(f"Musterweg {i % 200 + 1}", f"44{rng.randrange(135, 389)} Dortmund"),
            kvnr=_kvnr(rng),
            pflegekasse=rng.choice(kassen),
            abtretungen=(Abtretung(date(2025, 1, 1)),) if rng.random() < 0.6 else (),
        )
        history = []
        for month in start.until(Month(2026, 10)):
            for v in range(visits):
                amount = Decimal(rng.choice([60, 90, 120, 150])) * Decimal("7.50") / 60
                history.append(
                    Charge(
                        month,
                        amount.quantize(Decimal("0.01")),
                        f"{senior.ref}-{month.iso}-{v}",
                        locked=Split(amount.quantize(Decimal("0.01"))),
                    )
                )
        ledger = LedgerInput(
            grades=(GradePeriod(grade, date(2024, 1, 1)),),
            service_start=start,
            openings=(OpeningBalance(start.first_day, Decimal("400.00"), "Pflegekasse, Schreiben"),)
            if rng.random() < 0.5
            else (),
            other_uses=(OtherUse(MONTH, Decimal("40.00"), "Haushaltshilfe"),) if rng.random() < 0.2 else (),
            umwandlung=(UmwandlungDeclaration(MONTH, Decimal("200.00")),) if grade > 1 and rng.random() < 0.1 else (),
            charges=tuple(history),
        )
        own = [names[(i * 3 + k) % volunteers] for k in range(2)]
        appointments = []
        for v in range(visits):
            day = date(2026, 11, 1 + (v * 30 // visits + rng.randrange(3)) % 30)
            start_h, minutes = rng.randrange(8, 17), rng.choice([60, 90, 120, 150, 47])
            end = start_h * 60 + minutes
            appointments.append(
                Appointment(
                    f"{senior.ref}-{v}",
                    senior.ref,
                    day,
                    clock(start_h, 0),
                    clock(end // 60, end % 60),
                    f"V{(i * 3 + v % 2) % volunteers}",
                    own[v % 2],
                    minutes=minutes,
                )
            )
        inputs.append(SeniorMonth(senior, ledger, tuple(appointments)))
    return inputs


def timed(label: str, func, *args, **kwargs):
    t0 = time.perf_counter()
    result = func(*args, **kwargs)
    elapsed = time.perf_counter() - t0
    print(f"  {label:<58} {elapsed:8.2f} s")
    return result, elapsed


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.platform()} · Python {platform.python_version()} · CPU {cpu} · nproc {os.cpu_count()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seniors", type=int, default=800)
    parser.add_argument("--volunteers", type=int, default=750)
    parser.add_argument("--visits", type=int, default=8)
    parser.add_argument("--sample", type=int, default=100, help="documents rendered one by one (0: all)")
    args = parser.parse_args()
    config = DEFAULT_CONFIG
    print(f"Machine: {machine()}")
    print(f"Month {MONTH}: {args.seniors} seniors × {args.visits} visits, {args.volunteers} volunteers")

    print("Pure computation")
    inputs, _ = timed("generate input (incl. locked history)", generate, args.seniors, args.volunteers, args.visits)
    charges = sum(len(i.ledger.charges) for i in inputs)
    run, _ = timed(
        f"prepare_month: lines + ledgers ({charges} past charges) + invoices",
        prepare_month,
        MONTH,
        inputs,
        config=config,
    )
    invoices, _ = timed(
        "number invoices", number_invoices, run.invoices, last="2026-004000", issued_on=date(2026, 12, 2)
    )
    lines = [line for r in run.seniors for line in r.lines]
    allowances, _ = timed(
        "allowance lines + payout list",
        lambda: payout_list(MONTH, allowance_lines(lines, config=config), paid_before={}, config=config),
    )
    rows, _ = timed("accounting rows", accounting_rows, run, invoices)
    timed(
        "CSV exports (positions, invoices, allowances)",
        lambda: [
            write_accounting(io.BytesIO(), rows),
            write_invoices(io.BytesIO(), invoices),
            write_payouts(io.BytesIO(), allowances),
        ],
    )
    timed(
        "XLSX exports (positions, invoices, allowances)",
        lambda: [
            write_accounting(io.BytesIO(), rows, xlsx=True),
            write_invoices(io.BytesIO(), invoices, xlsx=True),
            write_payouts(io.BytesIO(), allowances, xlsx=True),
        ],
    )
    kasse = sum(1 for inv in invoices if inv.recipient.kind.value == "pflegekasse")
    print(
        f"  -> {len(lines)} visits, {len(run.seniors)} Leistungsnachweise, {len(invoices)} invoices "
        f"({kasse} collective to Pflegekassen), {len(allowances)} volunteers paid, {len(run.problems)} problems"
    )

    print("PDF rendering")
    docs = [r.leistungsnachweis for r in run.seniors if r.leistungsnachweis] + list(invoices)
    timed("compiler setup (fonts)", compiler)
    sample = docs if args.sample == 0 else docs[:: max(1, len(docs) // args.sample)]  # every k-th: representative
    _, t_one = timed(f"one by one: {len(sample)} documents (every k-th)", lambda: [render_document(d) for d in sample])
    per_doc = t_one / len(sample)
    print(f"  -> {per_doc * 1000:.0f} ms per document; all {len(docs)} one by one ≈ {per_doc * len(docs):.0f} s")
    pages = 0
    for workers in (1, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else (1,):
        pdfs, elapsed = timed(
            f"render_all: {len(docs)} documents, {workers} process(es)",
            render_all,
            docs,
            workers=workers,
        )
        pages = sum(len(PdfReader(io.BytesIO(p)).pages) for p in pdfs)
        size = sum(len(p) for p in pdfs)
        print(
            f"  -> {len(pdfs)} PDFs, {pages} pages, {size / 1e6:.1f} MB: {elapsed * 1000 / len(docs):.0f} ms per "
            f"document, {elapsed * 1000 / pages:.0f} ms per page"
        )
    print(f"Load average while running: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
