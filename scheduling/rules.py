"""The recurring visit rule of a pairing and its validation with German messages."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import pairwise

from scheduling.formatting import WEEKDAY_ADVERBS, WEEKDAY_NAMES, format_date, format_time_range, join_german

log = logging.getLogger(__name__)

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 600
INTERVAL_LABELS = {1: "wöchentlich", 2: "alle zwei Wochen"}


class RuleError(ValueError):
    """Raised for an invalid rule; ``messages`` holds the German reasons."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _minute(at: time) -> int:
    return at.hour * 60 + at.minute


@dataclass(frozen=True)
class Slot:
    """One visit per visiting week: weekday (0=Mon..6=Sun), local start time, length in minutes."""

    weekday: int
    start_time: time
    duration_minutes: int

    @classmethod
    def from_minutes(cls, weekday: int, start_minute: int, duration_minutes: int) -> Slot:
        """Build from minutes after midnight, as the app's PairingSlot stores it."""
        return cls(weekday, time(start_minute // 60, start_minute % 60), duration_minutes)

    @property
    def end_time(self) -> time:
        """Local end time (wraps at midnight; validation forbids that)."""
        minutes = _minute(self.start_time) + self.duration_minutes
        return time(minutes // 60 % 24, minutes % 60)


@dataclass(frozen=True)
class VisitRule:
    """Recurring visits of one pairing: its slots, every ``interval_weeks`` weeks, from/until a date."""

    slots: tuple[Slot, ...]
    starts_on: date
    ends_on: date | None = None
    interval_weeks: int = 1

    @classmethod
    def same_time(
        cls,
        weekdays: Iterable[int],
        start_time: time,
        duration_minutes: int,
        starts_on: date,
        *,
        ends_on: date | None = None,
        interval_weeks: int = 1,
    ) -> VisitRule:
        """A rule with the same start time and length on every given weekday."""
        slots = tuple(Slot(d, start_time, duration_minutes) for d in weekdays)
        return cls(slots, starts_on, ends_on, interval_weeks)

    @property
    def weekdays(self) -> tuple[int, ...]:
        """Weekdays with a visit, sorted, without repeats."""
        return tuple(sorted({slot.weekday for slot in self.slots}))

    @property
    def anchor_monday(self) -> date:
        """Monday of the week of ``starts_on``; biweekly rules count their weeks from here."""
        return monday_of(self.starts_on)

    def period_index(self, day: date) -> int:
        """Number of the repetition period containing ``day`` (0 for the first period)."""
        weeks = (monday_of(day) - self.anchor_monday).days // 7
        return weeks // self.interval_weeks

    def is_active_week(self, day: date) -> bool:
        """True when the week containing ``day`` is a visiting week of this rule."""
        weeks = (monday_of(day) - self.anchor_monday).days // 7
        return weeks % self.interval_weeks == 0

    def slots_on(self, day: date) -> tuple[Slot, ...]:
        """Slots the rule schedules on ``day`` (holidays and absences not considered)."""
        if day < self.starts_on or (self.ends_on is not None and day > self.ends_on):
            return ()
        if not self.is_active_week(day):
            return ()
        return tuple(sorted((s for s in self.slots if s.weekday == day.weekday()), key=lambda s: s.start_time))

    def describe(self) -> str:
        """'wöchentlich montags und freitags 10:00–12:00 Uhr, ab 01.04.2026'."""
        parts = [
            f"{WEEKDAY_ADVERBS[s.weekday]} {format_time_range(s.start_time, s.end_time)} Uhr"
            for s in sorted(self.slots, key=lambda s: (s.weekday, s.start_time))
        ]
        times = {(s.start_time, s.duration_minutes) for s in self.slots}
        if len(times) == 1 and len(self.weekdays) == len(self.slots):
            slot = self.slots[0]
            days = join_german(WEEKDAY_ADVERBS[d] for d in self.weekdays)
            parts = [f"{days} {format_time_range(slot.start_time, slot.end_time)} Uhr"]
        label = INTERVAL_LABELS.get(self.interval_weeks, f"alle {self.interval_weeks} Wochen")
        text = f"{label} {join_german(parts)}, ab {format_date(self.starts_on)}"
        if self.ends_on is not None:
            text += f" bis {format_date(self.ends_on)}"
        return text


def monday_of(day: date) -> date:
    """Monday of the ISO week containing ``day``."""
    return day - timedelta(days=day.weekday())


def _slot_errors(slot: Slot) -> list[str]:
    if not isinstance(slot.weekday, int) or not 0 <= slot.weekday <= 6:
        return ["Wochentage müssen zwischen 0 (Montag) und 6 (Sonntag) liegen."]
    if slot.start_time.tzinfo is not None:
        return ["Die Uhrzeit wird als Ortszeit ohne Zeitzone angegeben."]
    minutes = slot.duration_minutes
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        return ["Die Dauer wird in ganzen Minuten angegeben."]
    if minutes < MIN_DURATION_MINUTES:
        return [f"Ein Besuch dauert mindestens {MIN_DURATION_MINUTES} Minuten."]
    if minutes > MAX_DURATION_MINUTES:
        return [f"Ein Besuch darf höchstens {MAX_DURATION_MINUTES // 60} Stunden dauern."]
    if _minute(slot.start_time) + minutes > 24 * 60:
        return ["Der Besuch muss am selben Tag enden."]
    return []


def validate_rule(rule: VisitRule) -> list[str]:
    """Return German error messages; an empty list means the rule is valid."""
    errors: list[str] = []
    if not rule.slots:
        errors.append("Bitte mindestens einen Wochentag auswählen.")
    for slot in rule.slots:
        errors += [e for e in _slot_errors(slot) if e not in errors]
    if not errors:
        ordered = sorted(rule.slots, key=lambda s: (s.weekday, s.start_time))
        for first, second in pairwise(ordered):
            if first.weekday == second.weekday and _minute(first.start_time) + first.duration_minutes > _minute(
                second.start_time
            ):
                errors.append(f"Die Besuchszeiten am {WEEKDAY_NAMES[first.weekday]} überschneiden sich.")
    if rule.interval_weeks not in INTERVAL_LABELS:
        errors.append("Bitte „wöchentlich“ oder „alle zwei Wochen“ wählen.")
    if rule.ends_on is not None and rule.ends_on < rule.starts_on:
        errors.append("Das Enddatum darf nicht vor dem Startdatum liegen.")
    return errors


def check_rule(rule: VisitRule) -> VisitRule:
    """Return the rule, or raise :class:`RuleError` with German messages."""
    errors = validate_rule(rule)
    if errors:
        raise RuleError(errors)
    return rule
