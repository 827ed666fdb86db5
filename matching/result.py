"""Assemble the public solution: timetables, reasons, the lexicographic objective and its proven bound."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from matching import objectives
from matching.candidates import Candidates
from matching.reasons import explain_assignment, explain_unserved
from matching.schedule import timetable
from matching.schema import Alternative, Assignment, Instance, Solution, Visit

logger = logging.getLogger(__name__)
MAX_ALTERNATIVES = 2  # with the proposal itself: up to three ranked choices per request


@dataclass
class StageResult:
    """Outcome of one lexicographic stage."""

    value: int
    bound: int
    proven: bool
    rounds: int = 0
    cuts: int = 0
    wall_s: float = 0.0

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "bound": self.bound,
            "proven": self.proven,
            "rounds": self.rounds,
            "cuts": self.cuts,
            "wall_s": round(self.wall_s, 3),
        }


def composite(inst: Instance, cand: Candidates, served: int, priority: int, cost: int) -> int:
    """Encode (served, priority, -cost) as one integer that orders solutions lexicographically."""
    p_max, c_max = objectives.priority_max(inst), objectives.quality_cost_max(inst, cand)
    return (served * (p_max + 1) + priority) * (c_max + 1) + (c_max - cost)


def composite_bound(inst: Instance, cand: Candidates, stages: dict) -> int:
    """Upper bound of the composite objective from what each stage proved."""
    s1, s2, s3 = stages["served"], stages["priority"], stages["quality"]
    p_max = objectives.priority_max(inst)
    if not s1.proven:
        return composite(inst, cand, s1.bound, p_max, 0)
    if not s2.proven:
        return composite(inst, cand, s1.value, min(p_max, max(s2.bound, s2.value)), 0)
    if s3.proven:
        return composite(inst, cand, s1.value, s2.value, s3.value)
    cost_bound = s3.bound if 0 <= s3.bound < 2**61 else 0
    return composite(inst, cand, s1.value, s2.value, min(cost_bound, s3.value))


def build_solution(inst, cand, engine, stages, *, started: float, stats: dict) -> Solution:
    """Turn the best plan into the public solution with timetables, reasons, bounds and statistics."""
    plan = engine.incumbent
    served, priority, cost = objectives.plan_values(inst, plan.pairs())
    stages["priority"].value, stages["quality"].value = priority, cost
    assignments = []
    for v in sorted(plan.on_volunteer):
        pairs = plan.on_volunteer[v]
        if not pairs:
            continue
        table = timetable(pairs, engine.planner) or {}
        for pair in sorted(pairs, key=lambda p: p.index):
            visits = [Visit(d, s, s + pair.minutes) for d, s in sorted(table.get(pair.index, []))]
            assignments.append(
                Assignment(
                    request=inst.requests[pair.r].id,
                    volunteer=inst.volunteers[v].id,
                    visits=visits,
                    reasons=explain_assignment(inst, plan, pair, visits),
                    alternatives=alternatives(inst, cand, plan, engine.planner, pair),
                )
            )
    order = {req.id: i for i, req in enumerate(inst.requests)} if _hashable(inst) else None
    if order is not None:
        assignments.sort(key=lambda a: order[a.request])
    unserved = [explain_unserved(inst, cand, plan, r) for r in range(len(inst.requests)) if r not in plan.pair_of]
    proven = all(s.proven for s in stages.values())
    s1 = stages["served"]
    wall = time.perf_counter() - started
    return Solution(
        status="OPTIMAL" if proven else "FEASIBLE",
        served=served,
        objective=composite(inst, cand, served, priority, cost),
        bound=max(composite_bound(inst, cand, stages), composite(inst, cand, served, priority, cost)),
        wall_s=wall,
        assignments=assignments,
        unserved=unserved,
        served_bound=served if s1.proven else max(served, s1.bound),
        served_proven=s1.proven,
        stages={name: stage.to_dict() for name, stage in stages.items()},
        stats={
            "pairs": len(cand.pairs),
            "cuts": len(engine.cuts),
            "pairs_fixed_to_0": len(engine.forbidden),
            "solver_status": engine.solver_status,
            **{k: round(v, 3) if isinstance(v, float) else v for k, v in stats.items()},
        },
    )


def alternatives(inst, cand, plan, planner, chosen, *, limit: int = MAX_ALTERNATIVES) -> list[Alternative]:
    """Up to ``limit`` other volunteers who could take ``chosen``'s request instead, everyone else's proposal kept.

    Ranked like the objective's third rule ranks pairs (travel, language, balance: lower cost first), then by
    volunteer order; each with its visits and its German criteria.
    """
    order = list(plan.on_volunteer[chosen.v])  # restored afterwards: timetables depend on the order
    plan.remove(chosen)
    found = []
    try:
        others = sorted((cand.pairs[i] for i in cand.by_request[chosen.r]), key=lambda p: (p.cost, p.v))
        for pair in others:
            if len(found) == limit:
                break
            if pair.v == chosen.v or not plan.fits(pair):
                continue
            plan.add(pair)
            try:
                table = timetable(plan.on_volunteer[pair.v], planner) or {}
                visits = [Visit(d, s, s + pair.minutes) for d, s in sorted(table.get(pair.index, []))]
                reasons = explain_assignment(inst, plan, pair, visits)
            finally:
                plan.remove(pair)
            found.append(Alternative(volunteer=inst.volunteers[pair.v].id, visits=visits, reasons=reasons))
    finally:
        plan.add(chosen)
        plan.on_volunteer[chosen.v][:] = order
    return found


def _hashable(inst: Instance) -> bool:
    try:
        return len({req.id for req in inst.requests}) == len(inst.requests)
    except TypeError:
        return False
