"""The monthly billing run's compute phase (everything but the PDFs) at Dortmund's size and at 10x, per database.

For each ``--database`` (``sqlite``, or a PostgreSQL server URL: a scratch database is created there and
dropped) and each ``--scale``: ``db upgrade``, ``demo-data --scale N --seed S``, the earlier months billed
(closing confirmed, PDFs not rendered), then the last complete month ``--repeat`` times, each time rolled back:

- load      ``month_inputs``: the month's visits, seniors, ledger facts and billed history from the database
- ledger    ``prepare_month``: lines, ledger per senior, routing and invoice drafts (pure Python)
- check     ``check_month``: the open points of the month (one more query) and the totals per payer
- late      ``late_inputs`` + ``prepare_supplements``: the Nachberechnungen of earlier months
- run       ``run_month`` as the page calls it (all of the above, numbers, rows flushed), PDF rendering replaced
            by a stub: the compute phase of a real run

Printed: the machine (platform, CPU model and count, load average, Python, database version), then per
database and scale the month's size, the median seconds of each phase and the SQL statements it sent.

    .venv/bin/python bench/billing_compute_bench.py --scale 1 --scale 10 \
        --database sqlite --database postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.billing_run_bench import Queries, cpu_model, invoke, last_complete_month, scratch_database  # noqa: E402

PHASES = ("load", "ledger", "check", "late", "run")


def database_version(db) -> str:
    import sqlalchemy as sa

    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar()
        return "PostgreSQL " + conn.execute(sa.text("show server_version")).scalar()


def measure(args, url: str, folder: Path, scale: int) -> dict:
    """Fill a scratch database at ``scale`` and time the phases of the last complete month."""
    import sqlalchemy as sa

    from begleitservice import create_app
    from begleitservice.accounting import files, operations
    from begleitservice.accounting.closing import check_month
    from begleitservice.accounting.files import commit_with_files
    from begleitservice.budget.inputs import billing_config
    from begleitservice.extensions import db
    from begleitservice.models import Appointment, Pairing
    from billing.month import Month
    from billing.run import prepare_month

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    logging.getLogger().setLevel(logging.WARNING)
    runner = app.test_cli_runner()
    invoke(runner, ["db", "upgrade"])
    started = time.perf_counter()
    invoke(runner, ["demo-data", "--scale", str(scale), "--seed", str(args.seed)])
    loaded = time.perf_counter() - started
    logging.getLogger().setLevel(logging.WARNING)
    files.render_all = lambda docs, **kw: [b"%PDF-1.7 bench" for _ in docs]  # the compute phase only

    today = date.today()
    month = last_complete_month(today)
    seconds: dict[str, list[float]] = {phase: [] for phase in PHASES}
    statements: dict[str, int] = {}
    with app.app_context():
        version = database_version(db)
        queries = Queries()
        sa.event.listen(db.engine, "before_cursor_execute", queries)
        days = db.session.scalars(
            sa.select(Appointment.on)
            .join(Appointment.pairing)
            .where(Appointment.status == "stattgefunden", Pairing.service == "entlastung")
        ).all()
        for earlier in sorted({Month.of(d) for d in days if d < month.first_day}):
            result = operations.run_month(earlier, out_dir=folder / earlier.iso, accept_open=True)
            commit_with_files(result.staged)
        config = billing_config(on=today)
        collective = operations.collective_default()

        def timed(phase: str, func):
            db.session.expire_all()
            queries.count, queries.active = 0, True
            start = time.perf_counter()
            value = func()
            seconds[phase].append(time.perf_counter() - start)
            queries.active = False
            statements[phase] = queries.count
            return value

        for _ in range(args.repeat):
            inputs = timed("load", lambda: operations.month_inputs(month))
            preview = timed("ledger", lambda i=inputs: prepare_month(month, i, config=config, collective=collective))
            check = timed("check", lambda p=preview: check_month(month, p, today=today))
            timed(
                "late",
                lambda: operations.prepare_supplements(
                    operations.late_inputs(month), config=config, collective=collective
                ),
            )
            result = timed("run", lambda: operations.run_month(month, out_dir=folder / month.iso, accept_open=True))
            result.staged.discard()
            db.session.rollback()
        size = {
            "seniors": len(inputs),
            "visits": sum(len(r.billed) for r in preview.seniors),
            "invoices": len(preview.invoices),
            "points": len(check.points),
            "appointments": db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)),
        }
        db.session.remove()
        db.engine.dispose()
    return {"version": version, "month": month, "demo_s": loaded, "seconds": seconds, "statements": statements, **size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", help="demo-data scale (repeatable; default 1 and 10)")
    parser.add_argument(
        "--database", action="append", help="'sqlite' or a PostgreSQL server URL (repeatable; default sqlite)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions per phase (the median is shown)")
    args = parser.parse_args()
    scales, databases = args.scale or [1, 10], args.database or ["sqlite"]

    print(f"machine   {platform.platform()}, Python {platform.python_version()}")
    print(f"cpu       {cpu_model()}, {os.cpu_count()} CPUs, load average {os.getloadavg()}")
    print(f"options   seed {args.seed}, {args.repeat} repetitions (median), PDF rendering stubbed")
    header = f"{'database':<17} {'scale':>5} {'seniors':>7} {'visits':>6} {'inv.':>5} {'open':>5}"
    header += "".join(f" {phase + ' s':>9} {'sql':>5}" for phase in PHASES)
    for database in databases:
        rows = []
        for scale in scales:
            with tempfile.TemporaryDirectory(prefix="bs-bench-") as tmp:
                url = None if database == "sqlite" else database
                with scratch_database(url, Path(tmp)) as scratch:
                    rows.append((scale, measure(args, scratch, Path(tmp), scale)))
        print(f"\ndatabase  {rows[0][1]['version']}, month {rows[0][1]['month'].iso}")
        print(header)
        for scale, r in rows:
            line = f"{r['version'][:17]:<17} {scale:>5} {r['seniors']:>7} {r['visits']:>6} {r['invoices']:>5} "
            line += f"{r['points']:>5}"
            for phase in PHASES:
                line += f" {statistics.median(r['seconds'][phase]):>9.3f} {r['statements'][phase]:>5}"
            print(line)
        for scale, r in rows:
            print(f"          scale {scale}: {r['appointments']} appointments, demo-data {r['demo_s']:.1f} s")


if __name__ == "__main__":
    main()
