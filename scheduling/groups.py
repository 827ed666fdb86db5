"""The sessions of a Demenzgruppe: its weekly rule expanded like visits, leaving out NRW holidays and the
group's closing weeks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from scheduling.formatting import format_date_range
from scheduling.recurrence import Occurrence, SkipKind, SkippedDate, generate
from scheduling.rules import Slot, VisitRule


@dataclass(frozen=True)
class Closure:
    """A closing period of the group (Schließwochen), both days inclusive."""

    starts_on: date
    ends_on: date
    reason: str | None = None


@dataclass(frozen=True)
class SessionPlan:
    """The session dates of a period and the weekly dates left out, with German reasons."""

    sessions: tuple[Occurrence, ...]
    skipped: tuple[SkippedDate, ...]


def plan_sessions(
    *,
    weekday: int,
    start_minute: int,
    end_minute: int,
    starts_on: date,
    ends_on: date | None,
    first: date,
    last: date,
    closures: Iterable[Closure] = (),
) -> SessionPlan:
    """The group's sessions from ``first`` to ``last`` (inclusive): weekly, not on holidays, not when closed."""
    rule = VisitRule((Slot.from_minutes(weekday, start_minute, end_minute - start_minute),), starts_on, ends_on)
    generated = generate(rule, first=first, last=last)
    closures = tuple(closures)
    sessions, skipped = [], list(generated.skipped)
    for occurrence in generated.occurrences:
        closed = next((c for c in closures if c.starts_on <= occurrence.on <= c.ends_on), None)
        if closed is None:
            sessions.append(occurrence)
            continue
        why = f"{closed.reason}, " if closed.reason else ""
        period = format_date_range(closed.starts_on, closed.ends_on)
        skipped.append(SkippedDate(occurrence.on, SkipKind.CLOSURE, f"Schließzeit der Gruppe ({why}{period})"))
    return SessionPlan(tuple(sessions), tuple(sorted(skipped, key=lambda s: s.on)))
