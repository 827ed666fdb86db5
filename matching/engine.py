"""The engine's state: the pair model, the cuts found so far and the best feasible plan, with its moves.

Every way of finding a plan (warm start, LP rounding, restricted master, local moves, CP-SAT rounds with
timetable cuts) offers it here; the lexicographically best one is kept.
"""

from __future__ import annotations

import logging
import math
import time

from ortools.sat.python import cp_model

from matching import constraints, objectives
from matching.bounds import BoundResult, column_generation_bound, prunable_pairs
from matching.candidates import Candidates, Pair
from matching.greedy import Plan, insert_unserved, priority_order, relocate, repair, upgrade
from matching.restricted import restricted_master
from matching.result import StageResult
from matching.schedule import DayPlanner, minimal_conflict, proven_impossible
from matching.schema import Instance
from matching.variables import make_variables

logger = logging.getLogger(__name__)

MAXIMIZE, MINIMIZE = 1, -1
RESULT_TIME_SHARE = 0.1
RESTRICTED_MAX_S = 3.0


def plan_key(inst: Instance, plan: Plan) -> tuple[int, int, int]:
    """Lexicographic key of a plan, larger is better: (served, priority, -cost)."""
    served, priority, cost = objectives.plan_values(inst, plan.pairs())
    return served, priority, -cost


