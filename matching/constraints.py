"""Constraints of the pair model, one function each.

The per-pair rules (service, district, language, gender, pinned/excluded, windows, availability, busy times
with buffer, slot grid, k distinct weekdays) are enforced by candidate generation: a pair that breaks one has
no variable. What couples several requests lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ortools.sat.python import cp_model

from matching.candidates import Candidates, Pair
from matching.greedy import volunteer_count_capacity
from matching.schema import Instance
from matching.variables import Variables

logger = logging.getLogger(__name__)


def one_volunteer_per_request(vars_: Variables, cand: Candidates) -> None:
    """Each request is given to at most one volunteer (all its visits go to that one)."""
    for r in range(len(cand.by_request)):
        xs = vars_.pairs_of_request(cand, r)
        if len(xs) > 1:
            vars_.model.add_at_most_one(xs)


def max_seniors(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """A volunteer takes no more new seniors than max_seniors (what they have left)."""
    for v, vol in enumerate(inst.volunteers):
        xs = vars_.pairs_of_volunteer(cand, v)
        if len(xs) > vol.max_seniors:
            vars_.model.add(sum(xs) <= vol.max_seniors)


def count_capacity(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """Redundant: a volunteer takes at most as many requests as their smallest needs fit into their minutes."""
    for v in range(len(inst.volunteers)):
        xs = vars_.pairs_of_volunteer(cand, v)
        capacity = volunteer_count_capacity(inst, cand, v)
        if len(xs) > capacity and capacity < inst.volunteers[v].max_seniors:
            vars_.model.add(sum(xs) <= capacity)


def max_minutes(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """A volunteer's weekly minutes of new visits stay within max_minutes_per_week (what they have left)."""
    for v, vol in enumerate(inst.volunteers):
        pairs = [cand.pairs[i] for i in cand.by_volunteer[v]]
        if sum(p.need for p in pairs) > vol.max_minutes_per_week:
            vars_.model.add(sum(p.need * vars_.x[p.index] for p in pairs) <= vol.max_minutes_per_week)


def timetable_cut(vars_: Variables, pairs: Sequence[Pair]) -> None:
    """These pairs share a volunteer whose week cannot hold all their visits: not all of them together."""
    vars_.model.add(sum(vars_.x[p.index] for p in pairs) <= len(pairs) - 1)


def at_most(vars_: Variables, expr: cp_model.LinearExprT, value: int) -> None:
    """A proven upper bound, added as a redundant constraint so the search stops when it is reached."""
    vars_.model.add(expr <= value)


def at_least(vars_: Variables, expr: cp_model.LinearExprT, value: int) -> None:
    """Keep what an earlier lexicographic stage achieved."""
    vars_.model.add(expr >= value)
