"""Exact money on both databases: a run over thousands of generated visits whose budgets split them between
Entlastungsbetrag, Umwandlung and private stores every split (SQLite used to refuse about one in five with
``CHECK constraint failed: ck_invoice_total``, comparing float sums)."""

import random
from collections import defaultdict
from datetime import date, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from begleitservice.accounting import files
from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import run_month
from begleitservice.extensions import db
from begleitservice.models import Appointment, BilledVisit, Invoice, Pairing, PairingSlot, Senior, Volunteer
from begleitservice.models.budget import BudgetOpening, UmwandlungDeclaration
from billing.identifiers import kvnr_check_digit
from billing.month import Month
from tests.factories import VALID_IKS, district, make_pflegekasse, make_provider

OCTOBER = Month(2026, 10)
SENIORS, VISITS_PER_SENIOR = 400, 6
CENT = Decimal("0.01")


@pytest.fixture
def no_pdfs(monkeypatch):
    """Skip PDF rendering: these tests are about the stored amounts, and PDFs of 400 people take minutes."""
    monkeypatch.setattr(files, "render_all", lambda docs, **kw: [b"%PDF-1.7 test" for _ in docs])


def generated_month(seed: int, *, seniors: int = SENIORS) -> None:
    """Seniors with random opening balances, Umwandlung declarations and visit lengths, so that the ledger
    splits visits at random cents between Entlastungsbetrag, Umwandlung and private."""
    rng = random.Random(seed)
    make_provider()  # numbered invoices need the provider's data
    place = district()
    make_provider()
    kassen = [make_pflegekasse(name="AOK NordWest", ik=VALID_IKS[0]), make_pflegekasse(name="BKK", ik=VALID_IKS[1])]
    volunteers = [
        Volunteer(
            first_name="Erika",
            last_name=f"Geld{n}",
            email=f"geld{n}@example.org",
            gender="w",
            offers_entlastung=True,
            basisqualifizierung_on=date(2024, 3, 1),
            fuehrungszeugnis_on=date(2025, 1, 15),
            home_district=place,
        )
        for n in range(20)
    ]
    db.session.add_all(volunteers)
    for n in range(seniors):
        senior = Senior(
            first_name="Hilde",
            last_name=f"Split{n:04d}",
            birth_on=date(1938, 5, 17),
            street="Evinger Straße 1",
            postal_code="44339",
            district=place,
            pflegegrad=rng.choice((1, 2, 3, 4)),
            kvnr=f"A{n:08d}{kvnr_check_digit(f'A{n:08d}')}",
            pflegekasse=rng.choice(kassen),
            abtretung_on=date(2026, 1, 1) if rng.random() < 0.6 else None,
        )
        pairing = Pairing(
            volunteer=volunteers[n % len(volunteers)],
            senior=senior,
            service="entlastung",
            starts_on=date(2026, 10, 1),
            slots=[PairingSlot(weekday=0, start_minute=10 * 60, duration_minutes=120)],
        )
        db.session.add_all([senior, pairing])
        cents = rng.randrange(0, 26200)
        db.session.add(
            BudgetOpening(
                senior=senior, as_of=date(2026, 10, 1), current_year=Decimal(cents) / 100, source="Pflegekasse"
            )
        )
        if senior.pflegegrad >= 2 and rng.random() < 0.4:
            declared = Decimal(rng.randrange(1, 20000)) / 100
            db.session.add(UmwandlungDeclaration(senior=senior, month=OCTOBER.first_day, amount=declared))
        for k in range(VISITS_PER_SENIOR):
            db.session.add(
                Appointment(
                    pairing=pairing,
                    on=date(2026, 10, 1 + 5 * k),
                    planned_start=time(10, 0),
                    planned_end=time(12, 0),
                    status="stattgefunden",
                    actual_minutes=rng.randrange(15, 301),
                )
            )
    db.session.commit()


def cents(value: Decimal) -> int:
    assert value == value.quantize(CENT), value
    return int(value * 100)


def test_generated_splits_are_stored_to_the_cent(app_ctx, tmp_path, no_pdfs):
    generated_month(20261)
    result = run_month(
        OCTOBER, out_dir=tmp_path / "okt", today=date(2026, 11, 20), issued_on=date(2026, 11, 20), accept_open=True
    )
    commit_with_files(result.staged)
    db.session.expire_all()

    visits = db.session.scalars(sa.select(BilledVisit)).all()
    assert len(visits) == SENIORS * VISITS_PER_SENIOR
    split = [v for v in visits if sum(bool(x) for x in (v.entlastungsbetrag, v.umwandlung, v.private)) >= 2]
    assert len(split) >= 100  # many visits really are divided between payers, at odd cents
    on_invoice: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for v in visits:
        parts = [cents(v.entlastungsbetrag), cents(v.umwandlung), cents(v.private)]
        assert cents(v.amount) == sum(parts), v.id
        if v.kasse_invoice_id is None:  # no Abtretung: the senior's own invoice carries the whole split
            charged = {v.senior_invoice_id: parts}
        else:
            charged = {v.kasse_invoice_id: [parts[0], parts[1], 0], v.senior_invoice_id: [0, 0, parts[2]]}
        for invoice_id, own in charged.items():
            if invoice_id is not None:
                on_invoice[invoice_id] = [a + b for a, b in zip(on_invoice[invoice_id], own, strict=True)]
    rows = db.session.scalars(sa.select(Invoice)).all()
    assert {row.id for row in rows} == set(on_invoice)
    for row in rows:
        stored = [cents(row.entlastungsbetrag), cents(row.umwandlung), cents(row.private)]
        assert stored == on_invoice[row.id], row.number
        assert cents(row.total) == sum(stored), row.number
    # The sums the database computes agree with Python's to the cent as well.
    total = db.session.scalar(sa.select(sa.func.sum(Invoice.total)))
    assert Decimal(total).quantize(CENT) == sum((v.amount for v in visits), Decimal(0))


def test_the_database_refuses_a_total_that_is_not_the_sum(app_ctx, tmp_path, no_pdfs):
    """The exact check still bites: one cent off is refused on both databases."""
    generated_month(7, seniors=5)
    result = run_month(
        OCTOBER, out_dir=tmp_path / "okt", today=date(2026, 11, 20), issued_on=date(2026, 11, 20), accept_open=True
    )
    commit_with_files(result.staged)
    invoice = db.session.scalars(sa.select(Invoice).order_by(Invoice.id)).first()
    invoice.total += CENT
    with pytest.raises(sa.exc.IntegrityError, match="ck_invoice_total"):
        db.session.flush()
    db.session.rollback()
    visit = db.session.scalars(sa.select(BilledVisit).order_by(BilledVisit.id)).first()
    visit.private += CENT
    with pytest.raises(sa.exc.IntegrityError, match="ck_billed_visit_split"):
        db.session.flush()
    db.session.rollback()
