"""Import and export of people on a page: the same checks and report as the CLI, a dry run before anything is saved."""

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from begleitservice.extensions import db
from begleitservice.models import Volunteer
from tests.app.test_cli import VOLUNTEER_HEADER
from tests.factories import make_volunteer

GOOD = "Jürgen;Kötter;juergen@example.org;m;Hörde;ja;2024-03-01;Mo 9:00-12:00;4,5\n"
BAD = "Karl;Koch;karl(at)example.org;m;Eving;nein;;;\n"


def _upload(client, text: str, name: str = "ehrenamt.csv", **extra):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name), **extra}
    return client.post("/daten/volunteers/pruefen", data=data, content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer))


def test_dry_run_then_import_saves_once(coordinator):
    page = _upload(coordinator, VOLUNTEER_HEADER + GOOD).get_data(as_text=True)
    assert "Probelauf: alle 1 Zeilen sind in Ordnung (1 neu, 0 zu aktualisieren). Nichts gespeichert." in page
    assert _count() == 0
    token = page.split('name="upload" type="hidden" value="')[1].split('"')[0]

    done = coordinator.post("/daten/volunteers/importieren", data={"upload": token}, follow_redirects=True)
    assert "Ehrenamtliche: 1 neu angelegt, 0 aktualisiert." in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(Volunteer.email)) == "juergen@example.org"
    again = coordinator.post("/daten/volunteers/importieren", data={"upload": token}, follow_redirects=True)
    assert "Die geprüfte Datei ist nicht mehr da" in again.get_data(as_text=True)  # a double click imports once
    assert _count() == 1


def test_bad_rows_are_listed_and_nothing_can_be_imported(coordinator):
    response = _upload(coordinator, VOLUNTEER_HEADER + GOOD + BAD)
    page = response.get_data(as_text=True)
    assert "1 fehlerhafte Zeile(n), 1 Fehler: nichts importiert." in page
    assert "<td>3</td><td>E-Mail</td>" in page
    assert "Jetzt importieren" not in page and _count() == 0


def test_wrong_files_get_a_german_message(coordinator):
    assert "Bitte eine .csv- oder .xlsx-Datei wählen." in _upload(coordinator, "x", name="liste.pdf").get_data(
        as_text=True
    )
    latin1 = coordinator.post(
        "/daten/volunteers/pruefen",
        data={"file": (io.BytesIO((VOLUNTEER_HEADER + GOOD).encode("latin-1")), "e.csv")},
        content_type="multipart/form-data",
    )
    assert latin1.status_code == 400 and "nicht in UTF-8 gespeichert" in latin1.get_data(as_text=True)
    forged = coordinator.post(
        "/daten/volunteers/importieren", data={"upload": "../../etc/passwd"}, follow_redirects=True
    )
    assert "Bitte neu hochladen." in forged.get_data(as_text=True) and _count() == 0


def test_export_downloads_what_the_import_reads(coordinator):
    make_volunteer(first_name="Anna", last_name='=HYPERLINK("x")')
    response = coordinator.get("/daten/volunteers/export.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ['\'=HYPERLINK("x")'] or all(not str(n).startswith("=") for n in names)
    assert sheet.cell(2, 2).data_type != "f"  # text, never a formula
    csv = coordinator.get("/daten/volunteers/export.csv")
    assert csv.data.startswith(b"\xef\xbb\xbf") and "Vorname;Nachname" in csv.data.decode("utf-8-sig")


def test_accounting_may_not_import(login):
    assert login("accounting").get("/daten/volunteers").status_code == 403
