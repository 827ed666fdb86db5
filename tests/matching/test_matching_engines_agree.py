"""The column-generation proofs and CP-SAT alone reach the same proven optimum on Dortmund-size instances."""

import pytest

from bench.matching_bench import generate
from matching.schema import Instance
from matching.solver import solve
from matching.validator import validate


def values(sol):
    return sol.served, sol.stages["priority"]["value"], sol.stages["quality"]["value"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_engines_prove_the_same_optimum(seed):
    data = generate(1, seed, time_limit_s=60)
    results = []
    for column_generation in (True, False):
        inst = Instance.from_dict(data)
        inst.settings.column_generation = column_generation
        sol = solve(inst)
        assert validate(inst, sol) == []
        assert sol.status == "OPTIMAL", sol.stages
        results.append(values(sol))
    assert results[0] == results[1]


def test_optimal_objective_meets_its_bound_and_matches_the_plan():
    inst = Instance.from_dict(generate(1, 4))
    sol = solve(inst)
    assert sol.status == "OPTIMAL"
    assert sol.objective == sol.bound
    assert sol.served_proven and sol.served == sol.served_bound
    by_id = {r.id: r for r in inst.requests}
    assert sol.stages["priority"]["value"] == sum(
        by_id[a.request].urgency * (1 + sum(r.waiting_days for r in inst.requests)) + by_id[a.request].waiting_days
        for a in sol.assignments
    )
