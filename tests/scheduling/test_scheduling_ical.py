"""The volunteer's iCal feed parses back with the right events."""

from datetime import UTC, date, datetime

import icalendar

from scheduling.ical import build_feed
from scheduling.model import BERLIN, Status
from tests.scheduling.sched_factories import berlin, make_appointment

NOW = berlin(2026, 10, 20, 9)


def parse(feed: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(feed)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_feed_round_trips_with_uids_times_status_and_summary():
    appointments = [
        make_appointment(date(2026, 10, 26), id=42, status=Status.BESTAETIGT),  # Monday after DST end
        make_appointment(date(2026, 10, 23), "14:30", "16:00", id=41, senior_label="Herr K.", district="Hörde"),
        make_appointment(date(2026, 10, 30), id=43, status=Status.ABGESAGT),
    ]
    feed = build_feed(appointments, now=NOW, domain="example.org")
    events = parse(feed)
    assert list(events) == ["termin-41@example.org", "termin-42@example.org", "termin-43@example.org"]

    monday = events["termin-42@example.org"]
    assert str(monday["SUMMARY"]) == "Besuch bei Frau M. (Eving)"
    assert str(monday["STATUS"]) == "CONFIRMED"
    start = monday.decoded("DTSTART")
    assert start == datetime(2026, 10, 26, 10, tzinfo=BERLIN)
    assert start.astimezone(UTC).hour == 9
    assert monday.decoded("DTEND") == datetime(2026, 10, 26, 12, tzinfo=BERLIN)

    friday = events["termin-41@example.org"]
    assert str(friday["SUMMARY"]) == "Besuch bei Herr K. (Hörde)"
    assert str(friday["STATUS"]) == "TENTATIVE"
    assert friday.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 23, 12, 30, tzinfo=UTC)
    assert str(events["termin-43@example.org"]["STATUS"]) == "CANCELLED"

    calendar = icalendar.Calendar.from_ical(feed)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert b"TZID=Europe/Berlin" in feed
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in feed
    assert feed.index(b"BEGIN:VTIMEZONE") < feed.index(b"BEGIN:VEVENT")


def test_feed_is_stable_and_filters_by_date():
    appointments = [make_appointment(date(2026, 10, 19), id=1), make_appointment(date(2026, 10, 21), id=2)]
    assert build_feed(appointments, now=NOW) == build_feed(list(reversed(appointments)), now=NOW)
    assert list(parse(build_feed(appointments, now=NOW, since=date(2026, 10, 20)))) == [
        "termin-2@begleitservice.dortmund.de"
    ]


def test_empty_feed_is_valid():
    calendar = icalendar.Calendar.from_ical(build_feed([], now=NOW))
    assert calendar.walk("VEVENT") == []


def test_no_health_data_in_feed():
    feed = build_feed([make_appointment(date(2026, 10, 21), id=5)], now=NOW).decode()
    assert "Pflegegrad" not in feed and "Demenz" not in feed
