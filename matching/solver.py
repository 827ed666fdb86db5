"""The engine: compose candidates, model, constraints and objectives; solve rule by rule; prove bounds.

Each rule is closed from both sides. Below: a warm start (heuristics), LP rounding and local moves. Above: the
max-flow bound and the column-generation (Lagrangian) bound over volunteer sets that really fit a timetable
(matching.bounds). When they meet, the rule is proven without search. Otherwise CP-SAT solves the pair model,
shrunk by reduced-cost fixing; each volunteer's timetable in its answer is checked exactly and impossible
combinations are cut off (a logic-based Benders loop). Rules 2 and 3 follow with the earlier rules fixed.
"""

from __future__ import annotations

import logging
import math
import time

from ortools.sat.python import cp_model

from matching import constraints, objectives
from matching.bounds import BoundResult, SideRow, column_generation_bound, prunable_pairs, round_columns
from matching.candidates import Candidates, Pair, build_candidates
from matching.greedy import (
    Plan,
    flow_bound,
    insert_unserved,
    priority_order,
    relocate,
    repair,
    upgrade,
    warm_start,
)
from matching.restricted import IntRow, restricted_master
from matching.result import StageResult, build_solution
from matching.schedule import DayPlanner, minimal_conflict, proven_impossible
from matching.schema import Instance, Solution
from matching.variables import make_variables

logger = logging.getLogger(__name__)

MAXIMIZE, MINIMIZE = 1, -1
RESULT_TIME_SHARE = 0.1
MIN_STAGE_S = 0.3
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


def solve(inst: Instance) -> Solution:
    """Propose assignments for the instance: rule 1 proven where possible, then rules 2 and 3."""
    started = time.perf_counter()
    settings = inst.settings
    # keep a little of the time limit for timetables and reasons of the result
    deadline = started + settings.time_limit_s * (1 - RESULT_TIME_SHARE)
    cand = build_candidates(inst)
    engine = Engine(inst, cand, deadline=deadline)
    engine.offer(warm_start(inst, cand, engine.planner))
    timings = {"candidates_and_warm_start_s": time.perf_counter() - started}
    stages: dict[str, StageResult] = {}

    served = objectives.served_term(engine.vars)
    stages["served"], bound_stats = served_stage(engine, served)
    timings["served_proven_s"] = time.perf_counter() - started
    s1 = stages["served"]

    weights = objectives.priorities(inst)
    priority = objectives.priority_term(engine.vars, inst, cand)
    constraints.at_least(engine.vars, served, s1.value)
    if s1.proven:
        constraints.at_most(engine.vars, served, s1.value)
        stages["priority"] = priority_stage(engine, priority, weights)
        stage2_expr = priority
    else:
        p_max = objectives.priority_max(inst)
        stage2_expr = served * (p_max + 1) + priority
        stages["priority"] = engine.run_stage(
            "priority",
            stage2_expr,
            MAXIMIZE,
            lambda plan: len(plan.pair_of) * (p_max + 1) + sum(weights[r] for r in plan.pair_of),
            budget_s=max(0.0, deadline - time.perf_counter()) * settings.priority_time_share,
        )
    constraints.at_least(engine.vars, stage2_expr, stages["priority"].value)
    timings["priority_done_s"] = time.perf_counter() - started

    stages["quality"] = quality_stage(engine, weights)
    return build_solution(inst, cand, engine, stages, started=started, stats={**bound_stats, **timings})


def served_stage(engine: Engine, served) -> tuple[StageResult, dict]:
    """Rule 1: warm start against the flow bound, then the column-generation bound, then CP-SAT if needed."""
    inst, cand = engine.inst, engine.cand
    warm = len(engine.incumbent.pair_of)
    stats: dict = {"warm_start": warm, "flow_bound": flow_bound(inst, cand)}
    bound, cg = stats["flow_bound"], None
    if warm < bound:
        cg = engine.column_generation(
            [1.0] * len(cand.pairs),
            initial=engine.incumbent_sets(),
            stop_at=warm,
            all_singletons=False,
            deadline=engine.deadline,
        )
        engine.offer_sets(round_columns(cg))
        if math.isfinite(cg.value):
            stats.update(lp_bound=round(cg.value, 4), lp_iterations=cg.iterations, lp_s=round(cg.wall_s, 3))
        bound = min(bound, cg.integer())
    constraints.at_most(engine.vars, served, bound)
    warm = len(engine.incumbent.pair_of)
    if warm >= bound:
        return StageResult(value=warm, bound=bound, proven=True), stats
    if cg is not None:
        engine.forbid(inst, cg, warm)
    result = engine.run_stage(
        "served",
        served,
        MAXIMIZE,
        lambda plan: len(plan.pair_of),
        budget_s=inst.settings.time_limit_s,
        bound=bound,
        fixing=cg,
    )
    result.value = len(engine.incumbent.pair_of)
    return result, stats


