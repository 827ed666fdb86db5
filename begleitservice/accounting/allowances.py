"""Volunteer allowances (Aufwandsentschädigung) for Entlastung hours and Demenzgruppe sessions: payout list and the
tax-free cap warning."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from billing.allowances import (
    AllowanceLine,
    CapStatus,
    GroupShift,
    PayoutRow,
    TravelLine,
    allowance_lines,
    cap_status,
    group_allowance_lines,
    payout_list,
    travel_lines,
    year_sums,
)
from billing.config import CAP_NAMES
from billing.lines import build_lines
from billing.money import ZERO
from billing.month import Month

from ..budget.inputs import billing_config
from ..extensions import db
from ..groups.hours import group_minutes_by_volunteer, volunteer_shifts
from ..models import Appointment, AppointmentStatus, GroupRosterEntry, GroupSession, Pairing, SessionStatus, Volunteer
from .convert import visit_data

if TYPE_CHECKING:
    from flask_sqlalchemy.pagination import Pagination


def _held_entlastung(first: date, last: date):
    return (
        Appointment.on.between(first, last),
        Appointment.status == AppointmentStatus.STATTGEFUNDEN,
        Pairing.service == "entlastung",
    )


def allowance_lines_between(
    first: date, last: date, *, volunteer_ids: Collection[int] | None = None
) -> list[AllowanceLine]:
    """Allowance per Entlastung visit that took place between ``first`` and ``last`` (inclusive).

    ``volunteer_ids``: only the visits these volunteers did (their own and as stand-in).
    """
    query = sa.select(Appointment).join(Appointment.pairing).where(*_held_entlastung(first, last))
    if volunteer_ids is not None:
        query = query.where(sa.func.coalesce(Appointment.cover_volunteer_id, Pairing.volunteer_id).in_(volunteer_ids))
    appointments = db.session.scalars(
        query.options(
            joinedload(Appointment.pairing).joinedload(Pairing.volunteer), joinedload(Appointment.cover_volunteer)
        )
    ).unique()
    config = billing_config()
    lines = allowance_lines(build_lines((visit_data(a) for a in appointments), config=config), config=config)
    shifts = [
        GroupShift(f"g{x.session_id}", str(x.volunteer_id), x.volunteer_name, x.on, x.minutes)
        for x in volunteer_shifts(first, last, volunteer_ids=volunteer_ids)
    ]
    return sorted([*lines, *group_allowance_lines(shifts, config=config)], key=lambda a: (a.day, a.appointment_ref))


def _with_km(first: date, last: date):
    return (
        Appointment.on.between(first, last),
        Appointment.status == AppointmentStatus.STATTGEFUNDEN,
        Appointment.km.is_not(None),
    )


def travel_lines_between(first: date, last: date, *, volunteer_ids: Collection[int] | None = None) -> list[TravelLine]:
    """Fahrtkosten per visit or cover trip (any offer) that took place between ``first`` and ``last`` with
    kilometres reported; paid to whoever made the visit (``volunteer_ids``: only these volunteers' trips)."""
    query = sa.select(Appointment).join(Appointment.pairing).where(*_with_km(first, last))
    if volunteer_ids is not None:
        query = query.where(_visitor().in_(volunteer_ids))
    appointments = db.session.scalars(
        query.options(
            joinedload(Appointment.pairing).joinedload(Pairing.volunteer), joinedload(Appointment.cover_volunteer)
        )
    ).unique()
    return travel_lines((visit_data(a) for a in appointments), config=billing_config())


def _visitor():
    """Who made a visit: the stand-in, else the pairing's volunteer (the query joins the pairing)."""
    return sa.func.coalesce(Appointment.cover_volunteer_id, Pairing.volunteer_id)


def payouts(month: Month, *, volunteer_ids: Collection[int] | None = None) -> list[PayoutRow]:
    """The payout list of ``month``: per volunteer hours, allowance and the yearly sum against the cap, and the
    Fahrtkosten apart from them (``volunteer_ids``: only these volunteers' rows, computed from their visits only)."""
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    if month.month > 1:
        earlier = allowance_lines_between(
            date(month.year, 1, 1), month.first_day - timedelta(days=1), volunteer_ids=volunteer_ids
        )
        for line in earlier:
            paid[line.volunteer_ref] += line.amount
    lines = allowance_lines_between(month.first_day, month.last_day, volunteer_ids=volunteer_ids)
    travel = travel_lines_between(month.first_day, month.last_day, volunteer_ids=volunteer_ids)
    return payout_list(month, lines, paid_before=dict(paid), config=billing_config(), travel=travel)


def paid_volunteers(month: Month) -> sa.Select:
    """The volunteers on ``month``'s payout list (an Entlastung visit held, or kilometres reported), by name."""
    first, last = month.first_day, month.last_day
    held = sa.select(_visitor()).select_from(Appointment).join(Appointment.pairing)
    at_groups = (
        sa.select(GroupRosterEntry.volunteer_id)
        .join(GroupRosterEntry.session)
        .where(
            GroupSession.on.between(first, last),
            GroupSession.status == SessionStatus.GEPLANT,
            GroupRosterEntry.is_present.is_(True),
        )
    )
    who = sa.union(held.where(*_held_entlastung(first, last)), held.where(*_with_km(first, last)), at_groups)
    return sa.select(Volunteer).where(Volunteer.id.in_(who)).order_by(Volunteer.sort_name, Volunteer.id)


def payout_page(month: Month, *, page: int, per_page: int) -> tuple[Pagination, list[PayoutRow]]:
    """One page of ``month``'s payout list, in the order of the volunteer lists: only that page's volunteers are
    computed (their month and their year so far), so the page costs the same however many volunteers are paid."""
    volunteers = db.paginate(paid_volunteers(month), page=page, per_page=per_page, error_out=False)
    order = {str(v.id): index for index, v in enumerate(volunteers.items)}
    rows = payouts(month, volunteer_ids=[v.id for v in volunteers.items]) if order else []
    return volunteers, sorted(rows, key=lambda row: order.get(row.volunteer_ref, len(order)))


@dataclass(frozen=True)
class CapWarning:
    """A volunteer whose allowances this year reach the warning share of the tax-free cap, or pass it."""

    volunteer_id: int
    name: str
    year_total: Decimal
    cap: Decimal
    cap_name: str
    status: CapStatus

    @property
    def left(self) -> Decimal:
        return self.cap - self.year_total


def _minute_of_day(column):
    return sa.extract("hour", column) * 60 + sa.extract("minute", column)


def near_cap(year: int, threshold: Decimal, config) -> list[int]:
    """Volunteers whose allowances in ``year`` may reach ``threshold``: a superset, found by one SQL sum.

    Minutes (reported, else planned) at the year's highest hourly allowance, plus a cent per visit for the
    rounding, bound each volunteer's exact sum from above; only these few are then computed exactly.
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    rates = [config.allowance_per_hour.value_on(first)]
    rates += [value for since, value in config.allowance_per_hour.entries if first < since <= last]
    minutes = sa.func.coalesce(
        Appointment.actual_minutes, _minute_of_day(Appointment.planned_end) - _minute_of_day(Appointment.planned_start)
    )
    who = sa.func.coalesce(Appointment.cover_volunteer_id, Pairing.volunteer_id)
    rows = db.session.execute(
        sa.select(who, sa.func.sum(minutes), sa.func.count())
        .select_from(Appointment)
        .join(Appointment.pairing)
        .where(*_held_entlastung(first, last))
        .group_by(who)
    ).all()
    top = max(rates)
    totals = {ref: (Decimal(total or 0), count) for ref, total, count in rows}
    for ref, group_minutes in group_minutes_by_volunteer(first, last).items():  # Demenzgruppe sessions too
        total, count = totals.get(ref, (Decimal(0), 0))
        totals[ref] = (total + group_minutes, count + group_minutes // 15 + 1)  # sessions last 15 min or more
    return [ref for ref, (total, count) in totals.items() if total * top / 60 + Decimal(count) / 100 >= threshold]


def cap_warnings(today: date) -> list[CapWarning]:
    """Volunteers at or above the warning share of the yearly tax-free cap (allowances of the whole year)."""
    config = billing_config()
    cap = config.tax_free_cap(today.year)
    candidates = near_cap(today.year, cap * config.cap_warning_ratio, config)
    if not candidates:
        return []
    lines = allowance_lines_between(date(today.year, 1, 1), date(today.year, 12, 31), volunteer_ids=candidates)
    names = {line.volunteer_ref: line.volunteer_name for line in lines}
    warnings = []
    for ref, total in year_sums(lines, today.year).items():
        status = cap_status(total, cap, warning_ratio=config.cap_warning_ratio)
        if status is not CapStatus.OK:
            warnings.append(CapWarning(int(ref), names[ref], total, cap, CAP_NAMES[config.tax_free_cap_kind], status))
    return sorted(warnings, key=lambda w: (-w.year_total, w.name))
