"""The staffing model of the Demenzgruppen: each rule has a tiny instance where it must bite, the validator
catches each broken rule without the solver, and continuity wins over spreading the load."""

from datetime import date, timedelta

import pytest

from matching.staffing import Instance, Session, Solution, Unstaffed, Volunteer, solve, staffing_need, validate

WED = date(2026, 12, 2)  # a Wednesday
WEDNESDAY = (2, 0, 24 * 60)


def session(sid, *, group="A", week=0, start=14 * 60, end=17 * 60, need=1, fixed=()):
    return Session(sid, group, WED + timedelta(weeks=week), start, end, need, group_name=f"Gruppe {group}", fixed=fixed)


def volunteer(vid, **kw):
    kw.setdefault("availability", [WEDNESDAY])
    kw.setdefault("max_sessions", 4)
    return Volunteer(vid, name=f"V{vid}", **kw)


def solved(sessions, volunteers, **kw) -> tuple[Instance, Solution]:
    inst = Instance(sessions, volunteers, time_limit_s=10, **kw)
    sol = solve(inst)
    assert sol.status == "OPTIMAL"
    assert validate(inst, sol) == []
    return inst, sol


@pytest.mark.parametrize(("participants", "expected"), [(0, 2), (6, 2), (7, 3), (9, 3), (10, 4)])
def test_staffing_need_one_per_three_at_least_two(participants, expected):
    assert staffing_need(participants, 3, 2) == expected


def test_staffing_rule_fills_each_session_to_its_need():
    _, sol = solved([session(1, need=3)], [volunteer(k) for k in range(5)])
    assert len(sol.roster[1]) == 3
    assert sol.unstaffed == []


def test_short_session_is_reported_with_reasons():
    vols = [volunteer(1), volunteer(2, absences=[(WED, WED)]), volunteer(3, declined={1})]
    _, sol = solved([session(1, need=2)], vols)
    assert sol.roster[1] == [1]
    (short,) = sol.unstaffed
    assert short.missing == 1
    assert set(short.reasons) == {"an dem Tag abwesend: 1 Ehrenamtliche", "für diesen Termin abgesagt: 1 Ehrenamtliche"}


def test_availability_is_respected_unless_they_said_yes():
    vols = [volunteer(1, availability=[(0, 0, 1440)]), volunteer(2, availability=[(0, 0, 1440)], accepted={1})]
    _, sol = solved([session(1)], vols)
    assert sol.roster[1] == [2]


def test_home_visit_with_buffer_blocks_the_session():
    vols = [volunteer(1, busy=[(WED, 17 * 60 + 10, 18 * 60)]), volunteer(2, busy=[(WED, 18 * 60, 19 * 60)])]
    _, sol = solved([session(1)], vols, buffer=30)
    assert sol.roster[1] == [2]  # 17:10 is within 30 minutes of 17:00; 18:00 is not


def test_monthly_maximum_is_respected():
    sessions = [session(w, week=w) for w in range(4)]
    _, sol = solved(sessions, [volunteer(1, max_sessions=2), volunteer(2, max_sessions=1)])
    assert sum(len(v) for v in sol.roster.values()) == 3
    assert len(sol.unstaffed) == 1
    assert sol.unstaffed[0].reasons == ("Monatsmaximum an Gruppenterminen erreicht: 2 Ehrenamtliche",)


def test_one_place_at_a_time_between_two_groups():
    sessions = [session(1, group="A"), session(2, group="B", start=16 * 60 + 30, end=18 * 60)]
    _, sol = solved(sessions, [volunteer(1)], buffer=0)
    assert sum(len(v) for v in sol.roster.values()) == 1
    assert sol.unstaffed[0].reasons == ("zur selben Zeit in einer anderen Gruppe eingeteilt: 1 Ehrenamtliche",)


def test_hand_placements_stay():
    _, sol = solved([session(1, need=1, fixed=(2,))], [volunteer(1), volunteer(2)])
    assert sol.roster[1] == [2]


