"""``report annual --year YYYY --format csv|xlsx|pdf --out FILE`` and ``report population DATEI``."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..inputs import InputError
from . import documents, population
from .exports import FORMATS, annual_tables, csv_bytes, district_table, write_file, xlsx_bytes
from .periods import parse_year, year_period
from .queries import build_report, missing_help

log = logging.getLogger(__name__)


@click.group("report", help="Berichte für den Dienst und die Stadt.")
def report_command() -> None:
    """The report command group."""


def _target(out: str | None) -> Path:
    """The output file: given, in an existing folder, not a folder itself (German message otherwise)."""
    if not out:
        raise click.ClickException("Bitte geben Sie mit --out die Zieldatei an.")
    path = Path(out)
    if path.is_dir():
        raise click.ClickException(f"„{out}“ ist ein Ordner: bitte einen Dateinamen angeben.")
    if not path.parent.is_dir():
        raise click.ClickException(f"Den Ordner „{path.parent}“ gibt es nicht: nichts geschrieben.")
    return path


def annual_bytes(year: int, fmt: str) -> bytes:
    """The annual report of ``year`` as a file in ``fmt``."""
    period = year_period(year)
    report = build_report(period)
    if fmt == "csv":
        return csv_bytes(district_table(report))
    sozialraeume = build_report(period, by="sozialraum")
    missing = missing_help()
    if fmt == "xlsx":
        return xlsx_bytes(annual_tables(report, sozialraeume, missing))
    previous = build_report(period.previous())
    return documents.annual_pdf(report, previous, sozialraeume, missing)


@report_command.command("annual")
@click.option("--year", "year", help="Berichtsjahr JJJJ.")
@click.option("--format", "fmt", default="csv", show_default=True, help="csv, xlsx oder pdf.")
@click.option("--out", "out", help="Zieldatei.")
@click.help_option("--help", help="Diese Hilfe anzeigen.")
@with_appcontext
def annual_command(year: str | None, fmt: str, out: str | None) -> None:
    """Schreibt den Jahresbericht: je Stadtbezirk (alphabetisch) und „Gesamt“, als CSV, XLSX oder PDF.

    \b
    CSV: „;“ getrennt, UTF-8 mit BOM, Dezimalkomma; Spalten Stadtbezirk, Anfragen eingegangen,
    vermittelt, Senior:innen begleitet, Ehrenamtliche aktiv, Stunden Besuchsdienst, Stunden Entlastung,
    Stunden Demenzgruppen (und weitere). XLSX: ein Blatt je Tabelle. PDF: der Bericht für die Ausschüsse.
    """
    try:
        number = parse_year(year if year is not None else "")
    except InputError as error:
        raise click.ClickException(str(error)) from error
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise click.ClickException(f"Unbekanntes Format „{fmt[:20]}“: bitte csv, xlsx oder pdf.")
    path = _target(out)
    try:
        data = annual_bytes(number, fmt)
    finally:
        db.session.rollback()
    try:
        write_file(path, data)
    except OSError as error:
        raise click.ClickException(f"Die Datei „{out}“ kann nicht geschrieben werden ({error.strerror}).") from error
    click.echo(f"Jahresbericht {number} geschrieben: {path}")


@report_command.command("population")
@click.argument("path", metavar="DATEI", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Nur prüfen und berichten, nichts speichern.")
@click.help_option("--help", help="Diese Hilfe anzeigen.")
@with_appcontext
def population_command(path: Path, dry_run: bool) -> None:
    """Importiert die Einwohnerzahlen 65+ je Sozialraum (CSV oder XLSX der Stadt).

    \b
    Spalten: Sozialraum, Stadtbezirk, Jahr, Einwohner 65+. Ein unbekannter Sozialraum wird im
    genannten Stadtbezirk angelegt; ein schon importiertes Jahr wird ersetzt.
    Jede Zeile wird geprüft; Fehler erscheinen als „Zeile N, Feld X: Grund“.
    Importiert wird nur, wenn alle Zeilen in Ordnung sind – sonst nichts (Exit-Code 1).
    """
    from ..cli.tabular import TableError, read_table

    if not path.is_file():
        raise click.ClickException(f"Die Datei „{path}“ gibt es nicht.")
    try:
        table = read_table(path)
    except TableError as error:
        raise click.ClickException(str(error)) from error
    try:
        result = population.import_population(table, dry_run=dry_run)
        for problem in result.problems:
            click.echo(problem, err=True)
        if result.problems:
            db.session.rollback()
            click.echo(result.summary, err=True)
            raise click.exceptions.Exit(1)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.exception("population import from %s failed", path)
        raise click.ClickException(f"Die Datenbank hat den Import abgelehnt, nichts gespeichert: {error}") from error
    click.echo(result.summary)
