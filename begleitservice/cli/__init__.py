"""Command-line interface: ``begleitservice COMMAND`` and ``flask --app wsgi COMMAND``.

The commands load on use: ``begleitservice --help`` lists them from :data:`COMMANDS` without importing a command
module or building the app, and the app's ``cli`` group (every worker builds it) imports a command's module only
when that command runs. tests/app/test_startup.py checks the listed help against each command's own.
"""

from __future__ import annotations

from importlib import import_module

import click
from flask.cli import AppGroup, FlaskGroup

#: name → (module, attribute, the first sentence of its help as ``--help`` lists it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "audit": ("begleitservice.audit.commands", "audit_command", "Protokoll (Audit-Trail): alte Einträge löschen."),
    "billing": ("begleitservice.accounting.commands", "billing_command", "Abrechnung der Häuslichen Entlastung."),
    "create-user": (
        "begleitservice.cli.users",
        "create_user",
        "Legt einen Zugang für Mitarbeitende an (Koordination, Buchhaltung oder Administration).",
    ),
    "demo-data": (
        "begleitservice.cli.demo_data",
        "demo_data",
        "Legt erfundene, aber realistische Demodaten in der Größe des Dortmunder Dienstes an.",
    ),
    "dsgvo": (
        "begleitservice.privacy.commands",
        "dsgvo_command",
        "Datenschutz: Auskunft (Art. 15) und Löschung nach Ablauf der Aufbewahrungsfrist.",
    ),
    "export": (
        "begleitservice.cli.importexport",
        "export_command",
        "Exportiert Ehrenamtliche, Senior:innen (wie „import“ sie liest) oder Abrechnungsdaten eines Monats.",
    ),
    "import": (
        "begleitservice.cli.importexport",
        "import_command",
        "Importiert Ehrenamtliche (volunteers) oder Senior:innen (seniors) aus CSV oder XLSX.",
    ),
    "match": (
        "begleitservice.matches.commands",
        "match_command",
        "Berechnet Vorschläge für alle offenen Anfragen und zeigt sie mit Begründungen an.",
    ),
    "report": ("begleitservice.reports.commands", "report_command", "Berichte für den Dienst und die Stadt."),
    "run-job": (
        "begleitservice.jobs.commands",
        "run_job_command",
        "Einen Job einmal ausführen (gefahrlos wiederholbar).",
    ),
    "scheduler": (
        "begleitservice.jobs.commands",
        "scheduler_command",
        "Die Hintergrundjobs ausführen (ein aktiver Prozess, weitere warten in Bereitschaft; Webserver nie).",
    ),
}

#: commands an extension adds to the app's group (Flask-Migrate's ``db``), listed by ``--help`` without the app
EXTENSION_COMMANDS = {"db": "Perform database migrations."}


def load_command(name: str) -> click.Command:
    """Import the module of command ``name`` and return the command (``export`` with the accounting exports)."""
    module, attribute, _help = COMMANDS[name]
    command = getattr(import_module(module), attribute)
    if name == "export":
        from ..accounting.commands import export_commands

        for sub in export_commands:
            if sub.name not in command.commands:
                command.add_command(sub)
    return command


def _rows(group: click.Group, ctx: click.Context, names: list[str], limit: int) -> list[tuple[str, str]]:
    """(name, short help) per command; a command of COMMANDS that is not loaded yet by its listed help."""
    rows = []
    for name in names:
        if name in COMMANDS and name not in group.commands:
            rows.append((name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)))
            continue
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            rows.append((name, command.get_short_help_str(limit)))
    return rows


def _format(rows: list[tuple[str, str]], formatter: click.HelpFormatter) -> None:
    if rows:
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class LazyCommands(AppGroup):
    """The app's ``cli`` group: the commands of COMMANDS are imported when one is looked up to run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | COMMANDS.keys())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            self.add_command(load_command(name), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)
        _format(_rows(self, ctx, names, limit), formatter)


class BegleitserviceCli(FlaskGroup):
    """``begleitservice``: Flask's group whose ``--help`` neither builds the app nor imports a command module; a
    command runs in the app (FlaskGroup builds it and pushes its context, then the app's LazyCommands loads it)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(set(click.Group.list_commands(self, ctx)) | COMMANDS.keys() | EXTENSION_COMMANDS.keys())

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)
        rows = []
        for name in names:
            listed = COMMANDS[name][2] if name in COMMANDS else EXTENSION_COMMANDS.get(name)
            if listed:
                rows.append((name, click.Command(name, help=listed).get_short_help_str(limit)))
                continue
            command = click.Group.get_command(self, ctx, name)  # Flask's own and the plugins' (db)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        _format(rows, formatter)


def _create_app():
    from ..app import create_app

    return create_app()


def main() -> None:
    """Entry point of the ``begleitservice`` console script; unusable settings end it with their message."""
    from ..config import SettingsError, from_environment

    try:
        from_environment()
    except SettingsError as error:
        raise SystemExit(str(error)) from None

    cli = BegleitserviceCli(
        create_app=_create_app,
        help="Seniorenbegleitservice: Verwaltung auf der Kommandozeile (Datenbank aus DATABASE_URL).",
    )
    cli.main(prog_name="begleitservice")
