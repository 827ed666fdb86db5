"""Correction plans (Storno cascade, retroactive facts) and the Nachberechnung of late minutes, in exact cents."""

import dataclasses
from datetime import date

import pytest

from billing.corrections import Billed, correction_invoices, cover_late, fingerprint, plan_correction
from billing.invoices import Abtretung, RecipientKind, number_invoices
from billing.ledger import GradePeriod, LedgerInput, OpeningBalance, Split, compute_ledger
from billing.lines import build_lines
from billing.month import Month
from billing.run import SeniorMonth, prepare_month
from tests.billing.billing_factories import PG2_SINCE_2020, D, make_appointment, make_senior

SEP, OCT, NOV, DEC = Month(2026, 9), Month(2026, 10), Month(2026, 11), Month(2026, 12)
WITH_ABTRETUNG = make_senior(abtretungen=(Abtretung(date(2020, 1, 1)),))


def visit(ref, day, minutes):
    return make_appointment(ref, day, minutes=minutes)


def bill_months(senior, data: LedgerInput, visits_by_month, config, *, last=None):
    """Bill month after month as the run does (history locked, invoices numbered): the billed lines."""
    billed: list[Billed] = []
    last = last
    for month, visits in sorted(visits_by_month.items()):
        history = tuple(
            dataclasses.replace(c, locked=b.split)
            for b in billed
            for c in [_charge_of(b)]
            if c is not None and b.month < month
        )
        run = prepare_month(
            month, [SeniorMonth(senior, dataclasses.replace(data, charges=history), tuple(visits))], config=config
        )
        numbered = number_invoices(run.invoices, last=last, issued_on=month.last_day)
        if numbered:
            last = numbered[-1].number
        kasse = {
            ref: inv.number
            for inv in numbered
            if inv.recipient.kind is RecipientKind.PFLEGEKASSE
            for ref in inv.line_refs
        }
        own = {
            ref: inv.number for inv in numbered if inv.recipient.kind is RecipientKind.SENIOR for ref in inv.line_refs
        }
        for result in run.seniors:
            for bl in result.billed:
                billed.append(Billed(bl.line, bl.split, kasse.get(bl.line.ref), own.get(bl.line.ref)))
    return billed


def _charge_of(b):
    from billing.lines import charges_from_lines

    found = charges_from_lines([b.line])
    return found[0] if found else None


def ledger_data(start=SEP, grades=PG2_SINCE_2020, **kw):
    return LedgerInput(grades=grades, service_start=start, **kw)


def month_split(plan, month):
    found = next(m for m in plan.months if m.month == month)
    return found.old, found.new


def entlastung_total(billed_or_lines):
    return sum((b.split.entlastungsbetrag for b in billed_or_lines), D("0.00"))


# Sep 60.00 (8 h), Oct 150.00 (20 h), Nov 75.00 (10 h); 131 € a month from September.
THREE_MONTHS = {
    SEP: [visit("s1", date(2026, 9, 7), 480)],
    OCT: [visit("o1", date(2026, 10, 5), 600), visit("o2", date(2026, 10, 19), 600)],
    NOV: [visit("n1", date(2026, 11, 9), 600)],
}


def test_history_as_billed(config):
    billed = {b.ref: b.split for b in bill_months(make_senior(), ledger_data(), THREE_MONTHS, config)}
    assert billed == {
        "s1": Split(D("60.00")),
        "o1": Split(D("75.00")),
        "o2": Split(D("75.00")),
        "n1": Split(D("75.00")),
    }


def test_storno_of_an_old_month_upward_takes_the_money_back_from_the_next_month_only(config):
    billed = bill_months(make_senior(), ledger_data(), THREE_MONTHS, config)
    # September was 22 h, not 8: 165.00. September may use its 131.00, so October keeps only 131.00 of its 150.00.
    plan = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config, corrected={"s1": 1320})
    assert [m.month for m in plan.months] == [SEP, OCT]  # November is untouched: its money is still there
    assert month_split(plan, SEP) == (Split(D("60.00")), Split(D("131.00"), D("0.00"), D("34.00")))
    assert month_split(plan, OCT) == (Split(D("150.00")), Split(D("131.00"), D("0.00"), D("19.00")))
    sep, oct_ = plan.months
    assert sep.cancel == ("2026-000001",) and oct_.cancel == ("2026-000002",)
    # October's two visits: the first keeps 75.00, the second gets the 56.00 left and 19.00 privately.
    assert [bl.split for bl in oct_.lines] == [Split(D("75.00")), Split(D("56.00"), D("0.00"), D("19.00"))]
    # Never more than the entitlement: 3 × 131.00 credited, 131 + 131 + 75 billed to the Entlastungsbetrag.
    after = [bl for m in plan.months for bl in m.lines] + [b for b in billed if b.month == NOV]
    assert entlastung_total(after) == D("337.00") <= 3 * D("131.00")


