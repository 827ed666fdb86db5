"""The German number filters print exactly what Babel's de_DE patterns print (they replace it for speed)."""

from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from begleitservice.filters import format_euro, format_km, german_number

AMOUNTS = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False)


@given(AMOUNTS)
def test_euro_matches_babel(value):
    """Amounts: thousands dots, decimal comma, two places, non-breaking space before the euro sign."""
    assert format_euro(value) == format_currency(value, "EUR", locale="de_DE")


@given(AMOUNTS)
def test_hours_and_km_match_babel(value):
    """Hours (up to two places) and kilometres (up to one) drop trailing zeros as Babel does."""
    assert german_number(value, 2) == format_decimal(value, "#,##0.##", locale="de_DE")
    assert format_km(value) == format_decimal(value, "#,##0.#", locale="de_DE")


def test_examples_a_user_reads():
    """A few values as they appear on the pages."""
    assert format_euro(Decimal("1234.5")) == "1.234,50\xa0€"
    assert format_euro(None) == "–"
    assert german_number(Decimal(90) / 60, 2) == "1,5"
    assert format_km(Decimal("12.0")) == "12"
