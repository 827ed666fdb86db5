from datetime import date

from billing.budget import check_budget
from billing.ledger import (
    Charge,
    GradePeriod,
    LedgerInput,
    OpeningBalance,
    OtherUse,
    Split,
    UmwandlungDeclaration,
    compute_ledger,
)
from billing.month import Month
from tests.billing.billing_factories import D

PG2 = (GradePeriod(2, date(2020, 1, 1)),)


def charge(year, month, amount, ref=None):
    return Charge(Month(year, month), D(amount), ref or f"{year}-{month}-{amount}")


def test_year_boundary_switches_to_131_and_uses_carried_first(config):
    data = LedgerInput(
        grades=PG2,
        service_start=Month(2024, 10),
        charges=(charge(2024, 10, "100.00"), charge(2024, 12, "50.00"), charge(2025, 1, "150.00", "jan")),
    )
    ledger = compute_ledger(data, config=config, until=Month(2025, 7))
    dec, jan = ledger.month(Month(2024, 12)), ledger.month(Month(2025, 1))
    assert dec.credited == D("125.00")
    assert dec.balance == D("225.00")  # 3 × 125 − 150
    assert jan.credited == D("131.00")
    assert jan.carried == D("225.00")
    assert jan.available == D("356.00")
    assert jan.carried_end == D("75.00")  # the 150 came from last year's money first
    assert jan.balance == D("206.00")
    assert ledger.split_of("jan") == Split(entlastungsbetrag=D("150.00"))
    assert "131,00 €" in jan.basis["credited"] and "01.01.2025" in jan.basis["credited"]
    assert "verfällt am 30.06.2025" in jan.basis["carried"]


def test_carried_money_lapses_at_end_of_june(config):
    data = LedgerInput(
        grades=PG2,
        service_start=Month(2024, 12),
        charges=(charge(2025, 6, "10.00"),),
    )
    ledger = compute_ledger(data, config=config, until=Month(2025, 7))
    may, june, july = (ledger.month(Month(2025, m)) for m in (5, 6, 7))
    assert may.carried == D("125.00")
    assert june.lapsed == D("115.00")  # 125 carried − 10 used in June
    assert june.carried_end == D("0.00")
    assert june.balance == D("786.00")  # 6 × 131, untouched
    assert july.carried == D("0.00")
    assert july.available == D("917.00")
    assert "30.06.2025" in june.basis["lapsed"]


def test_grade_gained_mid_month_counts_the_whole_month(config):
    data = LedgerInput(grades=(GradePeriod(1, date(2025, 3, 15)),), service_start=Month(2025, 1))
    ledger = compute_ledger(data, config=config, until=Month(2025, 4))
    assert [m.credited for m in ledger.months] == [D("0.00"), D("0.00"), D("131.00"), D("131.00")]
    assert ledger.month(Month(2025, 1)).basis["credited"] == "kein Pflegegrad in diesem Monat"


def test_grade_lost_mid_month_still_credits_that_month(config):
    data = LedgerInput(grades=(GradePeriod(3, date(2024, 1, 1), date(2025, 8, 10)),), service_start=Month(2025, 7))
    ledger = compute_ledger(data, config=config, until=Month(2025, 10))
    assert [m.credited for m in ledger.months] == [D("131.00"), D("131.00"), D("0.00"), D("0.00")]
    assert ledger.month(Month(2025, 10)).balance == D("262.00")  # what was credited stays usable


