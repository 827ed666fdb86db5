"""Tiny instances for the matching tests, and a helper that solves AND validates."""

from __future__ import annotations

from typing import Any

from matching import solve_dict
from matching.schema import Instance, Solution
from matching.solver import solve
from matching.validator import validate


def slot(day: int, start: str, end: str) -> dict[str, Any]:
    return {"weekday": day, "start": start, "end": end}


def volunteer(vid: Any = "v1", **fields: Any) -> dict[str, Any]:
    """A volunteer in Eving offering Besuchsdienst, free Monday to Friday 08:00-18:00, unless told otherwise."""
    data = {
        "id": vid,
        "districts": ["Eving"],
        "services": ["besuchsdienst"],
        "languages": ["Deutsch"],
        "gender": "w",
        "max_minutes_per_week": 600,
        "max_seniors": 3,
        "availability": [slot(d, "08:00", "18:00") for d in range(5)],
        "busy": [],
    }
    data.update(fields)
    return data


def request(rid: Any = 1, **fields: Any) -> dict[str, Any]:
    """A request in Eving for one 60-minute Besuchsdienst visit, any weekday 08:00-18:00, unless told otherwise."""
    data = {
        "id": rid,
        "district": "Eving",
        "service": "besuchsdienst",
        "visits_per_week": 1,
        "minutes_per_visit": 60,
        "windows": [slot(d, "08:00", "18:00") for d in range(5)],
        "languages": [],
        "volunteer_gender": None,
        "urgency": 1,
        "waiting_days": 0,
    }
    data.update(fields)
    return data


def instance(volunteers: list[dict], requests: list[dict], **settings: Any) -> dict[str, Any]:
    settings.setdefault("time_limit_s", 10)
    return {"volunteers": volunteers, "requests": requests, "settings": settings}


def solve_checked(data: dict[str, Any]) -> Solution:
    """Solve the instance and fail the test if the solution breaks any hard rule."""
    inst = Instance.from_dict(data)
    sol = solve(inst)
    errors = validate(inst, sol)
    assert errors == [], errors
    assert sol.status == "OPTIMAL", sol.stages
    # the JSON contract round-trips
    assert solve_dict(data)["served"] == sol.served
    return sol


def pairs(sol: Solution) -> dict[Any, Any]:
    """request id -> volunteer id of the proposal."""
    return {a.request: a.volunteer for a in sol.assignments}


def codes(sol: Solution) -> dict[Any, str]:
    """request id -> first reason code of the unserved requests."""
    return {u.request: u.reason_codes[0] for u in sol.unserved}
