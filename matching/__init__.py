"""Matching of open requests to volunteers with OR-Tools CP-SAT: pure Python, no Flask.

Public API:
    solve(instance: Instance) -> Solution
    solve_dict(data: dict) -> dict          (the JSON contract of ``python -m matching solve``)
    validate(instance, solution) -> list[str]
"""

from __future__ import annotations

from typing import Any

from matching.schema import Assignment, Instance, Request, Settings, Slot, Solution, Unserved, Visit, Volunteer
from matching.solver import solve
from matching.validator import validate


def solve_dict(data: dict[str, Any]) -> dict[str, Any]:
    """Solve an instance given as a JSON-like dict and return the solution as a dict."""
    return solve(Instance.from_dict(data)).to_dict()


__all__ = [
    "Assignment",
    "Instance",
    "Request",
    "Settings",
    "Slot",
    "Solution",
    "Unserved",
    "Visit",
    "Volunteer",
    "solve",
    "solve_dict",
    "validate",
]