class Engine:
    """Holds the pair model, the cuts found so far and the best feasible plan."""

    def __init__(self, inst: Instance, cand: Candidates, *, deadline: float):
        self.inst, self.cand, self.deadline = inst, cand, deadline
        settings = inst.settings
        self.planner = DayPlanner(settings.slot_minutes, settings.travel_buffer_minutes)
        self.vars = make_variables(inst, cand)
        constraints.one_volunteer_per_request(self.vars, cand)
        constraints.max_seniors(self.vars, inst, cand)
        constraints.max_minutes(self.vars, inst, cand)
        constraints.count_capacity(self.vars, inst, cand)
        self.cuts: set[tuple[int, ...]] = set()
        self.incumbent = Plan(inst, cand, self.planner)
        self.solver_status: list[str] = []
        self.forbidden: set[int] = set()

    def offer(self, plan: Plan) -> None:
        """Keep the plan if it is lexicographically better than the incumbent."""
        if plan_key(self.inst, plan) > plan_key(self.inst, self.incumbent):
            self.incumbent = plan

    def incumbent_sets(self) -> list[list[Pair]]:
        """The incumbent as one set of pairs per busy volunteer."""
        return [pairs for pairs in self.incumbent.on_volunteer.values() if pairs]

    def offer_sets(self, sets: list[list[Pair]]) -> None:
        """Offer plans built from feasible volunteer sets, completed by inserting what still fits.

        A second plan keeps exactly the incumbent's requests (rounding may otherwise lose one of them and with
        it an earlier rule), taking from the sets only the pairs of those requests.
        """
        keep = set(self.incumbent.pair_of)
        order = priority_order(self.inst)
        for only in (None, keep):
            plan = Plan(self.inst, self.cand, self.planner)
            for pairs in sets:
                for pair in pairs:
                    if only is None or pair.r in only:
                        plan.try_add(pair)
            insert_unserved(plan, order if only is None else [r for r in order if r in only])
            self.offer(plan)

    def forbid(self, inst: Instance, result, threshold: float) -> int:
        """Fix to 0 every pair that cannot be in a solution worth at least threshold (for this stage and later)."""
        indices = [i for i in prunable_pairs(inst, self.cand, result, threshold) if i not in self.forbidden]
        for i in indices:
            self.vars.model.proto.variables[self.vars.x[i].index].domain[1] = 0
        self.forbidden.update(indices)
        logger.info("reduced-cost fixing: %d more pairs fixed to 0 (%d in all)", len(indices), len(self.forbidden))
        return len(indices)

    def upgrade(self, weights: list[int]) -> None:
        """Improve the incumbent's rule-2 value by swapping open requests of higher priority in."""
        plan = Plan(self.inst, self.cand, self.planner)
        for pair in self.incumbent.pairs():
            plan.add(pair)
        swaps = upgrade(plan, weights, deadline=self.deadline)
        if swaps:
            logger.info("upgrade: %d swaps", swaps)
            self.offer(plan)

    def column_generation(self, pair_value, **options) -> BoundResult:
        """The column-generation bound (matching.bounds), or no bound when switched off in the settings."""
        if not self.inst.settings.column_generation:
            return BoundResult(value=math.inf, prices=[])
        return column_generation_bound(self.inst, self.cand, self.planner, pair_value, **options)

    def offer_restricted(self, result: BoundResult, *, set_value, rows, slack: float) -> None:
        """Offer the best plan among the LP's promising columns (matching.restricted), if time allows."""
        seconds = min(RESTRICTED_MAX_S, (self.deadline - time.perf_counter()) / 2)
        sets = restricted_master(
            result,
            set_value=set_value,
            rows=rows,
            slack=slack,
            incumbent=self.incumbent_sets(),
            settings=self.inst.settings,
            seconds=seconds,
        )
        if sets is not None:
            self.offer_sets(sets)

    def polish(self) -> None:
        """Improve the incumbent's rule-3 cost by moving requests to cheaper volunteers."""
        plan = Plan(self.inst, self.cand, self.planner)
        for pair in self.incumbent.pairs():
            plan.add(pair)
        # may use half of the time kept for the result: relocating is cheap and always worth it
        reserve = self.inst.settings.time_limit_s * RESULT_TIME_SHARE / 2
        moves = relocate(plan, self.inst.settings.balance_penalty, deadline=self.deadline + reserve)
        if moves:
            logger.info("polish: %d moves", moves)
            self.offer(plan)

    def conflicts(self, chosen: list[Pair]) -> list[list[Pair]]:
        """Minimal sets of chosen pairs that no volunteer's week can hold."""
        per_volunteer: dict[int, list[Pair]] = {}
        for pair in chosen:
            per_volunteer.setdefault(pair.v, []).append(pair)
        found = []
        for v in sorted(per_volunteer):
            pairs = per_volunteer[v]
            if len(pairs) > 1 and proven_impossible(pairs, self.planner):
                found.append(minimal_conflict(pairs, self.planner))
        return found

    def _hint(self) -> None:
        model, chosen = self.vars.model, {p.index for p in self.incumbent.pairs()}
        model.clear_hints()
        for i, var in enumerate(self.vars.x):
            model.add_hint(var, i in chosen)
        for v, var in self.vars.extra_seniors.items():
            model.add_hint(var, max(0, len(self.incumbent.on_volunteer[v]) - 1))

    def _solver(self, seconds: float) -> cp_model.CpSolver:
        settings = self.inst.settings
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(0.01, seconds)
        params.num_workers = max(1, settings.workers)
        params.random_seed = settings.seed
        params.linearization_level = settings.linearization_level
        params.log_search_progress = settings.log_search
        for name, value in settings.cp_sat.items():
            setattr(params, name, value)
        return solver

    def run_stage(
        self,
        name: str,
        expr,
        sense: int,
        value_of,
        *,
        budget_s: float,
        bound: int | None = None,
        fixing: BoundResult | None = None,
    ) -> StageResult:
        """Optimise one objective over the model, cutting off what cannot be timetabled, within the budget.

        With a Lagrangian result (fixing), CP-SAT runs in shorter rounds and every better solution it finds
        fixes more pairs to 0 before the next round, so the model shrinks as the gap closes.
        """
        started = time.perf_counter()
        stop = min(self.deadline, started + budget_s)
        model = self.vars.model
        if sense == MAXIMIZE:
            model.maximize(expr)
        else:
            model.minimize(expr)
        result = StageResult(
            value=value_of(self.incumbent), bound=sense * 2**62 if bound is None else bound, proven=False
        )
        patient = False
        while (remaining := stop - time.perf_counter()) > 0.005:
            if sense * (result.value - result.bound) >= 0:
                result.proven = True
                break
            before = result.value
            self._hint()
            short = fixing is not None and not patient
            solver = self._solver(max(0.5, remaining / 2) if short else remaining)
            status = solver.solve(model)
            result.rounds += 1
            self.solver_status.append(solver.status_name(status))
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if not short or status == cp_model.INFEASIBLE:
                    break
                patient = True  # nothing found in a short round: give the next one all the time left
                continue
            raw = solver.best_objective_bound
            bound = math.floor(raw + 1e-6) if sense == MAXIMIZE else math.ceil(raw - 1e-6)
            result.bound = min(result.bound, bound) if sense == MAXIMIZE else max(result.bound, bound)
            values = solver.response_proto.solution
            chosen = [p for p in self.cand.pairs if values[p.index]]
            found = self.conflicts(chosen)
            self.offer(repair(self.inst, self.cand, self.planner, chosen))
            result.value = value_of(self.incumbent)
            logger.info(
                "stage %s round %d: %s value %d bound %d, %d new cuts",
                name,
                result.rounds,
                solver.status_name(status),
                result.value,
                result.bound,
                len(found),
            )
            if sense * (result.value - result.bound) >= 0:
                result.proven = True
                break
            if not found:
                if fixing is None or status == cp_model.OPTIMAL or result.value == before:
                    break
                self.forbid(self.inst, fixing, sense * result.value)
                continue
            for core in found:
                key = tuple(p.index for p in core)
                if key not in self.cuts:
                    self.cuts.add(key)
                    constraints.timetable_cut(self.vars, core)
                    result.cuts += 1
        result.wall_s = time.perf_counter() - started
        return result
