"""The lexicographic objective: served first, then urgency, then waiting, then travel and languages."""

import json
import subprocess
import sys
from pathlib import Path

from matching.schema import Instance
from matching.solver import solve
from tests.matching.match_factories import instance, pairs, request, slot, solve_checked, volunteer


def test_serving_more_beats_urgency():
    # the urgent request can only be served by the volunteer that both others need
    data = instance(
        [volunteer("shared", max_seniors=2), volunteer("only_shared", districts=["Hörde"], max_seniors=1)],
        [
            request("urgent", urgency=3, minutes_per_visit=120),
            request("a", minutes_per_visit=60),
            request("b", minutes_per_visit=60),
        ],
    )
    data["volunteers"][0]["max_minutes_per_week"] = 120
    sol = solve_checked(data)
    assert sol.served == 2
    assert set(pairs(sol)) == {"a", "b"}


def test_urgency_beats_waiting():
    data = instance(
        [volunteer(max_seniors=1)], [request(1, urgency=3, waiting_days=0), request(2, urgency=1, waiting_days=400)]
    )
    assert pairs(solve_checked(data)) == {1: "v1"}


def test_waiting_breaks_ties_of_urgency():
    data = instance(
        [volunteer(max_seniors=1)], [request(1, urgency=2, waiting_days=3), request(2, urgency=2, waiting_days=30)]
    )
    assert pairs(solve_checked(data)) == {2: "v1"}


def test_home_district_preferred_over_travel():
    data = instance([volunteer("far", districts=["Hörde", "Eving"]), volunteer("home")], [request()])
    assert pairs(solve_checked(data)) == {1: "home"}


def test_nearer_district_preferred():
    data = instance(
        [
            volunteer("mengede", districts=["Mengede", "Eving"]),
            volunteer("nord", districts=["Innenstadt-Nord", "Eving"]),
        ],
        [request()],
    )
    assert pairs(solve_checked(data)) == {1: "nord"}


def test_shared_language_beyond_german_preferred():
    data = instance(
        [volunteer("de"), volunteer("pl", languages=["Deutsch", "Polnisch"])],
        [request(languages=["Deutsch", "Polnisch"])],
    )
    assert pairs(solve_checked(data)) == {1: "pl"}


def test_load_is_balanced():
    data = instance([volunteer("a"), volunteer("b")], [request(1), request(2)])
    assert sorted(pairs(solve_checked(data)).values()) == ["a", "b"]


def test_timetable_conflicts_between_requests_are_respected():
    # two 2-visit requests whose windows leave room for only one of them on the volunteer's two days
    days = [slot(0, "09:00", "11:00"), slot(2, "09:00", "11:00")]
    data = instance(
        [
            volunteer("v", availability=days),
            volunteer("w", availability=[slot(0, "09:00", "11:00"), slot(3, "09:00", "11:00")]),
        ],
        [
            request(1, visits_per_week=2, minutes_per_visit=90, windows=days, urgency=3),
            request(2, visits_per_week=2, minutes_per_visit=90, windows=days),
            request(3, minutes_per_visit=90, windows=[slot(0, "09:00", "11:00")]),
        ],
    )
    sol = solve_checked(data)
    assert sol.served == 2
    assert pairs(sol) == {1: "v", 3: "w"}


def test_same_input_same_output():
    data = instance(
        [volunteer(f"v{i}", max_seniors=1 + i % 2, districts=["Eving", "Scharnhorst"][: 1 + i % 2]) for i in range(6)],
        [request(i, district=["Eving", "Scharnhorst"][i % 2], urgency=1 + i % 3, waiting_days=i) for i in range(9)],
    )
    first = solve(Instance.from_dict(data)).to_dict()
    second = solve(Instance.from_dict(data)).to_dict()
    for out in (first, second):
        out.pop("wall_s")
        out.pop("stats")
        for stage in out["stages"].values():
            stage.pop("wall_s")
    assert first == second


def test_cli_solves_a_json_file(tmp_path: Path):
    data = instance(
        [volunteer(), volunteer("v2", districts=["Hörde"])], [request(1), request("zwei", district="Hörde")]
    )
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "matching", "solve", str(path), "--validate"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    out = json.loads(done.stdout)
    assert out["status"] == "OPTIMAL"
    assert out["served"] == 2
    assert {a["request"] for a in out["assignments"]} == {1, "zwei"}
    assert out["assignments"][0]["visits"][0]["start"] == "08:00"
