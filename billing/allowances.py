"""Volunteer allowances (Aufwandsentschädigung): per Entlastung hour, summed per year against the tax-free cap;
and travel costs (Fahrtkosten), paid with them but apart from them.

The allowance of a visit is its actual minutes at the hourly allowance in force that day, rounded half up per
visit (like the billing lines). A volunteer's status turns to "Warnung" when the yearly sum reaches the
configured share of the cap (default 90 %) and to "überschritten" beyond it; the part above the cap is shown
as taxable. Fahrtkosten are the kilometres reported for a visit or cover trip (any offer) at the rate per km in
force that day, rounded half up per trip; as reimbursed expenses they never count against the cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from billing.config import CAP_NAMES, BillingConfig
from billing.lines import Appointment, Line, Service
from billing.money import ZERO, amount_for, cents, format_eur, hours
from billing.month import Month


class CapStatus(StrEnum):
    OK = "ok"
    WARNING = "Warnung"
    EXCEEDED = "überschritten"


@dataclass(frozen=True)
class AllowanceLine:
    """The allowance for one Entlastung visit."""

    appointment_ref: str
    volunteer_ref: str
    volunteer_name: str
    day: date
    minutes: int
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TravelLine:
    """Fahrtkosten of one visit or cover trip: the kilometres reported at the rate per km of that day."""

    appointment_ref: str
    volunteer_ref: str
    volunteer_name: str
    day: date
    km: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PayoutRow:
    """One volunteer on the monthly payout list, with the yearly sum against the cap."""

    volunteer_ref: str
    volunteer_name: str
    month: Month
    visits: int
    minutes: int
    amount: Decimal
    paid_before: Decimal  # this calendar year, before this month
    cap: Decimal
    cap_kind: str
    status: CapStatus
    message: str
    km: Decimal = ZERO  # Fahrtkosten: kilometres this month, and their amount (not part of ``amount``)
    travel: Decimal = ZERO

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def total(self) -> Decimal:
        """What the volunteer is paid this month: the allowance and, apart from it, the Fahrtkosten."""
        return self.amount + self.travel

    @property
    def year_total(self) -> Decimal:
        return self.paid_before + self.amount

    @property
    def taxable(self) -> Decimal:
        """Part of this payout above the yearly cap."""
        return max(ZERO, self.year_total - max(self.cap, self.paid_before))

    @property
    def tax_free(self) -> Decimal:
        return self.amount - self.taxable


def allowance_lines(lines: Iterable[Line], *, config: BillingConfig) -> list[AllowanceLine]:
    """Allowance per Entlastung visit that took place (Besuchsdienst and groups: none)."""
    result = []
    for line in lines:
        a = line.appointment
        if a.service is not Service.ENTLASTUNG or not a.took_place:
            continue
        rate = config.allowance_per_hour.value_on(a.day)
        result.append(
            AllowanceLine(
                a.ref, a.volunteer_ref, a.volunteer_name, a.day, line.minutes, rate, amount_for(line.minutes, rate)
            )
        )
    return result


@dataclass(frozen=True)
class GroupShift:
    """A volunteer present at one Demenzgruppe session: its minutes count for the allowance like a visit's."""

    ref: str
    volunteer_ref: str
    volunteer_name: str
    day: date
    minutes: int


def group_allowance_lines(shifts: Iterable[GroupShift], *, config: BillingConfig) -> list[AllowanceLine]:
    """Allowance per Demenzgruppe session a volunteer was present at, at the allowance rate of the day."""
    result = []
    for shift in shifts:
        rate = config.allowance_per_hour.value_on(shift.day)
        amount = amount_for(shift.minutes, rate)
        result.append(
            AllowanceLine(shift.ref, shift.volunteer_ref, shift.volunteer_name, shift.day, shift.minutes, rate, amount)
        )
    return sorted(result, key=lambda a: (a.day, a.appointment_ref))


