"""Command-line interface: ``begleitservice COMMAND`` and ``flask --app wsgi COMMAND``."""

from flask.cli import FlaskGroup

from ..accounting.commands import billing_command, export_commands
from ..audit.commands import audit_command
from ..jobs.commands import run_job_command, scheduler_command
from ..matches.commands import match_command
from ..privacy.commands import dsgvo_command
from ..reports.commands import report_command
from .demo_data import demo_data
from .importexport import export_command, import_command
from .users import create_user

commands = [create_user, demo_data, import_command, export_command]
commands += [scheduler_command, run_job_command]
commands += [billing_command]
for _command in export_commands:
    export_command.add_command(_command)
commands += [match_command]
commands += [dsgvo_command]
commands += [audit_command]
commands += [report_command]


def main() -> None:
    """Entry point of the ``begleitservice`` console script; unusable settings end it with their message."""
    from ..app import create_app
    from ..config import SettingsError, from_environment

    try:
        from_environment()
    except SettingsError as error:
        raise SystemExit(str(error)) from None

    cli = FlaskGroup(
        create_app=create_app,
        help="Seniorenbegleitservice: Verwaltung auf der Kommandozeile (Datenbank aus DATABASE_URL).",
    )
    cli.main(prog_name="begleitservice")
