"""Reasons: every proposal explains itself, every unserved request says why, with a distinct code per kind."""

from tests.matching.match_factories import instance, request, slot, solve_checked, volunteer


def only_unserved(sol):
    assert len(sol.unserved) == 1
    unserved = sol.unserved[0]
    assert len(unserved.reasons) == len(unserved.reason_codes) >= 1
    assert all(isinstance(text, str) for text in unserved.reasons)
    return unserved


def test_no_volunteer_offers_the_service_in_the_district():
    sol = solve_checked(instance([volunteer(districts=["Hörde"])], [request(district="Eving")]))
    unserved = only_unserved(sol)
    assert unserved.reason_codes == ["no_service_in_district"]
    assert "Eving" in unserved.reasons[0]


def test_some_offer_it_but_none_speaks_the_language():
    sol = solve_checked(instance([volunteer()], [request(languages=["Russisch"])]))
    unserved = only_unserved(sol)
    assert unserved.reason_codes == ["no_language"]
    assert "Russisch" in unserved.reasons[0]


def test_none_of_the_requested_gender():
    sol = solve_checked(instance([volunteer(gender="w")], [request(volunteer_gender="m")]))
    assert only_unserved(sol).reason_codes == ["no_gender"]


def test_availability_does_not_overlap_the_windows():
    data = instance(
        [volunteer(availability=[slot(0, "08:00", "12:00")])], [request(windows=[slot(0, "14:00", "16:00")])]
    )
    unserved = only_unserved(solve_checked(data))
    assert unserved.reason_codes == ["no_time_overlap"]
    assert unserved.volunteers == ["v1"]
    assert "Mo 14:00–16:00" in unserved.reasons[0]


def test_busy_times_block_an_otherwise_fitting_volunteer():
    data = instance(
        [volunteer(availability=[slot(0, "08:00", "12:00")], busy=[slot(0, "09:00", "11:00")])],
        [request(windows=[slot(0, "08:00", "12:00")])],
    )
    assert only_unserved(solve_checked(data)).reason_codes == ["busy_blocks"]


def test_all_fitting_volunteers_are_full_already():
    data = instance([volunteer(max_seniors=0), volunteer("v2", max_minutes_per_week=30)], [request()])
    unserved = only_unserved(solve_checked(data))
    assert unserved.reason_codes == ["no_capacity_left"]
    assert set(unserved.volunteers) == {"v1", "v2"}


def test_all_fitting_volunteers_are_taken_by_other_requests_named():
    data = instance(
        [volunteer("anna", max_seniors=1, name="Anna")],
        [request(1, urgency=3, name="Frau Kaya"), request(2, urgency=1)],
    )
    sol = solve_checked(data)
    unserved = only_unserved(sol)
    assert unserved.request == 2
    assert unserved.reason_codes == ["taken"]
    assert "Anna" in unserved.reasons[0] and "Frau Kaya" in unserved.reasons[0]


def test_assignment_reasons_in_german():
    data = instance(
        [
            volunteer(
                "v1",
                districts=["Innenstadt-Nord", "Eving"],
                languages=["Deutsch", "Türkisch"],
                availability=[slot(1, "09:00", "13:00")],
                max_minutes_per_week=240,
            )
        ],
        [
            request(
                1,
                languages=["Türkisch"],
                volunteer_gender="w",
                minutes_per_visit=120,
                windows=[slot(1, "10:00", "12:00")],
            )
        ],
    )
    reasons = solve_checked(data).assignments[0].reasons
    assert "fährt nach Eving (2,4 km)" in reasons
    assert "spricht Türkisch" in reasons
    assert "ist eine Frau, wie gewünscht" in reasons
    assert "Dienstag 10:00–12:00 passt" in reasons
    assert "noch 2 Std./Woche frei" in reasons


def test_home_district_reason():
    reasons = solve_checked(instance([volunteer()], [request()])).assignments[0].reasons
    assert "wohnt im Stadtbezirk Eving" in reasons


def test_unknown_district_does_not_crash():
    data = instance(
        [volunteer(districts=["Atlantis", "Eving"])], [request(district="Eving"), request(2, district="Atlantis")]
    )
    sol = solve_checked(data)
    assert sol.served == 2


def test_incomplete_request_is_explained_not_crashed():
    sol = solve_checked(instance([volunteer()], [request(visits_per_week=0)]))
    assert sol.unserved[0].reason_codes == ["invalid_request"]


def test_empty_instance():
    sol = solve_checked(instance([], []))
    assert sol.served == 0 and sol.unserved == []
