"""The Entlastungsbetrag ledger of one senior (§45b SGB XI), month by month, every figure with its basis.

Rules as implemented (the law decides by the day, the amount is credited by the month):
- Eligibility by the day (``billing.eligibility``): the Entlastungsbetrag needs Pflegegrad 1–5 *and* living at
  home on the day; the Umwandlung (§45a Abs. 4) needs Pflegegrad 2–5 and living at home on the day.
- Credit: a month is credited the monthly amount in force on its first day if the senior is eligible on at
  least one day of it. A missing configured amount is an error naming the day (``MissingValue``).
- The ledger starts at the service start or at the earliest opening balance, whichever is earlier.
- An opening balance is the Stand reported by the Pflegekasse or the family. It replaces the running balance
  at the start of the month of its date, *including* that month's credit and *before* every use of that
  month recorded here. A later opening balance re-anchors the ledger; months before it keep their figures.
- Unused money accumulates within the year; on 1 January the rest becomes "carried" (Übertrag) and what of
  it is unused at the end of 30 June lapses. Every use takes carried money first, then the current year.
- The balance never goes below 0. Other use reported by the senior is taken at the start of its month, as far
  as the balance reaches and only in a month with at least one eligible day; the rest (``other_use_excess``)
  is shown and flagged ("Kontostand bei der Pflegekasse erfragen") and is *not* carried as a deficit.
- This service's charges are covered in day order (a charge without a day counts on the month's last day):
  a visit on a day without a claim is private; otherwise the balance (the whole month's credit included)
  first, then the Umwandlung declared for the month, capped by the cap of the grade held *on the visit day*
  (the month's Umwandlung used so far counts against it; never carried), the rest private. Saved money is
  kept after the claim ends (care home, death, no grade) but covers no visit on a day without a claim.
- A charge with a ``locked`` split (billed month) keeps that split; what of its Entlastungsbetrag part the
  balance does not reach, or that lies on a day without a claim, is reported as ``overbilled``.
- Each split carries the Pflegegrad of its day (``ChargeSplit.grade``): billed lines store and print it. Who is
  billed (Pflegekasse with an Abtretung, else the senior) is decided per visit day too: ``billing.invoices``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from billing.config import BillingConfig
from billing.eligibility import Eligibility, GradePeriod, Living, LivingPeriod
from billing.money import ZERO, format_date, format_eur, to_decimal
from billing.month import Month

__all__ = [
    "Charge",
    "ChargeSplit",
    "GradePeriod",
    "Ledger",
    "LedgerInput",
    "LedgerMonth",
    "Living",
    "LivingPeriod",
    "OpeningBalance",
    "OtherUse",
    "Split",
    "UmwandlungDeclaration",
    "compute_ledger",
    "sum_splits",
]


@dataclass(frozen=True)
class OpeningBalance:
    """Money still available on ``as_of`` as reported (``source``: who reported it, how, when)."""

    as_of: date
    current_year: Decimal
    source: str
    carried: Decimal = ZERO  # part from the previous year, lapses on 30 June

    @property
    def month(self) -> Month:
        return Month.of(self.as_of)


@dataclass(frozen=True)
class OtherUse:
    """Use of the Entlastungsbetrag by other providers, as the senior or family reported it."""

    month: Month
    amount: Decimal
    note: str


@dataclass(frozen=True)
class UmwandlungDeclaration:
    """Amount of the Pflegesachleistung the senior declared available for §45a offers in ``month``."""

    month: Month
    amount: Decimal
    note: str = ""


@dataclass(frozen=True)
class Split:
    """Who pays an amount: the Entlastungsbetrag, the Umwandlungsanspruch, or the senior privately."""

    entlastungsbetrag: Decimal = ZERO
    umwandlung: Decimal = ZERO
    private: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.entlastungsbetrag + self.umwandlung + self.private

    @property
    def insured(self) -> Decimal:
        """The part the Pflegekasse pays (Entlastungsbetrag + Umwandlung)."""
        return self.entlastungsbetrag + self.umwandlung

    def __add__(self, other: Split) -> Split:
        return Split(
            self.entlastungsbetrag + other.entlastungsbetrag,
            self.umwandlung + other.umwandlung,
            self.private + other.private,
        )

    def negated(self) -> Split:
        return Split(-self.entlastungsbetrag, -self.umwandlung, -self.private)

    def payer_label(self) -> str:
        """German: ``Entlastungsbetrag + privat`` – the payers with a non-zero part."""
        parts = [
            name
            for name, value in (
                ("Entlastungsbetrag", self.entlastungsbetrag),
                ("Umwandlung", self.umwandlung),
                ("privat", self.private),
            )
            if value
        ]
        return " + ".join(parts) or "–"


def sum_splits(splits: Iterable[Split]) -> Split:
    total = Split()
    for split in splits:
        total = total + split
    return total


@dataclass(frozen=True)
class Charge:
    """An amount this service charges in ``month`` (usually one per billable appointment, ``ref`` its id).

    ``day``: the visit day, which decides the claim (None, e.g. for planning: the month's last day)."""

    month: Month
    amount: Decimal
    ref: str
    locked: Split | None = None  # the split already billed; kept as is
    day: date | None = None

    @property
    def on(self) -> date:
        return self.day or self.month.last_day


@dataclass(frozen=True)
class LedgerInput:
    """Everything the ledger of one senior rests on."""

    grades: tuple[GradePeriod, ...]
    service_start: Month
    openings: tuple[OpeningBalance, ...] = ()
    other_uses: tuple[OtherUse, ...] = ()
    umwandlung: tuple[UmwandlungDeclaration, ...] = ()
    charges: tuple[Charge, ...] = ()
    living: tuple[LivingPeriod, ...] = ()

    @property
    def eligibility(self) -> Eligibility:
        return Eligibility(self.grades, self.living)

    def grade_in(self, month: Month) -> int | None:
        """Highest Pflegegrad held on any day of ``month``, or None (display only; coverage goes by the day)."""
        return self.eligibility.highest_grade_in(month)

    def grade_on(self, day: date) -> int | None:
        """The Pflegegrad held on ``day``, or None."""
        return self.eligibility.grade_on(day)


@dataclass(frozen=True)
class ChargeSplit:
    """How one charge is paid, and why."""

    ref: str
    month: Month
    amount: Decimal
    split: Split
    basis: str
    day: date | None = None
    grade: int | None = None  # Pflegegrad on the visit day
    eligible: bool = True  # False: no claim on the visit day (why in ``basis``)


@dataclass(frozen=True)
class LedgerMonth:
    """One month of the ledger; ``basis`` explains the figures in German (keys as the field names)."""

    month: Month
    grade: int | None
    opening: Decimal | None  # balance set by an opening balance in this month
    credited: Decimal
    carried: Decimal  # money from the previous year available at the start of the month
    available: Decimal  # Entlastungsbetrag available at the start of the month (incl. carried)
    umwandlung_available: Decimal
    other_use: Decimal
    own_use: Decimal  # this service's charges paid from the Entlastungsbetrag
    umwandlung_used: Decimal
    private: Decimal
    lapsed: Decimal
    balance: Decimal  # Entlastungsbetrag left at the end of the month (incl. carried)
    carried_end: Decimal
    basis: Mapping[str, str] = field(default_factory=dict)
    other_use_excess: Decimal = ZERO  # reported other use beyond the balance (not deducted, flagged)
    overbilled: Decimal = ZERO  # locked Entlastungsbetrag beyond the balance or without a claim on its day
    eligible_days: int = 0  # days of the month with a claim to the Entlastungsbetrag

    @property
    def used(self) -> Decimal:
        """What was taken from the balance this month (other use as far as it reached, and this service)."""
        return self.other_use - self.other_use_excess + self.own_use

    @property
    def needs_balance_check(self) -> bool:
        """Reported use exceeded the balance: ask the Pflegekasse for the real Stand."""
        return self.other_use_excess > 0


@dataclass(frozen=True)
class Ledger:
    months: tuple[LedgerMonth, ...]
    splits: Mapping[str, ChargeSplit]

    def month(self, month: Month) -> LedgerMonth:
        for row in self.months:
            if row.month == month:
                return row
        raise KeyError(str(month))

    def get(self, month: Month) -> LedgerMonth | None:
        """The row of ``month``, or None if the ledger does not cover it."""
        return next((row for row in self.months if row.month == month), None)

    def split_of(self, ref: str) -> Split:
        return self.splits[ref].split


class _Pot:
    """Running balance: carried money (previous year) and current-year money."""

    def __init__(self) -> None:
        self.carried = ZERO
        self.current = ZERO

    @property
    def total(self) -> Decimal:
        return self.carried + self.current

    def take(self, amount: Decimal) -> Decimal:
        """Take up to ``amount`` (carried money first, then the current year); what could not be taken."""
        from_carried = min(amount, self.carried)
        from_current = min(amount - from_carried, self.current)
        self.carried -= from_carried
        self.current -= from_current
        return amount - from_carried - from_current


def compute_ledger(data: LedgerInput, *, config: BillingConfig, until: Month | None = None) -> Ledger:
    """The ledger from its first month to ``until`` (default: the last month any input mentions)."""
    starts = [data.service_start] + [o.month for o in data.openings]
    first = min(starts)
    mentioned = [c.month for c in data.charges] + [u.month for u in data.other_uses]
    last = until or max([*mentioned, first, *(u.month for u in data.umwandlung)])
    openings = {o.month: o for o in sorted(data.openings, key=lambda o: o.as_of)}
    other = _by_month(data.other_uses)
    declared = _by_month(data.umwandlung)
    charges = _by_month(data.charges)
    rights = data.eligibility

    pot = _Pot()
    rows: list[LedgerMonth] = []
    splits: dict[str, ChargeSplit] = {}
    for c in data.charges:
        if c.month < first:
            splits[c.ref] = ChargeSplit(
                c.ref, c.month, c.amount, c.locked or Split(private=c.amount), "vor Beginn des Kontos", c.day
            )
    for month in first.until(last):
        basis: dict[str, str] = {}
        lapsed = ZERO
        if month.month == 1 and month != first:
            pot.carried, pot.current = pot.current, ZERO
            basis["carried"] = f"Rest aus {month.year - 1}: {format_eur(pot.carried)}, verfällt am 30.06.{month.year}"
        claim = rights.entlastung_spans(month)  # runs of days with a claim: (first, last, grade)
        eligible_days = sum((last_day - first_day).days + 1 for first_day, last_day, _grade in claim)
        grade = rights.highest_grade_in(month)
        opening = openings.get(month)
        credited = ZERO
        if opening is not None:
            pot.carried, pot.current = to_decimal(opening.carried), to_decimal(opening.current_year)
            basis["opening"] = (
                f"Stand {format_eur(pot.total)} am {format_date(opening.as_of)}"
                f" (davon aus {month.year - 1}: {format_eur(pot.carried)}); Quelle: {opening.source}"
            )
            basis["credited"] = "Monatsbetrag im Anfangsbestand enthalten"
            if month.month > 6 and pot.carried:
                lapsed += pot.carried
                basis["lapsed"] = f"Übertrag aus {month.year - 1} nach dem 30.06. verfallen"
                pot.carried = ZERO
        elif claim:
            credited = config.entlastungsbetrag.value_on(month.first_day)
            since = config.entlastungsbetrag.valid_from_on(month.first_day)
            pot.current += credited
            basis["credited"] = (
                f"Monatsbetrag {format_eur(credited)} (gültig ab {format_date(since)}), "
                f"Pflegegrad {_grades_text(claim)}"
            )
            if eligible_days < month.last_day.day:
                basis["credited"] += f"; Anspruch an {eligible_days} Tagen: {_days_text(claim)}"
        else:
            basis["credited"] = _no_claim_text(rights, month)
        carried_start, available = pot.carried, pot.total

        umw_declared = sum((d.amount for d in declared[month]), ZERO)
        umw_available = ZERO
        if umw_declared:
            caps = {config.umwandlung_cap(grade, first_day) for first_day, _last, grade in claim if grade >= 2}
            umw_available = min(umw_declared, max(caps, default=ZERO))
            basis["umwandlung_available"] = (
                f"erklärt {format_eur(umw_declared)}; Höchstbetrag nach dem Pflegegrad am Besuchstag"
                + (
                    f" ({', '.join(format_eur(c) for c in sorted(caps))})"
                    if caps
                    else ": kein Anspruch (Pflegegrad 2–5 zu Hause)"
                )
            )

        other_use = sum((u.amount for u in other[month]), ZERO)
        other_excess = ZERO
        if other_use:
            other_excess = pot.take(other_use) if claim else other_use
            basis["other_use"] = "; ".join(f"{u.note}: {format_eur(u.amount)}" for u in other[month])
            if other_excess:
                basis["other_use_excess"] = (
                    f"gemeldete Nutzung übersteigt das Guthaben um {format_eur(other_excess)} "
                    "(nicht abgezogen, kein Übertrag ins Minus) – Kontostand bei der Pflegekasse erfragen"
                )

        own_use = umw_used = private = overbilled = ZERO
        for charge in sorted(charges[month], key=lambda c: c.on):
            day = charge.on
            day_grade = rights.grade_on(day)
            eligible = rights.entlastung_on(day)
            if charge.locked is not None:
                split = charge.locked
                beyond = pot.take(split.entlastungsbetrag) if eligible else split.entlastungsbetrag
                overbilled += beyond
                why = "abgerechnet, festgeschrieben"
            elif not eligible:
                split = Split(private=charge.amount)
                why = f"kein Anspruch ({rights.why_not(day)}), privat"
            else:
                umw_grade = rights.umwandlung_grade_on(day)
                umw_left = ZERO
                if umw_grade and umw_declared:
                    umw_left = max(min(umw_declared, config.umwandlung_cap(umw_grade, day)) - umw_used, ZERO)
                split = _cover(charge.amount, pot.total, umw_left)
                pot.take(split.entlastungsbetrag)
                why = _why(split)
            own_use += split.entlastungsbetrag
            umw_used += split.umwandlung
            private += split.private
            splits[charge.ref] = ChargeSplit(
                charge.ref, month, charge.amount, split, why, charge.day, day_grade, eligible
            )
        if own_use or umw_used or private:
            basis["own_use"] = f"{len(charges[month])} Position(en) dieses Dienstes"
        if overbilled:
            basis["overbilled"] = (
                f"{format_eur(overbilled)} abgerechneter Entlastungsbetrag ohne Deckung (Guthaben oder Anspruch am "
                "Besuchstag fehlt) – Korrektur prüfen"
            )

        if month.month == 6 and pot.carried > 0:
            lapsed += pot.carried
            basis["lapsed"] = f"nicht genutzter Übertrag aus {month.year - 1} verfällt am 30.06.{month.year}"
            pot.carried = ZERO

        rows.append(
            LedgerMonth(
                month=month,
                grade=grade,
                opening=opening and to_decimal(opening.current_year) + to_decimal(opening.carried),
                credited=credited,
                carried=carried_start,
                available=available,
                umwandlung_available=umw_available,
                other_use=other_use,
                own_use=own_use,
                umwandlung_used=umw_used,
                private=private,
                lapsed=lapsed,
                balance=pot.total,
                carried_end=pot.carried,
                basis=basis,
                other_use_excess=other_excess,
                overbilled=overbilled,
                eligible_days=eligible_days,
            )
        )
    return Ledger(tuple(rows), splits)


def _cover(amount: Decimal, budget: Decimal, umwandlung_left: Decimal) -> Split:
    """Entlastungsbetrag first, then Umwandlung, the rest private."""
    from_budget = min(amount, budget)
    from_umwandlung = min(amount - from_budget, umwandlung_left)
    return Split(from_budget, from_umwandlung, amount - from_budget - from_umwandlung)


def _why(split: Split) -> str:
    if not split.private:
        return "gedeckt" if not split.umwandlung else "Entlastungsbetrag erschöpft, Rest über Umwandlung"
    return "Budget erschöpft, Rest privat" if split.insured else "kein Budget verfügbar, privat"


def _days_text(claim: list[tuple[date, date, int]]) -> str:
    """``15.–31.03.2025`` style runs of consecutive days."""
    runs: list[list[date]] = []
    for first, last, _grade in claim:
        if runs and (first - runs[-1][1]).days == 1:
            runs[-1][1] = last
        else:
            runs.append([first, last])
    return ", ".join(format_date(a) if a == b else f"{a:%d.}–{format_date(b)}" for a, b in runs)


def _grades_text(claim: list[tuple[date, date, int]]) -> str:
    grades = []
    for _first, _last, grade in claim:
        if grade not in grades:
            grades.append(grade)
    return ", ".join(str(g) for g in grades)


def _no_claim_text(rights: Eligibility, month: Month) -> str:
    living = {rights.living_on(d) for d in (month.first_day, month.last_day)} - {Living.ZU_HAUSE}
    if living:
        return f"kein Anspruch in diesem Monat: {rights.why_not(month.last_day) or rights.why_not(month.first_day)}"
    return "kein Pflegegrad in diesem Monat"


def _by_month(items):
    grouped = defaultdict(list)
    for item in items:
        grouped[item.month].append(item)
    return grouped
