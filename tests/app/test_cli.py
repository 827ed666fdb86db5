"""The CLI: demo data at Dortmund's size, import and export of volunteers and seniors (CSV and XLSX)."""

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from begleitservice import clock
from begleitservice.cli.demo_data import _empty_all_but_users, demo_data
from begleitservice.cli.importexport import export_command, import_command
from begleitservice.extensions import db
from begleitservice.models import (
    Appointment,
    District,
    GroupParticipant,
    Pairing,
    Pflegekasse,
    Request,
    Senior,
    User,
    Volunteer,
)
from begleitservice.provider.settings import provider_on
from begleitservice.reference import ensure_reference_data
from billing.identifiers import ik_error, kvnr_error
from billing.provider import provider_problems
from tests.factories import VALID_KVNRS, make_pairing, make_pflegekasse, make_senior, make_volunteer

AOK_TERMS = ("260326822", VALID_KVNRS[3], None)
NEW_TERMS = (VALID_KVNRS[0], "01.03.2025")
REPO = Path(__file__).resolve().parents[2]
OPEN = ("offen", "vorgeschlagen")


def run(app, command, *args, ok: bool = True):
    """Invoke a CLI command in the test app; by default insist that it succeeded."""
    result = app.test_cli_runner().invoke(command, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def people_names() -> list[tuple]:
    volunteers = db.session.execute(sa.select(Volunteer.first_name, Volunteer.last_name, Volunteer.email))
    seniors = db.session.execute(sa.select(Senior.first_name, Senior.last_name, Senior.birth_on, Senior.kvnr))
    return sorted(map(tuple, volunteers)) + sorted(map(tuple, seniors), key=str)


# --- demo-data ---------------------------------------------------------------------------------------------


def test_demo_data_has_the_figures_of_the_dortmund_service(app_ctx):
    result = run(app_ctx, demo_data, "--seed", 11)
    today = clock.today()  # the service's day in Dortmund, as the demo data computes it (not the server's UTC day)

    assert "Ehrenamtliche: 126 (Besuchsdienst 51, Häusliche Entlastung 75" in result.output
    assert count(District) == 12
    assert count(Volunteer) == 126
    assert count(Volunteer, Volunteer.offers_besuchsdienst) == 51
    assert count(Volunteer, Volunteer.offers_entlastung) == 75
    assert count(Volunteer, Volunteer.offers_entlastung, Volunteer.basisqualifizierung_on.is_(None)) == 0
    assert 0 < count(Volunteer, Volunteer.offers_demenzgruppe) < 126

    active = list(db.session.scalars(sa.select(Pairing).where(Pairing.status == "aktiv")))
    paired = {p.senior_id for p in active}
    assert len(active) == len(paired) == 80
    assert {p.service for p in active} == {"besuchsdienst", "entlastung"}
    for pairing in active:
        volunteer, senior = pairing.volunteer, pairing.senior
        assert (senior.pflegegrad is None) == (pairing.service == "besuchsdienst")
        assert volunteer.status == "aktiv"
        assert pairing.service != "entlastung" or volunteer.basisqualifizierung_on
        assert sum(p.status == "aktiv" for p in volunteer.pairings) <= volunteer.max_seniors
        for slot in pairing.slots:
            assert any(
                a.weekday == slot.weekday and a.start_minute <= slot.start_minute and slot.end_minute <= a.end_minute
                for a in volunteer.availability
            ), f"{slot} outside the availability of {volunteer}"
        assert any(a.on < today for a in pairing.appointments), f"no past appointment for {pairing}"

    held = Appointment.status == "stattgefunden"
    assert count(Appointment, held, Appointment.actual_minutes.is_not(None)) > 0
    assert 0 < count(Appointment, held, Appointment.km.is_not(None)) < count(Appointment, held)  # Fahrtkosten
    assert count(Appointment, held, Appointment.actual_minutes.is_(None)) > 0
    assert count(Appointment, Appointment.status.in_(["ausgefallen", "abgesagt"]), Appointment.on < today) > 0
    assert count(Appointment, Appointment.status == "geplant", Appointment.on > today) > 0

    requests = list(db.session.scalars(sa.select(Request)))
    assert len(requests) == 85
    assert all(today - timedelta(days=365) <= r.received_on <= today for r in requests)
    assert all(r.status_changes and r.status_changes[-1].status == r.status for r in requests)
    open_seniors = {r.senior_id for r in requests if r.status in OPEN}
    assert 10 <= len(open_seniors) <= 16
    assert not open_seniors & paired
    # the Demenzgruppen's participants and waiting lists come on top (5 groups, 6–12 places each)
    in_groups = set(db.session.scalars(sa.select(GroupParticipant.senior_id)))
    assert 5 * 6 <= len(in_groups) <= 5 * 15 and not in_groups & (paired | open_seniors)
    assert count(Senior) == 80 + len(open_seniors) + len(in_groups)
    assert {r.status for r in requests if r.senior_id in paired} == {"vermittelt", "abgeschlossen", "zurueckgezogen"}

    kassen = list(db.session.scalars(sa.select(Pflegekasse)))
    assert len(kassen) >= 5 and all(ik_error(k.ik) is None for k in kassen)
    graded = list(db.session.scalars(sa.select(Senior).where(Senior.pflegegrad.is_not(None))))
    assert graded and all(s.pflegekasse and kvnr_error(s.kvnr) is None for s in graded)
    assert any(s.abtretungen for s in graded)

    provider = provider_on(today)  # clearly fictional, complete: demo months can be billed
    assert provider.name == "Seniorenbegleitservice Musterstadt (Demo)"
    assert provider_problems(provider) == [] and provider.iban == "DE02120300000000202051"


def test_demo_data_is_the_same_for_the_same_seed(app_ctx):
    run(app_ctx, demo_data, "--seed", 5)
    first = people_names()
    run(app_ctx, demo_data, "--seed", 5, "--reset")
    assert people_names() == first
    run(app_ctx, demo_data, "--seed", 6, "--reset")
    assert people_names() != first


def test_demo_data_scale_two_doubles_the_counts(app_ctx):
    run(app_ctx, demo_data, "--scale", 2)
    assert count(District) == 12
    assert count(Volunteer) == 252
    assert count(Volunteer, Volunteer.offers_entlastung) == 150
    assert count(Pairing, Pairing.status == "aktiv") == 160
    assert count(Request) == 170


def test_demo_data_guards_existing_data_and_creates_the_login(app_ctx):
    make_volunteer(email="bestand@example.org")

    refused = run(app_ctx, demo_data, ok=False)
    assert refused.exit_code != 0 and "--reset" in refused.output
    skipped = run(app_ctx, demo_data, "--if-empty", "--login", "demo@example.org", "--password", "Sonne-Tulpe-Kaffee-1")
    assert "keine Demodaten" in skipped.output
    assert count(Volunteer) == 1

    run(app_ctx, demo_data, "--reset", "--login", "demo@example.org", "--password", "Regen-Birke-Fahrrad-2")
    assert count(Volunteer) == 126
    assert count(Volunteer, Volunteer.email == "bestand@example.org") == 0
    user = db.session.scalar(sa.select(User).where(User.email == "demo@example.org"))
    assert user.role == "admin" and user.check_password("Sonne-Tulpe-Kaffee-1")  # kept as it was


# --- export → import round trip --------------------------------------------------------------------------


def _cells(path: Path) -> list[tuple]:
    return list(load_workbook(path).worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_into_an_empty_database_and_back_gives_the_same_file(app_ctx, tmp_path, suffix):
    run(app_ctx, demo_data, "--seed", 3)
    files = {kind: tmp_path / f"{kind}{suffix}" for kind in ("volunteers", "seniors")}
    for kind, path in files.items():
        run(app_ctx, export_command, kind, path)
    _empty_all_but_users()
    ensure_reference_data()
    db.session.commit()
    assert count(Volunteer) == count(Senior) == count(Pflegekasse) == 0

    for kind, path in files.items():
        result = run(app_ctx, import_command, kind, path)
        assert "0 aktualisiert" in result.output
        again = tmp_path / f"{kind}-again{suffix}"
        run(app_ctx, export_command, kind, again)
        if suffix == ".csv":
            assert again.read_bytes() == path.read_bytes()
        else:
            assert _cells(again) == _cells(path)
    assert count(Volunteer) == 126
    assert count(Senior, Senior.status == "wartend") > 0


# --- import: reading and validating ----------------------------------------------------------------------

VOLUNTEER_HEADER = (
    "Vorname;Nachname;E-Mail;Geschlecht;Stadtbezirk;Entlastung;Basisqualifizierung am;Verfügbarkeit;"
    "Max. Stunden pro Woche\n"
)


def test_import_reads_a_hand_written_csv_without_bom(app_ctx, tmp_path):
    path = tmp_path / "ehrenamt.csv"
    path.write_text(
        VOLUNTEER_HEADER + "Jürgen;Kötter;Juergen.Koetter@Example.org;m;hörde;ja;2024-03-01;Mo 9:00-12:00; 4,5\n",
        encoding="utf-8",
    )
    result = run(app_ctx, import_command, "volunteers", path)

    assert "1 neu angelegt" in result.output
    volunteer = db.session.scalar(sa.select(Volunteer))
    assert volunteer.name == "Jürgen Kötter"
    assert volunteer.email == "juergen.koetter@example.org"
    assert volunteer.home_district.name == "Hörde"
    assert volunteer.basisqualifizierung_on == date(2024, 3, 1)
    assert volunteer.max_minutes_per_week == 270
    assert str(volunteer.availability[0]) == "Montag 09:00–12:00"


def test_every_bad_volunteer_row_is_reported_and_nothing_imported(app_ctx, tmp_path):
    path = tmp_path / "ehrenamt.csv"
    lines = [
        "Erika;Muster;erika@example.org;w;Eving;nein;;;",  # 2: good
        "Karl;Koch;karl(at)example.org;m;Eving;nein;;;",  # 3
        "Rita;Roth;rita@example.org;w;Dortmund-Mitte;nein;;;",  # 4
        "Uwe;Ulm;uwe@example.org;m;Mengede;ja;;;",  # 5
        ";;;;;;;;",  # 6: empty, skipped but counted
        "Ina;Iser;ina@example.org;w;Brackel;nein;;Montag morgens;",  # 7
        "Eva;Ernst;ERIKA@example.org;w;Brackel;nein;;;",  # 8
        "Olaf;Ott;olaf@example.org;m;Aplerbeck;ja;31.02.2024;;",  # 9
        ";Leer;leer@example.org;w;Hombruch;nein;;;zehn",  # 10
    ]
    path.write_text(VOLUNTEER_HEADER + "\n".join(lines) + "\n", encoding="utf-8-sig")

    result = run(app_ctx, import_command, "volunteers", path, ok=False)

    assert result.exit_code == 1
    out = result.output
    for expected in [
        "Zeile 3, Feld E-Mail: „karl(at)example.org“ ist keine gültige E-Mail-Adresse.",
        "Zeile 4, Feld Stadtbezirk: „Dortmund-Mitte“ ist kein Dortmunder Stadtbezirk.",
        "Zeile 5, Feld Basisqualifizierung am: Für die Häusliche Entlastung ist die Basisqualifizierung nötig.",
        "Zeile 7, Feld Verfügbarkeit: „Montag morgens“ ist keine Zeitangabe",
        "Zeile 8, Feld E-Mail: Die E-Mail-Adresse steht schon in Zeile 2.",
        "Zeile 9, Feld Basisqualifizierung am: „31.02.2024“ ist kein Datum",
        "Zeile 10, Feld Vorname: Pflichtfeld ist leer.",
        "Zeile 10, Feld Max. Stunden pro Woche: „zehn“ ist keine Stundenzahl",
        "7 fehlerhafte Zeile(n), 8 Fehler: nichts importiert.",
    ]:
        assert expected in out
    assert "Zeile 2" not in out.replace("in Zeile 2.", "")
    assert "Zeile 6" not in out
    assert count(Volunteer) == 0


SENIOR_HEADER = [
    *("Vorname", "Nachname", "Geburtsdatum", "Straße", "PLZ", "Stadtbezirk", "Pflegegrad", "Pflegekasse"),
    *("Pflegekasse IK", "Versichertennummer", "Abtretung am"),
]


def _senior_sheet(path: Path, rows: list[list]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(SENIOR_HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_every_bad_senior_row_in_xlsx_is_reported_and_nothing_imported(app_ctx, tmp_path):
    path = tmp_path / "senioren.xlsx"
    aok = ["AOK NordWest", "260326822"]
    _senior_sheet(
        path,
        [
            ["Hilde", "Gut", date(1938, 5, 17), "Evinger Straße 1", "44339", "Eving", 2, *aok, VALID_KVNRS[0], None],
            ["Karl", "Falsch", "17.05.1938", "Hohe Straße 2", "44137", "Innenstadt-West", 3, *aok, "A123456789", ""],
            ["Anna", "Grad", "1938-05-17", "Kaiserstraße 3", "44135", "Innenstadt-Ost", 7, *aok, VALID_KVNRS[1], ""],
            ["Paul", "Kasse", "01.01.1940", "Droote 4", "44328", "Scharnhorst", 2, None, "100696012", VALID_KVNRS[2]],
            ["Ella", "Ohne", "01.01.1940", "Droote 5", "44328", "Scharnhorst", None, None, None, None, "01.02.2025"],
            ["Otto", "Datum", "1940/05/01", "Droote 6", "44328", "Scharnhorst", None, None, None, None, None],
            ["Lore", "Plz", "01.01.1940", "Droote 7", "4432", "Scharnhorst", None, None, None, None, None],
        ],
    )

    result = run(app_ctx, import_command, "seniors", path, ok=False)

    assert result.exit_code == 1
    for expected in [
        "Zeile 3, Feld Versichertennummer: Die Prüfziffer der Versichertennummer stimmt nicht",
        "Zeile 4, Feld Pflegegrad: 7 liegt nicht zwischen 1 und 5.",
        "Zeile 5, Feld Pflegekasse IK: Keine Pflegekasse mit IK 100696012 angelegt",
        "Zeile 6, Feld Abtretung am: Eine Abtretungserklärung gibt es nur mit Pflegegrad",
        "Zeile 7, Feld Geburtsdatum: „1940/05/01“ ist kein Datum",
        "Zeile 8, Feld PLZ: „4432“ ist keine fünfstellige Postleitzahl.",
    ]:
        assert expected in result.output
    assert "Zeile 2," not in result.output
    assert count(Senior) == count(Pflegekasse) == 0


def test_dry_run_checks_but_imports_nothing(app_ctx, tmp_path):
    path = tmp_path / "senioren.xlsx"
    _senior_sheet(path, [["Hilde", "Gut", "17.05.1938", "Evinger Straße 1", "44339", "Eving"] + [None] * 5])

    result = run(app_ctx, import_command, "seniors", path, "--dry-run")

    assert "Probelauf: alle 1 Zeilen sind in Ordnung (1 neu" in result.output
    assert count(Senior) == 0


def test_import_updates_volunteers_by_email_and_seniors_by_kvnr(app_ctx, tmp_path):
    make_volunteer(email="erika@example.org", first_name="Erika", phone="0231 1")
    kasse = make_pflegekasse()
    make_senior(first_name="Hilde", last_name="Alt", pflegegrad=2, kvnr=VALID_KVNRS[0], pflegekasse=kasse)
    volunteers = tmp_path / "ehrenamt.csv"
    volunteers.write_text(
        "Vorname;Nachname;E-Mail;Geschlecht;Stadtbezirk;Telefon\nErika;Neu;Erika@example.org;w;Eving;0231 2\n",
        encoding="utf-8",
    )
    seniors = tmp_path / "senioren.xlsx"
    _senior_sheet(
        seniors,
        [["Hilde", "Neu", "17.05.1938", "Neue Straße 9", "44339", "Eving", 2, None, kasse.ik, *NEW_TERMS]],
    )

    assert "0 neu angelegt, 1 aktualisiert" in run(app_ctx, import_command, "volunteers", volunteers).output
    assert "0 neu angelegt, 1 aktualisiert" in run(app_ctx, import_command, "seniors", seniors).output

    volunteer = db.session.scalar(sa.select(Volunteer))
    assert (volunteer.last_name, volunteer.phone, count(Volunteer)) == ("Neu", "0231 2", 1)
    senior = db.session.scalar(sa.select(Senior))
    assert (senior.last_name, senior.street) == ("Neu", "Neue Straße 9")
    assert [(a.given_on, a.document_on, a.revoked_on) for a in senior.abtretungen] == [
        (date(2025, 3, 1), date(2025, 3, 1), None)
    ]


def test_import_refuses_a_pflegegrad_that_breaks_a_running_besuchsdienst(app_ctx, tmp_path):
    pairing = make_pairing(senior=make_senior(first_name="Hilde", last_name="Besuch"))
    path = tmp_path / "senioren.xlsx"
    _senior_sheet(
        path,
        [["Hilde", "Besuch", "17.05.1938", "Evinger Straße 1", "44339", "Eving", 2, "AOK", *AOK_TERMS]],
    )

    result = run(app_ctx, import_command, "seniors", path, ok=False)

    assert (
        "Zeile 2, Feld Pflegegrad: Es laufen noch 1 Begleitung(en) und 0 offene Anfrage(n) im Dienst Besuchsdienst."
        in result.output
    )
    db.session.expire_all()
    assert pairing.senior.pflegegrad is None


def test_import_names_an_unknown_column_and_a_wrong_file_type(app_ctx, tmp_path):
    path = tmp_path / "ehrenamt.csv"
    path.write_text("Vorname;Nachname;E-Mail;Geschlecht;Stadtbezirk;Lieblingsfarbe\n", encoding="utf-8")
    result = run(app_ctx, import_command, "volunteers", path, ok=False)
    assert "Zeile 1, Feld Lieblingsfarbe: unbekannte Spalte" in result.output

    other = tmp_path / "ehrenamt.txt"
    other.write_text("x", encoding="utf-8")
    result = run(app_ctx, import_command, "volunteers", other, ok=False)
    assert result.exit_code != 0 and "bitte .csv oder .xlsx verwenden" in result.output


# --- the real entry points -------------------------------------------------------------------------------


def test_console_script_and_flask_command_show_german_help(tmp_path):
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "BEGLEITSERVICE_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}

    script = subprocess.run(
        [bin_dir / "begleitservice", "--help"], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert "demo-data" in script.stdout and "import" in script.stdout and "export" in script.stdout

    flask = subprocess.run(
        [bin_dir / "flask", "--app", "wsgi", "demo-data", "--help"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Demodaten" in flask.stdout and "--scale" in flask.stdout and "--if-empty" in flask.stdout