def test_without_the_cascade_october_would_spend_money_twice(config):
    """The old Storno rebilled September alone: 131 + 150 in two months of 131 each. The plan prevents it."""
    billed = bill_months(make_senior(), ledger_data(), THREE_MONTHS, config)
    plan = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config, corrected={"s1": 1320})
    by_month = {m.month: m.new.entlastungsbetrag for m in plan.months}
    assert by_month[SEP] + by_month[OCT] == 2 * D("131.00")


def test_storno_downward_gives_the_money_to_later_private_parts(config):
    visits = {SEP: [visit("s1", date(2026, 9, 7), 1200)], OCT: [visit("o1", date(2026, 10, 5), 1200)]}
    billed = bill_months(make_senior(), ledger_data(), visits, config)
    assert [b.split for b in billed] == [Split(D("131.00"), D("0"), D("19.00")), Split(D("131.00"), D("0"), D("19.00"))]
    plan = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config, corrected={"s1": 600})
    # September 75.00 leaves 56.00, which covers October's private 19.00.
    assert month_split(plan, SEP)[1] == Split(D("75.00"))
    assert month_split(plan, OCT)[1] == Split(D("150.00"))


def test_a_month_without_a_change_is_not_touched_and_a_storno_without_any_change_is_empty(config):
    billed = bill_months(make_senior(), ledger_data(), THREE_MONTHS, config)
    plan = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config)
    assert plan.is_empty
    again = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config, reissue={"2026-000001"})
    assert [m.month for m in again.months] == [SEP]
    assert again.months[0].old == again.months[0].new == Split(D("60.00"))


def test_visit_corrected_to_did_not_take_place_goes_and_frees_money(config):
    visits = {SEP: [visit("s1", date(2026, 9, 7), 1200), visit("s2", date(2026, 9, 14), 240)]}
    billed = bill_months(make_senior(), ledger_data(), visits, config)
    plan = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config, corrected={"s2": None})
    (sep,) = plan.months
    assert plan.dropped == ("s2",)
    assert [bl.line.ref for bl in sep.lines] == ["s1"]
    assert sep.new == Split(D("131.00"), D("0.00"), D("19.00"))


def test_with_abtretung_only_the_invoices_that_change_are_cancelled(config):
    senior = WITH_ABTRETUNG
    visits = {SEP: [visit("s1", date(2026, 9, 7), 1200)], OCT: [visit("o1", date(2026, 10, 5), 600)]}
    billed = bill_months(senior, ledger_data(), visits, config)
    # September: Kasse 131.00 (000001) and private 19.00 (000002); October: Kasse 75.00 (000003).
    assert [(b.kasse_invoice, b.senior_invoice) for b in billed] == [
        ("2026-000001", "2026-000002"),
        ("2026-000003", None),
    ]
    # September's visit took 1,000 minutes, not 1,200: 125.00, all from the Entlastungsbetrag.
    plan = plan_correction(senior, ledger_data(), billed, start=SEP, config=config, corrected={"s1": 1000})
    (sep,) = plan.months  # October's 75.00 are still covered: untouched
    assert sep.cancel == ("2026-000001", "2026-000002")
    assert {c.kind: (c.old, c.new, c.issues) for c in sep.changes} == {
        RecipientKind.PFLEGEKASSE: (Split(D("131.00")), Split(D("125.00")), True),
        RecipientKind.SENIOR: (Split(private=D("19.00")), Split(), False),
    }
    (new,) = correction_invoices(SEP, [(senior, sep)], provider=config.provider)
    assert new.recipient.kind is RecipientKind.PFLEGEKASSE and new.total == D("125.00")


def test_umwandlung_declared_afterwards_moves_the_private_part_to_the_kasse(config):
    from billing.ledger import UmwandlungDeclaration

    senior = WITH_ABTRETUNG
    data = ledger_data()
    billed = bill_months(senior, data, {SEP: [visit("s1", date(2026, 9, 7), 1200)]}, config)
    declared = dataclasses.replace(data, umwandlung=(UmwandlungDeclaration(SEP, D("19.00")),))
    (sep,) = plan_correction(senior, declared, billed, start=SEP, config=config).months
    assert {c.kind: (c.old, c.new, c.issues) for c in sep.changes} == {
        RecipientKind.PFLEGEKASSE: (Split(D("131.00")), Split(D("131.00"), D("19.00")), True),
        RecipientKind.SENIOR: (Split(private=D("19.00")), Split(), False),
    }


