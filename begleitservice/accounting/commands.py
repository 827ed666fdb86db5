"""``billing run --month YYYY-MM`` and the accounting exports ``export hours|invoices|allowances``."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask.cli import with_appcontext

from billing.month import Month

from ..extensions import db
from ..inputs import InputError, parse_month
from .exports import KINDS, TITLES, export_name, write_export
from .files import commit_with_files
from .operations import AccountingError, run_month

log = logging.getLogger(__name__)


def _month(ctx, param, value: str) -> Month:
    try:
        return parse_month(value)
    except InputError as error:
        raise click.BadParameter(str(error)) from error


@click.group("billing", help="Abrechnung der Häuslichen Entlastung.")
def billing_command() -> None:
    """The billing command group."""


@billing_command.command("run")
@click.option("--month", "month", required=True, callback=_month, help="Abrechnungsmonat JJJJ-MM.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), help="Ordner für die PDFs.")
@click.help_option("--help", help="Diese Hilfe anzeigen.")
@with_appcontext
def run_command(month: Month, out: Path | None) -> None:
    """Rechnet einen Monat ab: Leistungsnachweise, Rechnungen, Sperre des Monats. Ein zweiter Lauf ändert nichts."""
    try:
        result = run_month(month, out_dir=out)
        commit_with_files(result.staged)
    except AccountingError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    run = result.run
    for problem in result.problems:
        click.echo(f"Hinweis: {problem}")
    if not result.created:
        click.echo(f"Der Monat {month} ist bereits abgerechnet ({len(run.invoices)} Rechnungen); nichts geändert.")
        return
    numbers = [inv.number for inv in run.invoices]
    span = f" ({numbers[0]} bis {numbers[-1]})" if numbers else ""
    click.echo(f"Monat {month} abgerechnet: {len(numbers)} Rechnungen{span}, Dokumente in {run.documents_dir}.")


def _export(kind: str):
    @click.command(kind, help=f"Exportiert {TITLES[kind]} eines Monats als CSV oder XLSX.")
    @click.option("--month", "month", required=True, callback=_month, help="Monat JJJJ-MM.")
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Zieldatei.")
    @click.help_option("--help", help="Diese Hilfe anzeigen.")
    @with_appcontext
    def command(month: Month, fmt: str, out: Path | None) -> None:
        target = out or Path(export_name(kind, month, fmt))
        try:
            count = write_export(kind, month, target, xlsx=fmt == "xlsx")
        finally:
            db.session.rollback()
        click.echo(f"{TITLES[kind]} {month}: {count} Zeilen nach {target} exportiert.")

    return command


export_commands = [_export(kind) for kind in KINDS]
