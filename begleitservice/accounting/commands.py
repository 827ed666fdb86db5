"""``billing run --month YYYY-MM`` and the accounting exports ``export hours|invoices|allowances``."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask.cli import with_appcontext

from billing.money import format_eur
from billing.month import Month

from ..extensions import db
from ..inputs import InputError, parse_month
from .closing import MonthCheck
from .exports import KINDS, TITLES, export_name, write_export
from .files import commit_with_files
from .operations import AccountingError, OpenProblems, month_check, run_month

log = logging.getLogger(__name__)


def _month(ctx, param, value: str) -> Month:
    try:
        return parse_month(value)
    except InputError as error:
        raise click.BadParameter(str(error)) from error


@click.group("billing", help="Abrechnung der Häuslichen Entlastung.")
def billing_command() -> None:
    """The billing command group."""


def _echo_points(check: MonthCheck) -> None:
    for point in check.points:
        click.echo(f"- {point.problem.text}\n  {point.label}: {point.external_url}")


def _echo_totals(check: MonthCheck) -> None:
    totals = check.totals
    click.echo("Summen je Kostenträger:")
    for kasse in totals.per_kasse:
        click.echo(
            f"  {kasse.name}: Entlastungsbetrag {format_eur(kasse.entlastungsbetrag)}, Umwandlung "
            f"{format_eur(kasse.umwandlung)}, davon direkt an die Pflegekasse {format_eur(kasse.direct)}"
        )
    click.echo(
        f"  Alle: Entlastungsbetrag {format_eur(totals.entlastungsbetrag)}, "
        f"Umwandlung {format_eur(totals.umwandlung)}, privat {format_eur(totals.private)}, "
        f"zusammen {format_eur(totals.total)}"
    )


@billing_command.command("preview")
@click.option("--month", "month", required=True, callback=_month, help="Abrechnungsmonat JJJJ-MM.")
@click.help_option("--help", help="Diese Hilfe anzeigen.")
@with_appcontext
def preview_command(month: Month) -> None:
    """Zeigt, was ein Lauf des Monats abrechnen würde: offene Punkte mit Link und Summen je Kostenträger."""
    try:
        check = month_check(month)
    finally:
        db.session.rollback()
    if check.points:
        click.echo(f"Monat {month}: {check.summary()}.")
        _echo_points(check)
    else:
        click.echo(f"Monat {month}: keine offenen Punkte.")
    _echo_totals(check)


@billing_command.command("run")
@click.option("--month", "month", required=True, callback=_month, help="Abrechnungsmonat JJJJ-MM.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), help="Ordner für die PDFs.")
@click.option(
    "--accept-open-visits",
    "accept_open",
    is_flag=True,
    help="Trotz offener Punkte abschließen; nicht erfasste Termine werden nicht abgerechnet (und vermerkt).",
)
@click.help_option("--help", help="Diese Hilfe anzeigen.")
@with_appcontext
def run_command(month: Month, out: Path | None, accept_open: bool) -> None:
    """Rechnet einen Monat ab: Leistungsnachweise, Rechnungen, Sperre des Monats. Ein zweiter Lauf ändert nichts."""
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Dokumente erstellen", show_pos=True, show_eta=True)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        try:
            result = run_month(month, out_dir=out, accept_open=accept_open, progress=progress)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        commit_with_files(result.staged)
    except OpenProblems as error:
        db.session.rollback()
        _echo_points(error.check)
        raise click.ClickException(f"{error} Bestätigen mit --accept-open-visits.") from error
    except AccountingError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    run = result.run
    for problem in result.problems:
        click.echo(f"Bestätigter offener Punkt: {problem}")
    if run.left_out:
        click.echo(f"{len(run.left_out)} Termin(e) nicht abgerechnet (vermerkt beim Lauf).")
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
