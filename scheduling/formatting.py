"""German date and time formatting for mails and pages, kept in one place."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time

from scheduling.model import BERLIN, require_aware

log = logging.getLogger(__name__)

WEEKDAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
WEEKDAY_SHORT = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
WEEKDAY_ADVERBS = ("montags", "dienstags", "mittwochs", "donnerstags", "freitags", "samstags", "sonntags")
MONTH_NAMES = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def weekday_name(day: date | int) -> str:
    """'Montag' for a date or a weekday number (0=Monday)."""
    index = day if isinstance(day, int) else day.weekday()
    return WEEKDAY_NAMES[index]


def format_date(day: date) -> str:
    """'03.11.2026'."""
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def format_date_short(day: date) -> str:
    """'03.11.' without the year."""
    return f"{day.day:02d}.{day.month:02d}."


def format_date_long(day: date) -> str:
    """'Dienstag, 03.11.2026'."""
    return f"{weekday_name(day)}, {format_date(day)}"


def format_date_words(day: date) -> str:
    """'3. November 2026'."""
    return f"{day.day}. {MONTH_NAMES[day.month - 1]} {day.year}"


def format_date_range(first: date, last: date) -> str:
    """'03.08.–14.08.2026', or '28.12.2026–03.01.2027' across years, or one date if equal."""
    if first == last:
        return format_date(first)
    if first.year == last.year:
        return f"{format_date_short(first)}–{format_date(last)}"
    return f"{format_date(first)}–{format_date(last)}"


def format_time(at: time) -> str:
    """'10:00'."""
    return f"{at.hour:02d}:{at.minute:02d}"


def format_time_range(start: time, end: time) -> str:
    """'10:00–12:00'."""
    return f"{format_time(start)}–{format_time(end)}"


def format_appointment(day: date, start: time, end: time) -> str:
    """'Dienstag, 03.11.2026, 10:00–12:00 Uhr'."""
    return f"{format_date_long(day)}, {format_time_range(start, end)} Uhr"


def format_datetime(moment: datetime) -> str:
    """'03.11.2026, 10:00 Uhr' for an aware timestamp, shown in Europe/Berlin."""
    local = require_aware(moment).astimezone(BERLIN)
    return f"{format_date(local.date())}, {format_time(local.time())} Uhr"


def format_duration(minutes: int) -> str:
    """'45 Min.', '2 Std.', '1 Std. 30 Min.'."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} Min."
    if not rest:
        return f"{hours} Std."
    return f"{hours} Std. {rest} Min."


def format_hours(minutes: int) -> str:
    """Decimal hours with a comma: 90 → '1,5', 120 → '2', 100 → '1,67'."""
    text = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def join_german(parts: Iterable[str]) -> str:
    """'a', 'a und b', 'a, b und c'."""
    items = list(parts)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} und {items[-1]}"


def format_weekdays(weekdays: Iterable[int], *, adverb: bool = False) -> str:
    """'Montag und Freitag', or 'montags und freitags' with ``adverb=True``."""
    names = WEEKDAY_ADVERBS if adverb else WEEKDAY_NAMES
    return join_german(names[d] for d in sorted(set(weekdays)))


def format_iso_week(day: date) -> str:
    """'KW 45/2026' for the ISO week containing ``day``."""
    year, week, _ = day.isocalendar()
    return f"KW {week}/{year}"


def senior_short_label(salutation: str, last_name: str) -> str:
    """'Frau M.' from salutation and surname; only the initial, for calendars and subjects."""
    initial = f"{last_name.strip()[:1].upper()}." if last_name.strip() else ""
    return " ".join(part for part in (salutation.strip(), initial) if part)
