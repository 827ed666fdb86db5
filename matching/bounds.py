"""Upper bounds that prove optimality without branching: a column-generation LP with a Lagrangian check.

The LP chooses for every volunteer a set of requests ("column") that the volunteer can really take: within
seniors and minutes left, and with a timetable that fits (checked exactly). Its optimum is the Lagrangian
bound of the problem with "each request at most once" relaxed, usually far tighter than a flow or plain LP
bound. For any request prices lambda, sum(lambda) + sum over volunteers of their best set's profit is a
valid upper bound, so the loop can stop as soon as the bound meets the best known solution.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from matching.candidates import Candidates, Pair
from matching.schedule import DayPlanner, timetable
from matching.schema import Instance

logger = logging.getLogger(__name__)

EPS = 1e-7


@dataclass
class BoundResult:
    """Best upper bound found, with the request prices that gave it."""

    value: float
    prices: list[float]
    iterations: int = 0
    columns: int = 0
    lp_optimal: bool = False
    wall_s: float = 0.0
    history: list[float] = field(default_factory=list)

    def integer(self, eps: float = 1e-3) -> int:
        return math.floor(self.value + eps)


class Pricer:
    """Finds, for one volunteer, the set of requests of highest profit that they can really take."""

    def __init__(self, inst: Instance, cand: Candidates, planner: DayPlanner):
        self.inst, self.cand, self.planner = inst, cand, planner
        self._fits: dict[tuple[int, ...], bool] = {}

    def fits(self, pairs: Sequence[Pair]) -> bool:
        if len(pairs) < 2:
            return True
        key = tuple(sorted(p.index for p in pairs))
        if key not in self._fits:
            self._fits[key] = timetable(pairs, self.planner) is not None
        return self._fits[key]

    def best(self, v: int, profit: Sequence[float]) -> tuple[float, list[Pair]]:
        """Best (profit, pairs) for volunteer v given a profit per request; (0, []) if nothing is positive."""
        vol = self.inst.volunteers[v]
        options = [self.cand.pairs[i] for i in self.cand.by_volunteer[v] if profit[self.cand.pairs[i].r] > EPS]
        if not options or vol.max_seniors < 1:
            return 0.0, []
        options.sort(key=lambda p: (-profit[p.r], p.index))
        values = [profit[p.r] for p in options]
        k_max, minutes = vol.max_seniors, vol.max_minutes_per_week
        best_value, best_set = 0.0, []
        chosen: list[Pair] = []

        def dfs(start: int, used: int, value: float) -> None:
            nonlocal best_value, best_set
            if len(chosen) == k_max:
                return
            for i in range(start, len(options)):
                if value + values[i] * (k_max - len(chosen)) <= best_value + EPS:
                    return
                pair = options[i]
                if used + pair.need > minutes:
                    continue
                chosen.append(pair)
                if self.fits(chosen):
                    if value + values[i] > best_value + EPS:
                        best_value, best_set = value + values[i], list(chosen)
                    dfs(i + 1, used + pair.need, value + values[i])
                chosen.pop()

        dfs(0, 0, 0.0)
        return best_value, best_set


def column_generation_bound(
    inst: Instance,
    cand: Candidates,
    planner: DayPlanner,
    weights: Sequence[float],
    *,
    initial: Iterable[Sequence[Pair]] = (),
    min_served: int = 0,
    stop_at: float | None = None,
    deadline: float,
) -> BoundResult:
    """Upper bound of sum(weights of served requests), optionally with at least min_served served.

    Stops early once the bound proves that nothing beats stop_at.
    """
    started = time.perf_counter()
    lp = pywraplp.Solver.CreateSolver("GLOP")
    n_req, n_vol = len(inst.requests), len(inst.volunteers)
    req_rows = [lp.Constraint(-lp.infinity(), 1.0) for _ in range(n_req)]
    vol_rows = [lp.Constraint(-lp.infinity(), 1.0) for _ in range(n_vol)]
    served_row = lp.Constraint(float(min_served), lp.infinity()) if min_served else None
    objective = lp.Objective()
    objective.SetMaximization()
    seen: set[tuple[int, int, ...]] = set()

    def add_column(v: int, pairs: Sequence[Pair]) -> bool:
        key = (v, *sorted(p.index for p in pairs))
        if not pairs or key in seen:
            return False
        seen.add(key)
        var = lp.NumVar(0.0, lp.infinity(), "")
        vol_rows[v].SetCoefficient(var, 1.0)
        for pair in pairs:
            req_rows[pair.r].SetCoefficient(var, 1.0)
        if served_row is not None:
            served_row.SetCoefficient(var, float(len(pairs)))
        objective.SetCoefficient(var, float(sum(weights[p.r] for p in pairs)))
        return True

    for pair in cand.pairs:
        add_column(pair.v, [pair])
    for pairs in initial:
        if pairs:
            add_column(pairs[0].v, pairs)
    pricer = Pricer(inst, cand, planner)
    trivial = float(sum(w for r, w in enumerate(weights) if cand.by_request[r]))
    result = BoundResult(value=trivial, prices=[float(w) for w in weights])
    while time.perf_counter() < deadline:
        if lp.Solve() != pywraplp.Solver.OPTIMAL:
            logger.warning("column generation LP not optimal; keeping bound %.3f", result.value)
            break
        result.iterations += 1
        lp_value = objective.Value()
        lam = [max(0.0, row.dual_value()) for row in req_rows]
        mu = [max(0.0, row.dual_value()) for row in vol_rows]
        # any multiplier nu >= 0 of "served >= min_served" gives a valid Lagrangian bound
        nu = abs(served_row.dual_value()) if served_row is not None else 0.0
        profit = [weights[r] - lam[r] + nu for r in range(n_req)]
        lagrangian, added = sum(lam) - nu * min_served, 0
        for v in range(n_vol):
            if not cand.by_volunteer[v]:
                continue
            value, pairs = pricer.best(v, profit)
            lagrangian += value
            if value > mu[v] + 1e-6 and add_column(v, pairs):
                added += 1
        result.history.append(lagrangian)
        if lagrangian < result.value:
            result.value, result.prices = lagrangian, lam
        logger.info(
            "column generation %d: lp %.4f lagrangian %.4f, %d new columns",
            result.iterations,
            lp_value,
            lagrangian,
            added,
        )
        if stop_at is not None and result.integer() <= stop_at:
            break
        if not added:
            result.lp_optimal = True
            break
    result.columns = len(seen)
    result.wall_s = time.perf_counter() - started
    return result
