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
from matching.schedule import DayPlanner, proven_impossible
from matching.schema import Instance

logger = logging.getLogger(__name__)

EPS = 1e-7
PRICING_NODE_LIMIT = 50000


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
    fractional: list[tuple[float, int, list[Pair]]] = field(default_factory=list)
    # LP reduced cost of each column in ``fractional`` (0 for basic columns, < 0 for the others)
    reduced: list[float] = field(default_factory=list)
    profit: list[float] = field(default_factory=list)
    best_by_volunteer: dict[int, float] = field(default_factory=dict)
    penalty: float = 0.0

    def integer(self, eps: float = 1e-3) -> int:
        """The bound rounded down to an integer (objective values are integers)."""
        return math.floor(self.value + eps) if math.isfinite(self.value) else 2**62


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
            # optimistic where the search was not exact, so the bound stays valid
            self._fits[key] = not proven_impossible(pairs, self.planner)
        return self._fits[key]

    def best(self, v: int, profit: Sequence[float], penalty: float = 0.0) -> tuple[float, list[Pair], float]:
        """(upper bound, pairs, their value) of the best set for volunteer v.

        The value is the sum of pair profits minus the penalty per senior beyond the first. The upper bound
        equals the value unless the search hit its node limit (many seniors left); then it is optimistic.
        """
        vol = self.inst.volunteers[v]
        options = [self.cand.pairs[i] for i in self.cand.by_volunteer[v] if profit[i] > EPS]
        if not options or vol.max_seniors < 1:
            return 0.0, [], 0.0
        options.sort(key=lambda p: (-profit[p.index], p.index))
        values = [profit[p.index] for p in options]
        k_max, minutes = vol.max_seniors, vol.max_minutes_per_week
        best_value, best_set = 0.0, []
        chosen: list[Pair] = []
        nodes = 0

        def dfs(start: int, used: int, value: float) -> None:
            nonlocal best_value, best_set, nodes
            nodes += 1
            if len(chosen) == k_max or nodes > PRICING_NODE_LIMIT:
                return
            step_penalty = penalty if chosen else 0.0
            for i in range(start, len(options)):
                if value + values[i] * (k_max - len(chosen)) <= best_value + EPS:
                    return
                pair = options[i]
                if used + pair.need > minutes:
                    continue
                gained = value + values[i] - step_penalty
                chosen.append(pair)
                if self.fits(chosen):
                    if gained > best_value + EPS:
                        best_value, best_set = gained, list(chosen)
                    dfs(i + 1, used + pair.need, gained)
                chosen.pop()

        dfs(0, 0, 0.0)
        if nodes <= PRICING_NODE_LIMIT:
            return best_value, best_set, best_value
        logger.warning("pricing node limit hit for volunteer %s: optimistic bound", vol.id)
        optimistic = sum(max(0.0, x - (penalty if j else 0.0)) for j, x in enumerate(values[:k_max]))
        return max(best_value, optimistic), best_set, best_value


@dataclass
class SideRow:
    """A covering row sum(coef[r] over served r) >= rhs, used to fix earlier lexicographic stages."""

    coef: Sequence[float]
    rhs: float


def scaled(row: SideRow) -> SideRow:
    """The row divided by its largest coefficient, right side lowered by 1/2, for the LP's numerics.

    Rows fix integer values of earlier stages that are often the LP's own maximum: without the 1/2 the LP
    can come out numerically infeasible. Integer solutions are the same, so the bound stays valid.
    """
    top = max((abs(c) for c in row.coef), default=0.0)
    if top <= 0:
        return row
    return SideRow([c / top for c in row.coef], (row.rhs - 0.5) / top)


