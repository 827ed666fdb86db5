"""The annual report at Dortmund's size and at 10x, on SQLite and PostgreSQL: seconds and SQL statements.

For each ``--database`` (``sqlite``, or a PostgreSQL server URL: a scratch database is created there and dropped)
and each ``--scale``: ``db upgrade``, ``demo-data --scale N --seed S --login …``, then ``--repeat`` times (median):

- district   ``build_report`` of this year per Stadtbezirk (every figure of the annual CSV and page)
- previous   the same for the year before (the page shows it beside)
- sozialraum ``build_report(by="sozialraum")``
- missing    ``missing_help``: waiting requests, capacity, reasons of the latest matching run
- csv        ``report annual --format csv`` as the CLI computes it (one report and the file's bytes)
- page       GET /berichte/ logged in: both reports, two SVG charts, the template
- xlsx       the XLSX with every table (both reports, the Sozialräume, the missing help)

Printed: the machine (platform, CPU, cores, Python, database version, ``uptime``), the data size (requests,
visits that took place this year, volunteers) and per phase the median seconds and SQL statements.

    .venv/bin/python bench/report_bench.py --scale 1 --scale 10 \
        --database sqlite --database postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.billing_run_bench import cpu_model, invoke, scratch_database  # noqa: E402

PHASES = ("district", "previous", "sozialraum", "missing", "csv", "page", "xlsx")
LOGIN, PASSWORD = "bench@example.org", "Lastmessung-2026-Berichte"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def database_version(db) -> str:
    import sqlalchemy as sa

    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar()
        return "PostgreSQL " + conn.execute(sa.text("show server_version")).scalar()


def measure(args, url: str, scale: int) -> dict:
    """Fill a scratch database at ``scale`` and time the report's phases."""
    import sqlalchemy as sa

    from begleitservice import create_app
    from begleitservice.clock import today
    from begleitservice.extensions import db
    from begleitservice.models import Appointment, Request, Volunteer
    from begleitservice.reports.commands import annual_bytes
    from begleitservice.reports.exports import annual_tables, xlsx_bytes
    from begleitservice.reports.periods import year_period
    from begleitservice.reports.queries import build_report, missing_help

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    logging.getLogger().setLevel(logging.WARNING)
    runner = app.test_cli_runner()
    invoke(runner, ["db", "upgrade"])
    started = time.perf_counter()
    invoke(
        runner, ["demo-data", "--scale", str(scale), "--seed", str(args.seed), "--login", LOGIN, "--password", PASSWORD]
    )
    loaded = time.perf_counter() - started
    logging.getLogger().setLevel(logging.WARNING)
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": LOGIN, "password": PASSWORD, "csrf_token": token})
    seconds: dict[str, list[float]] = {phase: [] for phase in PHASES}
    statements: dict[str, int] = {}
    with app.app_context():
        version = database_version(db)
        year = today().year
        period = year_period(year)
        count = [0]
        sa.event.listen(db.engine, "before_cursor_execute", lambda *_a: count.__setitem__(0, count[0] + 1))

        def timed(phase: str, func):
            db.session.expire_all()
            count[0] = 0
            start = time.perf_counter()
            value = func()
            seconds[phase].append(time.perf_counter() - start)
            statements[phase] = count[0]
            db.session.rollback()
            return value

        def page():
            response = client.get(f"/berichte/?zeitraum=jahr&jahr={year}")
            assert response.status_code == 200, response.status_code
            return response

        for _ in range(args.repeat):
            report = timed("district", lambda: build_report(period))
            timed("previous", lambda: build_report(period.previous()))
            timed("sozialraum", lambda: build_report(period, by="sozialraum"))
            timed("missing", missing_help)
            timed("csv", lambda: annual_bytes(year, "csv"))
            timed("page", page)
            timed(
                "xlsx",
                lambda: xlsx_bytes(
                    annual_tables(build_report(period), build_report(period, by="sozialraum"), missing_help())
                ),
            )
        size = {
            "requests": db.session.scalar(
                sa.select(sa.func.count()).select_from(Request).where(Request.received_on >= period.start)
            ),
            "visits": db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Appointment)
                .where(Appointment.status == "stattgefunden", Appointment.on >= period.start)
            ),
            "volunteers": db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer)),
            "hours": report.total.total.hours,
        }
        db.session.remove()
        db.engine.dispose()
    return {"version": version, "demo_s": loaded, "seconds": seconds, "statements": statements, **size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", help="demo-data scale (repeatable; default 1 and 10)")
    parser.add_argument("--database", action="append", help="sqlite or a PostgreSQL server URL (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scales, databases = args.scale or [1, 10], args.database or ["sqlite"]
    print(
        f"machine  {platform.platform()} · {cpu_model()} · {os.cpu_count()} cores · Python {platform.python_version()}"
    )
    print(f"uptime   {uptime()}")
    print(f"repeat   {args.repeat} (median seconds; statements of the last run)")
    header = f"{'database':<17} {'scale':>5} {'requests':>8} {'visits':>6} {'volunt.':>7}" + "".join(
        f" {phase:>11}" for phase in PHASES
    )
    print(header)
    for database in databases:
        with tempfile.TemporaryDirectory() as tmp:
            for scale in scales:
                folder = Path(tmp) / str(scale)
                folder.mkdir()
                with scratch_database(None if database == "sqlite" else database, folder) as url:
                    r = measure(args, url, scale)
                line = f"{r['version'][:17]:<17} {scale:>5} {r['requests']:>8} {r['visits']:>6} {r['volunteers']:>7}"
                for phase in PHASES:
                    line += f" {statistics.median(r['seconds'][phase]):>6.3f}s/{r['statements'][phase]:<3}"
                print(line, flush=True)
                print(f"          demo-data {r['demo_s']:.1f} s, hours this year {r['hours']}", flush=True)
    print(f"uptime   {uptime()}")


if __name__ == "__main__":
    main()
