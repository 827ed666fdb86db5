"""An independent reference of the law, day by day, and a Hypothesis test that the ledger agrees with it.

The reference is written from §45b and §45a Abs. 4 SGB XI (and DOMAIN.md), not from billing.ledger:
- Each calendar month in which the person has Pflegegrad 1–5 and lives at home on at least one day adds the
  monthly amount (125 EUR until 2024, 131 EUR from 2025) to this year's money.
- On 1 January this year's rest becomes last year's money; last year's money is usable up to 30 June and
  lapses at the end of that day. Every payment uses last year's money first.
- A visit is paid from the Entlastungsbetrag only on a day with Pflegegrad 1–5 at home, as far as the money
  reaches; then from the Umwandlung declared for the month, only on a day with Pflegegrad 2–5 at home, and
  only up to 40 % of that grade's §36 amount (the month's Umwandlung already paid counts); the rest is private.
- Other providers' reported use of a month is paid at the start of that month, only in a month with a claim,
  and only as far as the money reaches (never below 0).
It walks every day; the ledger walks months. Conventions both share, as documented: visits of a day in the
given order; other use before the month's visits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.config import DEFAULT_CONFIG
from billing.ledger import (
    Charge,
    GradePeriod,
    LedgerInput,
    Living,
    LivingPeriod,
    OtherUse,
    UmwandlungDeclaration,
    compute_ledger,
)
from billing.month import Month

ZERO = Decimal("0.00")
SECTION_36 = {  # Pflegesachleistung per month, by year from which it applies
    2024: {2: Decimal(761), 3: Decimal(1432), 4: Decimal(1778), 5: Decimal(2200)},
    2025: {2: Decimal(796), 3: Decimal(1497), 4: Decimal(1859), 5: Decimal(2299)},
}


def monthly_amount(year: int) -> Decimal:
    return Decimal("125.00") if year <= 2024 else Decimal("131.00")


def umwandlung_cap(grade: int, year: int) -> Decimal:
    table = SECTION_36[2024 if year == 2024 else 2025]
    return (table[grade] * Decimal("0.40")).quantize(Decimal("0.01"))


@dataclass
class Scenario:
    start: date  # first day of the first month
    end: date  # last day of the last month
    grades: list[tuple[int, date, date | None]]
    care_home: list[tuple[date, date | None]]
    died_on: date | None
    other_use: dict[tuple[int, int], Decimal]
    declared: dict[tuple[int, int], Decimal]
    visits: list[tuple[date, Decimal, str]]


def reference(s: Scenario) -> tuple[dict[str, tuple[Decimal, Decimal, Decimal]], dict[tuple[int, int], Decimal]]:
    """Per visit (Entlastungsbetrag, Umwandlung, private) and the money left at the end of each month."""

    def grade(day):
        held = [g for g, a, b in s.grades if a <= day and (b is None or day <= b)]
        return max(held) if held else None

    def at_home(day):
        if s.died_on is not None and day >= s.died_on:
            return False
        return not any(a <= day and (b is None or day <= b) for a, b in s.care_home)

    def claim(day):
        return at_home(day) and grade(day) is not None

    visits_on = defaultdict(list)
    for v in s.visits:
        visits_on[v[0]].append(v)
    last_year = this_year = ZERO
    result, month_end = {}, {}
    umwandlung_paid = ZERO
    day = s.start
    while day <= s.end:
        key = (day.year, day.month)
        if day.day == 1:
            if day.month == 1 and day != s.start:
                last_year, this_year = this_year, ZERO
            days = [day + timedelta(n) for n in range(32) if (day + timedelta(n)).month == day.month]
            month_has_claim = any(claim(d) for d in days)
            if month_has_claim:
                this_year += monthly_amount(day.year)
            umwandlung_paid = ZERO
            if key in s.other_use and month_has_claim:
                pay = min(s.other_use[key], last_year + this_year)
                from_last = min(pay, last_year)
                last_year, this_year = last_year - from_last, this_year - (pay - from_last)
        for _, amount, ref in visits_on[day]:
            eb = umw = ZERO
            if claim(day):
                eb = min(amount, last_year + this_year)
                from_last = min(eb, last_year)
                last_year, this_year = last_year - from_last, this_year - (eb - from_last)
                g = grade(day)
                if g >= 2 and key in s.declared:
                    limit = min(s.declared[key], umwandlung_cap(g, day.year))
                    umw = max(min(amount - eb, limit - umwandlung_paid), ZERO)
                    umwandlung_paid += umw
            result[ref] = (eb, umw, amount - eb - umw)
        if (day.month, day.day) == (6, 30):
            last_year = ZERO  # what is left of last year's money lapses at the end of 30 June
        if (day + timedelta(1)).month != day.month:
            month_end[key] = last_year + this_year
        day += timedelta(1)
    return result, month_end


def to_input(s: Scenario) -> LedgerInput:
    """The same scenario in the ledger's terms."""
    living = [LivingPeriod(Living.PFLEGEHEIM, a, b) for a, b in s.care_home]
    if s.died_on is not None:
        living.append(LivingPeriod(Living.VERSTORBEN, s.died_on))
    return LedgerInput(
        grades=tuple(GradePeriod(g, a, b) for g, a, b in s.grades),
        living=tuple(living),
        service_start=Month.of(s.start),
        other_uses=tuple(OtherUse(Month(y, m), amount, "gemeldet") for (y, m), amount in s.other_use.items()),
        umwandlung=tuple(UmwandlungDeclaration(Month(y, m), amount) for (y, m), amount in s.declared.items()),
        charges=tuple(Charge(Month.of(d), amount, ref, day=d) for d, amount, ref in s.visits),
    )