def test_umwandlung_cap_is_that_of_the_grade_on_the_visit_day(config):
    grades = (GradePeriod(2, date(2025, 1, 1), date(2025, 5, 19)), GradePeriod(3, date(2025, 5, 20)))
    data = LedgerInput(
        grades=grades,
        service_start=Month(2025, 5),
        umwandlung=(UmwandlungDeclaration(Month(2025, 5), D("1000.00"), "Erklärung Tochter"),),
        charges=(
            Charge(Month(2025, 5), D("500.00"), "early", day=date(2025, 5, 6)),
            Charge(Month(2025, 5), D("500.00"), "late", day=date(2025, 5, 26)),
        ),
    )
    ledger = compute_ledger(data, config=config)
    may = ledger.month(Month(2025, 5))
    assert may.grade == 3  # shown: the highest grade of the month
    assert may.umwandlung_available == D("598.80")  # the most any day of May allows
    # 6 May, PG 2: 131.00 from the Entlastungsbetrag, Umwandlung up to PG 2's 318.40, 50.60 private
    assert ledger.split_of("early") == Split(D("131.00"), D("318.40"), D("50.60"))
    assert ledger.splits["early"].grade == 2
    # 26 May, PG 3: the month's Umwandlung may reach 598.80, of which 318.40 are used: 280.40 more
    assert ledger.split_of("late") == Split(D("0.00"), D("280.40"), D("219.60"))
    assert ledger.splits["late"].grade == 3


def test_umwandlung_is_capped_and_covers_after_the_entlastungsbetrag(config):
    data = LedgerInput(
        grades=PG2,
        service_start=Month(2025, 1),
        umwandlung=(UmwandlungDeclaration(Month(2025, 1), D("500.00")),),
        charges=(charge(2025, 1, "500.00", "big"),),
    )
    jan = compute_ledger(data, config=config).month(Month(2025, 1))
    assert jan.umwandlung_available == D("318.40")
    assert "318,40 €" in jan.basis["umwandlung_available"]
    assert compute_ledger(data, config=config).split_of("big") == Split(D("131.00"), D("318.40"), D("50.60"))
    assert jan.private == D("50.60")
    assert jan.balance == D("0.00")


def test_no_umwandlung_for_pflegegrad_1(config):
    data = LedgerInput(
        grades=(GradePeriod(1, date(2025, 1, 1)),),
        service_start=Month(2025, 1),
        umwandlung=(UmwandlungDeclaration(Month(2025, 1), D("100.00")),),
        charges=(charge(2025, 1, "150.00", "c"),),
    )
    ledger = compute_ledger(data, config=config)
    assert ledger.split_of("c") == Split(D("131.00"), D("0.00"), D("19.00"))


def test_private_part_when_the_budget_is_exhausted_line_by_line(config):
    charges = tuple(Charge(Month(2025, 1), D("7.50"), f"v{i}") for i in range(20))
    data = LedgerInput(grades=PG2, service_start=Month(2025, 1), charges=charges)
    ledger = compute_ledger(data, config=config)
    assert ledger.split_of("v16") == Split(D("7.50"))
    assert ledger.split_of("v17") == Split(D("3.50"), D("0"), D("4.00"))  # 131 − 17 × 7.50 = 3.50
    assert ledger.split_of("v18") == Split(private=D("7.50"))
    jan = ledger.month(Month(2025, 1))
    assert (jan.own_use, jan.private, jan.balance) == (D("131.00"), D("19.00"), D("0.00"))


def test_opening_balance_and_other_use(config):
    opening = OpeningBalance(
        as_of=date(2026, 3, 10),
        current_year=D("300.00"),
        carried=D("50.00"),
        source="AOK NordWest, Schreiben vom 10.03.2026",
    )
    data = LedgerInput(
        grades=PG2,
        service_start=Month(2026, 3),
        openings=(opening,),
        other_uses=(OtherUse(Month(2026, 3), D("40.00"), "Haushaltshilfe Müller"),),
        charges=(charge(2026, 3, "30.00"),),
    )
    ledger = compute_ledger(data, config=config, until=Month(2026, 6))
    march = ledger.month(Month(2026, 3))
    assert march.opening == D("350.00")
    assert march.credited == D("0.00")  # the March amount is in the reported balance
    assert march.available == D("350.00")
    assert march.other_use == D("40.00") and march.own_use == D("30.00") and march.used == D("70.00")
    assert march.carried_end == D("0.00")  # other use took carried money first, then 20 of this year's
    assert march.balance == D("280.00")
    assert "AOK NordWest, Schreiben vom 10.03.2026" in march.basis["opening"]
    assert "Haushaltshilfe Müller: 40,00 €" in march.basis["other_use"]
    assert ledger.month(Month(2026, 4)).available == D("411.00")
    assert ledger.month(Month(2026, 6)).lapsed == D("0.00")


