"""The solver: compose candidates, model, constraints and objectives; solve rule by rule; prove bounds.

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
from collections.abc import Callable

from matching import constraints, objectives
from matching.bounds import SideRow, round_columns
from matching.candidates import build_candidates
from matching.engine import MAXIMIZE, MINIMIZE, RESULT_TIME_SHARE, Engine
from matching.greedy import flow_bound, warm_start
from matching.progress import STEPS
from matching.restricted import IntRow
from matching.result import StageResult, build_solution
from matching.schema import Instance, Solution

logger = logging.getLogger(__name__)

MIN_STAGE_S = 0.3


def solve(inst: Instance, *, progress: Callable[[str], None] | None = None) -> Solution:
    """Propose assignments for the instance: rule 1 proven where possible, then rules 2 and 3.

    ``progress`` hears each of ``matching.progress.STEPS`` as it begins (the solve ends by the time limit)."""
    say = progress or (lambda _step: None)
    say(STEPS[0])
    started = time.perf_counter()
    settings = inst.settings
    # keep a little of the time limit for timetables and reasons of the result
    deadline = started + settings.time_limit_s * (1 - RESULT_TIME_SHARE)
    cand = build_candidates(inst)
    engine = Engine(inst, cand, deadline=deadline)
    engine.offer(warm_start(inst, cand, engine.planner))
    timings = {"candidates_and_warm_start_s": time.perf_counter() - started}
    stages: dict[str, StageResult] = {}

    say(STEPS[1])
    served = objectives.served_term(engine.vars)
    stages["served"], bound_stats = served_stage(engine, served)
    timings["served_proven_s"] = time.perf_counter() - started
    s1 = stages["served"]

    say(STEPS[2])
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

    say(STEPS[3])
    stages["quality"] = quality_stage(engine, weights)
    say(STEPS[4])
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