def test_the_invoice_of_unchanged_visits_stays_valid_in_a_corrected_month(config):
    senior = make_senior(abtretungen=(Abtretung(date(2026, 9, 15)),))
    visits = {SEP: [visit("s1", date(2026, 9, 7), 240), visit("s2", date(2026, 9, 21), 240)]}
    billed = bill_months(senior, ledger_data(), visits, config)
    assert [(b.ref, b.kasse_invoice, b.senior_invoice) for b in billed] == [
        ("s1", None, "2026-000002"),
        ("s2", "2026-000001", None),
    ]
    (sep,) = plan_correction(senior, ledger_data(), billed, start=SEP, config=config, corrected={"s2": 480}).months
    assert sep.cancel == ("2026-000001",) and sep.keep == ("2026-000002",)
    assert sep.issue == {RecipientKind.PFLEGEKASSE: frozenset({"s2"})}
    (new,) = correction_invoices(SEP, [(senior, sep)], provider=config.provider)
    assert new.line_refs == ("s2",) and new.total == D("60.00")


def test_retroactive_pflegegrad_turns_private_months_into_entlastungsbetrag(config):
    senior = WITH_ABTRETUNG
    without = ledger_data(grades=())
    billed = bill_months(senior, without, THREE_MONTHS, config)
    assert {b.split.private for b in billed} == {D("60.00"), D("75.00")} and not entlastung_total(billed)
    with_grade = ledger_data(grades=(GradePeriod(2, date(2026, 10, 1)),))
    plan = plan_correction(senior, with_grade, billed, start=OCT, config=config)
    assert [m.month for m in plan.months] == [OCT, NOV]
    assert month_split(plan, OCT) == (Split(private=D("150.00")), Split(D("131.00"), D("0.00"), D("19.00")))
    assert month_split(plan, NOV) == (Split(private=D("75.00")), Split(D("75.00")))
    oct_ = plan.months[0]
    # The private October invoice is cancelled; a Kasse invoice (131.00) and a private one (19.00) replace it.
    assert oct_.cancel == ("2026-000002",)
    assert {c.kind: (c.old, c.new) for c in oct_.changes} == {
        RecipientKind.PFLEGEKASSE: (Split(), Split(D("131.00"))),
        RecipientKind.SENIOR: (Split(private=D("150.00")), Split(private=D("19.00"))),
    }


def test_year_boundary_december_upward_takes_the_carried_money_january_used(config):
    visits = {
        NOV: [visit("n1", date(2026, 11, 9), 320)],  # 40.00
        DEC: [visit("d1", date(2026, 12, 7), 800)],  # 100.00
        Month(2027, 1): [visit("j1", date(2027, 1, 11), 1600)],  # 200.00: 122.00 carried + 78.00
    }
    data = ledger_data(start=NOV)
    billed = bill_months(make_senior(), data, visits, config)
    assert [b.split for b in billed] == [Split(D("40.00")), Split(D("100.00")), Split(D("200.00"))]
    plan = plan_correction(make_senior(), data, billed, start=DEC, config=config, corrected={"d1": 2000})
    assert month_split(plan, DEC)[1] == Split(D("222.00"), D("0.00"), D("28.00"))
    assert month_split(plan, Month(2027, 1))[1] == Split(D("131.00"), D("0.00"), D("69.00"))
    # 40 + 222 + 131 = 393.00: exactly the three monthly amounts, not a cent more.
    assert D("40.00") + sum(m.new.entlastungsbetrag for m in plan.months) == 3 * D("131.00")


LAPSE = {
    Month(2027, 5): [visit("m1", date(2027, 5, 10), 240)],  # 30.00
    Month(2027, 6): [visit("u1", date(2027, 6, 7), 240)],  # 30.00
    Month(2027, 7): [visit("l1", date(2027, 7, 5), 2400)],  # 300.00
}


def lapse_data():
    """1 May 2027: 50.00 of this year (May's amount included) and 100.00 carried from 2026, lapsing 30 June."""
    opening = OpeningBalance(date(2027, 5, 1), D("50.00"), "Pflegekasse", carried=D("100.00"))
    return ledger_data(start=Month(2027, 5), openings=(opening,))


def test_lapse_baseline(config):
    billed = bill_months(make_senior(), lapse_data(), LAPSE, config)
    assert [b.split for b in billed] == [Split(D("30.00")), Split(D("30.00")), Split(D("300.00"))]
    ledger = compute_ledger(
        dataclasses.replace(lapse_data(), charges=tuple(_charge_of(b) for b in billed)),
        config=config,
        until=Month(2027, 7),
    )
    assert ledger.month(Month(2027, 6)).lapsed == D("40.00")
    assert ledger.month(Month(2027, 7)).balance == D("12.00")