def travel_lines(appointments: Iterable[Appointment], *, config: BillingConfig) -> list[TravelLine]:
    """Fahrtkosten per visit that took place with kilometres reported (every offer), rounded half up per trip."""
    result = []
    for a in appointments:
        if not a.took_place or not a.km:
            continue
        rate = config.km_rate.value_on(a.day)
        result.append(TravelLine(a.ref, a.volunteer_ref, a.volunteer_name, a.day, a.km, rate, cents(a.km * rate)))
    return sorted(result, key=lambda t: (t.day, t.appointment_ref))


def year_sums(lines: Iterable[AllowanceLine], year: int) -> dict[str, Decimal]:
    """Allowance per volunteer in ``year``."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.day.year == year:
            sums[line.volunteer_ref] += line.amount
    return dict(sums)


def cap_status(year_total: Decimal, cap: Decimal, *, warning_ratio: Decimal) -> CapStatus:
    if year_total > cap:
        return CapStatus.EXCEEDED
    return CapStatus.WARNING if year_total >= cap * warning_ratio else CapStatus.OK


def payout_list(
    month: Month,
    lines: Iterable[AllowanceLine],
    *,
    paid_before: Mapping[str, Decimal],
    config: BillingConfig,
    cap_kinds: Mapping[str, str] | None = None,
    travel: Iterable[TravelLine] = (),
) -> list[PayoutRow]:
    """Payout per volunteer for the lines of ``month``; ``paid_before`` is each volunteer's sum paid earlier this
    year, ``cap_kinds`` overrides the configured Pauschale per volunteer. The Fahrtkosten of ``travel`` are paid
    with it, shown apart, and left out of the yearly sum against the cap. Sorted by name."""
    grouped: dict[str, list[AllowanceLine]] = defaultdict(list)
    trips: dict[str, list[TravelLine]] = defaultdict(list)
    names: dict[str, str] = {}
    for line in lines:
        if month.contains(line.day):
            grouped[line.volunteer_ref].append(line)
            names.setdefault(line.volunteer_ref, line.volunteer_name)
    for trip in travel:
        if month.contains(trip.day):
            trips[trip.volunteer_ref].append(trip)
            names.setdefault(trip.volunteer_ref, trip.volunteer_name)
    rows = []
    for ref, name in names.items():
        own = grouped[ref]
        kind = (cap_kinds or {}).get(ref, config.tax_free_cap_kind)
        cap = config.tax_free_cap(month.year, kind)
        before = paid_before.get(ref, ZERO)
        amount = sum((line.amount for line in own), ZERO)
        status = cap_status(before + amount, cap, warning_ratio=config.cap_warning_ratio)
        rows.append(
            PayoutRow(
                volunteer_ref=ref,
                volunteer_name=name,
                month=month,
                visits=len(own),
                minutes=sum(line.minutes for line in own),
                amount=amount,
                paid_before=before,
                cap=cap,
                cap_kind=kind,
                status=status,
                message=_message(before + amount, cap, kind, status),
                km=sum((trip.km for trip in trips[ref]), Decimal("0")),
                travel=sum((trip.amount for trip in trips[ref]), ZERO),
            )
        )
    return sorted(rows, key=lambda r: (r.volunteer_name, r.volunteer_ref))


def _message(total: Decimal, cap: Decimal, kind: str, status: CapStatus) -> str:
    name = CAP_NAMES[kind]
    share = (total * 100 / cap).quantize(Decimal(1)) if cap else Decimal(0)
    if status is CapStatus.EXCEEDED:
        return (
            f"Jahressumme {format_eur(total)} übersteigt die {name} ({format_eur(cap)}) um {format_eur(total - cap)}."
        )
    left = f"noch {format_eur(cap - total)} steuerfrei"
    if status is CapStatus.WARNING:
        return f"Achtung: Jahressumme {format_eur(total)} = {share} % der {name} ({format_eur(cap)}); {left}."
    return f"Jahressumme {format_eur(total)} ({share} % der {name}); {left}."
