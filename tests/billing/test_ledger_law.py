"""The ledger decides by the day as §45b / §45a Abs. 4 SGB XI do: exact cents for each rule."""

from datetime import date

import pytest

from billing.config import MissingValue, config_from_dict
from billing.ledger import (
    Charge,
    GradePeriod,
    LedgerInput,
    Living,
    LivingPeriod,
    OtherUse,
    Split,
    UmwandlungDeclaration,
    compute_ledger,
)
from billing.month import Month
from billing.run import prepare_month
from tests.billing.billing_factories import D, make_appointment, make_senior, make_senior_month


def visit(day: date, amount: str, ref: str) -> Charge:
    return Charge(Month.of(day), D(amount), ref, day=day)


def test_grade_from_the_15th_credits_the_month_but_covers_no_visit_before_it(config):
    data = LedgerInput(
        grades=(GradePeriod(2, date(2025, 3, 15)),),
        service_start=Month(2025, 3),
        charges=(visit(date(2025, 3, 5), "15.00", "5th"), visit(date(2025, 3, 20), "15.00", "20th")),
    )
    ledger = compute_ledger(data, config=config)
    march = ledger.month(Month(2025, 3))
    assert march.credited == D("131.00") and march.eligible_days == 17
    assert ledger.split_of("5th") == Split(private=D("15.00"))
    assert ledger.splits["5th"].basis == "kein Anspruch (am 05.03.2025 kein Pflegegrad), privat"
    assert ledger.splits["5th"].grade is None and not ledger.splits["5th"].eligible
    assert ledger.split_of("20th") == Split(D("15.00"))
    assert march.balance == D("116.00")
    assert "Anspruch an 17 Tagen: 15.–31.03.2025" in march.basis["credited"]


def test_saved_money_covers_nothing_after_the_grade_ends(config):
    data = LedgerInput(
        grades=(GradePeriod(3, date(2025, 1, 1), date(2025, 8, 10)),),
        service_start=Month(2025, 7),
        charges=(
            visit(date(2025, 8, 10), "20.00", "last day"),
            visit(date(2025, 8, 11), "20.00", "day after"),
            visit(date(2025, 9, 3), "20.00", "september"),
        ),
    )
    ledger = compute_ledger(data, config=config, until=Month(2025, 9))
    assert ledger.split_of("last day") == Split(D("20.00"))
    assert ledger.split_of("day after") == Split(private=D("20.00"))
    assert ledger.split_of("september") == Split(private=D("20.00"))
    september = ledger.month(Month(2025, 9))
    assert september.credited == D("0.00") and september.eligible_days == 0
    assert september.balance == D("242.00")  # 2 × 131 − 20: kept, shown, but unusable without a claim
    assert september.basis["credited"] == "kein Pflegegrad in diesem Monat"


def test_care_home_ends_the_claim_and_coming_home_restores_the_saved_money(config):
    data = LedgerInput(
        grades=(GradePeriod(2, date(2024, 1, 1)),),
        living=(LivingPeriod(Living.PFLEGEHEIM, date(2025, 2, 12), date(2025, 4, 30)),),
        service_start=Month(2025, 1),
        charges=(
            visit(date(2025, 2, 11), "30.00", "before"),
            visit(date(2025, 2, 12), "30.00", "moving day"),
            visit(date(2025, 3, 5), "30.00", "in the home"),
            visit(date(2025, 5, 2), "200.00", "home again"),
        ),
    )
    ledger = compute_ledger(data, config=config)
    assert ledger.split_of("before") == Split(D("30.00"))
    assert ledger.split_of("moving day") == Split(private=D("30.00"))
    assert ledger.splits["moving day"].basis == "kein Anspruch (am 12.02.2025 im Pflegeheim), privat"
    assert ledger.split_of("in the home") == Split(private=D("30.00"))
    march, april = ledger.month(Month(2025, 3)), ledger.month(Month(2025, 4))
    assert march.credited == april.credited == D("0.00")  # no day at home in March and April
    assert "im Pflegeheim" in march.basis["credited"]
    # January 131 + February 131 − 30 = 232, May +131 = 363: the 200 are covered
    assert ledger.split_of("home again") == Split(D("200.00"))
    assert ledger.month(Month(2025, 5)).balance == D("163.00")


