"""``import`` and ``export``: volunteers and seniors as CSV or XLSX files with German headers."""

import logging
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .. import audit
from ..extensions import db
from ..transfer.operations import KINDS, TITLES, import_table
from .tabular import TableError, read_table, write_table

log = logging.getLogger(__name__)


@click.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("path", metavar="DATEI", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Nur prüfen und berichten, nichts speichern.")
@click.option(
    "--allow-duplicates",
    is_flag=True,
    help="Auch Zeilen anlegen, die einer gespeicherten Person gleichen (es sind andere Personen).",
)
@click.help_option("--help", help="Diese Hilfe anzeigen.")
@with_appcontext
def import_command(kind: str, path: Path, dry_run: bool, allow_duplicates: bool) -> None:
    """Importiert Ehrenamtliche (volunteers) oder Senior:innen (seniors) aus CSV oder XLSX.

    \b
    Format: wie „export“ es schreibt. CSV mit „;“ getrennt, UTF-8 (mit oder ohne BOM),
    Überschriften in Zeile 1, Datum als 31.12.2025 oder 2025-12-31, Dezimalkomma (4,5),
    ja/nein für Ankreuzfelder, Zeiten wie „Mo 09:00-12:00; Mi 14:00-17:00“. XLSX: erstes Blatt.
    Pflichtspalten: Ehrenamtliche – Vorname, Nachname, E-Mail, Geschlecht, Stadtbezirk;
    Senior:innen – Vorname, Nachname, Geburtsdatum, Straße, PLZ, Stadtbezirk.
    Fehlende andere Spalten lassen gespeicherte Werte unverändert.

    \b
    Zuordnung vorhandener Datensätze (diese werden aktualisiert, sonst neu angelegt):
      Ehrenamtliche über die E-Mail-Adresse;
      Senior:innen über die Versichertennummer, ohne Nummer über Vorname, Nachname
      und Geburtsdatum. Eine unbekannte Pflegekasse wird mit Name und IK aus der Datei angelegt.

    \b
    Jede Zeile wird geprüft; Fehler erscheinen als „Zeile N, Feld X: Grund“ (Zeile 1 = Überschriften).
    Importiert wird nur, wenn alle Zeilen in Ordnung sind – sonst nichts (Exit-Code 1).

    \b
    Mögliche Doppelungen: Eine neue Zeile, die einer gespeicherten Person (oder einer
    früheren neuen Zeile der Datei) gleicht, wird NICHT angelegt, sondern als
    „Warnung: Zeile N: …“ gemeldet; alle anderen Zeilen werden importiert (Exit-Code 0).
    Gleich heißt: Senior:innen mit demselben Vor- und Nachnamen und Geburtsdatum,
    Ehrenamtliche mit demselben Vor- und Nachnamen und derselben Telefonnummer;
    Namen verglichen ohne Groß-/Kleinschreibung und Akzente (Öztürk = OZTURK, ß = ss, ü = ue).
    Sind es andere Personen, dieselbe Datei mit --allow-duplicates noch einmal importieren.
    """
    try:
        table = read_table(path)
    except TableError as error:
        raise click.ClickException(str(error)) from error
    try:
        report = import_table(kind, table, dry_run=dry_run, allow_duplicates=allow_duplicates)
        for problem in report.problems:
            click.echo(str(problem), err=True)
        for warning in report.warnings:
            click.echo(
                warning.replace("Wird trotzdem angelegt.", "Wird trotzdem angelegt (--allow-duplicates)."), err=True
            )
        if report.problems:
            click.echo(report.summary, err=True)
            raise click.exceptions.Exit(1)
        if report.saved:
            db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.exception("import of %s from %s failed", kind, path)
        raise click.ClickException(f"Die Datenbank hat den Import abgelehnt, nichts gespeichert: {error}") from error
    click.echo(report.summary)


@click.group("export")
@click.help_option("--help", help="Diese Hilfe anzeigen.")
def export_command() -> None:
    """Exportiert Ehrenamtliche, Senior:innen (wie „import“ sie liest) oder Abrechnungsdaten eines Monats."""


@export_command.result_callback()
@with_appcontext
def _audit_export(*_results, **_params) -> None:
    """Every export from the command line is written to the audit trail once it has succeeded."""
    context = click.get_current_context()
    audit.record("export", detail=f"{context.command_path} {context.invoked_subcommand}")
    db.session.commit()


def _export_people(kind: str) -> None:
    module = KINDS[kind]

    @export_command.command(kind)
    @click.argument("path", metavar="DATEI", type=click.Path(dir_okay=False, writable=True, path_type=Path))
    @click.help_option("--help", help="Diese Hilfe anzeigen.")
    @with_appcontext
    def command(path: Path) -> None:
        """Exportiert als CSV oder XLSX, je nach Dateiendung (.csv oder .xlsx), genau so, wie „import“ es liest:
        CSV mit „;“, UTF-8 mit BOM (öffnet direkt in Excel), deutsche Spaltenüberschriften."""
        try:
            rows = module.export_rows()
            write_table(path, module.COLUMNS, rows, title=TITLES[kind])
        except TableError as error:
            raise click.ClickException(str(error)) from error
        finally:
            db.session.rollback()
        click.echo(f"{TITLES[kind]}: {len(rows)} Zeilen nach {path} exportiert.")


for _kind in KINDS:
    _export_people(_kind)
