"""``match``: the matching on all open requests from the command line, as text."""

import click
from flask import current_app

from ..clock import now, today
from ..extensions import db
from ..models import SERVICES
from ..models.matching import MatchRun, MatchRunStatus
from . import runner
from .operations import MatchError, compute, start_run
from .texts import status_line, visit_label


def _echo(lines: list[str], proposals: list[tuple], unserved: list[tuple]) -> None:
    """Print the status, the proposals (request, volunteer, visits, reasons) and the unserved (request, reasons)."""
    click.echo("\n".join(lines))
    click.echo(f"\nVorschläge ({len(proposals)}):")
    for request, volunteer, visits, reasons in proposals:
        senior = request.senior
        when = ", ".join(visit_label(v) for v in visits)
        click.echo(f"- {senior.name} ({senior.district.name}, {SERVICES[request.service]}) ← {volunteer.name}: {when}")
        for reason in reasons:
            click.echo(f"    · {reason}")
    click.echo(f"\nNicht vermittelt ({len(unserved)}):")
    for request, reasons in unserved:
        click.echo(f"- {request.senior.name} ({request.senior.district.name}, {SERVICES[request.service]})")
        for reason in reasons:
            click.echo(f"    · {reason}")


def _dry_run(time_limit: float | None) -> None:
    """Compute and print, store nothing."""
    try:
        built, solution = compute(today=today(), time_limit_s=time_limit)
    except MatchError as error:
        raise click.ClickException(str(error)) from error
    finally:
        db.session.rollback()
    summary = MatchRun(  # never added to the session: only to word the status like a stored run
        status=MatchRunStatus.FERTIG,
        solver_status=solution.status,
        served=solution.served,
        served_bound=solution.served_bound,
        served_proven=solution.served_proven,
        wall_s=solution.wall_s,
        requests_count=len(built.requests),
    )
    proposals = [
        (
            built.requests[a.request],
            built.volunteers[a.volunteer],
            [(v.weekday, v.start, v.end) for v in a.visits],
            [*a.reasons, *filter(None, [built.absence_notes.get(a.volunteer)])],
        )
        for a in solution.assignments
    ]
    unserved = [(built.requests[u.request], u.reasons) for u in solution.unserved]
    _echo([status_line(summary), *(f"Hinweis: {note}" for note in built.notes)], proposals, unserved)
    click.echo("\nProbelauf: nichts gespeichert.")


@click.command("match")
@click.option("--dry-run", is_flag=True, help="Nur berechnen und anzeigen, nichts speichern.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), help="Zeitlimit der Berechnung in Sekunden.")
def match_command(dry_run: bool, time_limit: float | None) -> None:
    """Berechnet Vorschläge für alle offenen Anfragen und zeigt sie mit Begründungen an."""
    if dry_run:
        _dry_run(time_limit)
        return
    limit = time_limit or current_app.config["MATCH_TIME_LIMIT_S"]
    run, created = start_run(user=None, now=now(), time_limit_s=limit)
    if not created:
        db.session.rollback()
        raise click.ClickException(f"Eine Berechnung läuft bereits (gestartet {run.started_at:%d.%m.%Y %H:%M} UTC).")
    db.session.commit()
    run = runner.perform(run.id, time_limit_s=time_limit)
    _echo(
        [status_line(run), *(f"Hinweis: {note}" for note in run.notes or [])],
        [(p.request, p.volunteer, p.visits, p.reasons) for p in run.proposals],
        [(u.request, u.reasons) for u in run.unserved],
    )
    if run.status == MatchRunStatus.FEHLER:
        raise click.ClickException("Es wurden keine Vorschläge gespeichert.")
    click.echo(
        f"\nGespeichert als Berechnung {run.id}: die Vorschläge warten auf der Seite „Vorschläge“ auf Entscheidung."
    )
