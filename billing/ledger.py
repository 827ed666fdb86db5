"""The Entlastungsbetrag ledger of one senior (§45b SGB XI), month by month, every figure with its basis.

Rules:
- A month is credited if the senior had a Pflegegrad (1–5) on *any* day of it; the grade of the month is the
  highest grade held on any day of it (it decides the Umwandlung cap).
- The ledger starts at the service start or at the earliest opening balance, whichever is earlier.
- An opening balance is the Stand reported by the Pflegekasse or the family. It replaces the running balance
  at the start of the month of its date, *including* that month's credit and *before* every use of that
  month recorded here (other use and this service's charges of that month are deducted afterwards). A later
  opening balance re-anchors the ledger (Kontoabgleich); months before it keep their computed figures.
- Unused money accumulates within the year; on 1 January the rest becomes "carried" (Übertrag) and what of
  it is unused at the end of 30 June lapses. Every use takes carried money first, then the current year.
- Other use reported by the senior is deducted as reported, even beyond the balance (the ledger may then go
  negative: the shortfall is shown, not hidden).
- This service's charges are covered in the order given (chronological): Entlastungsbetrag first, then the
  Umwandlung declared for that month (capped per grade, never carried), the rest is private.
  A charge with a ``locked`` split (billed month) keeps that split.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from billing.config import BillingConfig
from billing.money import ZERO, format_date, format_eur, to_decimal
from billing.month import Month


@dataclass(frozen=True)
class GradePeriod:
    """A Pflegegrad held from ``valid_from`` to ``valid_until`` (inclusive; None: still valid)."""

    grade: int
    valid_from: date
    valid_until: date | None = None

    def overlaps(self, month: Month) -> bool:
        return self.valid_from <= month.last_day and (self.valid_until is None or self.valid_until >= month.first_day)


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
    """An amount this service charges in ``month`` (usually one per billable appointment, ``ref`` its id)."""

    month: Month
    amount: Decimal
    ref: str
    locked: Split | None = None  # the split already billed; kept as is


@dataclass(frozen=True)
class LedgerInput:
    """Everything the ledger of one senior rests on."""

    grades: tuple[GradePeriod, ...]
    service_start: Month
    openings: tuple[OpeningBalance, ...] = ()
    other_uses: tuple[OtherUse, ...] = ()
    umwandlung: tuple[UmwandlungDeclaration, ...] = ()
    charges: tuple[Charge, ...] = ()

    def grade_in(self, month: Month) -> int | None:
        """Highest Pflegegrad held on any day of ``month``, or None."""
        grades = [p.grade for p in self.grades if 1 <= p.grade <= 5 and p.overlaps(month)]
        return max(grades) if grades else None


@dataclass(frozen=True)
class ChargeSplit:
    """How one charge is paid, and why."""

    ref: str
    month: Month
    amount: Decimal
    split: Split
    basis: str


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

    @property
    def used(self) -> Decimal:
        return self.other_use + self.own_use


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

    def take(self, amount: Decimal) -> None:
        """Take ``amount``: carried money first, then the current year (which may go negative)."""
        from_carried = min(amount, max(self.carried, ZERO))
        self.carried -= from_carried
        self.current -= amount - from_carried


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

    pot = _Pot()
    rows: list[LedgerMonth] = []
    splits: dict[str, ChargeSplit] = {}
    for c in data.charges:
        if c.month < first:
            splits[c.ref] = ChargeSplit(c.ref, c.month, c.amount, Split(private=c.amount), "vor Beginn des Kontos")
    for month in first.until(last):
        basis: dict[str, str] = {}
        lapsed = ZERO
        if month.month == 1 and month != first:
            pot.carried, pot.current = max(pot.current, ZERO), min(pot.current, ZERO)
            basis["carried"] = f"Rest aus {month.year - 1}: {format_eur(pot.carried)}, verfällt am 30.06.{month.year}"
        grade = data.grade_in(month)
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
        elif grade is not None:
            credited = config.entlastungsbetrag.value_on(month.first_day)
            since = config.entlastungsbetrag.valid_from_on(month.first_day)
            pot.current += credited
            basis["credited"] = (
                f"Monatsbetrag {format_eur(credited)} (gültig ab {format_date(since)}), Pflegegrad {grade}"
            )
        else:
            basis["credited"] = "kein Pflegegrad in diesem Monat"
        carried_start, available = pot.carried, pot.total

        umw_declared = sum((d.amount for d in declared[month]), ZERO)
        umw_cap = config.umwandlung_cap(grade, month.first_day)
        umw_available = min(umw_declared, umw_cap)
        if umw_declared:
            basis["umwandlung_available"] = (
                f"erklärt {format_eur(umw_declared)}, Höchstbetrag bei Pflegegrad {grade or '–'}: {format_eur(umw_cap)}"
            )

        other_use = sum((u.amount for u in other[month]), ZERO)
        if other_use:
            pot.take(other_use)
            basis["other_use"] = "; ".join(f"{u.note}: {format_eur(u.amount)}" for u in other[month])

        own_use = umw_used = private = ZERO
        for charge in charges[month]:
            split = charge.locked or _cover(charge.amount, max(pot.total, ZERO), umw_available - umw_used)
            pot.take(split.entlastungsbetrag)
            own_use += split.entlastungsbetrag
            umw_used += split.umwandlung
            private += split.private
            why = "abgerechnet, festgeschrieben" if charge.locked else _why(split)
            splits[charge.ref] = ChargeSplit(charge.ref, month, charge.amount, split, why)
        if own_use or umw_used or private:
            basis["own_use"] = f"{len(charges[month])} Position(en) dieses Dienstes"
        if pot.total < 0:
            basis["balance"] = f"Guthaben überzogen um {format_eur(-pot.total)}"

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
            )
        )
    return Ledger(tuple(rows), splits)


def _cover(amount: Decimal, budget: Decimal, umwandlung_left: Decimal) -> Split:
    """Entlastungsbetrag first, then Umwandlung, the rest private."""
    from_budget = min(amount, budget)
    from_umwandlung = min(amount - from_budget, max(umwandlung_left, ZERO))
    return Split(from_budget, from_umwandlung, amount - from_budget - from_umwandlung)


def _why(split: Split) -> str:
    if not split.private:
        return "gedeckt" if not split.umwandlung else "Entlastungsbetrag erschöpft, Rest über Umwandlung"
    return "Budget erschöpft, Rest privat" if split.insured else "kein Budget verfügbar, privat"


def _by_month(items):
    grouped = defaultdict(list)
    for item in items:
        grouped[item.month].append(item)
    return grouped
