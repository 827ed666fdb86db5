"""Objective terms, one function each, in lexicographic order: served, priority, quality cost."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ortools.sat.python import cp_model

from matching.candidates import Candidates, Pair
from matching.schema import Instance
from matching.variables import Variables

logger = logging.getLogger(__name__)


def served_term(vars_: Variables) -> cp_model.LinearExprT:
    """Rule 1: the number of requests served (a request counts once, with all its visits)."""
    return sum(vars_.x)


def waiting_weight(inst: Instance) -> int:
    """Weight of one urgency level: larger than all waiting days together, so urgency dominates waiting."""
    return 1 + sum(req.waiting_days for req in inst.requests)


def priorities(inst: Instance) -> list[int]:
    """Priority of serving each request: urgency first, then days waited."""
    weight = waiting_weight(inst)
    return [req.urgency * weight + req.waiting_days for req in inst.requests]


def priority_term(vars_: Variables, inst: Instance, cand: Candidates) -> cp_model.LinearExprT:
    """Rule 2: the priority served, higher urgency first, then longer waiting."""
    weights = priorities(inst)
    return sum(weights[p.r] * vars_.x[p.index] for p in cand.pairs)


def priority_max(inst: Instance) -> int:
    """The largest value the priority term can take."""
    return sum(priorities(inst))


def balance_vars(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """Count each volunteer's seniors beyond the first, to spread the load."""
    for v, vol in enumerate(inst.volunteers):
        xs = vars_.pairs_of_volunteer(cand, v)
        top = min(vol.max_seniors, len(xs)) - 1
        if top < 1:
            continue
        extra = vars_.model.new_int_var(0, top, f"extra_{v}")
        vars_.model.add(extra >= sum(xs) - 1)
        vars_.extra_seniors[v] = extra


def quality_cost_term(vars_: Variables, inst: Instance, cand: Candidates) -> cp_model.LinearExprT:
    """Rule 3 as a cost: travel from the home district per visit, no shared extra language, unbalanced load."""
    if not vars_.extra_seniors:
        balance_vars(vars_, inst, cand)
    travel = sum(p.cost * vars_.x[p.index] for p in cand.pairs if p.cost)
    balance = inst.settings.balance_penalty * sum(vars_.extra_seniors.values())
    return travel + balance


def quality_cost_max(inst: Instance, cand: Candidates) -> int:
    """An upper bound of the quality cost of any solution."""
    worst = [0] * len(inst.requests)
    for pair in cand.pairs:
        worst[pair.r] = max(worst[pair.r], pair.cost)
    return sum(worst) + inst.settings.balance_penalty * len(inst.requests)


def plan_values(inst: Instance, pairs: Iterable[Pair]) -> tuple[int, int, int]:
    """(served, priority, quality cost) of a set of chosen pairs, computed without the solver."""
    pairs = list(pairs)
    per_volunteer: dict[int, int] = {}
    for pair in pairs:
        per_volunteer[pair.v] = per_volunteer.get(pair.v, 0) + 1
    served = len(pairs)
    weights = priorities(inst)
    priority = sum(weights[p.r] for p in pairs)
    cost = sum(p.cost for p in pairs)
    cost += inst.settings.balance_penalty * sum(max(0, n - 1) for n in per_volunteer.values())
    return served, priority, cost