def test_opening_carried_part_lapses_in_june(config):
    opening = OpeningBalance(date(2026, 2, 1), D("262.00"), "Familie, telefonisch", carried=D("50.00"))
    data = LedgerInput(grades=PG2, service_start=Month(2026, 2), openings=(opening,))
    june = compute_ledger(data, config=config, until=Month(2026, 6)).month(Month(2026, 6))
    assert june.lapsed == D("50.00")
    assert june.balance == D("262.00") + 4 * D("131.00")


def test_other_use_beyond_the_balance_is_flagged_not_a_negative_balance(config):
    data = LedgerInput(
        grades=PG2,
        service_start=Month(2025, 1),
        other_uses=(OtherUse(Month(2025, 1), D("200.00"), "Tagespflege"),),
        charges=(charge(2025, 1, "7.50", "c"),),
    )
    ledger = compute_ledger(data, config=config, until=Month(2025, 2))
    jan = ledger.month(Month(2025, 1))
    assert (jan.other_use, jan.other_use_excess, jan.balance) == (D("200.00"), D("69.00"), D("0.00"))
    assert jan.used == D("131.00") and jan.needs_balance_check
    assert "Kontostand bei der Pflegekasse erfragen" in jan.basis["other_use_excess"]
    assert ledger.split_of("c") == Split(private=D("7.50"))
    assert ledger.month(Month(2025, 2)).available == D("131.00")  # no deficit carried


def test_locked_charge_keeps_its_billed_split(config):
    locked = Charge(Month(2025, 1), D("100.00"), "old", locked=Split(D("60.00"), D("0"), D("40.00")))
    data = LedgerInput(grades=PG2, service_start=Month(2025, 1), charges=(locked,))
    ledger = compute_ledger(data, config=config)
    assert ledger.split_of("old") == Split(D("60.00"), D("0"), D("40.00"))
    assert ledger.month(Month(2025, 1)).balance == D("71.00")


def test_later_opening_balance_reanchors(config):
    data = LedgerInput(
        grades=PG2,
        service_start=Month(2025, 1),
        openings=(OpeningBalance(date(2025, 3, 5), D("100.00"), "Pflegekasse, Kontoauszug"),),
    )
    ledger = compute_ledger(data, config=config, until=Month(2025, 4))
    assert ledger.month(Month(2025, 2)).balance == D("262.00")
    assert ledger.month(Month(2025, 3)).balance == D("100.00")
    assert ledger.month(Month(2025, 4)).balance == D("231.00")


def test_budget_check_flags_the_first_short_month(config):
    data = LedgerInput(
        grades=PG2,
        service_start=Month(2026, 1),
        openings=(OpeningBalance(date(2026, 1, 1), D("231.00"), "Pflegekasse"),),  # 100 + January's 131
    )
    check = check_budget(data, planned_minutes_per_month=20 * 60, from_month=Month(2026, 1), config=config)
    # 150 € a month against 131: 100 € of savings last until May, June is 14 € short.
    assert not check.covered
    assert check.first_short_month == Month(2026, 6)
    assert check.months[5].private == D("14.00")
    assert check.message.startswith("Ab 06/2026 reicht das Budget nicht")


def test_budget_check_passes_within_the_monthly_amount(config):
    data = LedgerInput(grades=PG2, service_start=Month(2026, 1))
    check = check_budget(data, planned_minutes_per_month=17 * 60, from_month=Month(2026, 1), config=config)
    assert check.covered and check.first_short_month is None
    assert check.message == "Das Budget deckt die geplanten Stunden bis 12/2026."
