from datetime import date

import pytest

from billing.invoices import (
    Abtretung,
    InvoiceKind,
    RecipientKind,
    build_storno,
    format_invoice_number,
    next_invoice_number,
    number_invoices,
    parse_invoice_number,
)
from billing.ledger import Split
from billing.month import Month
from billing.run import prepare_month
from tests.billing.billing_factories import AOK, TK, D, make_appointment, make_senior, make_senior_month

MARCH = Month(2026, 3)


def visits(*days, minutes=120, senior_ref="s1"):
    return [
        make_appointment(f"{senior_ref}-{d}", date(2026, 3, d), minutes=minutes, senior_ref=senior_ref) for d in days
    ]


def kasse_and_senior_refs(run):
    kasse = [inv for inv in run.invoices if inv.recipient.kind is RecipientKind.PFLEGEKASSE]
    senior = [inv for inv in run.invoices if inv.recipient.kind is RecipientKind.SENIOR]
    return [r for inv in kasse for r in inv.line_refs], [r for inv in senior for r in inv.line_refs]


def test_abtretung_given_mid_month_applies_from_that_day(config):
    senior = make_senior(abtretungen=(Abtretung(date(2026, 3, 15)),))
    run = prepare_month(MARCH, [make_senior_month(senior, visits(10, 15, 20))], config=config)
    assert kasse_and_senior_refs(run) == (["s1-15", "s1-20"], ["s1-10"])


def test_abtretung_revoked_mid_month_ends_the_day_before(config):
    senior = make_senior(abtretungen=(Abtretung(date(2025, 1, 1), revoked_on=date(2026, 3, 20)),))
    run = prepare_month(MARCH, [make_senior_month(senior, visits(19, 20, 21))], config=config)
    assert kasse_and_senior_refs(run) == (["s1-19"], ["s1-20", "s1-21"])


def test_private_part_of_an_abtretung_visit_goes_to_the_senior(config):
    # January to March: 3 × 131 = 393 € budget; 30 visits of 2 h = 450 € in March.
    senior = make_senior(abtretungen=(Abtretung(date(2025, 1, 1)),))
    run = prepare_month(MARCH, [make_senior_month(senior, visits(*range(1, 31)))], config=config)
    kasse, own = run.invoices
    assert kasse.recipient.kind is RecipientKind.PFLEGEKASSE and kasse.recipient.ik == AOK.ik
    assert kasse.split == Split(D("393.00"))
    assert own.recipient.kind is RecipientKind.SENIOR
    assert own.split == Split(private=D("57.00"))
    assert own.line_refs[0] == "s1-27"  # 26 visits × 15 € = 390, the 27th is split 3 € / 12 €
    assert own.sections[0].lines[0].amount == D("15.00") and own.sections[0].lines[0].charged == D("12.00")
    assert kasse.sections[0].billed_elsewhere == D("12.00")


def test_without_abtretung_the_senior_gets_everything_with_the_split(config):
    run = prepare_month(MARCH, [make_senior_month(make_senior(), visits(2, 9))], config=config)
    (invoice,) = run.invoices
    assert invoice.recipient.kind is RecipientKind.SENIOR
    assert invoice.total == D("30.00")
    assert invoice.split == Split(D("30.00"))
    assert invoice.category == "Angebote zur Unterstützung im Alltag nach §45a SGB XI"


def test_collective_invoice_has_one_section_per_senior(config):
    always = (Abtretung(date(2025, 1, 1)),)
    inputs = [
        make_senior_month(make_senior("s1", name="Zora Zander", abtretungen=always), visits(2, senior_ref="s1")),
        make_senior_month(make_senior("s2", name="Anna Albers", abtretungen=always), visits(3, senior_ref="s2")),
        make_senior_month(make_senior("s3", pflegekasse=TK, abtretungen=always), visits(4, senior_ref="s3")),
    ]
    run = prepare_month(MARCH, inputs, config=config)
    assert [inv.recipient.name for inv in run.invoices] == [AOK.name, TK.name]
    aok = run.invoices[0]
    assert aok.is_collective
    assert [s.senior.name for s in aok.sections] == ["Anna Albers", "Zora Zander"]
    assert aok.total == D("30.00")

    single = prepare_month(MARCH, inputs, config=config, collective=False)
    assert [len(inv.sections) for inv in single.invoices] == [1, 1, 1]


def test_problems_name_invalid_identifiers(config):
    senior = make_senior(kvnr="A123456789", pflegekasse=AOK.__class__("Kasse", "123456789"))
    run = prepare_month(MARCH, [make_senior_month(senior, visits(2))], config=config)
    assert any("Prüfziffer der Versichertennummer" in p.text for p in run.problems)
    assert any("Institutionskennzeichen" in p.text for p in run.problems)


def test_besuchsdienst_only_produces_no_invoice(config):
    from billing.lines import Service

    appointment = make_appointment("b", date(2026, 3, 2), service=Service.BESUCHSDIENST)
    run = prepare_month(MARCH, [make_senior_month(make_senior(), [appointment], grades=())], config=config)
    assert run.invoices == () and run.problems == ()
    assert run.seniors[0].lines[0].hours == D("1.00")


def test_invoice_number_format_and_parse():
    assert format_invoice_number(2026, 123) == "2026-000123"
    assert parse_invoice_number("2026-000123") == (2026, 123)
    for bad in ("2026-123", "26-000123", "2026-000000", "2026/000123"):
        with pytest.raises(ValueError, match="Ungültige Rechnungsnummer"):
            parse_invoice_number(bad)


def test_numbering_is_gapless_and_restarts_each_year():
    assert next_invoice_number(None, 2026) == "2026-000001"
    assert next_invoice_number("2026-000041", 2026) == "2026-000042"
    assert next_invoice_number("2025-000917", 2026) == "2026-000001"


def test_storno_negates_every_line_and_references_the_original(config):
    senior = make_senior(abtretungen=(Abtretung(date(2025, 1, 1)),))
    run = prepare_month(MARCH, [make_senior_month(senior, visits(2, 9, minutes=47))], config=config)
    (original,) = number_invoices(run.invoices, last="2026-000010", issued_on=date(2026, 4, 2))
    assert original.number == "2026-000011"
    storno = build_storno(original, reason="falsche Minuten")
    assert storno.kind is InvoiceKind.STORNO and storno.cancels == "2026-000011" and storno.number is None
    assert storno.total == -original.total == D("-11.76")
    assert [line.amount for line in storno.sections[0].lines] == [D("-5.88"), D("-5.88")]
    assert storno.note == "Storno der Rechnung 2026-000011: falsche Minuten"
    (numbered,) = number_invoices([storno], last=original.number, issued_on=date(2026, 4, 3))
    assert numbered.number == "2026-000012"
    with pytest.raises(ValueError):
        build_storno(storno)


def test_storno_of_one_person_in_a_collective_invoice(config):
    always = (Abtretung(date(2025, 1, 1)),)
    inputs = [
        make_senior_month(make_senior("s1", name="Zora Zander", abtretungen=always), visits(2, senior_ref="s1")),
        make_senior_month(make_senior("s2", name="Anna Albers", abtretungen=always), visits(3, senior_ref="s2")),
    ]
    (collective,) = number_invoices(
        prepare_month(MARCH, inputs, config=config).invoices, last=None, issued_on=date(2026, 4, 1)
    )
    storno = build_storno(collective, senior_refs=["s2"])
    assert [s.senior.ref for s in storno.sections] == ["s2"] and storno.total == D("-15.00")
    with pytest.raises(ValueError, match="keine der genannten"):
        build_storno(collective, senior_refs=["nobody"])
