"""Billable lines from appointments: actual minutes at the hourly rate in force on the day, rounded per line.

Appointments of the Häusliche Entlastung that took place are billed at the hourly rate. A Demenzgruppe session a
senior attended is one line of that senior for that day, billed at the group's price of the day (per session,
or per hour of the session) when the app passes one. Besuchsdienst visits that took place become lines too
(their hours are reported) but carry no rate and no amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from enum import StrEnum

from billing.config import BillingConfig
from billing.ledger import Charge
from billing.money import ZERO, amount_for, hours, minutes_between
from billing.month import Month


class Service(StrEnum):
    """The three offers of the service; only ENTLASTUNG is billed."""

    ENTLASTUNG = "entlastung"
    BESUCHSDIENST = "besuchsdienst"
    DEMENZGRUPPE = "demenzgruppe"


GROUP_REF_PREFIX = "g"  # refs of Demenzgruppe lines: g<session>-<senior> (an appointment's ref is its number)


def is_group_ref(ref: str) -> bool:
    """Whether a line ref is that of a Demenzgruppe session (invoices keep refs, not services)."""
    return ref.startswith(GROUP_REF_PREFIX)


SERVICE_LABELS = {
    Service.ENTLASTUNG: "Häusliche Entlastung",
    Service.BESUCHSDIENST: "Seniorenbesuchsdienst",
    Service.DEMENZGRUPPE: "Demenzbetreuungsgruppe",
}


@dataclass(frozen=True)
class Appointment:
    """One appointment as the app records it; ``minutes`` are the actual minutes (None: end − start)."""

    ref: str  # the app's appointment id, as text
    senior_ref: str
    day: date
    start: time
    end: time
    volunteer_ref: str
    volunteer_name: str
    service: Service = Service.ENTLASTUNG
    took_place: bool = True
    minutes: int | None = None
    km: Decimal | None = None  # kilometres the volunteer drove for this visit (Fahrtkosten)
    # Demenzgruppe: the group's price on the day, per session (``per_session``) or per hour of the session
    group_price: Decimal | None = None
    per_session: bool = True
    note: str = ""  # what was done, as reported with the hours (printed on the Leistungsnachweis)

    @property
    def actual_minutes(self) -> int:
        return self.minutes if self.minutes is not None else minutes_between(self.start, self.end)


@dataclass(frozen=True)
class Line:
    """A visit that took place: hours always, rate and amount only when billable."""

    appointment: Appointment
    minutes: int
    hours: Decimal
    rate: Decimal | None
    amount: Decimal

    @property
    def billable(self) -> bool:
        return self.rate is not None

    @property
    def ref(self) -> str:
        return self.appointment.ref

    @property
    def day(self) -> date:
        return self.appointment.day

    @property
    def month(self) -> Month:
        return Month.of(self.appointment.day)


def times_agree(start: time, end: time, minutes: int) -> bool:
    """Whether ``start``–``end`` spans exactly the billed ``minutes`` (a Storno's negative minutes by their size).

    The one rule for printing times next to billed hours: documents and exports show start and end only when they
    agree with the minutes billed, so planned times never contradict the hours."""
    return minutes_between(start, end) == abs(minutes)


def build_line(appointment: Appointment, *, config: BillingConfig) -> Line:
    """The line of one appointment that took place."""
    minutes = appointment.actual_minutes
    if minutes < 0:
        raise ValueError(f"negative minutes for appointment {appointment.ref}")
    if appointment.service is Service.DEMENZGRUPPE and appointment.group_price is not None:
        price = appointment.group_price
        amount = price if appointment.per_session else amount_for(minutes, price)
        return Line(appointment, minutes, hours(minutes), price, amount)
    if appointment.service is not Service.ENTLASTUNG:
        return Line(appointment, minutes, hours(minutes), None, ZERO)
    rate = config.hourly_rate.value_on(appointment.day)
    return Line(appointment, minutes, hours(minutes), rate, amount_for(minutes, rate))


def build_lines(appointments: Iterable[Appointment], *, config: BillingConfig) -> list[Line]:
    """Lines of the appointments that took place, in date and time order."""
    held = sorted((a for a in appointments if a.took_place), key=lambda a: (a.day, a.start, a.ref))
    return [build_line(a, config=config) for a in held]


def charges_from_lines(lines: Iterable[Line]) -> tuple[Charge, ...]:
    """One ledger charge per billable line (in line order, so the ledger covers the earliest visits first)."""
    return tuple(
        Charge(line.month, line.amount, line.ref, day=line.day) for line in lines if line.billable and line.amount
    )