def test_no_visit_is_covered_after_death(config):
    data = LedgerInput(
        grades=(GradePeriod(4, date(2024, 1, 1)),),
        living=(LivingPeriod(Living.VERSTORBEN, date(2026, 2, 20)),),
        service_start=Month(2026, 1),
        umwandlung=(UmwandlungDeclaration(Month(2026, 2), D("300.00")),),
        charges=(visit(date(2026, 2, 19), "400.00", "alive"), visit(date(2026, 2, 21), "50.00", "after")),
    )
    ledger = compute_ledger(data, config=config)
    assert ledger.split_of("alive") == Split(D("262.00"), D("138.00"))
    assert ledger.split_of("after") == Split(private=D("50.00"))
    assert ledger.splits["after"].basis == "kein Anspruch (am 21.02.2026 verstorben), privat"


def test_umwandlung_needs_grade_2_on_the_visit_day(config):
    data = LedgerInput(
        grades=(GradePeriod(1, date(2025, 1, 1), date(2025, 6, 14)), GradePeriod(2, date(2025, 6, 15))),
        service_start=Month(2025, 6),
        umwandlung=(UmwandlungDeclaration(Month(2025, 6), D("100.00")),),
        charges=(visit(date(2025, 6, 10), "150.00", "pg1"), visit(date(2025, 6, 20), "150.00", "pg2")),
    )
    ledger = compute_ledger(data, config=config)
    assert ledger.split_of("pg1") == Split(D("131.00"), D("0.00"), D("19.00"))
    assert ledger.split_of("pg2") == Split(D("0.00"), D("100.00"), D("50.00"))
    assert (ledger.splits["pg1"].grade, ledger.splits["pg2"].grade) == (1, 2)


def test_umwandlung_caps_of_2024_and_2025_across_the_year_boundary(config):
    data = LedgerInput(
        grades=(GradePeriod(3, date(2024, 1, 1)),),
        service_start=Month(2024, 12),
        umwandlung=(
            UmwandlungDeclaration(Month(2024, 12), D("1000.00")),
            UmwandlungDeclaration(Month(2025, 1), D("1000.00")),
        ),
        charges=(visit(date(2024, 12, 30), "1000.00", "dec"), visit(date(2025, 1, 2), "1000.00", "jan")),
    )
    ledger = compute_ledger(data, config=config)
    assert ledger.split_of("dec") == Split(D("125.00"), D("572.80"), D("302.20"))
    assert ledger.split_of("jan") == Split(D("131.00"), D("598.80"), D("270.20"))
    assert ledger.month(Month(2024, 12)).umwandlung_available == D("572.80")


def test_carried_money_covers_a_visit_on_30_june_but_not_on_1_july(config):
    data = LedgerInput(
        grades=(GradePeriod(2, date(2024, 1, 1)),),
        service_start=Month(2024, 12),
        charges=(
            visit(date(2025, 1, 10), "131.00", "jan"),  # covered by carried money (125 of December) first
            visit(date(2025, 6, 30), "120.00", "30 june"),
            visit(date(2025, 7, 1), "700.00", "1 july"),
        ),
    )
    ledger = compute_ledger(data, config=config, until=Month(2025, 7))
    jan, june, july = (ledger.month(Month(2025, m)) for m in (1, 6, 7))
    assert jan.carried == D("125.00") and jan.carried_end == D("0.00") and jan.balance == D("125.00")
    # June: no carried money left; 6 × 131 − 6 (January's rest after carried) − 120
    assert june.lapsed == D("0.00") and june.balance == D("660.00")
    assert ledger.split_of("1 july") == Split(D("700.00"))
    assert july.balance == D("91.00")


def test_unused_carried_money_lapses_after_30_june(config):
    data = LedgerInput(
        grades=(GradePeriod(2, date(2024, 1, 1)),),
        service_start=Month(2024, 11),
        charges=(visit(date(2025, 6, 30), "100.00", "30 june"), visit(date(2025, 7, 1), "1000.00", "1 july")),
    )
    ledger = compute_ledger(data, config=config, until=Month(2025, 7))
    june = ledger.month(Month(2025, 6))
    assert ledger.split_of("30 june") == Split(D("100.00"))  # from the 250 carried from 2024
    assert june.lapsed == D("150.00") and june.basis["lapsed"].endswith("verfällt am 30.06.2025")
    assert ledger.split_of("1 july") == Split(D("917.00"), D("0.00"), D("83.00"))  # 7 × 131 only


def test_other_use_beyond_the_balance_is_not_carried_into_the_next_year(config):
    data = LedgerInput(
        grades=(GradePeriod(2, date(2024, 1, 1)),),
        service_start=Month(2024, 11),
        other_uses=(OtherUse(Month(2024, 12), D("400.00"), "Haushaltshilfe laut Sohn"),),
        charges=(visit(date(2025, 1, 7), "131.00", "jan"),),
    )
    ledger = compute_ledger(data, config=config)
    dec, jan = ledger.month(Month(2024, 12)), ledger.month(Month(2025, 1))
    assert (dec.available, dec.other_use, dec.other_use_excess, dec.balance) == (
        D("250.00"),
        D("400.00"),
        D("150.00"),
        D("0.00"),
    )
    assert dec.needs_balance_check
    assert jan.carried == D("0.00") and jan.available == D("131.00")
    assert ledger.split_of("jan") == Split(D("131.00"))


