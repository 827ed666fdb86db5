"""Shared column types and helpers for the models."""

from datetime import UTC, datetime
from enum import Enum, StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..clock import now

WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
GENDERS = {"w": "weiblich", "m": "männlich", "d": "divers"}
SERVICES = {
    "besuchsdienst": "Besuchsdienst",
    "entlastung": "Häusliche Entlastung",
    "demenzgruppe": "Demenzgruppe",
}


class Choice(StrEnum):
    """A stored code with its German label: ``AKTIV = "aktiv"`` or ``WARTEND = "wartend", "wartet auf Vermittlung"``.

    A member is a ``str`` equal to its code, so columns, values loaded from the database, templates and JSON treat
    it as the plain string it stores; named groups of members are tuples set on the class after it.
    """

    label: str

    def __new__(cls, code: str, label: str | None = None):
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label or code
        return member


def labels(choices: type[Enum]) -> dict[str, str]:
    """``{code: German label}`` of a status enum, in its order: for templates, select fields and messages."""
    return {member.value: member.label for member in choices}


def label_of(choices: type[Enum], code: str) -> str:
    """The German label of ``code`` (a member or the string the database holds)."""
    return choices(code).label


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Timestamps:
    """created_at / updated_at columns, set in UTC from the app's clock."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class WeeklyInterval:
    """Columns of a weekly interval: weekday (0 = Montag) and minutes after midnight, local time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]

    @declared_attr.directive
    def __table_args__(cls):
        return (
            sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
            sa.CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute", name="range"),
        )

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {minutes_label(self.start_minute)}–{minutes_label(self.end_minute)}"


def in_values(column: str, values) -> str:
    """SQL text for a CHECK that ``column`` holds one of ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def minutes_label(minute: int) -> str:
    """'10:30' for 630 minutes after midnight."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def split_list(text: str | None) -> list[str]:
    """'Deutsch, Türkisch' → ['Deutsch', 'Türkisch'] (stored lists are comma-separated)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def join_list(items) -> str:
    """The stored form of a list of names: unique, in the given order, comma-separated."""
    seen: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return ", ".join(seen)
