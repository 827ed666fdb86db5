"""Matching of open requests to volunteers with OR-Tools CP-SAT: pure Python, no Flask.

Public API (the web app calls one of the first two):
    solve(instance: Instance) -> Solution       dataclasses (matching.schema)
    solve_dict(data: dict) -> dict              the JSON contract of ``python -m matching solve``
    validate(instance, solution) -> list[str]   broken hard rules, checked without the solver

Instance.from_dict / Solution.to_dict convert to and from the JSON shape. A solution lists assignments with
visits and German reasons, unserved requests with German reasons and reason_codes, status (OPTIMAL when all
three rules are proven), served/served_bound/served_proven for rule 1, objective/bound for the lexicographic
objective encoded as one integer, and per rule value and bound in ``stages``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matching.schema import Assignment, Instance, Request, Settings, Slot, Solution, Unserved, Visit, Volunteer
from matching.validator import validate


def solve(instance: Instance, *, progress: Callable[[str], None] | None = None) -> Solution:
    """Solve ``instance`` with CP-SAT (OR-Tools loads on the first call, not on import); ``progress`` hears the
    German name of each step as it begins (``matching.progress.STEPS``)."""
    from matching.solver import solve as solve_with_cp_sat

    return solve_with_cp_sat(instance, progress=progress)


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
