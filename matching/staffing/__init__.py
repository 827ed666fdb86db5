"""Staffing of Demenzgruppen sessions for a month with OR-Tools CP-SAT: pure Python, no Flask.

Public API:
    solve(instance: Instance) -> Solution        who staffs which session (matching.staffing.schema)
    validate(instance, solution) -> list[str]    broken rules, checked without the solver
    staffing_need(participants, ratio, minimum)  the staffing rule of a group

The model follows the layout of ``matching``: instance dataclasses (``schema``), the hard rules per
(volunteer, session) pair (``candidates``), the variables (``variables``), one function per constraint
(``constraints``) and per objective term (``objectives``), the solver that composes them (``solver``) and a
solver-free validator (``validator``). Priorities, solved one after the other and each proven optimal where time
allows: 1. every session meets its staffing rule (fewest missing places), 2. continuity (the same volunteers with
the same group week after week, preferring those who were with it before), 3. balanced load.
"""

from __future__ import annotations

from matching.staffing.schema import (
    Instance,
    Session,
    Solution,
    Unstaffed,
    Volunteer,
    staffing_need,
)
from matching.staffing.validator import validate


def solve(instance: Instance) -> Solution:
    """Staff the sessions of ``instance`` with CP-SAT (OR-Tools loads on the first call, not on import: the web app
    imports this package for ``staffing_need`` in every worker and CLI command)."""
    from matching.staffing.solver import solve as solve_with_cp_sat

    return solve_with_cp_sat(instance)


__all__ = ["Instance", "Session", "Solution", "Unstaffed", "Volunteer", "solve", "staffing_need", "validate"]
