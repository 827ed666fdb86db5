"""Bad input on the command line and in import files: a German message, a non-zero exit, nothing saved."""

from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from begleitservice.accounting.commands import billing_command, export_commands
from begleitservice.cli.importexport import import_command
from begleitservice.cli.users import create_user
from begleitservice.extensions import db
from begleitservice.jobs.commands import run_job_command
from begleitservice.models import BillingRun, Senior, User, Volunteer
from begleitservice.privacy.commands import dsgvo_command

VOLUNTEER_HEADER = "Vorname;Nachname;E-Mail;Geschlecht;Stadtbezirk;Max. Senior:innen;Basisqualifizierung am\n"
SENIOR_HEADER = ["Vorname", "Nachname", "Geburtsdatum", "Straße", "PLZ", "Stadtbezirk", "Einwilligung am"]


def run(app, command, *args):
    """Invoke a CLI command in the test app."""
    return app.test_cli_runner().invoke(command, [str(a) for a in args])


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    "month, message",
    [
        ("abc", "„abc“ ist kein Monat: bitte als JJJJ-MM oder MM/JJJJ angeben"),
        ("02/0000", "Der Monat 02/0000 liegt außerhalb des möglichen Zeitraums"),
        ("2026-13", "der Monat ist 01 bis 12"),
    ],
)
def test_billing_run_refuses_a_broken_month(app_ctx, month, message):
    result = run(app_ctx, billing_command, "run", "--month", month)
    assert result.exit_code == 2
    assert message in result.output
    assert count(BillingRun) == 0


def test_an_export_refuses_a_broken_month(app_ctx, tmp_path):
    (hours,) = [c for c in export_commands if c.name == "hours"]
    result = run(app_ctx, hours, "--month", "0001-01", "--out", tmp_path / "x.csv")
    assert result.exit_code == 2
    assert "liegt außerhalb des möglichen Zeitraums" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_run_job_refuses_a_broken_moment(app_ctx):
    result = run(app_ctx, run_job_command, "roll_horizon", "--now", "morgen früh")
    assert result.exit_code == 2
    assert "„morgen früh“ ist kein Zeitpunkt wie 2026-11-02T08:00:00+01:00" in result.output


def test_dsgvo_export_refuses_a_huge_id(app_ctx, tmp_path):
    result = run(app_ctx, dsgvo_command, "export", "senior", "99999999999999999999", tmp_path / "x.json")
    assert result.exit_code == 2
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    "name, email, message",
    [
        ("Erika\x00Muster", "erika@example.org", "unzulässige Steuerzeichen"),
        ("Erika Muster", "erika\r\n@example.org", "Bitte ohne Zeilenumbruch eingeben."),
        ("Erika Muster", "keine-adresse", "„keine-adresse“ ist keine E-Mail-Adresse."),
    ],
)
def test_create_user_refuses_control_characters_and_saves_nothing(app_ctx, name, email, message):
    result = run(app_ctx, create_user, "--email", email, "--name", name, "--password", "richtig-geheim-123")
    assert result.exit_code == 1
    assert message in result.output
    assert count(User) == 0


def test_import_refuses_a_nul_byte_and_a_superscript_and_imports_nothing(app_ctx, tmp_path):
    path = tmp_path / "ehrenamt.csv"
    rows = [
        "Erika;Muster;erika@example.org;w;Eving;2;",  # 2: good
        "Ka\x00rl;Koch;karl@example.org;m;Eving;2;",  # 3: NUL byte
        "Uwe;Ulm;uwe@example.org;m;Eving;²;",  # 4: "²".isdigit() is True
        "Ina;Iser;ina@example.org;w;Eving;99999999999999999999;",  # 5
        "Olaf;Ott;olaf@example.org;m;Eving;2;0001-01-01",  # 6
    ]
    path.write_text(VOLUNTEER_HEADER + "\n".join(rows) + "\n", encoding="utf-8")

    result = run(app_ctx, import_command, "volunteers", path)

    assert result.exit_code == 1
    for expected in [
        "Zeile 3, Feld Vorname: Der Text enthält unzulässige Steuerzeichen",
        "Zeile 4, Feld Max. Senior:innen: „²“ ist keine ganze Zahl.",
        "Zeile 5, Feld Max. Senior:innen: „99999999999999999999“ ist keine ganze Zahl.",
        "Zeile 6, Feld Basisqualifizierung am: Das Datum 01.01.0001 liegt außerhalb des möglichen Zeitraums",
        "4 fehlerhafte Zeile(n), 4 Fehler: nichts importiert.",
    ]:
        assert expected in result.output
    assert count(Volunteer) == 0


def test_import_refuses_dates_outside_the_window(app_ctx, tmp_path):
    path = tmp_path / "senioren.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(SENIOR_HEADER)
    sheet.append(["Hilde", "Gut", "31.12.1899", "Evinger Straße 1", "44339", "Eving", None])
    sheet.append(["Karl", "Alt", "17.05.1938", "Hohe Straße 2", "44137", "Eving", date(9999, 12, 31)])
    sheet.append(["Lore", "Neu", "17.05.2999", "Droote 7", "44328", "Eving", None])
    workbook.save(path)

    result = run(app_ctx, import_command, "seniors", path)

    assert result.exit_code == 1
    assert "Zeile 2, Feld Geburtsdatum: Das Datum 31.12.1899 liegt außerhalb des möglichen Zeitraums" in result.output
    assert "Zeile 3, Feld Einwilligung am: Das Datum 31.12.9999 liegt außerhalb" in result.output
    assert "Zeile 4, Feld Geburtsdatum: Das Datum 17.05.2999 liegt außerhalb" in result.output
    assert count(Senior) == 0


def test_import_refuses_overlong_languages_on_every_database(app_ctx, tmp_path):
    """Found by the import fuzz test: PostgreSQL refused the row (varchar(200)), the message named the database."""
    path = tmp_path / "ehrenamt.csv"
    path.write_text(
        "Vorname;Nachname;E-Mail;Geschlecht;Stadtbezirk;Sprachen\n"
        f"Erika;Muster;erika@example.org;w;Eving;{'y' * 300}\n",
        encoding="utf-8",
    )

    result = run(app_ctx, import_command, "volunteers", path)

    assert result.exit_code == 1
    assert "Zeile 2, Feld Sprachen: höchstens 200 Zeichen erlaubt (hier 300)." in result.output
    assert "Datenbank" not in result.output
    assert count(Volunteer) == 0
