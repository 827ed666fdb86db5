"""Instance and solution schema: plain dataclasses with JSON in and out.

Times are integer minutes after 00:00 inside the package and "HH:MM" strings in JSON.
Ids of volunteers and requests are kept exactly as given (int or str).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

Id = int | str

WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
SERVICES = ("besuchsdienst", "entlastung")


def parse_hhmm(text: str) -> int:
    """Return minutes after midnight for an "HH:MM" string ("24:00" allowed as an end)."""
    hours, _, minutes = str(text).partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= 24 * 60:
        raise ValueError(f"time out of range: {text!r}")
    return value


def format_hhmm(minutes: int) -> str:
    """Return "HH:MM" for minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, order=True)
class Slot:
    """A weekly recurring time interval [start, end) on one weekday (Mon=0)."""

    weekday: int
    start: int
    end: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Slot:
        slot = cls(int(data["weekday"]), parse_hhmm(data["start"]), parse_hhmm(data["end"]))
        if not 0 <= slot.weekday <= 6:
            raise ValueError(f"weekday out of range: {data!r}")
        return slot

    def to_dict(self) -> dict[str, Any]:
        return {"weekday": self.weekday, "start": format_hhmm(self.start), "end": format_hhmm(self.end)}


def _given(value: Any, default: Any) -> Any:
    """The value unless it is missing (None); 0 stays 0."""
    return default if value is None else value


def _slots(items: Any) -> list[Slot]:
    return [Slot.from_dict(item) for item in items or []]


@dataclass
class Volunteer:
    """A volunteer with what they offer and what they have LEFT this week."""

    id: Id
    districts: list[str]
    services: list[str]
    languages: list[str] = field(default_factory=list)
    gender: str | None = None
    max_minutes_per_week: int = 0
    max_seniors: int = 0
    availability: list[Slot] = field(default_factory=list)
    busy: list[Slot] = field(default_factory=list)
    name: str | None = None

    @property
    def home(self) -> str | None:
        return self.districts[0] if self.districts else None

    @property
    def label(self) -> str:
        return self.name or f"Ehrenamtliche(r) {self.id}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Volunteer:
        return cls(
            id=data["id"],
            districts=list(data.get("districts") or []),
            services=list(data.get("services") or []),
            languages=list(data.get("languages") or []),
            gender=data.get("gender"),
            max_minutes_per_week=int(data.get("max_minutes_per_week") or 0),
            max_seniors=int(data.get("max_seniors") or 0),
            availability=_slots(data.get("availability")),
            busy=_slots(data.get("busy")),
            name=data.get("name"),
        )

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "districts": self.districts,
            "services": self.services,
            "languages": self.languages,
            "gender": self.gender,
            "max_minutes_per_week": self.max_minutes_per_week,
            "max_seniors": self.max_seniors,
            "availability": [s.to_dict() for s in self.availability],
            "busy": [s.to_dict() for s in self.busy],
        }
        if self.name is not None:
            out["name"] = self.name
        return out


@dataclass
class Request:
    """An open placement request (Vermittlungsanfrage) of one senior."""

    id: Id
    district: str
    service: str
    visits_per_week: int = 1
    minutes_per_visit: int = 60
    windows: list[Slot] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    volunteer_gender: str | None = None
    urgency: int = 1
    waiting_days: int = 0
    pinned_volunteer: Id | None = None
    excluded_volunteers: list[Id] = field(default_factory=list)
    name: str | None = None

    @property
    def weekly_minutes(self) -> int:
        return self.visits_per_week * self.minutes_per_visit

    @property
    def label(self) -> str:
        return self.name or f"Anfrage {self.id}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Request:
        return cls(
            id=data["id"],
            district=str(data.get("district") or ""),
            service=str(data.get("service") or ""),
            visits_per_week=int(_given(data.get("visits_per_week"), 1)),
            minutes_per_visit=int(_given(data.get("minutes_per_visit"), 60)),
            windows=_slots(data.get("windows")),
            languages=list(data.get("languages") or []),
            volunteer_gender=data.get("volunteer_gender") or None,
            urgency=int(data.get("urgency") or 1),
            waiting_days=max(0, int(data.get("waiting_days") or 0)),
            pinned_volunteer=data.get("pinned_volunteer"),
            excluded_volunteers=list(data.get("excluded_volunteers") or []),
            name=data.get("name"),
        )

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "district": self.district,
            "service": self.service,
            "visits_per_week": self.visits_per_week,
            "minutes_per_visit": self.minutes_per_visit,
            "windows": [s.to_dict() for s in self.windows],
            "languages": self.languages,
            "volunteer_gender": self.volunteer_gender,
            "urgency": self.urgency,
            "waiting_days": self.waiting_days,
        }
        if self.pinned_volunteer is not None:
            out["pinned_volunteer"] = self.pinned_volunteer
        if self.excluded_volunteers:
            out["excluded_volunteers"] = self.excluded_volunteers
        if self.name is not None:
            out["name"] = self.name
        return out


