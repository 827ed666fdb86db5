from datetime import date

import pytest

from billing.config import DEFAULT_CONFIG, Dated, MissingValue, config_from_dict
from billing.ledger import GradePeriod, LedgerInput, compute_ledger
from billing.month import Month
from billing.run import prepare_month
from tests.billing.billing_factories import D, make_appointment, make_senior, make_senior_month


def test_dated_value_applies_from_its_date_until_the_next():
    table = Dated.of({"2025-01-01": "131", "2017-01-01": "125"})
    assert table.value_on(date(2024, 12, 31)) == "125"
    assert table.value_on(date(2025, 1, 1)) == "131"
    assert table.valid_from_on(date(2026, 5, 1)) == date(2025, 1, 1)
    with pytest.raises(LookupError):
        table.value_on(date(2016, 12, 31))


def test_defaults_are_the_figures_of_domain_md(config):
    assert config.hourly_rate.value_on(date(2026, 11, 3)) == D("7.50")
    assert config.entlastungsbetrag.value_on(date(2024, 12, 1)) == D("125.00")
    assert config.entlastungsbetrag.value_on(date(2026, 1, 1)) == D("131.00")
    assert [config.umwandlung_cap(g, date(2026, 1, 1)) for g in (1, 2, 3, 4, 5)] == [
        D("0.00"),
        D("318.40"),
        D("598.80"),
        D("743.60"),
        D("919.60"),
    ]
    # 2024: 40 % of the §36 amounts 761 / 1,432 / 1,778 / 2,200 EUR
    assert [config.umwandlung_cap(g, date(2024, 6, 1)) for g in (2, 3, 4, 5)] == [
        D("304.40"),
        D("572.80"),
        D("711.20"),
        D("880.00"),
    ]
    assert config.umwandlung_cap(2, date(2024, 12, 31)) == D("304.40")
    assert [config.umwandlung_cap(5, date(y, 6, 1)) for y in (2017, 2021, 2022, 2023)] == [
        D("798.00"),
        D("798.00"),
        D("838.00"),
        D("838.00"),
    ]
    assert config.umwandlung_cap(2, date(2025, 1, 1)) == D("318.40")


def test_a_missing_dated_value_is_an_error_naming_the_day(config):
    with pytest.raises(MissingValue) as caught:
        config.umwandlung_cap(3, date(2016, 12, 31))
    assert str(caught.value) == (
        "Für den 31.12.2016 ist kein Wert für „Höchstbetrag Umwandlung (§45a Abs. 4 SGB XI)“ hinterlegt; "
        "bitte in den Abrechnungseinstellungen ergänzen."
    )
    with pytest.raises(MissingValue, match=r"16.12.2016.*Entlastungsbetrag je Monat"):
        config.entlastungsbetrag.value_on(date(2016, 12, 16))
    with pytest.raises(MissingValue, match=r"01.01.2019.*Stundensatz"):
        config.hourly_rate.value_on(date(2019, 1, 1))
    with pytest.raises(MissingValue, match=r"31.12.2020.*Übungsleiterpauschale"):
        config.tax_free_cap(2020)
    partial = config_from_dict({"umwandlung_caps": {"2025-01-01": {"2": "318.40"}}})
    with pytest.raises(MissingValue, match=r"01.03.2025.*Pflegegrad 4"):
        partial.umwandlung_cap(4, date(2025, 3, 1))
    assert config.umwandlung_cap(1, date(2010, 1, 1)) == D("0.00")  # grade 1: no Umwandlung by law, no lookup
    assert config.umwandlung_cap(None, date(2010, 1, 1)) == D("0.00")


def test_retention_counts_from_the_end_of_the_year(config):
    assert config.retention_until(date(2026, 3, 2)) == date(2034, 12, 31)
    assert config_from_dict({"retention_years": 10}).retention_until(date(2026, 3, 2)) == date(2036, 12, 31)


def test_config_from_dict_overrides_what_it_names():
    config = config_from_dict(
        {
            "hourly_rate": {"2020-01-01": "7.50", "2027-01-01": "8.00"},
            "allowance_per_hour": "4.00",
            "umwandlung_caps": {"2025-01-01": {"2": "318.40"}, "2027-01-01": {"2": "330.00"}},
            "tax_free_cap_kind": "ehrenamt",
            "cap_warning_ratio": "0.8",
            "km_rate": {"2020-01-01": "0.30", "2027-01-01": "0.35"},
        }
    )
    assert config.hourly_rate.value_on(date(2027, 1, 1)) == D("8.00")
    assert config.allowance_per_hour.value_on(date(2026, 1, 1)) == D("4.00")
    assert config.umwandlung_cap(2, date(2027, 3, 1)) == D("330.00")
    assert config.tax_free_cap(2026) == D("960.00")
    assert config.cap_warning_ratio == D("0.8")
    assert config.km_rate.value_on(date(2026, 12, 31)) == D("0.30")
    assert config.km_rate.value_on(date(2027, 1, 1)) == D("0.35")
    assert config.entlastungsbetrag == DEFAULT_CONFIG.entlastungsbetrag
    with pytest.raises(KeyError):
        config_from_dict({"stundensatz": "7.50"})
    with pytest.raises(KeyError, match="Trägerdaten werden in der App gepflegt"):
        config_from_dict({"provider": {"ik": "100696012"}})


def test_visit_before_the_ledger_starts_is_private_and_does_not_crash(config):
    senior_month = make_senior_month(make_senior(), [make_appointment("x", date(2026, 3, 2))], start=Month(2026, 4))
    run = prepare_month(Month(2026, 3), [senior_month], config=config)
    assert run.seniors[0].billed[0].split.private == D("7.50")
    assert run.seniors[0].leistungsnachweis.budget is None


def test_every_figure_says_what_it_rests_on(config):
    data = LedgerInput(grades=(GradePeriod(4, date(2025, 1, 1)),), service_start=Month(2025, 12))
    ledger = compute_ledger(data, config=config, until=Month(2026, 1))
    assert ledger.month(Month(2026, 1)).basis == {
        "carried": "Rest aus 2025: 131,00 €, verfällt am 30.06.2026",
        "credited": "Monatsbetrag 131,00 € (gültig ab 01.01.2025), Pflegegrad 4",
    }
