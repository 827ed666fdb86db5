"""Alternatives: for each proposal up to two other volunteers who could take it instead, ranked, with reasons."""

from matching.schema import Solution
from tests.matching.match_factories import instance, request, slot, solve_checked, volunteer


def _only(sol: Solution):
    assert len(sol.assignments) == 1
    return sol.assignments[0]


def test_up_to_two_alternatives_ranked_by_travel_each_with_visits_and_reasons():
    data = instance(
        [
            volunteer("near", districts=["Eving"]),
            volunteer("far", districts=["Hörde", "Eving"]),
            volunteer("home", districts=["Eving"]),
            volunteer("also", districts=["Eving"]),
        ],
        [request(1)],
    )
    chosen = _only(solve_checked(data))
    alternatives = chosen.alternatives
    assert len(alternatives) == 2
    assert chosen.volunteer not in [a.volunteer for a in alternatives]
    assert "far" not in [a.volunteer for a in alternatives]  # travels from Hörde: ranked behind the local ones
    for alternative in alternatives:
        assert len(alternative.visits) == 1 and alternative.visits[0].end - alternative.visits[0].start == 60
        assert "wohnt im Stadtbezirk Eving" in alternative.reasons


def test_a_volunteer_taken_at_the_only_time_is_no_alternative():
    data = instance(
        [
            volunteer("a", availability=[slot(0, "09:00", "10:00")], max_seniors=1),
            volunteer("b", availability=[slot(0, "09:00", "10:00")], max_seniors=1),
        ],
        [request(1, windows=[slot(0, "09:00", "10:00")]), request(2, windows=[slot(0, "09:00", "10:00")])],
    )
    sol = solve_checked(data)
    assert len(sol.assignments) == 2
    assert all(a.alternatives == [] for a in sol.assignments)  # each is the other's only volunteer, and busy


def test_alternatives_survive_the_json_contract():
    sol = solve_checked(instance([volunteer("a"), volunteer("b")], [request(1)]))
    again = Solution.from_dict(sol.to_dict())
    assert again.assignments[0].alternatives == sol.assignments[0].alternatives != []