def test_lapse_money_that_would_have_lapsed_corrects_may_only(config):
    billed = bill_months(make_senior(), lapse_data(), LAPSE, config)
    plan = plan_correction(
        make_senior(), lapse_data(), billed, start=Month(2027, 5), config=config, corrected={"m1": 560}
    )
    assert [m.month for m in plan.months] == [Month(2027, 5)]  # 70.00 in May: the extra 40.00 would have lapsed
    assert plan.months[0].new == Split(D("70.00"))


def test_lapse_beyond_the_lapsing_money_reaches_july_not_june(config):
    billed = bill_months(make_senior(), lapse_data(), LAPSE, config)
    plan = plan_correction(
        make_senior(), lapse_data(), billed, start=Month(2027, 5), config=config, corrected={"m1": 720}
    )
    # 90.00 in May: 40.00 would have lapsed, 12.00 were left in July, so July loses 8.00 to the private part.
    assert [m.month for m in plan.months] == [Month(2027, 5), Month(2027, 7)]
    assert month_split(plan, Month(2027, 7))[1] == Split(D("292.00"), D("0.00"), D("8.00"))


def test_fingerprint_changes_with_the_plan(config):
    billed = bill_months(make_senior(), ledger_data(), THREE_MONTHS, config)
    one = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config, corrected={"s1": 1320})
    same = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config, corrected={"s1": 1320})
    other = plan_correction(make_senior(), ledger_data(), billed, start=SEP, config=config, corrected={"s1": 1200})
    assert fingerprint([one]) == fingerprint([same]) != fingerprint([other])


def test_correcting_a_line_not_billed_in_the_plan_is_refused(config):
    billed = bill_months(make_senior(), ledger_data(), THREE_MONTHS, config)
    with pytest.raises(ValueError, match="not billed"):
        plan_correction(make_senior(), ledger_data(), billed, start=OCT, config=config, corrected={"s1": 60})


# Nachberechnung


def late(ref, day, minutes, config):
    (line,) = build_lines([visit(ref, day, minutes)], config=config)
    return line


def test_late_visit_gets_what_is_left_in_its_month_when_nothing_later_is_billed(config):
    billed = bill_months(make_senior(), ledger_data(), {SEP: THREE_MONTHS[SEP]}, config)
    covers = cover_late(ledger_data(), billed, [late("x", date(2026, 9, 28), 480, config)], config=config)
    assert covers["x"].split == Split(D("60.00"))  # 71.00 left in September


def test_late_visit_does_not_take_money_a_later_billed_month_used(config):
    billed = bill_months(make_senior(), ledger_data(), THREE_MONTHS, config)
    covers = cover_late(ledger_data(), billed, [late("x", date(2026, 9, 28), 480, config)], config=config)
    # September has 71.00 left, but October used 19.00 of it: 52.00 is all that no later month needs.
    assert covers["x"].split == Split(D("52.00"), D("0.00"), D("8.00"))
    assert "spätere" in covers["x"].basis


def test_two_late_visits_are_covered_one_after_the_other(config):
    billed = bill_months(make_senior(), ledger_data(), THREE_MONTHS, config)
    lines = [late("y", date(2026, 10, 26), 240, config), late("x", date(2026, 9, 28), 240, config)]
    covers = cover_late(ledger_data(), billed, lines, config=config)
    assert covers["x"].split == Split(D("30.00"))  # September first: 52.00 free
    assert covers["y"].split == Split(D("22.00"), D("0.00"), D("8.00"))  # October: 52.00 − 30.00 left


def test_late_visit_uses_the_umwandlung_left_in_its_month(config):
    from billing.ledger import UmwandlungDeclaration

    data = ledger_data(umwandlung=(UmwandlungDeclaration(SEP, D("5.00")),))
    billed = bill_months(make_senior(), data, THREE_MONTHS, config)
    covers = cover_late(data, billed, [late("x", date(2026, 9, 28), 480, config)], config=config)
    assert covers["x"].split == Split(D("52.00"), D("5.00"), D("3.00"))


def test_late_visit_may_use_money_that_lapsed_unused(config):
    billed = bill_months(make_senior(), lapse_data(), LAPSE, config)
    covers = cover_late(lapse_data(), billed, [late("x", date(2027, 5, 20), 480, config)], config=config)
    # May has 120.00 left; 40.00 lapsed on 30 June unused and July had 12.00 spare: 52.00, the rest private.
    assert covers["x"].split == Split(D("52.00"), D("0.00"), D("8.00"))


def test_late_visit_without_a_pflegegrad_is_private(config):
    data = ledger_data(grades=())
    billed = bill_months(make_senior(), data, {SEP: THREE_MONTHS[SEP]}, config)
    covers = cover_late(data, billed, [late("x", date(2026, 9, 28), 480, config)], config=config)
    assert covers["x"].split == Split(private=D("60.00"))
