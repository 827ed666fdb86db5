"""Each hard rule has a tiny instance where it must bite."""

from tests.matching.match_factories import codes, instance, pairs, request, slot, solve_checked, volunteer


def test_service_must_be_offered():
    sol = solve_checked(instance([volunteer(services=["entlastung"])], [request()]))
    assert sol.served == 0
    assert codes(sol) == {1: "no_service_in_district"}


def test_district_must_be_covered_travel_districts_count():
    data = instance(
        [volunteer("home", districts=["Hörde"]), volunteer("travels", districts=["Hörde", "Eving"])],
        [request(1, district="Eving")],
    )
    assert pairs(solve_checked(data)) == {1: "travels"}


def test_language_must_be_spoken():
    data = instance(
        [volunteer("de"), volunteer("tr", languages=["Deutsch", "Türkisch"])],
        [request(1, languages=["Türkisch"])],
    )
    assert pairs(solve_checked(data)) == {1: "tr"}


def test_gender_preference_is_met():
    data = instance([volunteer("w", gender="w"), volunteer("m", gender="m")], [request(1, volunteer_gender="m")])
    assert pairs(solve_checked(data)) == {1: "m"}


def test_k_visits_on_k_different_weekdays():
    data = instance(
        [volunteer(availability=[slot(0, "08:00", "18:00")])],
        [request(1, visits_per_week=2, windows=[slot(0, "08:00", "18:00")])],
    )
    assert solve_checked(data).served == 0
    data["volunteers"][0]["availability"].append(slot(2, "09:00", "11:00"))
    data["requests"][0]["windows"].append(slot(2, "08:00", "18:00"))
    sol = solve_checked(data)
    assert sorted(v.weekday for v in sol.assignments[0].visits) == [0, 2]


def test_start_on_slot_grid():
    # 10:10-11:10 leaves room for 60 minutes only when starting at 10:10, which is off the 15-minute grid
    data = instance(
        [volunteer(availability=[slot(0, "10:10", "11:20")])],
        [request(windows=[slot(0, "10:10", "11:10")])],
    )
    assert solve_checked(data).served == 0
    data["requests"][0]["windows"] = [slot(0, "10:10", "11:15")]
    sol = solve_checked(data)
    assert sol.assignments[0].visits[0].start == 10 * 60 + 15


def test_visit_inside_request_window():
    data = instance(
        [volunteer(availability=[slot(1, "08:00", "12:00")])], [request(windows=[slot(1, "11:30", "14:00")])]
    )
    assert solve_checked(data).served == 0


def test_visit_inside_volunteer_availability():
    data = instance(
        [volunteer(availability=[slot(1, "08:00", "09:30")])], [request(windows=[slot(1, "08:00", "12:00")])]
    )
    sol = solve_checked(data)
    assert sol.assignments[0].visits[0].start == 8 * 60
    data["volunteers"][0]["availability"] = [slot(2, "08:00", "12:00")]
    assert codes(solve_checked(data)) == {1: "no_time_overlap"}


def test_busy_time_blocks_with_travel_buffer():
    # free 08:00-12:00 but busy 09:00-10:00: with 30 min buffer a 60-min visit fits only 10:30-11:30 or later
    data = instance(
        [volunteer(availability=[slot(0, "08:00", "12:00")], busy=[slot(0, "09:00", "10:00")])],
        [request(windows=[slot(0, "08:00", "12:00")])],
    )
    assert solve_checked(data).assignments[0].visits[0].start == 10 * 60 + 30
    data["volunteers"][0]["busy"] = [slot(0, "08:45", "10:45")]
    sol = solve_checked(data)
    assert sol.served == 0
    assert codes(sol) == {1: "busy_blocks"}


def test_two_visits_same_day_keep_buffer():
    one_day = [slot(0, "09:00", "11:30")]
    data = instance(
        [volunteer(availability=one_day)],
        [request(1, windows=one_day, urgency=2), request(2, windows=one_day)],
    )
    sol = solve_checked(data)  # 09:00-10:00 and 10:30-11:30 fit exactly with the 30-min buffer
    assert sol.served == 2
    data["settings"]["travel_buffer_minutes"] = 45
    sol = solve_checked(data)
    assert pairs(sol) == {1: "v1"}
    assert codes(sol) == {2: "taken"}


def test_weekly_minutes_left():
    data = instance([volunteer(max_minutes_per_week=90)], [request(1), request(2, urgency=3)])
    sol = solve_checked(data)
    assert pairs(sol) == {2: "v1"}
    data["volunteers"][0]["max_minutes_per_week"] = 30
    assert codes(solve_checked(data)) == {1: "no_capacity_left", 2: "no_capacity_left"}


def test_max_seniors_left():
    data = instance([volunteer(max_seniors=1)], [request(1), request(2, waiting_days=5)])
    assert pairs(solve_checked(data)) == {2: "v1"}


def test_pinned_request_gets_only_its_volunteer():
    data = instance(
        [volunteer("near"), volunteer("pinned", districts=["Hörde", "Eving"])],
        [request(1, pinned_volunteer="pinned")],
    )
    assert pairs(solve_checked(data)) == {1: "pinned"}


def test_excluded_volunteer_is_not_proposed():
    data = instance([volunteer("a"), volunteer("b")], [request(1, excluded_volunteers=["a"])])
    assert pairs(solve_checked(data)) == {1: "b"}
    data["requests"][0]["excluded_volunteers"] = ["a", "b"]
    assert codes(solve_checked(data)) == {1: "all_excluded"}


def test_visit_lies_in_one_window_not_across_two_adjacent_ones():
    data = instance([volunteer()], [request(windows=[slot(0, "09:00", "09:45"), slot(0, "09:45", "10:30")])])
    assert solve_checked(data).served == 0
    data["requests"][0]["windows"].append(slot(0, "09:00", "10:00"))
    assert solve_checked(data).served == 1
