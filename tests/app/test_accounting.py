"""Abrechnung: the monthly run with its PDFs and numbers, the month lock, Storno, crash safety, exports,
allowances and who may do what."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from begleitservice.accounting import files
from begleitservice.accounting.corrections import storno_and_rebill
from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import run_month
from begleitservice.extensions import db
from begleitservice.models import Appointment, BilledVisit, BillingRun, Invoice, InvoiceCounter
from billing.month import Month
from tests.factories import (
    VALID_IKS,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_senior,
    make_volunteer,
)

OCTOBER = Month(2026, 10)
TODAY = date(2026, 11, 20)


def pdf_text(path: Path) -> str:
    """All text of a PDF."""
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def october(app_ctx):
    """October 2026: two Entlastung seniors (one with an Abtretung from 15 Oct, one without), a Besuchsdienst visit."""
    make_provider()
    kasse = make_pflegekasse(
        name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269", city="Dortmund"
    )
    anna = make_senior(
        first_name="Anna", last_name="Abel", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 10, 15)
    )
    berta = make_senior(first_name="Berta", last_name="Brandt", pflegegrad=3, pflegekasse=kasse)
    carla = make_senior(first_name="Carla", last_name="Cramer")
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    fritz = make_volunteer(first_name="Fritz", last_name="Fuchs", offers_entlastung=True)
    p_anna = make_pairing(volunteer=erika, senior=anna, starts_on=date(2026, 10, 1))
    p_berta = make_pairing(volunteer=fritz, senior=berta, starts_on=date(2026, 10, 1))
    p_carla = make_pairing(volunteer=fritz, senior=carla, starts_on=date(2026, 10, 1))
    visits = {}
    for day, minutes in ((5, 120), (12, 90), (19, 120), (26, 60)):
        visits[("anna", day)] = make_appointment(
            pairing=p_anna, on=date(2026, 10, day), status="stattgefunden", actual_minutes=minutes
        )
    visits[("berta", 6)] = make_appointment(
        pairing=p_berta, on=date(2026, 10, 6), status="stattgefunden", actual_minutes=120
    )
    visits[("berta", 13)] = make_appointment(pairing=p_berta, on=date(2026, 10, 13), status="ausgefallen")
    visits[("carla", 7)] = make_appointment(
        pairing=p_carla, on=date(2026, 10, 7), status="stattgefunden", actual_minutes=60
    )
    return {"kasse": kasse, "anna": anna, "berta": berta, "carla": carla, "visits": visits}


def bill(month=OCTOBER, out=None, **kw):
    """Run and commit a month, as the CLI and the page do."""
    result = run_month(month, out_dir=out, today=TODAY, issued_on=TODAY, **kw)
    commit_with_files(result.staged)
    return result


def invoices() -> list[Invoice]:
    return db.session.scalars(sa.select(Invoice).order_by(Invoice.year, Invoice.seq)).all()


def test_run_writes_documents_with_the_right_lines_and_totals(october, tmp_path):
    out = tmp_path / "okt"
    result = bill(out=out)
    assert result.created
    rows = invoices()
    # Collective invoice to the AOK (Anna's visits from 15 Oct), then Anna's own invoice (before 15 Oct), then Berta.
    assert [(i.number, i.recipient_name, i.total) for i in rows] == [
        ("2026-000001", "AOK NordWest", Decimal("22.50")),
        ("2026-000002", "Anna Abel", Decimal("26.25")),
        ("2026-000003", "Berta Brandt", Decimal("15.00")),
    ]
    kasse = pdf_text(out / rows[0].pdf_file)
    assert "2026-000001" in kasse and "19.10.2026" in kasse and "26.10.2026" in kasse and "22,50 €" in kasse
    assert "05.10.2026" not in kasse
    own = pdf_text(out / rows[1].pdf_file)
    assert "05.10.2026" in own and "12.10.2026" in own and "1,50" in own and "26,25 €" in own
    note = pdf_text(out / f"Leistungsnachweis-2026-10-{october['anna'].id}.pdf")
    assert "Leistungsnachweis" in note and "Anna Abel" in note and "48,75 €" in note
    # Besuchsdienst hours are not billed: Carla has neither a Leistungsnachweis nor an invoice.
    assert not (out / f"Leistungsnachweis-2026-10-{october['carla'].id}.pdf").exists()
    assert "Carla" not in " ".join(i.recipient_name for i in rows)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [i.pdf_file for i in rows] + [f"Leistungsnachweis-2026-10-{october[n].id}.pdf" for n in ("anna", "berta")]
    )


def test_second_run_changes_nothing(october, tmp_path):
    out = tmp_path / "okt"
    bill(out=out)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = bill(out=out)
    assert not again.created
    assert len(invoices()) == 3
    assert db.session.get(InvoiceCounter, 2026).last_seq == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BilledVisit)) == 5
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_failure_mid_run_leaves_nothing(october, tmp_path, monkeypatch):
    out = tmp_path / "okt"
    real = files.render_all

    def failing(docs, **kw):
        for index, doc in enumerate(docs):
            if index == 2:
                raise RuntimeError("Drucker kaputt")
            yield real([doc], workers=1)[0]

    monkeypatch.setattr(files, "render_all", failing)
    with pytest.raises(RuntimeError):
        bill(out=out)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BillingRun)) == 0
    assert invoices() == []
    assert db.session.get(InvoiceCounter, 2026) is None
    assert not out.exists() or list(out.iterdir()) == []
    assert list(tmp_path.iterdir()) == []  # no staging folder left either
    monkeypatch.setattr(files, "render_all", real)
    assert [i.number for i in (bill(out=out).run.invoices)] == ["2026-000001", "2026-000002", "2026-000003"]


def test_locked_month_refuses_changes_on_the_pairing_page(october, tmp_path, login):
    bill(out=tmp_path / "okt")
    visit = october["visits"][("anna", 19)]
    client = login("coordinator")
    url = f"/pairings/{visit.pairing_id}/termine/{visit.id}"
    response = client.post(url, data={"status": "stattgefunden", "actual_minutes": "45"})
    assert "Der Monat 10/2026 ist abgerechnet – Korrektur nur per Storno." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).actual_minutes == 120


def test_locked_month_takes_no_extra_one_off_visit(october, tmp_path, login):
    bill(out=tmp_path / "okt")
    pairing_id = october["visits"][("anna", 19)].pairing_id
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Appointment))
    response = login("coordinator").post(
        f"/pairings/{pairing_id}/termine/neu", data={"on": "2026-10-28", "start": "10:00", "end": "11:00"}
    )
    assert "Der Monat 10/2026 ist abgerechnet – Korrektur nur per Storno." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == before


def test_storno_cancels_and_rebills_with_the_next_number(october, tmp_path):
    out = tmp_path / "okt"
    bill(out=out)
    own = db.session.scalar(sa.select(Invoice).where(Invoice.recipient_name == "Berta Brandt"))
    visit = october["visits"][("berta", 6)]
    result = storno_and_rebill(own, reason="falsche Dauer", corrections={visit.id: 60}, issued_on=TODAY)
    commit_with_files(result.staged)
    (storno,) = result.stornos
    (fresh,) = result.invoices
    assert storno.number == "2026-000004" and storno.kind == "storno" and storno.cancels_id == own.id
    assert storno.total == Decimal("-15.00") and storno.entlastungsbetrag == Decimal("-15.00")
    assert fresh.number == "2026-000005" and fresh.total == Decimal("7.50")
    assert "Storno der Rechnung 2026-000003: falsche Dauer" in pdf_text(out / storno.pdf_file)
    assert "-15,00 €" in pdf_text(out / storno.pdf_file)
    assert "7,50 €" in pdf_text(out / fresh.pdf_file)
    assert db.session.get(Appointment, visit.id).actual_minutes == 60
    active = db.session.scalars(sa.select(BilledVisit).where(BilledVisit.appointment_id == visit.id)).all()
    assert sorted((v.is_cancelled, v.amount) for v in active) == [(False, Decimal("7.50")), (True, Decimal("15.00"))]
    with pytest.raises(ValueError, match="bereits storniert"):
        storno_and_rebill(own, reason="nochmal", issued_on=TODAY)


def test_cli_run_and_exports_csv_and_xlsx(october, tmp_path, app_ctx, monkeypatch):
    from openpyxl import load_workbook

    from begleitservice.cli import load_command

    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    runner = app_ctx.test_cli_runner()
    from begleitservice.accounting.commands import billing_command

    out = tmp_path / "docs"
    result = runner.invoke(billing_command, ["run", "--month", "2026-10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 Rechnungen (2026-000001 bis 2026-000003)" in result.output
    again = runner.invoke(billing_command, ["run", "--month", "2026-10", "--out", str(out)])
    assert "bereits abgerechnet" in again.output

    export_command = load_command("export")  # as `begleitservice export` loads it: with the accounting exports
    csv_path = tmp_path / "stunden.csv"
    result = runner.invoke(export_command, ["hours", "--month", "2026-10", "--format", "csv", "--out", str(csv_path)])
    assert result.exit_code == 0, result.output
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:4] == ["Senior/in", "Versichertennummer", "Pflegekasse", "IK Pflegekasse"]
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]
    assert len(rows) == 5  # Anna 4, Berta 1; Besuchsdienst not billed
    first = rows[0]
    assert first["Senior/in"] == "Anna Abel" and first["Stunden"] == "2,00" and first["Betrag"] == "15,00"
    assert first["Rechnungsnummer"] == "2026-000002" and first["Kostenträger"] == "Entlastungsbetrag"
    assert rows[2]["Rechnungsnummer"] == "2026-000001" and rows[2]["IK Pflegekasse"] == VALID_IKS[0]

    xlsx_path = tmp_path / "rechnungen.xlsx"
    result = runner.invoke(
        export_command, ["invoices", "--month", "2026-10", "--format", "xlsx", "--out", str(xlsx_path)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx_path).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [v[0] for v in values] == ["2026-000001", "2026-000002", "2026-000003"]
    assert isinstance(values[0][1], datetime) and values[0][1].date() == TODAY
    assert values[0][-1] == pytest.approx(22.5) and isinstance(values[0][-1], float | int)

    # The old people export still works under the group.
    people = tmp_path / "ehrenamtliche.csv"
    assert runner.invoke(export_command, ["volunteers", str(people)]).exit_code == 0
    assert people.read_bytes().startswith(b"\xef\xbb\xbf")


def test_payout_list_and_cap_warning_on_the_dashboard(october, app_ctx, login, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    monkeypatch.setitem(app_ctx.config, "BILLING", {"allowance_per_hour": "500.00"})
    page = login("accounting").get("/abrechnung/auszahlungen?monat=2026-10").get_data(as_text=True)
    # Erika: 6.5 h Entlastung at 500 €; Fritz: 2 h Entlastung (his Besuchsdienst hour earns nothing).
    assert "Erika Engel" in page and "3.250,00 €" in page and "Warnung" in page
    assert "Fritz Fuchs" in page and "1.000,00 €" in page
    dashboard = login("coordinator").get("/").get_data(as_text=True)
    section = dashboard[dashboard.index('id="freibetrag-hinweise"') :]
    assert "Aufwandsentschädigung: Freibetrag" in section and "Erika Engel" in section
    assert "Noch 50,00\xa0€ bis zur Übungsleiterpauschale" in section
    assert "Fritz Fuchs" not in section  # 1,000 € of 3,300 €: no warning yet


def test_accounting_runs_a_month_on_the_page_coordinator_only_looks(october, app_ctx, login, tmp_path, monkeypatch):
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    coordinator = login("coordinator")
    preview = coordinator.get("/abrechnung/lauf?monat=2026-10").get_data(as_text=True)
    assert "AOK NordWest" in preview and "22,50\xa0€" in preview and "jetzt abrechnen" not in preview
    assert coordinator.post("/abrechnung/lauf", data={"month": "2026-10"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BillingRun)) == 0
    accounting = login("accounting")
    assert "jetzt abrechnen" in accounting.get("/abrechnung/lauf?monat=2026-10").get_data(as_text=True)
    response = accounting.post("/abrechnung/lauf", data={"month": "2026-10"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "ist abgerechnet" in page and "2026-000001" in page and "AOK NordWest" in page
    run = db.session.scalar(sa.select(BillingRun))
    assert (tmp_path / "billing" / "2026-10").is_dir()
    pdf = coordinator.get(f"/abrechnung/{run.id}/dokumente/{run.invoices[0].pdf_file}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert coordinator.get(f"/abrechnung/{run.id}/dokumente/..%2Fsecret.pdf").status_code == 404
    assert coordinator.get(f"/abrechnung/rechnungen/{run.invoices[0].id}/storno").status_code == 403
    storno = accounting.post(
        f"/abrechnung/rechnungen/{run.invoices[2].id}/storno", data={"reason": ""}, follow_redirects=True
    )
    assert "Bitte geben Sie einen Grund für das Storno an." in storno.get_data(as_text=True)
    assert len(invoices()) == 3


def test_payout_list_is_paged_by_name_with_the_year_so_far_and_constant_statements(app, app_ctx, login, monkeypatch):
    """The payout page shows one page of volunteers (by last name) with their month and their year so far; its SQL
    statements do not grow with the number of volunteers paid (only the page's volunteers are computed)."""
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    monkeypatch.setitem(app_ctx.config, "ITEMS_PER_PAGE", 2)
    monkeypatch.setitem(app_ctx.config, "BILLING", {"allowance_per_hour": "10.00"})

    def paid_volunteer(last_name: str, months: tuple[int, ...]) -> None:
        pairing = make_pairing(
            volunteer=make_volunteer(first_name="Vera", last_name=last_name, offers_entlastung=True),
            senior=make_senior(pflegegrad=2, kvnr=None),
            starts_on=date(2026, 1, 5),
        )
        for month in months:
            make_appointment(pairing=pairing, on=date(2026, month, 5), status="stattgefunden", actual_minutes=120)

    paid_volunteer("Zander", (9, 10))
    paid_volunteer("Albers", (10,))
    paid_volunteer("Meier", (10,))
    paid_volunteer("Ohne", (9,))  # nothing in October: not on October's list
    db.session.commit()
    accounting = login("accounting")

    first = accounting.get("/abrechnung/auszahlungen?monat=2026-10").get_data(as_text=True)
    assert first.index("Vera Albers") < first.index("Vera Meier") and "Zander" not in first and "Ohne" not in first
    assert "Die Liste hat 3 Ehrenamtliche auf 2 Seiten" in " ".join(first.split())
    assert 'href="/abrechnung/auszahlungen?monat=2026-10&amp;page=2"' in first
    second = accounting.get("/abrechnung/auszahlungen?monat=2026-10&page=2").get_data(as_text=True)
    zander = next(row for row in second.split("<tr>") if "Vera Zander" in row)
    assert "20,00\xa0€" in zander and "40,00\xa0€" in zander  # October, and the year with September's 20 €

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.app_context():
                assert accounting.get("/abrechnung/auszahlungen?monat=2026-10").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements()
    for index in range(3):
        paid_volunteer(f"Neu{index}", (9, 10))
    db.session.commit()
    assert statements() == few