def test_other_use_in_a_month_without_a_claim_is_all_flagged(config):
    data = LedgerInput(
        grades=(GradePeriod(2, date(2025, 1, 1), date(2025, 1, 31)),),
        service_start=Month(2025, 1),
        other_uses=(OtherUse(Month(2025, 2), D("50.00"), "Tagespflege"),),
    )
    feb = compute_ledger(data, config=config).month(Month(2025, 2))
    assert (feb.other_use_excess, feb.balance) == (D("50.00"), D("131.00"))


def test_locked_entlastungsbetrag_beyond_the_entitlement_is_reported(config):
    data = LedgerInput(
        grades=(GradePeriod(2, date(2025, 3, 15)),),
        service_start=Month(2025, 3),
        charges=(
            Charge(Month(2025, 3), D("20.00"), "old", locked=Split(D("20.00")), day=date(2025, 3, 3)),
            Charge(Month(2025, 3), D("140.00"), "big", locked=Split(D("140.00")), day=date(2025, 3, 20)),
        ),
    )
    march = compute_ledger(data, config=config).month(Month(2025, 3))
    assert march.overbilled == D("29.00")  # 20 without a claim on 3 March + 9 beyond the 131
    assert march.balance == D("0.00")
    assert "Korrektur prüfen" in march.basis["overbilled"]


def test_a_missing_cap_stops_the_ledger_with_the_day():
    config = config_from_dict({"umwandlung_caps": {"2024-01-01": {2: "304.40", 3: "572.80", 4: "711.20", 5: "880.00"}}})
    data = LedgerInput(
        grades=(GradePeriod(2, date(2023, 1, 1)),),
        service_start=Month(2023, 11),
        umwandlung=(UmwandlungDeclaration(Month(2023, 11), D("100.00")),),
        charges=(visit(date(2023, 11, 8), "200.00", "x"),),
    )
    with pytest.raises(MissingValue, match=r"01.11.2023"):
        compute_ledger(data, config=config)


def test_run_warnings_agree_with_what_is_billed(config):
    senior = make_senior()
    visits = [make_appointment("a", date(2026, 3, 5)), make_appointment("b", date(2026, 3, 20))]
    month = make_senior_month(senior, visits, grades=(GradePeriod(2, date(2026, 3, 15)),), start=Month(2026, 3))
    run = prepare_month(Month(2026, 3), [month], config=config)
    billed = {bl.line.ref: bl for bl in run.seniors[0].billed}
    assert billed["a"].split == Split(private=D("7.50")) and billed["a"].grade is None
    assert billed["b"].split == Split(D("7.50")) and billed["b"].grade == 2
    assert tuple(p.text for p in run.problems) == (
        "Erika Mustermann (s1): kein Anspruch auf den Entlastungsbetrag am Besuchstag (am 05.03.2026 kein "
        "Pflegegrad) – 1 von 2 Besuchen werden privat berechnet.",
    )


def test_run_without_any_claim_says_all_private(config):
    month = make_senior_month(make_senior(), [make_appointment("a", date(2026, 3, 5))], grades=())
    run = prepare_month(Month(2026, 3), [month], config=config)
    assert run.seniors[0].billed[0].split == Split(private=D("7.50"))
    assert run.problems[0].text.endswith("(am 05.03.2026 kein Pflegegrad) – alle Besuche werden privat berechnet.")


def test_billed_lines_carry_the_grade_of_their_day(config):
    grades = (GradePeriod(2, date(2025, 1, 1), date(2026, 3, 15)), GradePeriod(4, date(2026, 3, 16)))
    visits = [make_appointment("a", date(2026, 3, 10)), make_appointment("b", date(2026, 3, 20))]
    run = prepare_month(Month(2026, 3), [make_senior_month(make_senior(), visits, grades=grades)], config=config)
    result = run.seniors[0]
    assert [bl.grade for bl in result.billed] == [2, 4]
    assert result.grade == 4  # the month's highest, shown nowhere per visit
    assert result.leistungsnachweis.grade_label == "2 / 4"
    section = run.invoices[0].sections[0]
    assert [line.grade for line in section.lines] == [2, 4] and section.grade_label == "2 / 4"