def priority_stage(engine: Engine, priority, weights: list[int]) -> StageResult:
    """Rule 2 with rule 1 fixed: the column-generation bound first, CP-SAT only if it does not meet."""
    inst = engine.inst
    served = len(engine.incumbent.pair_of)
    cg = engine.column_generation(
        [float(weights[p.r]) for p in engine.cand.pairs],
        side=[SideRow([1.0] * len(inst.requests), served)],
        initial=engine.incumbent_sets(),
        stop_at=sum(weights[r] for r in engine.incumbent.pair_of),
        all_singletons=False,
        deadline=min(engine.deadline, time.perf_counter() + inst.settings.time_limit_s / 4),
    )
    engine.offer_sets(round_columns(cg))
    engine.upgrade(weights)
    value = sum(weights[r] for r in engine.incumbent.pair_of)
    bound = min(objectives.priority_max(inst), cg.integer())
    if value < bound:
        engine.offer_restricted(
            cg,
            set_value=lambda pairs: sum(weights[p.r] for p in pairs),
            rows=[IntRow([1] * len(inst.requests), served)],
            slack=cg.value - value,
        )
        value = sum(weights[r] for r in engine.incumbent.pair_of)
    if value >= bound:
        return StageResult(value=value, bound=bound, proven=True)
    engine.forbid(inst, cg, value)
    constraints.at_most(engine.vars, priority, bound)
    budget = max(0.0, engine.deadline - time.perf_counter()) * inst.settings.priority_time_share
    return engine.run_stage(
        "priority",
        priority,
        MAXIMIZE,
        lambda plan: sum(weights[r] for r in plan.pair_of),
        budget_s=budget,
        bound=bound,
        fixing=cg,
    )


def quality_stage(engine: Engine, weights: list[int]) -> StageResult:
    """Rule 3 with rules 1 and 2 fixed: column-generation bound and rounding, then CP-SAT in the time left."""
    inst, cand = engine.inst, engine.cand
    value_of = lambda plan: objectives.plan_values(inst, plan.pairs())[2]  # noqa: E731
    if engine.deadline - time.perf_counter() < MIN_STAGE_S:
        engine.polish()
        return StageResult(value=value_of(engine.incumbent), bound=0, proven=False)
    cost = objectives.quality_cost_term(engine.vars, inst, cand)
    served, priority, current = objectives.plan_values(inst, engine.incumbent.pairs())
    cg = engine.column_generation(
        [-float(p.cost) for p in cand.pairs],
        penalty=float(inst.settings.balance_penalty),
        side=[SideRow([1.0] * len(inst.requests), served), SideRow([float(w) for w in weights], priority)],
        initial=engine.incumbent_sets(),
        stop_at=-current,
        all_singletons=True,
        deadline=min(engine.deadline, time.perf_counter() + inst.settings.time_limit_s / 3),
    )
    engine.offer_sets(round_columns(cg))
    engine.polish()
    bound = max(0, math.ceil(-cg.value - 1e-3)) if math.isfinite(cg.value) else 0
    if value_of(engine.incumbent) > bound:
        penalty = inst.settings.balance_penalty
        engine.offer_restricted(
            cg,
            set_value=lambda pairs: -sum(p.cost for p in pairs) - penalty * (len(pairs) - 1),
            rows=[IntRow([1] * len(inst.requests), served), IntRow(weights, priority)],
            slack=cg.value + value_of(engine.incumbent),
        )
    if value_of(engine.incumbent) <= bound:
        return StageResult(value=value_of(engine.incumbent), bound=bound, proven=True)
    engine.forbid(inst, cg, -value_of(engine.incumbent))
    return engine.run_stage(
        "quality",
        cost,
        MINIMIZE,
        value_of,
        budget_s=max(0.0, engine.deadline - time.perf_counter()),
        bound=bound,
        fixing=cg,
    )
