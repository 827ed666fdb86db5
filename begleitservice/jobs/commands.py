"""CLI: ``scheduler`` (the one process that runs the jobs) and ``run-job NAME`` (one job, once)."""

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from .jobs import JOBS, run_job


@click.command("scheduler")
@click.option("--interval", type=float, help="Alle Jobs alle N Sekunden statt nach Plan (zum Testen).")
@click.option("--only", multiple=True, type=click.Choice(sorted(JOBS)), help="Nur diese Jobs (mehrfach möglich).")
@click.option("--run-for", type=float, help="Nach N Sekunden beenden (sonst bis SIGTERM/Strg+C).")
@click.option("--once", is_flag=True, help="Jeden (ausgewählten) Job einmal ausführen und beenden.")
@with_appcontext
def scheduler_command(interval, only, run_for, once):
    """Die Hintergrundjobs ausführen (ein aktiver Prozess, weitere warten in Bereitschaft; Webserver nie)."""
    if once:
        for name in JOBS:
            if not only or name in only:
                click.echo(f"{name}: {run_job(name)}")
        return
    from .scheduler import serve

    serve(current_app._get_current_object(), interval=interval, only=tuple(only), run_for=run_for)
    click.echo("Scheduler beendet.")


@click.command("run-job")
@click.argument("name", type=click.Choice(sorted(JOBS)))
@click.option("--now", help="Zeitpunkt (ISO 8601 mit Zeitzone), Standard: jetzt.")
@with_appcontext
def run_job_command(name, now):
    """Einen Job einmal ausführen (gefahrlos wiederholbar)."""
    moment = None
    if now:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError as error:
            raise click.BadParameter(
                f"„{now}“ ist kein Zeitpunkt wie 2026-11-02T08:00:00+01:00", param_hint="--now"
            ) from error
        if moment.tzinfo is None:
            raise click.BadParameter("bitte mit Zeitzone angeben, z. B. 2026-11-02T08:00:00+01:00", param_hint="--now")
    click.echo(f"{name}: {run_job(name, now=moment)}")