@dataclass
class Settings:
    """Rules of the grid and knobs of the engine."""

    slot_minutes: int = 15
    travel_buffer_minutes: int = 30
    time_limit_s: float = 10.0
    workers: int = 1
    seed: int = 0
    linearization_level: int = 1
    log_search: bool = False
    # weights of the rule-3 (quality) cost, in tenths of a kilometre per visit
    unknown_distance_km: float = 25.0
    language_bonus: int = 50
    balance_penalty: int = 30
    district_coordinates: dict[str, tuple[float, float]] = field(default_factory=dict)
    # the column-generation bounds; off leaves the proofs to CP-SAT alone (for comparison and tests)
    column_generation: bool = True
    # share of the time left after rule 1 that rule 2 may use (rule 3 gets the rest)
    priority_time_share: float = 0.15
    # any further CP-SAT parameter by name, e.g. {"symmetry_level": 1}
    cp_sat: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Settings:
        data = dict(data or {})
        known = {name for name in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            logger.info("ignoring unknown settings %s", unknown)
        kwargs = {key: value for key, value in data.items() if key in known}
        if "district_coordinates" in kwargs:
            kwargs["district_coordinates"] = {
                key: (float(lat), float(lon)) for key, (lat, lon) in kwargs["district_coordinates"].items()
            }
        settings = cls(**kwargs)
        if settings.slot_minutes <= 0:
            raise ValueError("slot_minutes must be positive")
        return settings

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["district_coordinates"] = {k: list(v) for k, v in self.district_coordinates.items()}
        if not out["district_coordinates"]:
            del out["district_coordinates"]
        return out


@dataclass
class Instance:
    """Everything the engine needs: volunteers, open requests, settings."""

    volunteers: list[Volunteer]
    requests: list[Request]
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Instance:
        return cls(
            volunteers=[Volunteer.from_dict(v) for v in data.get("volunteers") or []],
            requests=[Request.from_dict(r) for r in data.get("requests") or []],
            settings=Settings.from_dict(data.get("settings")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "volunteers": [v.to_dict() for v in self.volunteers],
            "requests": [r.to_dict() for r in self.requests],
            "settings": self.settings.to_dict(),
        }

    @classmethod
    def from_json(cls, text: str) -> Instance:
        return cls.from_dict(json.loads(text))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


@dataclass
class Visit:
    """One weekly visit of an assignment."""

    weekday: int
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"weekday": self.weekday, "start": format_hhmm(self.start), "end": format_hhmm(self.end)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Visit:
        return cls(int(data["weekday"]), parse_hhmm(data["start"]), parse_hhmm(data["end"]))


@dataclass
class Alternative:
    """Another volunteer who could take the request instead, with everyone else's proposal left as it is."""

    volunteer: Id
    visits: list[Visit]
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"volunteer": self.volunteer, "visits": [v.to_dict() for v in self.visits], "reasons": self.reasons}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alternative:
        visits = [Visit.from_dict(v) for v in data.get("visits") or []]
        return cls(volunteer=data["volunteer"], visits=visits, reasons=list(data.get("reasons") or []))


@dataclass
class Assignment:
    """A proposed pair with its weekly visits, the German criteria it meets, and ranked alternatives."""

    request: Id
    volunteer: Id
    visits: list[Visit]
    reasons: list[str] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "volunteer": self.volunteer,
            "visits": [v.to_dict() for v in self.visits],
            "reasons": self.reasons,
            "alternatives": [a.to_dict() for a in self.alternatives],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assignment:
        return cls(
            request=data["request"],
            volunteer=data["volunteer"],
            visits=[Visit.from_dict(v) for v in data.get("visits") or []],
            reasons=list(data.get("reasons") or []),
            alternatives=[Alternative.from_dict(a) for a in data.get("alternatives") or []],
        )


@dataclass
class Unserved:
    """A request left open with German reasons and machine-readable codes."""

    request: Id
    reasons: list[str] = field(default_factory=list)
    reason_codes: list[str] = field(default_factory=list)
    volunteers: list[Id] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "reasons": self.reasons,
            "reason_codes": self.reason_codes,
            "volunteers": self.volunteers,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Unserved:
        return cls(
            request=data["request"],
            reasons=list(data.get("reasons") or []),
            reason_codes=list(data.get("reason_codes") or []),
            volunteers=list(data.get("volunteers") or []),
        )


@dataclass
class Solution:
    """The proposal: status, proven bounds, assignments and unserved requests.

    ``objective``/``bound`` encode the lexicographic objective (served, priority, quality) as one integer;
    ``served_bound`` is the proven upper bound of rule 1 alone, ``stages`` has value and bound per rule.
    """

    status: str
    served: int
    objective: int
    bound: int
    wall_s: float
    assignments: list[Assignment] = field(default_factory=list)
    unserved: list[Unserved] = field(default_factory=list)
    served_bound: int = 0
    served_proven: bool = False
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "served": self.served,
            "objective": self.objective,
            "bound": self.bound,
            "wall_s": round(self.wall_s, 3),
            "served_bound": self.served_bound,
            "served_proven": self.served_proven,
            "stages": self.stages,
            "stats": self.stats,
            "assignments": [a.to_dict() for a in self.assignments],
            "unserved": [u.to_dict() for u in self.unserved],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Solution:
        return cls(
            status=data["status"],
            served=int(data["served"]),
            objective=int(data.get("objective") or 0),
            bound=int(data.get("bound") or 0),
            wall_s=float(data.get("wall_s") or 0.0),
            assignments=[Assignment.from_dict(a) for a in data.get("assignments") or []],
            unserved=[Unserved.from_dict(u) for u in data.get("unserved") or []],
            served_bound=int(data.get("served_bound") or 0),
            served_proven=bool(data.get("served_proven")),
            stages=dict(data.get("stages") or {}),
            stats=dict(data.get("stats") or {}),
        )
