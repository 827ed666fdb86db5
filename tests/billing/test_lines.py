from datetime import date, time

import pytest

from billing.config import config_from_dict
from billing.lines import Service, build_lines, charges_from_lines
from billing.money import amount_for, cents, format_eur
from tests.billing.billing_factories import D, make_appointment


@pytest.mark.parametrize(
    ("minutes", "amount"), [(60, "7.50"), (50, "6.25"), (47, "5.88"), (90, "11.25"), (1, "0.13"), (0, "0.00")]
)
def test_amount_is_rounded_half_up_per_line(minutes, amount):
    assert amount_for(minutes, D("7.50")) == D(amount)


def test_cents_rounds_half_up_not_to_even():
    assert cents(D("0.125")) == D("0.13")
    assert cents(D("2.675")) == D("2.68")
    assert cents(D("-5.875")) == D("-5.88")


def test_lines_use_actual_minutes_and_the_rate_of_the_day():
    config = config_from_dict({"hourly_rate": {"2020-01-01": "7.50", "2026-07-01": "8.00"}})
    appointments = [
        make_appointment("b", date(2026, 7, 1), minutes=47),
        make_appointment("a", date(2026, 6, 30), minutes=47),
    ]
    lines = build_lines(appointments, config=config)
    assert [(line.ref, line.rate, line.amount, line.hours) for line in lines] == [
        ("a", D("7.50"), D("5.88"), D("0.78")),
        ("b", D("8.00"), D("6.27"), D("0.78")),
    ]


def test_besuchsdienst_hours_are_recorded_but_not_billed(config):
    lines = build_lines(
        [
            make_appointment("1", date(2026, 3, 2), minutes=90, service=Service.BESUCHSDIENST),
            make_appointment("2", date(2026, 3, 3), minutes=60),
            make_appointment("3", date(2026, 3, 4), minutes=60, took_place=False),
        ],
        config=config,
    )
    assert [(line.ref, line.billable, line.hours, line.amount) for line in lines] == [
        ("1", False, D("1.50"), D("0.00")),
        ("2", True, D("1.00"), D("7.50")),
    ]
    assert [c.ref for c in charges_from_lines(lines)] == ["2"]


def test_minutes_default_to_end_minus_start(config):
    appointment = make_appointment("x", date(2026, 3, 2), minutes=None, start=time(9, 15), end=time(10, 5))
    assert build_lines([appointment], config=config)[0].amount == D("6.25")


def test_german_amount_format():
    assert format_eur(D("1234.5")) == "1.234,50 €"
    assert format_eur(D("-7.5")) == "-7,50 €"


def test_float_money_is_refused():
    with pytest.raises(TypeError):
        cents(7.5)
