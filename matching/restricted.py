"""Restricted master: an exact choice among the columns of the last LP with small reduced cost.

Every column is a set of requests one volunteer can really take (timetable checked), so any choice of
disjoint columns is a feasible plan. CP-SAT solves this small set-packing problem quickly; it is a primal
heuristic ("price and branch"): it finds very good plans, the proof of optimality comes from the LP bound.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matching.bounds import BoundResult
from matching.candidates import Pair
from matching.schema import Settings

logger = logging.getLogger(__name__)

MAX_COLUMNS = 4000


@dataclass
class IntRow:
    """sum(coef[r] over chosen requests) >= rhs, in integers."""

    coef: Sequence[int]
    rhs: int


def restricted_master(
    result: BoundResult,
    *,
    set_value: Callable[[Sequence[Pair]], int],
    rows: Sequence[IntRow],
    slack: float,
    incumbent: Sequence[Sequence[Pair]],
    settings: Settings,
    seconds: float,
) -> list[list[Pair]] | None:
    """Best disjoint columns under the rows, among those whose reduced cost is within slack; None if none."""
    if not result.fractional or seconds <= 0.05:
        return None
    keep: dict[tuple[int, ...], tuple[int, list[Pair]]] = {}
    ranked = sorted(
        zip(result.fractional, result.reduced, strict=True), key=lambda item: (-item[1], -item[0][0], item[0][1])
    )
    for (share, v, pairs), reduced in ranked:
        if (reduced >= -slack - 1e-6 or share > 1e-6) and len(keep) < MAX_COLUMNS:
            keep[(v, *sorted(p.index for p in pairs))] = (v, list(pairs))
    for pairs in incumbent:
        if pairs:
            keep[(pairs[0].v, *sorted(p.index for p in pairs))] = (pairs[0].v, list(pairs))
    columns = list(keep.values())
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"c{i}") for i in range(len(columns))]
    by_request: dict[int, list[cp_model.IntVar]] = {}
    by_volunteer: dict[int, list[cp_model.IntVar]] = {}
    for var, (v, pairs) in zip(y, columns, strict=True):
        by_volunteer.setdefault(v, []).append(var)
        for pair in pairs:
            by_request.setdefault(pair.r, []).append(var)
    for group in (*by_request.values(), *by_volunteer.values()):
        if len(group) > 1:
            model.add_at_most_one(group)
    for row in rows:
        model.add(
            sum(sum(row.coef[p.r] for p in pairs) * var for var, (_, pairs) in zip(y, columns, strict=True)) >= row.rhs
        )
    model.maximize(sum(set_value(pairs) * var for var, (_, pairs) in zip(y, columns, strict=True)))
    chosen = {(pairs[0].v, *sorted(p.index for p in pairs)) for pairs in incumbent if pairs}
    for var, (v, pairs) in zip(y, columns, strict=True):
        model.add_hint(var, (v, *sorted(p.index for p in pairs)) in chosen)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = max(1, settings.workers)
    solver.parameters.random_seed = settings.seed
    status = solver.solve(model)
    logger.info("restricted master: %d columns, %s", len(columns), solver.status_name(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [pairs for var, (_, pairs) in zip(y, columns, strict=True) if solver.boolean_value(var)]
