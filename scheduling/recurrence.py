"""Generate a pairing's visits from its rule and reconcile them with the stored appointments."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from scheduling.calendar_nrw import holiday_name
from scheduling.formatting import format_date_range
from scheduling.model import Absence, Appointment, Status, local_datetime, to_local
from scheduling.rules import VisitRule, check_rule

log = logging.getLogger(__name__)

DEFAULT_HORIZON_WEEKS = 8


class SkipKind(StrEnum):
    """Why a rule date produced no appointment."""

    HOLIDAY = "feiertag"
    ABSENCE = "abwesenheit"
    CLOSURE = "schliesszeit"  # a Demenzgruppe's closing weeks


@dataclass(frozen=True)
class Occurrence:
    """A visit the rule asks for: local date and wall-clock times."""

    on: date
    start: time
    end: time

    @property
    def starts_at(self) -> datetime:
        """Start as an aware Europe/Berlin datetime."""
        return local_datetime(self.on, self.start)


@dataclass(frozen=True)
class SkippedDate:
    """A rule date left out, with the German reason shown to the coordinator."""

    on: date
    kind: SkipKind
    reason: str


@dataclass(frozen=True)
class Generation:
    """Result of expanding a rule over a date range."""

    occurrences: tuple[Occurrence, ...]
    skipped: tuple[SkippedDate, ...]


@dataclass(frozen=True)
class Move:
    """Move a planned appointment to a new date and/or time."""

    appointment: Appointment
    on: date
    start: time
    end: time


@dataclass(frozen=True)
class Conflict:
    """A kept appointment that falls on a holiday or into an absence: the coordinator should look."""

    appointment: Appointment
    reason: str


@dataclass(frozen=True)
class Plan:
    """What to do so the stored appointments follow the rule up to ``horizon_end``."""

    horizon_end: date
    create: tuple[Occurrence, ...] = ()
    update: tuple[Move, ...] = ()
    delete: tuple[Appointment, ...] = ()
    keep: tuple[Appointment, ...] = ()
    skipped: tuple[SkippedDate, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    @property
    def has_changes(self) -> bool:
        """True when something must be created, moved or deleted."""
        return bool(self.create or self.update or self.delete)


def horizon_end(today: date, *, weeks: int = DEFAULT_HORIZON_WEEKS) -> date:
    """Last date (inclusive) the rolling horizon covers."""
    return today + timedelta(weeks=weeks)


def skip_reason(day: date, *, absences: Iterable[Absence] = (), skip_holidays: bool = True) -> SkippedDate | None:
    """Why no visit can take place on ``day`` (holiday first, then absence), or None."""
    name = holiday_name(day) if skip_holidays else None
    if name:
        return SkippedDate(day, SkipKind.HOLIDAY, f"Feiertag: {name}")
    for absence in absences:
        if absence.covers(day):
            period = format_date_range(absence.starts_on, absence.ends_on)
            return SkippedDate(day, SkipKind.ABSENCE, f"Abwesenheit der/des Ehrenamtlichen {period}")
    return None


def generate(
    rule: VisitRule,
    *,
    first: date,
    last: date,
    absences: Iterable[Absence] = (),
    skip_holidays: bool = True,
) -> Generation:
    """Expand the rule from ``first`` to ``last`` (inclusive), leaving out holidays and absences."""
    check_rule(rule)
    absences = tuple(absences)
    occurrences: list[Occurrence] = []
    skipped: list[SkippedDate] = []
    day = max(first, rule.starts_on)
    end = last if rule.ends_on is None else min(last, rule.ends_on)
    while day <= end:
        slots = rule.slots_on(day)
        if slots:
            reason = skip_reason(day, absences=absences, skip_holidays=skip_holidays)
            if reason is None:
                occurrences += [Occurrence(day, slot.start_time, slot.end_time) for slot in slots]
            else:
                skipped.append(reason)
        day += timedelta(days=1)
    return Generation(tuple(occurrences), tuple(skipped))


def _slot(item: Appointment | Occurrence) -> tuple[date, time, time]:
    return (item.on, item.start, item.end)


def _nearest(day: date, candidates: list[Occurrence]) -> Occurrence:
    return min(candidates, key=lambda o: (abs((o.on - day).days), o.on, o.start))


def _match_period(
    wanted: list[Occurrence], existing: list[Appointment], skipped_days: set[date], now: datetime
) -> tuple[list[Occurrence], list[Move], list[Appointment], list[Appointment]]:
    """Match one period's wanted visits with its stored series appointments: create, move, delete, keep.

    Exact slots are kept; a past or not merely planned appointment stays and stands in for the
    nearest wanted visit of its period (unless it sits on a skipped day); future planned ones move
    in date order, surplus ones are deleted.
    """
    wanted = sorted(wanted, key=_slot)
    keep: list[Appointment] = []
    rest: list[Appointment] = []
    for appointment in sorted(existing, key=_slot):
        twin = next((o for o in wanted if _slot(o) == _slot(appointment)), None)
        if twin is None:
            rest.append(appointment)
        else:
            wanted.remove(twin)
            keep.append(appointment)
    movable = [a for a in rest if a.status == Status.GEPLANT and a.starts_at > now]
    for locked in (a for a in rest if a.status != Status.GEPLANT or a.starts_at <= now):
        keep.append(locked)
        if wanted and locked.on not in skipped_days:
            wanted.remove(_nearest(locked.on, wanted))
    moves = [Move(a, o.on, o.start, o.end) for a, o in zip(movable, wanted, strict=False)]
    delete = movable[len(wanted) :]
    create = wanted[len(movable) :]
    return create, moves, delete, keep


def reconcile(
    rule: VisitRule | None,
    appointments: Iterable[Appointment],
    *,
    now: datetime,
    horizon_weeks: int = DEFAULT_HORIZON_WEEKS,
    absences: Iterable[Absence] = (),
    skip_holidays: bool = True,
) -> Plan:
    """Plan the changes that make one pairing's appointments follow ``rule`` (None: rule ended)."""
    today = to_local(now).date()
    absences = tuple(absences)
    appointments = tuple(appointments)
    last = horizon_end(today, weeks=horizon_weeks)
    series = [a for a in appointments if not a.is_one_off]
    future = [a for a in series if a.starts_at > now]
    if future:
        last = max(last, max(a.on for a in future))

    wanted: list[Occurrence] = []
    skipped: tuple[SkippedDate, ...] = ()
    if rule is not None:
        generation = generate(rule, first=today, last=last, absences=absences, skip_holidays=skip_holidays)
        one_offs = [a for a in appointments if a.is_one_off]
        replaced = {a.replaces_on for a in one_offs if a.replaces_on}
        taken = {(a.on, a.start) for a in one_offs}
        wanted = [
            o
            for o in generation.occurrences
            if o.starts_at > now and o.on not in replaced and (o.on, o.start) not in taken
        ]
        skipped = generation.skipped

    skipped_days = {s.on for s in skipped}

    def period(day: date) -> int:
        return rule.period_index(day) if rule is not None else 0

    wanted_by_period: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in wanted:
        wanted_by_period[period(occurrence.on)].append(occurrence)
    # Past visits still count for the current period, so a rule change never doubles this week's visit.
    keep: list[Appointment] = [a for a in appointments if a.is_one_off]
    existing_by_period: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in series:
        key = period(appointment.on)
        if appointment.starts_at > now or key in wanted_by_period:
            existing_by_period[key].append(appointment)
        else:
            keep.append(appointment)

    create: list[Occurrence] = []
    moves: list[Move] = []
    delete: list[Appointment] = []
    for key in sorted(set(wanted_by_period) | set(existing_by_period)):
        c, m, d, k = _match_period(wanted_by_period.get(key, []), existing_by_period.get(key, []), skipped_days, now)
        create += c
        moves += m
        delete += d
        keep += k

    conflicts = []
    for appointment in sorted(keep, key=_slot):
        if appointment.starts_at <= now or appointment.is_cancelled:
            continue
        reason = skip_reason(appointment.on, absences=absences, skip_holidays=skip_holidays)
        if reason is not None:
            conflicts.append(Conflict(appointment, reason.reason))

    plan = Plan(
        horizon_end=last,
        create=tuple(sorted(create, key=_slot)),
        update=tuple(sorted(moves, key=lambda m: _slot(m.appointment))),
        delete=tuple(sorted(delete, key=_slot)),
        keep=tuple(sorted(keep, key=_slot)),
        skipped=skipped,
        conflicts=tuple(conflicts),
    )
    log.debug(
        "reconcile: %d create, %d move, %d delete, %d keep, %d skipped",
        len(plan.create),
        len(plan.update),
        len(plan.delete),
        len(plan.keep),
        len(plan.skipped),
    )
    return plan
