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
from matching.staffing.greedy import warm_start
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


def _hint(vars_: Variables, inst: Instance, cand: Candidates, chosen: set[int]) -> None:
    """Start the first stage from the greedy roster (every variable hinted, so the hint is complete)."""
    model = vars_.model
    load: dict[int, int] = {v: 0 for v in vars_.load}
    on_session: dict[int, int] = {s: 0 for s in vars_.short}
    teams = set()
    for i, var in enumerate(vars_.x):
        picked = i in chosen
        model.add_hint(var, int(picked))
        if picked:
            v, s = cand.pairs[i]
            load[v] += 1
            on_session[s] += 1
            teams.add((v, inst.sessions[s].group))
    for key, var in vars_.team.items():
        model.add_hint(var, int(key in teams))
    for s, var in vars_.short.items():
        fixed = sum(1 for i in cand.by_session.get(s, []) if cand.pairs[i] in cand.fixed)
        model.add_hint(var, max(0, max(inst.sessions[s].need, fixed) - on_session[s]))
    for v, var in vars_.load.items():
        model.add_hint(var, load[v])


def _solver(inst: Instance, seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = max(1, inst.workers)
    solver.parameters.random_seed = inst.seed
    # the LP with the redundant team constraints proves the continuity stage (level 1 finds no bound at all)
    solver.parameters.linearization_level = 2
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
    _hint(vars_, inst, cand, warm_start(inst, cand))
    deadline = started + inst.time_limit_s
    stages: dict[str, dict] = {}
    answer: dict | None = None  # the values of the last stage that found a solution
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
            break  # keep the previous stage's answer
        value = round(solver.objective_value)
        stages[name] = {
            "status": solver.status_name(status),
            "value": value,
            "bound": round(solver.best_objective_bound),
            "seconds": round(seconds, 3),
        }
        # the next stage starts from this answer and may not make this term worse
        model.clear_hints()
        answer = {var.index: solver.value(var) for var in [*vars_.x, *vars_.short.values(), *vars_.load.values()]}
        # team memberships as the roster uses them (a stage that does not price them may leave spare ones set)
        used = {(v, inst.sessions[s].group) for i, (v, s) in enumerate(cand.pairs) if answer[vars_.x[i].index]}
        answer |= {var.index: int(key in used) for key, var in vars_.team.items()}
        for var in [*vars_.x, *vars_.team.values(), *vars_.short.values(), *vars_.load.values()]:
            model.add_hint(var, answer[var.index])
        constraints.at_most(vars_, terms[name], value)
    if answer is None:
        status = stages[objectives.STAGES[0]]["status"]
        return Solution({}, [], status, stages, time.perf_counter() - started)
    roster = {s.id: [] for s in inst.sessions}
    for i, (v, s) in enumerate(cand.pairs):
        if answer[vars_.x[i].index]:
            roster[inst.sessions[s].id].append(inst.volunteers[v].id)
    unstaffed = []
    for s, session in enumerate(inst.sessions):
        missing = answer[vars_.short[s].index]
        if missing:
            unstaffed.append(Unstaffed(session.id, missing, tuple(unstaffed_reasons(inst, s, roster))))
    proven = len(stages) == len(objectives.STAGES) and all(st["status"] == "OPTIMAL" for st in stages.values())
    return Solution(roster, unstaffed, "OPTIMAL" if proven else "FEASIBLE", stages, time.perf_counter() - started)
