"""Objective terms of the staffing model, one function each, minimised one after the other in this order."""

from __future__ import annotations

from matching.staffing.candidates import Candidates
from matching.staffing.schema import Instance
from matching.staffing.variables import Variables

NEW_MEMBER_COST = 2  # a volunteer new to the group's team this month
RETURNING_MEMBER_COST = 1  # one who was with the group before


def shortfall(vars_: Variables) -> object:
    """Missing places over all sessions: every session should meet its staffing rule."""
    return sum(vars_.short.values())


def continuity(vars_: Variables, inst: Instance) -> object:
    """Team members per group (fewest: the same people week after week), a newcomer costing more than a regular."""
    terms = []
    for (v, group), member in vars_.team.items():
        regular = inst.volunteers[v].history.get(group, 0) > 0
        terms.append((RETURNING_MEMBER_COST if regular else NEW_MEMBER_COST) * member)
    return sum(terms)


def balance(vars_: Variables, inst: Instance, cand: Candidates) -> object:
    """Sum of squared loads: the sessions spread evenly over the volunteers.

    Each square is bounded below by the tangents of k² at the integers (``sq ≥ (2k+1)·load − k(k+1)``): exact at
    every integer load and the convex hull in between, so the LP bound is strong and the optimum gets proven.
    """
    squares = []
    for v, load in vars_.load.items():
        top = min(len(cand.by_volunteer.get(v, [])), max(inst.volunteers[v].max_sessions, 0) or 0)
        top = max(top, sum(1 for i in cand.by_volunteer.get(v, []) if cand.pairs[i] in cand.fixed))
        if top == 0:
            continue
        square = vars_.model.new_int_var(0, top * top, f"load_sq_{v}")
        for k in range(top):
            vars_.model.add(square >= (2 * k + 1) * load - k * (k + 1))
        squares.append(square)
    return sum(squares)


STAGES = ("shortfall", "continuity", "balance")
