"""Rule validation and NRW holidays."""

from datetime import date, time

import pytest

from scheduling.calendar_nrw import holiday_name, holidays_between, is_holiday
from scheduling.rules import Frequency, RuleError, VisitRule, check_rule, validate_rule


def rule(**fields) -> VisitRule:
    """A valid weekly Monday rule unless fields say otherwise."""
    values = dict(weekdays=(0,), start_time=time(10), duration_minutes=120, starts_on=date(2026, 4, 1))
    values.update(fields)
    return VisitRule(**values)


def test_valid_rule_has_no_errors_and_describes_itself():
    r = rule(weekdays=(0, 4), frequency=Frequency.BIWEEKLY, ends_on=date(2026, 12, 31))
    assert validate_rule(r) == []
    assert r.end_time == time(12)
    assert r.describe() == ("alle zwei Wochen montags und freitags, 10:00–12:00 Uhr, ab 01.04.2026 bis 31.12.2026")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekdays": ()}, "Bitte mindestens einen Wochentag auswählen."),
        ({"weekdays": (7,)}, "Wochentage müssen zwischen 0 (Montag) und 6 (Sonntag) liegen."),
        ({"weekdays": (1, 1)}, "Jeder Wochentag darf nur einmal vorkommen."),
        ({"duration_minutes": 0}, "Die Dauer muss größer als 0 Minuten sein."),
        ({"duration_minutes": 90.5}, "Die Dauer wird in ganzen Minuten angegeben."),
        ({"duration_minutes": 13 * 60}, "Ein Besuch darf höchstens 12 Stunden dauern."),
        ({"start_time": time(23), "duration_minutes": 120}, "Der Besuch muss am selben Tag enden."),
        ({"ends_on": date(2026, 3, 31)}, "Das Enddatum darf nicht vor dem Startdatum liegen."),
        ({"frequency": "monthly"}, "Bitte „wöchentlich“ oder „alle zwei Wochen“ wählen."),
    ],
)
def test_invalid_rules_get_german_messages(fields, message):
    assert message in validate_rule(rule(**fields))


def test_check_rule_raises_with_messages():
    with pytest.raises(RuleError) as raised:
        check_rule(rule(weekdays=(), duration_minutes=-5))
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