def column_generation_bound(
    inst: Instance,
    cand: Candidates,
    planner: DayPlanner,
    pair_value: Sequence[float],
    *,
    penalty: float = 0.0,
    side: Sequence[SideRow] = (),
    initial: Iterable[Sequence[Pair]] = (),
    stop_at: float | None = None,
    all_singletons: bool = True,
    deadline: float,
) -> BoundResult:
    """Upper bound of the total value of chosen pairs (minus the penalty per extra senior), under side rows.

    Stops early once the bound proves that nothing beats stop_at.
    """
    started = time.perf_counter()
    if started >= deadline:
        return BoundResult(value=math.inf, prices=[])
    side = [scaled(row) for row in side]
    lp = pywraplp.Solver.CreateSolver("GLOP")
    n_req, n_vol = len(inst.requests), len(inst.volunteers)
    req_rows = [lp.Constraint(-lp.infinity(), 1.0) for _ in range(n_req)]
    vol_rows = [lp.Constraint(-lp.infinity(), 1.0) for _ in range(n_vol)]
    side_rows = [lp.Constraint(float(row.rhs), lp.infinity()) for row in side]
    objective = lp.Objective()
    objective.SetMaximization()
    seen: dict[tuple[int, ...], tuple[pywraplp.Variable, int, list[Pair]]] = {}

    def add_column(v: int, pairs: Sequence[Pair]) -> bool:
        key = (v, *sorted(p.index for p in pairs))
        if not pairs or key in seen:
            return False
        var = lp.NumVar(0.0, lp.infinity(), "")
        seen[key] = (var, v, list(pairs))
        vol_rows[v].SetCoefficient(var, 1.0)
        for pair in pairs:
            req_rows[pair.r].SetCoefficient(var, 1.0)
        for row, spec in zip(side_rows, side, strict=True):
            row.SetCoefficient(var, float(sum(spec.coef[p.r] for p in pairs)))
        value = sum(pair_value[p.index] for p in pairs) - penalty * (len(pairs) - 1)
        objective.SetCoefficient(var, float(value))
        return True

    # start from the known plan and single pairs (all, or those of the requests it leaves open)
    initial = [pairs for pairs in initial if pairs]
    covered = {p.r for pairs in initial for p in pairs}
    for pairs in initial:
        add_column(pairs[0].v, pairs)
    for pair in cand.pairs:
        if all_singletons or pair.r not in covered:
            add_column(pair.v, [pair])
    pricer = Pricer(inst, cand, planner)
    result = BoundResult(value=math.inf, prices=[])
    last = 0.0  # duration of the last iteration: do not start one that would overrun the deadline
    while (now := time.perf_counter()) + last < deadline:
        if lp.Solve() != pywraplp.Solver.OPTIMAL:
            logger.warning("column generation LP not optimal; keeping bound %.3f", result.value)
            result.fractional = []
            break
        result.iterations += 1
        lp_value = objective.Value()
        lam = [max(0.0, row.dual_value()) for row in req_rows]
        mu = [max(0.0, row.dual_value()) for row in vol_rows]
        # any multipliers nu >= 0 of the side rows give a valid Lagrangian bound
        nus = [abs(row.dual_value()) for row in side_rows]
        per_request = [
            sum(nu * spec.coef[r] for nu, spec in zip(nus, side, strict=True)) - lam[r] for r in range(n_req)
        ]
        profit = [pair_value[p.index] + per_request[p.r] for p in cand.pairs]
        lagrangian = sum(lam) - sum(nu * spec.rhs for nu, spec in zip(nus, side, strict=True))
        fresh, best_by_volunteer = [], {}
        for v in range(n_vol):
            if not cand.by_volunteer[v]:
                continue
            value, pairs, column_value = pricer.best(v, profit, penalty)
            best_by_volunteer[v] = value
            lagrangian += value
            if column_value > mu[v] + 1e-6:
                fresh.append((v, pairs))
        result.history.append(lagrangian)
        if lagrangian < result.value:
            result.value, result.prices = lagrangian, lam
            result.profit, result.best_by_volunteer, result.penalty = profit, best_by_volunteer, penalty
        logger.info(
            "column generation %d: lp %.4f lagrangian %.4f, %d new columns",
            result.iterations,
            lp_value,
            lagrangian,
            len(fresh),
        )
        last = time.perf_counter() - now
        proven = stop_at is not None and result.integer() <= stop_at
        if proven or not fresh or time.perf_counter() + last >= deadline:
            # the LP is still the one just solved: keep its solution for rounding
            result.fractional = [(var.solution_value(), v, pairs) for var, v, pairs in seen.values()]
            result.reduced = [
                sum(profit[p.index] for p in pairs) - penalty * (len(pairs) - 1) - mu[v]
                for _, v, pairs in seen.values()
            ]
            result.lp_optimal = not fresh
            break
        for v, pairs in fresh:
            add_column(v, pairs)
    result.columns = len(seen)
    result.wall_s = time.perf_counter() - started
    return result


def round_columns(result: BoundResult) -> list[list[Pair]]:
    """Volunteer sets of the last LP, largest share first, without two sets for one request or volunteer."""
    taken_r: set[int] = set()
    taken_v: set[int] = set()
    chosen = []
    for share, v, pairs in sorted(result.fractional, key=lambda c: (-c[0], c[1], [p.index for p in c[2]])):
        if share < 1e-6:
            break
        if v in taken_v or any(p.r in taken_r for p in pairs):
            continue
        taken_v.add(v)
        taken_r.update(p.r for p in pairs)
        chosen.append(pairs)
    return chosen


def prunable_pairs(inst: Instance, cand: Candidates, result: BoundResult, threshold: float) -> list[int]:
    """Pairs that no solution worth at least threshold can use (Lagrangian reduced-cost fixing).

    Forcing pair p into its volunteer's set changes that volunteer's Lagrangian term from best_v to at most
    profit_p plus the best other positive profits (no timetable or minutes check: an optimistic estimate).
    """
    if not result.profit or not math.isfinite(result.value):
        return []
    out = []
    for v, best_v in result.best_by_volunteer.items():
        indices = cand.by_volunteer[v]
        k_max = inst.volunteers[v].max_seniors
        top = sorted((result.profit[i] for i in indices), reverse=True)[:k_max]
        for i in indices:
            others = [x for x in top if x > 0]
            if result.profit[i] > 0 and result.profit[i] in others:
                others.remove(result.profit[i])
            extra = sum(max(0.0, x - result.penalty) for x in others[: k_max - 1])
            forced = result.value - best_v + result.profit[i] + extra
            if forced < threshold - 1e-3:
                out.append(i)
    return out
