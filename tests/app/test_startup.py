"""Start-up imports only what every command needs: the solver, the PDF engine and spreadsheets load on use."""

import subprocess
import sys

import click
import pytest

from begleitservice.cli import COMMANDS, EXTENSION_COMMANDS, load_command

HEAVY = ("ortools", "typst", "openpyxl", "pandas", "numpy", "holidays", "icalendar")
COMMAND_MODULES = tuple(sorted({module for module, _attribute, _help in COMMANDS.values()}))


def _loaded_after(code: str, names: tuple[str, ...], **env) -> list[str]:
    """Which of ``names`` are in sys.modules after running ``code`` in a fresh interpreter."""
    script = f"import sys\n{code}\nprint('LOADED:' + ','.join(sorted(m for m in {names!r} if m in sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120, env=env or None
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("LOADED:"))
    return [name for name in line.removeprefix("LOADED:").split(",") if name]


def test_app_factory_leaves_heavy_libraries_unloaded(tmp_path):
    """Creating the app (as every worker does) loads no solver, PDF, XLSX, holiday or iCalendar library."""
    code = (
        "import sys\n"
        "from begleitservice.app import create_app\n"
        f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.db', 'SECRET_KEY': 'x' * 32}})\n"
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == ""


def test_solver_loads_when_matching_runs():
    """The lazy import still reaches OR-Tools when a match is solved."""
    code = (
        "import sys, matching\n"
        "assert 'ortools' not in sys.modules\n"
        "matching.solve(matching.Instance.from_dict({'requests': [], 'volunteers': []}))\n"
        "print('ortools' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "True"


def test_app_factory_imports_no_command_module(tmp_path):
    """A worker builds the app without importing a CLI command (the app's group loads one when it runs)."""
    code = (
        "from begleitservice.app import create_app\n"
        f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.db', 'SECRET_KEY': 'x' * 32}})"
    )
    assert _loaded_after(code, COMMAND_MODULES) == []


def test_help_builds_no_app_and_imports_no_command(tmp_path):
    """`begleitservice --help` lists every command without building the app or importing a command module."""
    import os

    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/x.db", SECRET_KEY="x" * 32)
    code = (
        "sys.argv = ['begleitservice', '--help']\n"
        "from begleitservice.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    loaded = _loaded_after(code, ("begleitservice.app", "begleitservice.models", *COMMAND_MODULES), **env)
    assert loaded == []
    listing = subprocess.run(
        [sys.executable, "-c", "from begleitservice.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    ).stdout
    for name in (*COMMANDS, *EXTENSION_COMMANDS, "run", "shell", "routes"):
        assert f"\n  {name} " in listing, name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_help_is_the_commands_own(name):
    """What `--help` lists for a command it has not imported is what the command itself says."""
    command = load_command(name)
    listed = click.Command(name, help=COMMANDS[name][2])
    assert command.name == name
    for limit in (45, 1000):
        assert listed.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_db_command_listed_with_flask_migrates_help(app):
    """The listed help of `db` is Flask-Migrate's own (the command comes with the app)."""
    with app.app_context():
        command = app.cli.get_command(click.Context(app.cli), "db")
    assert command.get_short_help_str(1000) == EXTENSION_COMMANDS["db"]


def test_a_command_runs_through_the_lazy_group(app):
    """The app's group loads a command on use and runs it in the app (here `audit purge --dry-run`)."""
    result = app.test_cli_runner().invoke(args=["audit", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Protokolleinträge" in result.output or "Einträge" in result.output
