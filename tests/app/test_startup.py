"""Start-up imports only what every command needs: the solver, the PDF engine and spreadsheets load on use."""

import subprocess
import sys

HEAVY = ("ortools", "typst", "openpyxl", "pandas", "numpy")


def test_app_factory_leaves_heavy_libraries_unloaded(tmp_path):
    """Creating the app (as `begleitservice --help` and every worker do) loads no solver, PDF or XLSX library."""
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