FIRST = date(2024, 1, 1)
SPAN = 3 * 365  # 2024 to 2026


def _day(offset: int) -> date:
    return FIRST + timedelta(offset)


@st.composite
def scenarios(draw) -> Scenario:
    start_month = draw(st.integers(0, 20))
    months = draw(st.integers(1, 36 - start_month))
    start = Month(2024 + start_month // 12, start_month % 12 + 1).first_day
    last = Month(2024 + (start_month + months - 1) // 12, (start_month + months - 1) % 12 + 1).last_day
    window = (start - FIRST).days, (last - FIRST).days
    cents = st.integers(1, 40_000).map(lambda c: Decimal(c) / 100)

    # Pflegegrad periods: consecutive, non-overlapping, with possible gaps, the last possibly open
    cuts = sorted(set(draw(st.lists(st.integers(window[0] - 60, window[1]), min_size=0, max_size=6))))
    grades = []
    for a, b in zip(cuts[::2], cuts[1::2] + [None] * (len(cuts) % 2), strict=False):
        grades.append((draw(st.integers(1, 5)), _day(a), None if b is None else _day(b)))

    care_home = []
    if draw(st.booleans()):
        a = draw(st.integers(*window))
        b = draw(st.one_of(st.none(), st.integers(a, window[1] + 30)))
        care_home.append((_day(a), None if b is None else _day(b)))
    died_on = _day(draw(st.integers(*window))) if draw(st.integers(0, 4)) == 0 else None

    months_in = [m for m in Month.of(start).until(Month.of(last))]
    pick_month = st.sampled_from(months_in)
    other_use = {(m.year, m.month): a for m, a in draw(st.lists(st.tuples(pick_month, cents), max_size=4))}
    declared = {
        (m.year, m.month): a
        for m, a in draw(
            st.lists(st.tuples(pick_month, st.integers(0, 100_000).map(lambda c: Decimal(c) / 100)), max_size=6)
        )
    }
    visits = [
        (_day(o), a, f"v{i}")
        for i, (o, a) in enumerate(draw(st.lists(st.tuples(st.integers(*window), cents), max_size=30)))
    ]
    return Scenario(start, last, grades, care_home, died_on, other_use, declared, visits)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_ledger_agrees_with_the_reference_of_the_law(scenario):
    config = DEFAULT_CONFIG
    expected, month_end = reference(scenario)
    ledger = compute_ledger(to_input(scenario), config=config, until=Month.of(scenario.end))
    got = {
        ref: (cs.split.entlastungsbetrag, cs.split.umwandlung, cs.split.private) for ref, cs in ledger.splits.items()
    }
    assert got == expected
    assert {(row.month.year, row.month.month): row.balance for row in ledger.months} == month_end


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_nothing_beyond_the_entitlement_is_billed_to_the_kasse(scenario):
    config = DEFAULT_CONFIG
    data = to_input(scenario)
    ledger = compute_ledger(data, config=config, until=Month.of(scenario.end))
    rights = data.eligibility
    umwandlung_by_month = defaultdict(lambda: ZERO)
    previous = ZERO
    for row in ledger.months:
        # nothing appears from nowhere, nothing is taken that was not there, the balance never goes below 0
        assert row.available == previous + row.credited
        assert row.balance == row.available - row.used - row.lapsed >= 0
        assert row.overbilled == 0
        previous = row.balance
    credited = sum((row.credited for row in ledger.months), ZERO)
    paid = sum((cs.split.entlastungsbetrag for cs in ledger.splits.values()), ZERO)
    assert paid <= credited
    for cs in sorted(ledger.splits.values(), key=lambda cs: cs.day):
        assert (
            cs.split.total == cs.amount and min(cs.split.entlastungsbetrag, cs.split.umwandlung, cs.split.private) >= 0
        )
        if not rights.entlastung_on(cs.day):
            assert cs.split.insured == 0
        if cs.split.umwandlung:
            grade = rights.umwandlung_grade_on(cs.day)
            assert grade is not None
            umwandlung_by_month[cs.month] += cs.split.umwandlung
            assert umwandlung_by_month[cs.month] <= min(
                scenario.declared[(cs.month.year, cs.month.month)], config.umwandlung_cap(grade, cs.day)
            )
