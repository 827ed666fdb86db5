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
    """Sum of squared loads: the sessions spread evenly over the volunteers."""
    squares = []
    for v, load in vars_.load.items():
        top = len(cand.by_volunteer.get(v, []))
        if top == 0:
            continue
        square = vars_.model.new_int_var(0, top * top, f"load_sq_{v}")
        vars_.model.add_multiplication_equality(square, [load, load])
        squares.append(square)
    return sum(squares)


STAGES = ("shortfall", "continuity", "balance")
