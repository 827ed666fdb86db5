"""CLI: ``audit purge [--dry-run]`` deletes audit events past AUDIT_RETENTION_DAYS."""

import click
from flask import current_app
from flask.cli import with_appcontext

from ..clock import now as clock_now
from ..extensions import db
from .operations import purge


@click.group("audit", help="Protokoll (Audit-Trail): alte Einträge löschen.")
def audit_command() -> None:
    """The audit trail command group."""


@audit_command.command("purge")
@click.option("--dry-run", is_flag=True, help="Nur zählen, nichts löschen.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Löscht Protokolleinträge, die älter als AUDIT_RETENTION_DAYS sind."""
    gone = purge(now=clock_now())
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    days = current_app.config["AUDIT_RETENTION_DAYS"]
    verb = "würden gelöscht" if dry_run else "gelöscht"
    click.echo(f"{gone} Protokolleinträge älter als {days} Tage {verb}.")
