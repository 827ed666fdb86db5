"""The Entlastungsbetrag ledger in the app: inputs from the stored facts, the ledger page, forms, the budget flag."""

from datetime import date
from decimal import Decimal

from begleitservice.budget.inputs import billing_config, ledger_input
from begleitservice.extensions import db
from begleitservice.models import BudgetOpening, BudgetOtherUse, PflegegradPeriod, UmwandlungDeclaration
from billing.ledger import compute_ledger
from billing.month import Month
from tests.factories import make_pairing, make_pflegekasse, make_senior, make_volunteer


def entlastung_senior(**kw):
    """A senior with Pflegegrad (and the KVNR and Pflegekasse billing needs)."""
    kw.setdefault("pflegegrad", 2)
    return make_senior(pflegekasse=make_pflegekasse(), **kw)


def entlastung_pairing(senior, **kw):
    """An Entlastung pairing of ``senior`` with a qualified volunteer (default: Mondays 10–12)."""
    return make_pairing(senior=senior, volunteer=make_volunteer(offers_entlastung=True), **kw)


def test_ledger_input_maps_stored_facts(app_ctx):
    senior = entlastung_senior()
    entlastung_pairing(senior, starts_on=date(2025, 3, 10))
    db.session.add_all(
        [
            PflegegradPeriod(senior=senior, grade=2, valid_from=date(2024, 1, 1)),
            BudgetOpening(senior=senior, as_of=date(2025, 1, 15), current_year=Decimal("131.00"), source="AOK"),
            BudgetOtherUse(senior=senior, month=date(2025, 2, 1), amount=Decimal("40.00"), note="Pflegedienst"),
            UmwandlungDeclaration(senior=senior, month=date(2025, 3, 1), amount=Decimal("100.00")),
        ]
    )
    db.session.commit()
    data = ledger_input(senior)
    assert data.service_start == Month(2025, 3)
    assert [(g.grade, g.valid_from) for g in data.grades] == [(2, date(2024, 1, 1))]
    ledger = compute_ledger(data, config=billing_config(), until=Month(2025, 3))
    assert ledger.months[0].month == Month(2025, 1)  # the opening balance starts the account earlier
    assert ledger.month(Month(2025, 3)).balance == Decimal("353.00")  # 131 + 131 − 40 + 131
    assert ledger.month(Month(2025, 3)).umwandlung_available == Decimal("100.00")


def test_ledger_input_without_history_uses_current_grade(app_ctx):
    senior = entlastung_senior(pflegegrad=3)
    entlastung_pairing(senior, starts_on=date(2020, 5, 4))
    data = ledger_input(senior)
    assert data.service_start == Month(2020, 5)
    assert [(g.grade, g.valid_from) for g in data.grades] == [(3, date(2020, 5, 4))]
