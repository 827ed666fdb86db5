"""Instance and solution of the staffing model: plain dataclasses with JSON in and out.

Times are integer minutes after midnight (local wall-clock time), days are ``date`` (ISO strings in JSON). Ids
are kept exactly as given (int or str).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

Id = int | str


def staffing_need(participants: int, ratio: int, minimum: int) -> int:
    """The staffing rule: one volunteer per ``ratio`` participants (rounded up), never fewer than ``minimum``."""
    if ratio < 1:
        raise ValueError("ratio must be at least 1")
    return max(minimum, -(-participants // ratio))


@dataclass(frozen=True)
class Session:
    """One group session to staff: its group, day, time, and how many volunteers it needs."""

    id: Id
    group: Id
    on: date
    start: int
    end: int
    need: int
    group_name: str = ""
    fixed: tuple[Id, ...] = ()  # volunteers already on the roster: kept (they count towards the need)

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        return cls(
            id=data["id"],
            group=data["group"],
            on=date.fromisoformat(data["on"]),
            start=int(data["start"]),
            end=int(data["end"]),
            need=int(data["need"]),
            group_name=data.get("group_name", ""),
            fixed=tuple(data.get("fixed") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "group": self.group,
            "on": self.on.isoformat(),
            "start": self.start,
            "end": self.end,
            "need": self.need,
            "group_name": self.group_name,
            "fixed": list(self.fixed),
        }


@dataclass
class Volunteer:
    """A volunteer who does group sessions, with what binds their time this month."""

    id: Id
    name: str = ""
    max_sessions: int = 4  # in the month
    availability: list[tuple[int, int, int]] = field(default_factory=list)  # weekly (weekday, start, end)
    absences: list[tuple[date, date]] = field(default_factory=list)  # both days inclusive
    busy: list[tuple[date, int, int]] = field(default_factory=list)  # home visits and other commitments
    declined: set[Id] = field(default_factory=set)  # sessions they said "kann nicht" to
    accepted: set[Id] = field(default_factory=set)  # sessions they said "kann" to (allowed outside availability)
    history: dict[Id, int] = field(default_factory=dict)  # group → sessions served with it before
    groups: set[Id] | None = None  # the groups they go to (their districts, or signed up); None: any

    @property
    def label(self) -> str:
        return self.name or f"Ehrenamtliche:r {self.id}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Volunteer:
        return cls(
            id=data["id"],
            name=data.get("name", ""),
            max_sessions=int(data.get("max_sessions", 4)),
            availability=[tuple(a) for a in data.get("availability") or []],
            absences=[(date.fromisoformat(a), date.fromisoformat(b)) for a, b in data.get("absences") or []],
            busy=[(date.fromisoformat(d), int(s), int(e)) for d, s, e in data.get("busy") or []],
            declined=set(data.get("declined") or ()),
            accepted=set(data.get("accepted") or ()),
            history=dict(data.get("history") or {}),
            groups=None if data.get("groups") is None else set(data["groups"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "max_sessions": self.max_sessions,
            "availability": [list(a) for a in self.availability],
            "absences": [[a.isoformat(), b.isoformat()] for a, b in self.absences],
            "busy": [[d.isoformat(), s, e] for d, s, e in self.busy],
            "declined": sorted(self.declined, key=str),
            "accepted": sorted(self.accepted, key=str),
            "history": self.history,
            "groups": None if self.groups is None else sorted(self.groups, key=str),
        }


@dataclass
class Instance:
    """A month to staff: the sessions, the volunteers, the travel buffer and the solver's limits."""

    sessions: list[Session]
    volunteers: list[Volunteer]
    buffer: int = 30  # minutes between a home visit and a group session (and between two sessions)
    time_limit_s: float = 30.0
    workers: int = 1
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Instance:
        return cls(
            sessions=[Session.from_dict(s) for s in data.get("sessions") or []],
            volunteers=[Volunteer.from_dict(v) for v in data.get("volunteers") or []],
            buffer=int(data.get("buffer", 30)),
            time_limit_s=float(data.get("time_limit_s", 30.0)),
            workers=int(data.get("workers", 1)),
            seed=int(data.get("seed", 0)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions": [s.to_dict() for s in self.sessions],
            "volunteers": [v.to_dict() for v in self.volunteers],
            "buffer": self.buffer,
            "time_limit_s": self.time_limit_s,
            "workers": self.workers,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Unstaffed:
    """A session that stays short of volunteers, by how many, and the German reasons why."""

    session: Id
    missing: int
    reasons: tuple[str, ...]


@dataclass
class Solution:
    """Who staffs which session, the sessions left short, and how good and how proven the answer is."""

    roster: dict[Id, list[Id]]  # session → volunteers (fixed ones included)
    unstaffed: list[Unstaffed]
    status: str  # OPTIMAL when every stage is proven, else FEASIBLE (or INFEASIBLE/UNKNOWN)
    stages: dict[str, dict[str, Any]]  # stage → {value, bound, status, seconds}
    seconds: float = 0.0

    @property
    def proven(self) -> bool:
        return self.status == "OPTIMAL"

    def sessions_of(self, volunteer: Id) -> list[Id]:
        return [s for s, vols in self.roster.items() if volunteer in vols]

    def to_dict(self) -> dict[str, Any]:
        return {
            "roster": {str(k): v for k, v in self.roster.items()},
            "unstaffed": [
                {"session": u.session, "missing": u.missing, "reasons": list(u.reasons)} for u in self.unstaffed
            ],
            "status": self.status,
            "stages": self.stages,
            "seconds": self.seconds,
        }
