"""Plain data shared by the scheduling modules: appointments, statuses, absences, local time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

BERLIN = ZoneInfo("Europe/Berlin")


class Status(StrEnum):
    """Lifecycle of an appointment, values as stored by the app."""

    GEPLANT = "geplant"
    BESTAETIGT = "bestaetigt"
    ABGESAGT = "abgesagt"
    STATTGEFUNDEN = "stattgefunden"
    AUSGEFALLEN = "ausgefallen"

    #: still to happen: not yet held, not called off
    OPEN: ClassVar[tuple[Status, ...]]
    #: take (or took) the volunteer's time: everything but the cancelled ones
    LIVE: ClassVar[tuple[Status, ...]]
    #: the visit does not (or did not) happen
    CANCELLED: ClassVar[tuple[Status, ...]]

    @property
    def label(self) -> str:
        """German label for pages and mails."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.GEPLANT: "geplant",
    Status.BESTAETIGT: "bestätigt",
    Status.ABGESAGT: "abgesagt",
    Status.STATTGEFUNDEN: "stattgefunden",
    Status.AUSGEFALLEN: "ausgefallen",
}

Status.OPEN = (Status.GEPLANT, Status.BESTAETIGT)
Status.LIVE = (Status.GEPLANT, Status.BESTAETIGT, Status.STATTGEFUNDEN)
Status.CANCELLED = (Status.ABGESAGT, Status.AUSGEFALLEN)


@dataclass(frozen=True)
class Appointment:
    """One visit as the app stores it; dates and times are local (Europe/Berlin), naive."""

    id: int | str | None
    on: date
    start: time
    end: time
    status: Status = Status.GEPLANT
    is_one_off: bool = False
    replaces_on: date | None = None
    pairing_id: int | str | None = None
    volunteer_id: int | str | None = None
    senior_id: int | str | None = None
    senior_label: str = ""
    volunteer_label: str = ""
    district: str = ""
    actual_minutes: int | None = None

    @property
    def starts_at(self) -> datetime:
        """Start as an aware datetime in Europe/Berlin."""
        return local_datetime(self.on, self.start)

    @property
    def ends_at(self) -> datetime:
        """End as an aware datetime in Europe/Berlin (next day if the end is not after the start)."""
        end_day = self.on if self.end > self.start else self.on + timedelta(days=1)
        return local_datetime(end_day, self.end)

    @property
    def duration_minutes(self) -> int:
        """Planned length in local wall-clock minutes."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return (end - start) % (24 * 60)

    @property
    def is_cancelled(self) -> bool:
        """True when the visit is called off (abgesagt or ausgefallen)."""
        return self.status in Status.CANCELLED


@dataclass(frozen=True)
class Absence:
    """A volunteer's absence, both days inclusive; ``who`` names the volunteer where a calendar shows it."""

    starts_on: date
    ends_on: date
    who: str = ""

    def covers(self, day: date) -> bool:
        """True when the volunteer is away on that day."""
        return self.starts_on <= day <= self.ends_on


def local_datetime(day: date, at: time) -> datetime:
    """Combine a local date and wall-clock time into an aware Europe/Berlin datetime."""
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=BERLIN)


def require_aware(now: datetime) -> datetime:
    """Return ``now`` unchanged, or raise if it has no timezone."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (UTC timestamps)")
    return now


def to_local(moment: datetime) -> datetime:
    """Convert an aware timestamp to Europe/Berlin."""
    return require_aware(moment).astimezone(BERLIN)
