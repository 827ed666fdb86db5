import csv
import io
from datetime import date, datetime, time

import openpyxl
import pytest

from billing.allowances import allowance_lines, payout_list
from billing.exports import accounting_rows, write_accounting, write_invoices, write_payouts
from billing.invoices import Abtretung, number_invoices
from billing.month import Month
from billing.run import prepare_month
from tests.billing.billing_factories import D, make_appointment, make_senior, make_senior_month

MARCH = Month(2026, 3)


@pytest.fixture
def run_and_invoices(config):
    """March 2026: one senior, Abtretung, 30 two-hour visits (so a private part exists), numbered invoices."""
    senior = make_senior(name="Jürgen Öztürk", abtretungen=(Abtretung(date(2025, 1, 1)),))
    appointments = [make_appointment(str(d), date(2026, 3, d), minutes=120 if d != 31 else 47) for d in range(1, 32)]
    run = prepare_month(MARCH, [make_senior_month(senior, appointments)], config=config)
    return run, number_invoices(run.invoices, last=None, issued_on=date(2026, 4, 1))


def test_exported_start_and_end_never_contradict_the_minutes(config):
    planned = make_appointment("p", date(2026, 3, 5), minutes=165, start=time(9, 30), end=time(12, 30))
    matching = make_appointment("m", date(2026, 3, 6), minutes=90, start=time(9, 30), end=time(11, 0))
    run = prepare_month(MARCH, [make_senior_month(make_senior(), [planned, matching])], config=config)
    out = io.BytesIO()
    write_accounting(out, accounting_rows(run))
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert [(r["Datum"], r["Beginn"], r["Ende"], r["Minuten"], r["Stunden"]) for r in rows] == [
        ("05.03.2026", "", "", "165", "2,75"),
        ("06.03.2026", "09:30", "11:00", "90", "1,50"),
    ]


def test_csv_opens_in_german_excel(run_and_invoices):
    run, invoices = run_and_invoices
    out = io.BytesIO()
    write_accounting(out, accounting_rows(run, invoices))
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, first, split_row, last = rows[0], rows[1], rows[27], rows[-1]
    assert header[:3] == ["Senior/in", "Versichertennummer", "Pflegekasse"]
    assert "Kostenträger" in header and "Rechnungsnummer" in header
    record = dict(zip(header, first, strict=True))
    assert record["Senior/in"] == "Jürgen Öztürk"
    assert record["Datum"] == "01.03.2026" and record["Beginn"] == "10:00"
    assert record["Stunden"] == "2,00" and record["Stundensatz"] == "7,50" and record["Betrag"] == "15,00"
    assert record["IK Pflegekasse"] == "100696012" and record["Kostenträger"] == "Entlastungsbetrag"
    assert record["Rechnungsnummer"] == "2026-000001"
    split = dict(zip(header, split_row, strict=True))  # 27th visit: 3 € budget left, 12 € private
    assert (split["davon Entlastungsbetrag"], split["davon privat"]) == ("3,00", "12,00")
    assert split["Kostenträger"] == "Entlastungsbetrag + privat"
    assert split["Rechnungsnummer"] == "2026-000001, 2026-000002"
    assert dict(zip(header, last, strict=True))["Betrag"] == "5,88"
    assert raw.count(b"\r\n") == len(rows)


def test_csv_to_a_path_and_a_text_file(tmp_path, run_and_invoices):
    _, invoices = run_and_invoices
    write_invoices(tmp_path / "rechnungen.csv", invoices)
    assert (tmp_path / "rechnungen.csv").read_bytes().startswith(b"\xef\xbb\xbfRechnungsnummer;")
    text = io.StringIO()
    write_invoices(text, invoices)
    assert text.getvalue().startswith("\ufeffRechnungsnummer;")


def test_xlsx_cells_are_typed(tmp_path, run_and_invoices):
    run, invoices = run_and_invoices
    path = tmp_path / "abrechnung.xlsx"
    write_accounting(path, accounting_rows(run, invoices), xlsx=True)
    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[1]]
    row = dict(zip(header, ws[2], strict=True))
    assert ws.title == "Abrechnungspositionen"
    assert isinstance(row["Datum"].value, datetime) and row["Datum"].value.date() == date(2026, 3, 1)
    assert row["Datum"].number_format == "DD.MM.YYYY"
    assert row["Beginn"].value == time(10, 0)
    assert row["Minuten"].value == 120 and row["Minuten"].data_type == "n"
    assert row["Betrag"].data_type == "n" and row["Betrag"].value == 15
    assert "€" in row["Betrag"].number_format
    assert row["Versichertennummer"].value == "A123456780"
    last = dict(zip(header, ws[ws.max_row], strict=True))
    assert D(str(last["Betrag"].value)) == D("5.88")


def test_invoice_and_payout_lists_as_xlsx(tmp_path, run_and_invoices, config):
    run, invoices = run_and_invoices
    write_invoices(tmp_path / "r.xlsx", invoices, xlsx=True)
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == ["2026-000001", "2026-000002"]
    assert ws.cell(row=2, column=13).value == 393  # Gesamtbetrag Pflegekasse: 3 × 131

    lines = allowance_lines(run.seniors[0].lines, config=config)
    rows = payout_list(MARCH, lines, paid_before={}, config=config)
    write_payouts(tmp_path / "a.xlsx", rows, xlsx=True)
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert ws["A2"].value == "Jürgen Schäfer" and ws["E2"].value == pytest.approx(303.92)
    out = io.BytesIO()
    write_payouts(out, rows)
    assert "303,92" in out.getvalue().decode("utf-8-sig")
