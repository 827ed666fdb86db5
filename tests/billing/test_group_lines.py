"""Demenzgruppen in billing: each attended session is a line of the participant for that day at the group's price,
it runs through the Entlastungsbetrag ledger and the Kasse/senior routing by the day like a home visit, and the
volunteers' minutes at the sessions count for their allowance."""

from datetime import date, time

from billing.allowances import GroupShift, group_allowance_lines
from billing.config import config_from_dict
from billing.invoices import Abtretung, RecipientKind
from billing.lines import Service, build_lines, charges_from_lines
from billing.month import Month
from billing.run import prepare_month
from tests.billing.billing_factories import D, make_appointment, make_senior, make_senior_month

MARCH = Month(2026, 3)


def session(day, *, price="22.50", per_session=True, senior_ref="s1"):
    """An attended Wednesday session 14:00–17:00 of group 7."""
    return make_appointment(
        f"g{day}-{senior_ref}",
        date(2026, 3, day),
        minutes=180,
        start=time(14, 0),
        senior_ref=senior_ref,
        service=Service.DEMENZGRUPPE,
        volunteer_ref="",
        volunteer_name="Demenzgruppe Café Vergissmeinnicht",
        group_price=D(price) if price is not None else None,
        per_session=per_session,
    )


def test_attended_session_is_billed_at_the_price_per_session(config):
    (line,) = build_lines([session(4)], config=config)
    assert (line.billable, line.amount, line.hours) == (True, D("22.50"), D("3.00"))
    assert [(c.ref, c.amount, c.day) for c in charges_from_lines([line])] == [("g4-s1", D("22.50"), date(2026, 3, 4))]


def test_price_per_hour_multiplies_the_session_length(config):
    (line,) = build_lines([session(4, price="8.00", per_session=False)], config=config)
    assert line.amount == D("24.00")


def test_group_without_a_price_is_recorded_not_billed(config):
    (line,) = build_lines([session(4, price=None)], config=config)
    assert (line.billable, line.amount) == (False, D("0.00"))


def test_sessions_route_by_the_day_with_the_abtretung(config):
    senior = make_senior(abtretungen=(Abtretung(date(2026, 3, 15)),))
    run = prepare_month(
        MARCH, [make_senior_month(senior, [session(4), session(11), session(18), session(25)])], config=config
    )
    kasse = [r for inv in run.invoices if inv.recipient.kind is RecipientKind.PFLEGEKASSE for r in inv.line_refs]
    own = [r for inv in run.invoices if inv.recipient.kind is RecipientKind.SENIOR for r in inv.line_refs]
    assert (kasse, own) == (["g18-s1", "g25-s1"], ["g4-s1", "g11-s1"])
    (result,) = run.seniors
    assert [bl.line.ref for bl in result.leistungsnachweis.lines] == ["g4-s1", "g11-s1", "g18-s1", "g25-s1"]
    assert result.leistungsnachweis.total == D("90.00")


def test_sessions_and_home_visits_share_the_entlastungsbetrag(config):
    # Jan–Mar: 3 × 131 € = 393 €; 17 home visits of 2 h (255 €) and 8 sessions (180 €) = 435 €: 42 € privately
    visits = [make_appointment(f"v{d}", date(2026, 3, d), minutes=120) for d in range(1, 18)]
    sessions = [session(d) for d in (2, 4, 9, 11, 16, 18, 23, 25)]
    run = prepare_month(MARCH, [make_senior_month(make_senior(), visits + sessions)], config=config)
    (result,) = run.seniors
    split = result.leistungsnachweis.split
    assert (split.entlastungsbetrag, split.private) == (D("393.00"), D("42.00"))


def test_volunteer_minutes_at_sessions_earn_the_allowance():
    config = config_from_dict({"allowance_per_hour": {"2020-01-01": "5.00"}})
    shifts = [GroupShift("g4", "v1", "Vera Beispiel", date(2026, 3, 4), 180)]
    (line,) = group_allowance_lines(shifts, config=config)
    assert (line.volunteer_ref, line.minutes, line.amount) == ("v1", 180, D("15.00"))
