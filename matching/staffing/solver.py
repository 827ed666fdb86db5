"""The solver: candidates, variables, constraints; then the three objectives, each minimised and kept.

Stage by stage (lexicographic): 1. shortfall, 2. continuity, 3. balance. A stage's best value becomes a
constraint of the next; the previous answer is the next stage's hint. A stage is proven when CP-SAT reports
OPTIMAL; the whole result is OPTIMAL when all three are.
"""

from __future__ import annotations

import logging
import time

from ortools.sat.python import cp_model

from matching.staffing import constraints, objectives
from matching.staffing.candidates import Candidates, build_candidates
from matching.staffing.reasons import unstaffed_reasons
from matching.staffing.schema import Instance, Solution, Unstaffed
from matching.staffing.variables import Variables, make_variables

logger = logging.getLogger(__name__)


def build_model(inst: Instance) -> tuple[Candidates, Variables]:
    """The model with every constraint of ``constraints.ALL`` and no objective yet."""
    cand = build_candidates(inst)
    vars_ = make_variables(inst, cand)
    for constraint in constraints.ALL:
        constraint(vars_, inst, cand)
    return cand, vars_


def _solver(inst: Instance, seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = max(1, inst.workers)
    solver.parameters.random_seed = inst.seed
    return solver


def solve(inst: Instance) -> Solution:
    """Staff the month: fewest missing places, then continuity, then balance, each proven where time allows."""
    started = time.perf_counter()
    cand, vars_ = build_model(inst)
    terms = {
        "shortfall": objectives.shortfall(vars_),
        "continuity": objectives.continuity(vars_, inst),
        "balance": objectives.balance(vars_, inst, cand),
    }
    deadline = started + inst.time_limit_s
    stages: dict[str, dict] = {}
    solver = None
    for position, name in enumerate(objectives.STAGES):
        left = deadline - time.perf_counter()
        share = left / (len(objectives.STAGES) - position)
        model = vars_.model
        model.minimize(terms[name])
        stage_started = time.perf_counter()
        solver = _solver(inst, share)
        status = solver.solve(model)
        seconds = time.perf_counter() - stage_started
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            logger.warning("staffing stage %s: %s", name, solver.status_name(status))
            stages[name] = {"status": solver.status_name(status), "seconds": round(seconds, 3)}
            return Solution({}, [], solver.status_name(status), stages, time.perf_counter() - started)
        value = round(solver.objective_value)
        stages[name] = {
            "status": solver.status_name(status),
            "value": value,
            "bound": round(solver.best_objective_bound),
            "seconds": round(seconds, 3),
        }
        # the next stage starts from this answer and may not make this term worse
        model.clear_hints()
        for var in vars_.x:
            model.add_hint(var, solver.value(var))
        constraints.at_most(vars_, terms[name], value)
    roster = {s.id: [] for s in inst.sessions}
    for i, (v, s) in enumerate(cand.pairs):
        if solver.value(vars_.x[i]):
            roster[inst.sessions[s].id].append(inst.volunteers[v].id)
    unstaffed = []
    for s, session in enumerate(inst.sessions):
        missing = solver.value(vars_.short[s])
        if missing:
            unstaffed.append(Unstaffed(session.id, missing, tuple(unstaffed_reasons(inst, s, roster))))
    proven = all(stage["status"] == "OPTIMAL" for stage in stages.values())
    return Solution(roster, unstaffed, "OPTIMAL" if proven else "FEASIBLE", stages, time.perf_counter() - started)
