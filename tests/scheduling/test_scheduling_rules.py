"""Rule validation and NRW holidays."""

from dataclasses import replace
from datetime import date, time

import pytest

from scheduling.calendar_nrw import holiday_name, holidays_between, is_holiday
from scheduling.rules import RuleError, Slot, VisitRule, check_rule, validate_rule


def rule(weekdays=(0,), start_time=time(10), duration_minutes=120, **fields) -> VisitRule:
    """A valid weekly Monday rule unless arguments say otherwise."""
    fields.setdefault("starts_on", date(2026, 4, 1))
    return replace(VisitRule.same_time(weekdays, start_time, duration_minutes, fields.pop("starts_on")), **fields)


def test_valid_rule_has_no_errors_and_describes_itself():
    r = rule(weekdays=(0, 4), interval_weeks=2, ends_on=date(2026, 12, 31))
    assert validate_rule(r) == []
    assert r.slots[0].end_time == time(12)
    assert r.describe() == ("alle zwei Wochen montags und freitags 10:00–12:00 Uhr, ab 01.04.2026 bis 31.12.2026")


def test_rule_with_different_times_describes_each_slot():
    r = VisitRule((Slot.from_minutes(0, 600, 90), Slot.from_minutes(3, 900, 60)), date(2026, 4, 1))
    assert validate_rule(r) == []
    assert r.weekdays == (0, 3)
    assert r.describe() == "wöchentlich montags 10:00–11:30 Uhr und donnerstags 15:00–16:00 Uhr, ab 01.04.2026"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekdays": ()}, "Bitte mindestens einen Wochentag auswählen."),
        ({"weekdays": (7,)}, "Wochentage müssen zwischen 0 (Montag) und 6 (Sonntag) liegen."),
        ({"weekdays": (1, 1)}, "Die Besuchszeiten am Dienstag überschneiden sich."),
        ({"duration_minutes": 10}, "Ein Besuch dauert mindestens 15 Minuten."),
        ({"duration_minutes": 90.5}, "Die Dauer wird in ganzen Minuten angegeben."),
        ({"duration_minutes": 11 * 60}, "Ein Besuch darf höchstens 10 Stunden dauern."),
        ({"start_time": time(23), "duration_minutes": 120}, "Der Besuch muss am selben Tag enden."),
        ({"ends_on": date(2026, 3, 31)}, "Das Enddatum darf nicht vor dem Startdatum liegen."),
        ({"interval_weeks": 3}, "Bitte „wöchentlich“ oder „alle zwei Wochen“ wählen."),
    ],
)
def test_invalid_rules_get_german_messages(fields, message):
    assert message in validate_rule(rule(**fields))


def test_check_rule_raises_with_messages():
    with pytest.raises(RuleError) as raised:
        check_rule(rule(duration_minutes=-5, ends_on=date(2026, 1, 1)))
    assert len(raised.value.messages) == 2


def test_nrw_holidays_come_from_the_package():
    assert holiday_name(date(2026, 4, 3)) == "Karfreitag"
    assert holiday_name(date(2026, 6, 4)) == "Fronleichnam"
    assert holiday_name(date(2026, 11, 1)) == "Allerheiligen"
    assert not is_holiday(date(2026, 10, 31))  # Reformationstag is not a holiday in NRW
    assert list(holidays_between(date(2026, 12, 20), date(2027, 1, 6))) == [
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2027, 1, 1),
    ]
