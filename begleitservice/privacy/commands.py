"""CLI: ``dsgvo export senior|volunteer ID FILE`` (Art. 15) and ``dsgvo purge [--dry-run]`` (after retention)."""

import json
import logging

import click
from flask.cli import with_appcontext

from .. import audit
from ..clock import now as clock_now
from ..extensions import db
from ..inputs import MAX_ID
from ..models import Senior, Volunteer
from .export import export_person
from .operations import purge, record_event

log = logging.getLogger(__name__)

MODELS = {"senior": Senior, "volunteer": Volunteer}


@click.group("dsgvo", help="Datenschutz: Auskunft (Art. 15) und Löschung nach Ablauf der Aufbewahrungsfrist.")
def dsgvo_command() -> None:
    """The data-protection command group."""


@dsgvo_command.command("export")
@click.argument("kind", type=click.Choice(sorted(MODELS)))
@click.argument("person_id", type=click.IntRange(1, MAX_ID))
@click.argument("file", type=click.File("w", encoding="utf-8"))
@with_appcontext
def export_command(kind: str, person_id: int, file) -> None:
    """Schreibt alles, was über eine Person gespeichert ist, als JSON in FILE (- für die Standardausgabe)."""
    person = db.session.get(MODELS[kind], person_id)
    if person is None:
        raise click.ClickException(f"Keine Person mit der Nummer {person_id} ({kind}).")
    now = clock_now()
    json.dump(export_person(person, now=now), file, ensure_ascii=False, indent=2)
    record_event("export", person, user=None, at=now, note="Kommandozeile")
    audit.record("export", person, detail="Auskunft (Art. 15) über die Kommandozeile")
    db.session.commit()
    click.echo(f"Auskunft zu {kind} {person_id} geschrieben.", err=True)


@dsgvo_command.command("purge")
@click.option("--dry-run", is_flag=True, help="Nur anzeigen, was gelöscht würde.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Löscht gesperrte Personen, deren Aufbewahrungsfrist abgelaufen ist, mit ihren Rechnungsunterlagen."""
    lines = purge(now=clock_now(), dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in lines:
        click.echo(line)
    verb = "würden gelöscht" if dry_run else "gelöscht"
    click.echo(f"{len(lines)} Person(en) {verb}.")
