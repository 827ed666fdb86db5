"""The recurring visit rule of a pairing and its validation with German messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from scheduling.formatting import format_date, format_time_range, format_weekdays

log = logging.getLogger(__name__)

MAX_DURATION_MINUTES = 12 * 60


class Frequency(StrEnum):
    """How often the rule repeats."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"

    @property
    def label(self) -> str:
        """German label for forms."""
        return "wöchentlich" if self is Frequency.WEEKLY else "alle zwei Wochen"

    @property
    def period_weeks(self) -> int:
        """Length of one repetition period in weeks."""
        return 1 if self is Frequency.WEEKLY else 2


class RuleError(ValueError):
    """Raised for an invalid rule; ``messages`` holds the German reasons."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class VisitRule:
    """Recurring visits of one pairing: weekdays (0=Mon..6=Sun), local start time, length, validity."""

    weekdays: tuple[int, ...]
    start_time: time
    duration_minutes: int
    starts_on: date
    ends_on: date | None = None
    frequency: Frequency = Frequency.WEEKLY

    @property
    def end_time(self) -> time:
        """Local end time of each visit."""
        minutes = self.start_time.hour * 60 + self.start_time.minute + self.duration_minutes
        return time(minutes // 60 % 24, minutes % 60)

    @property
    def anchor_monday(self) -> date:
        """Monday of the week of ``starts_on``; biweekly rules count their weeks from here."""
        return monday_of(self.starts_on)

    def is_active_week(self, day: date) -> bool:
        """True when the week containing ``day`` is a visiting week of this rule."""
        weeks = (monday_of(day) - self.anchor_monday).days // 7
        return weeks % Frequency(self.frequency).period_weeks == 0

    def period_index(self, day: date) -> int:
        """Number of the repetition period containing ``day`` (0 for the first period)."""
        weeks = (monday_of(day) - self.anchor_monday).days // 7
        return weeks // Frequency(self.frequency).period_weeks

    def matches(self, day: date) -> bool:
        """True when the rule schedules a visit on ``day`` (holidays and absences not considered)."""
        if day < self.starts_on or (self.ends_on is not None and day > self.ends_on):
            return False
        return day.weekday() in self.weekdays and self.is_active_week(day)

    def describe(self) -> str:
        """'wöchentlich montags und freitags, 10:00–12:00 Uhr, ab 01.04.2026'."""
        text = (
            f"{Frequency(self.frequency).label} {format_weekdays(self.weekdays, adverb=True)}, "
            f"{format_time_range(self.start_time, self.end_time)} Uhr, ab {format_date(self.starts_on)}"
        )
        if self.ends_on is not None:
            text += f" bis {format_date(self.ends_on)}"
        return text


def monday_of(day: date) -> date:
    """Monday of the ISO week containing ``day``."""
    return day - timedelta(days=day.weekday())


def validate_rule(rule: VisitRule) -> list[str]:
    """Return German error messages; an empty list means the rule is valid."""
    errors: list[str] = []
    if not rule.weekdays:
        errors.append("Bitte mindestens einen Wochentag auswählen.")
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in rule.weekdays):
        errors.append("Wochentage müssen zwischen 0 (Montag) und 6 (Sonntag) liegen.")
    elif len(set(rule.weekdays)) != len(rule.weekdays):
        errors.append("Jeder Wochentag darf nur einmal vorkommen.")
    if rule.frequency not in set(Frequency):
        errors.append("Bitte „wöchentlich“ oder „alle zwei Wochen“ wählen.")
    if rule.start_time.tzinfo is not None:
        errors.append("Die Uhrzeit wird als Ortszeit ohne Zeitzone angegeben.")
    if not isinstance(rule.duration_minutes, int) or isinstance(rule.duration_minutes, bool):
        errors.append("Die Dauer wird in ganzen Minuten angegeben.")
    elif rule.duration_minutes <= 0:
        errors.append("Die Dauer muss größer als 0 Minuten sein.")
    elif rule.duration_minutes > MAX_DURATION_MINUTES:
        errors.append(f"Ein Besuch darf höchstens {MAX_DURATION_MINUTES // 60} Stunden dauern.")
    else:
        start = rule.start_time.hour * 60 + rule.start_time.minute
        if start + rule.duration_minutes > 24 * 60:
            errors.append("Der Besuch muss am selben Tag enden.")
    if rule.ends_on is not None and rule.ends_on < rule.starts_on:
        errors.append("Das Enddatum darf nicht vor dem Startdatum liegen.")
    return errors


def check_rule(rule: VisitRule) -> VisitRule:
    """Return the rule, or raise :class:`RuleError` with German messages."""
    errors = validate_rule(rule)
    if errors:
        raise RuleError(errors)
    return rule