def test_continuity_same_team_every_week():
    sessions = [session(w, week=w, need=2) for w in range(4)]
    _, sol = solved(sessions, [volunteer(k) for k in range(6)])
    teams = {tuple(sorted(v)) for v in sol.roster.values()}
    assert len(teams) == 1  # the same two volunteers all month, although six could share the load


def test_continuity_prefers_those_who_were_with_the_group():
    sessions = [session(w, week=w, need=1) for w in range(2)]
    vols = [volunteer(1), volunteer(2, history={"A": 5}), volunteer(3)]
    _, sol = solved(sessions, vols)
    assert sol.roster == {0: [2], 1: [2]}


def test_balance_among_equal_teams():
    sessions = [session(1, group="A"), session(2, group="B", start=9 * 60, end=11 * 60)]
    _, sol = solved(sessions, [volunteer(1), volunteer(2)])
    assert {tuple(v) for v in sol.roster.values()} == {(1,), (2,)}


def test_json_round_trip():
    inst = Instance([session(1, fixed=(2,))], [volunteer(2, absences=[(WED, WED)], history={"A": 1})])
    again = Instance.from_dict(inst.to_dict())
    assert again.to_dict() == inst.to_dict()


# --- the validator, without the solver ---------------------------------------------------------------------


def test_validator_finds_absent_volunteer():
    inst = Instance([session(1)], [volunteer(1, absences=[(WED, WED)])])
    errors = validate(inst, Solution({1: [1]}, [], "OPTIMAL", {}))
    assert errors == ["session 1 / volunteer 1: an dem Tag abwesend"]


def test_validator_finds_unreported_shortfall():
    inst = Instance([session(1, need=2)], [volunteer(1)])
    assert validate(inst, Solution({1: [1]}, [], "OPTIMAL", {})) == [
        "session 1: 1 of 2 volunteers and not reported short"
    ]


def test_validator_finds_monthly_maximum_and_double_booking():
    sessions = [session(1, group="A"), session(2, group="B")]
    inst = Instance(sessions, [volunteer(1, max_sessions=1)])
    errors = validate(inst, Solution({1: [1], 2: [1]}, [], "OPTIMAL", {}))
    assert "volunteer 1: 2 sessions, maximum 1" in errors
    assert "volunteer 1: sessions 1 and 2 at the same time" in errors


def test_validator_finds_removed_hand_placement():
    inst = Instance([session(1, fixed=(2,))], [volunteer(1), volunteer(2)])
    assert validate(inst, Solution({1: [1]}, [], "OPTIMAL", {})) == ["session 1: volunteer 2 on the roster was removed"]


def test_volunteer_only_for_the_groups_they_go_to():
    vols = [volunteer(1, groups={"B"}), volunteer(2, groups={"A", "B"})]
    _, sol = solved([session(1, group="A")], vols)
    assert sol.roster[1] == [2]


def test_unproven_later_stage_keeps_the_earlier_answer():
    sessions = [session(w, week=w, need=2) for w in range(4)]
    inst = Instance(sessions, [volunteer(k) for k in range(6)], time_limit_s=0.0)
    sol = solve(inst)
    assert validate(inst, sol) == []
    assert sol.status in ("OPTIMAL", "FEASIBLE")


def test_warm_start_obeys_every_rule_and_keeps_teams():
    from matching.staffing.candidates import build_candidates
    from matching.staffing.greedy import warm_start

    sessions = [session(w, week=w, need=2) for w in range(4)] + [session(9, group="B", start=15 * 60, need=1)]
    inst = Instance(sessions, [volunteer(k, max_sessions=3) for k in range(4)])
    cand = build_candidates(inst)
    roster = {s.id: [] for s in sessions}
    for i in warm_start(inst, cand):
        v, s = cand.pairs[i]
        roster[sessions[s].id].append(inst.volunteers[v].id)
    short = [Unstaffed(s.id, s.need - len(roster[s.id]), ()) for s in sessions if len(roster[s.id]) < s.need]
    assert validate(inst, Solution(roster, short, "FEASIBLE", {})) == []
    assert short == [] and len({v for sid, vols in roster.items() if sid != 9 for v in vols}) <= 4
