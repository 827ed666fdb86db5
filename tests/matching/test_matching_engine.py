"""Engine internals: exact timetables, cuts in the CP-SAT loop, bounds, and the validator itself."""

import time

from matching import objectives
from matching.bounds import column_generation_bound
from matching.candidates import build_candidates
from matching.engine import MAXIMIZE, Engine
from matching.greedy import flow_bound
from matching.schedule import DayPlanner, minimal_conflict, timetable
from matching.schema import Instance, Visit
from matching.solver import solve
from matching.validator import validate
from tests.matching.match_factories import instance, request, slot, solve_checked, volunteer

MONDAY = [slot(0, "09:00", "11:30")]


def conflict_instance():
    """One volunteer, Monday 09:00-11:30: two 60-min visits fit with the buffer, three do not."""
    return Instance.from_dict(
        instance([volunteer(availability=MONDAY)], [request(i, windows=MONDAY) for i in range(3)])
    )


def test_timetable_is_exact_and_the_conflict_minimal():
    inst = conflict_instance()
    cand = build_candidates(inst)
    planner = DayPlanner(15, 30)
    pairs = cand.pairs
    table = timetable(pairs[:2], planner)
    assert sorted(start for visits in table.values() for _, start in visits) == [9 * 60, 10 * 60 + 30]
    assert timetable(pairs, planner) is None
    assert len(minimal_conflict(pairs, planner)) == 3


def test_cp_sat_loop_cuts_what_cannot_be_timetabled():
    inst = conflict_instance()
    cand = build_candidates(inst)
    engine = Engine(inst, cand, deadline=time.perf_counter() + 10)
    assert flow_bound(inst, cand) == 3  # the flow bound does not see the timetable
    result = engine.run_stage(
        "served", objectives.served_term(engine.vars), MAXIMIZE, lambda plan: len(plan.pair_of), budget_s=10
    )
    assert result.proven and result.value == 2 and result.cuts == 1


def test_column_generation_bound_sees_the_timetable():
    inst = conflict_instance()
    cand = build_candidates(inst)
    bound = column_generation_bound(
        inst, cand, DayPlanner(15, 30), [1.0] * len(cand.pairs), deadline=time.perf_counter() + 10
    )
    assert bound.integer() == 2


def test_validator_catches_broken_rules():
    data = instance([volunteer(max_seniors=2)], [request(1), request(2)])
    inst = Instance.from_dict(data)
    sol = solve_checked(data)
    assert validate(inst, sol) == []
    sol.assignments[0].visits[0] = Visit(0, 10 * 60 + 5, 11 * 60 + 5)
    sol.assignments[1].visits[0] = Visit(0, 11 * 60, 12 * 60)
    errors = validate(inst, sol)
    assert any("grid" in e for e in errors)
    assert any("buffer" in e for e in errors)


def test_pinned_volunteer_that_no_longer_fits_is_explained():
    data = instance([volunteer("a"), volunteer("b", services=["entlastung"])], [request(1, pinned_volunteer="b")])
    sol = solve_checked(data)
    assert sol.served == 0
    assert sol.unserved[0].reason_codes == ["pinned_unfit"]


def test_volunteer_with_many_seniors_left_stays_fast_and_valid():
    data = instance(
        [volunteer(max_seniors=8, max_minutes_per_week=8 * 60)],
        [request(i, urgency=1 + i % 3, waiting_days=i) for i in range(12)],
    )
    sol = solve_checked(data)
    assert sol.served == 8


def test_more_than_six_visits_on_one_day_are_still_valid():
    day = [slot(0, "08:00", "18:00")]
    data = instance(
        [volunteer(max_seniors=9, max_minutes_per_week=600, availability=day)],
        [request(i, minutes_per_visit=30, windows=day) for i in range(10)],
    )
    inst = Instance.from_dict(data)
    sol = solve(inst)
    assert validate(inst, sol) == []
    assert sol.served == 9  # 9 x (30 + 30 buffer) fit into 08:00-18:00; max_seniors stops the tenth
