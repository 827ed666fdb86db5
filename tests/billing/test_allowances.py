import dataclasses
from datetime import date

from billing.allowances import CapStatus, allowance_lines, cap_status, payout_list, travel_lines, year_sums
from billing.config import EHRENAMT, Dated, config_from_dict
from billing.lines import Service, build_lines
from billing.month import Month
from tests.billing.billing_factories import D, make_appointment

NOV = Month(2026, 11)


def lines_for(config, *appointments):
    return allowance_lines(build_lines(appointments, config=config), config=config)


def test_allowance_only_for_entlastung_hours_rounded_per_visit(config):
    lines = lines_for(
        config,
        make_appointment("1", date(2026, 11, 2), minutes=47),
        make_appointment("2", date(2026, 11, 3), minutes=60, service=Service.BESUCHSDIENST),
    )
    assert [(line.appointment_ref, line.rate, line.amount) for line in lines] == [("1", D("5.00"), D("3.92"))]


def test_allowance_rate_is_dated_configuration():
    config = config_from_dict({"allowance_per_hour": {"2020-01-01": "5.00", "2026-07-01": "6.00"}})
    lines = lines_for(
        config,
        make_appointment("1", date(2026, 6, 30), minutes=60),
        make_appointment("2", date(2026, 7, 1), minutes=60),
    )
    assert [line.amount for line in lines] == [D("5.00"), D("6.00")]
    assert year_sums(lines, 2026) == {"v1": D("11.00")}


def test_caps_change_in_2026(config):
    assert config.tax_free_cap(2025) == D("3000.00")
    assert config.tax_free_cap(2026) == D("3300.00")
    assert config.tax_free_cap(2025, EHRENAMT) == D("840.00")
    assert config.tax_free_cap(2026, EHRENAMT) == D("960.00")


def test_cap_status_warns_at_ninety_percent(config):
    ratio = config.cap_warning_ratio
    assert cap_status(D("2969.99"), D("3300.00"), warning_ratio=ratio) is CapStatus.OK
    assert cap_status(D("2970.00"), D("3300.00"), warning_ratio=ratio) is CapStatus.WARNING
    assert cap_status(D("3300.00"), D("3300.00"), warning_ratio=ratio) is CapStatus.WARNING
    assert cap_status(D("3300.01"), D("3300.00"), warning_ratio=ratio) is CapStatus.EXCEEDED


def test_payout_list_warns_before_the_ehrenamtspauschale_is_passed(config):
    lines = lines_for(config, *(make_appointment(str(d), date(2026, 11, d), minutes=120) for d in range(1, 11)))
    (row,) = payout_list(NOV, lines, paid_before={"v1": D("800.00")}, config=config, cap_kinds={"v1": EHRENAMT})
    assert (row.visits, row.hours, row.amount, row.year_total) == (10, D("20.00"), D("100.00"), D("900.00"))
    assert row.cap == D("960.00") and row.status is CapStatus.WARNING
    assert row.message == (
        "Achtung: Jahressumme 900,00 € = 94 % der Ehrenamtspauschale (§3 Nr. 26a EStG) (960,00 €); "
        "noch 60,00 € steuerfrei."
    )
    assert row.taxable == D("0.00")


def test_payout_beyond_the_cap_shows_the_taxable_part(config):
    lines = lines_for(config, *(make_appointment(str(d), date(2026, 11, d), minutes=120) for d in range(1, 11)))
    (row,) = payout_list(NOV, lines, paid_before={"v1": D("3250.00")}, config=config)
    assert row.status is CapStatus.EXCEEDED
    assert (row.tax_free, row.taxable) == (D("50.00"), D("50.00"))
    assert "übersteigt die Übungsleiterpauschale" in row.message


def test_fahrtkosten_per_trip_at_the_dated_km_rate_rounded_half_up(config):
    config = dataclasses.replace(config, km_rate=Dated.of({"2020-01-01": D("0.30"), "2026-11-09": D("0.35")}))
    visits = [
        make_appointment("1", date(2026, 11, 2), minutes=120, km=D("12.5")),  # 3.75
        make_appointment("2", date(2026, 11, 9), minutes=90, km=D("12.3")),  # 4.305 → 4.31
        make_appointment("3", date(2026, 11, 10), minutes=60, km=D("3.3"), service=Service.BESUCHSDIENST),  # 1.155
        make_appointment("4", date(2026, 11, 11), minutes=60),  # no km reported: nothing
        make_appointment("5", date(2026, 11, 12), minutes=None, km=D("9"), took_place=False),  # did not take place
    ]
    trips = travel_lines(visits, config=config)
    assert [(t.appointment_ref, t.km, t.rate, t.amount) for t in trips] == [
        ("1", D("12.5"), D("0.30"), D("3.75")),
        ("2", D("12.3"), D("0.35"), D("4.31")),
        ("3", D("3.3"), D("0.35"), D("1.16")),
    ]


def test_fahrtkosten_are_paid_with_the_allowance_but_not_counted_against_the_cap(config):
    visits = [make_appointment(str(d), date(2026, 11, d), minutes=120, km=D("20")) for d in range(1, 3)]
    lines = allowance_lines(build_lines(visits, config=config), config=config)
    trips = travel_lines(visits, config=config)
    (row,) = payout_list(NOV, lines, paid_before={"v1": D("3280.00")}, config=config, travel=trips)
    assert (row.amount, row.km, row.travel, row.total) == (D("20.00"), D("40"), D("12.00"), D("32.00"))
    assert row.year_total == D("3300.00") and row.cap == D("3300.00")  # exactly at the cap, not beyond it
    assert row.status is CapStatus.WARNING and row.taxable == D("0.00") and row.tax_free == D("20.00")


def test_a_volunteer_with_only_fahrtkosten_is_on_the_payout_list(config):
    visit = make_appointment("1", date(2026, 11, 3), minutes=60, km=D("7.5"), service=Service.BESUCHSDIENST)
    lines = allowance_lines(build_lines([visit], config=config), config=config)
    (row,) = payout_list(NOV, lines, paid_before={}, config=config, travel=travel_lines([visit], config=config))
    assert (row.visits, row.minutes, row.amount, row.travel, row.total) == (0, 0, D("0.00"), D("2.25"), D("2.25"))
    assert row.year_total == D("0.00")
