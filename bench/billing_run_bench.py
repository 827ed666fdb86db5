"""App-level benchmark of the monthly billing run: a fresh database with demo data, then ``billing run``.

In a temporary folder: a fresh SQLite database (or, with ``--database-url``, a scratch PostgreSQL database
created on that server and dropped afterwards), ``db upgrade``, ``demo-data --scale N --seed S``, then
``billing run --accept-open-visits`` (demo months have open points on purpose) through the real CLI command
for every earlier month with visits (the run refuses a month while
an earlier one is unbilled) and, timed in phases, for the last complete month; then that month once more (a
no-op). Phases are timed from outside by wrapping the functions the command calls: ``run_month`` (data,
ledger, invoices, rows, PDFs), ``render_all`` inside it (PDFs), and ``commit_with_files`` (files placed,
commit). SQL statements are counted with an engine event listener.

    .venv/bin/python bench/billing_run_bench.py --scale 10 [--seed 1] [--workers N]
    .venv/bin/python bench/billing_run_bench.py --scale 10 --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children (less sensitive to a shared machine)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Timer:
    """Seconds and calls of one wrapped function."""

    def __init__(self) -> None:
        self.seconds, self.calls = 0.0, 0

    cpu = 0.0  # CPU seconds of this process and its (finished) children while the function ran

    def wrap(self, func):
        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), cpu_seconds()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.cpu += cpu_seconds() - cpu
                self.calls += 1

        return timed


class Queries:
    """Counts SQL statements by their first words while ``active``."""

    def __init__(self) -> None:
        self.active, self.count, self.kinds = False, 0, Counter()

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not self.active:
            return
        self.count += 1
        match = TABLE.search(statement)
        self.kinds[f"{statement.split(None, 1)[0].upper()} {match.group(1) if match else ''}".strip()] += 1


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident set of this process and of its (reaped) children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def last_complete_month(today: date):
    from billing.month import Month

    first = today.replace(day=1)
    return Month(first.year - 1, 12) if first.month == 1 else Month(first.year, first.month - 1)


@contextmanager
def scratch_database(url: str | None, folder: Path):
    """A fresh database URL: a SQLite file in ``folder``, or a new PostgreSQL database dropped at the end."""
    if not url:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    server = make_url(url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"bs_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


load_before = ""


def uptime() -> str:
    """What `uptime` says (load averages of 1, 5, 15 minutes)."""
    import subprocess

    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def invoke(runner, args: list[str]) -> str:
    with runner.app.app_context():  # option callbacks (parse_month) read the app's config before the command runs
        result = runner.invoke(args=args, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"flask {' '.join(args)} failed ({result.exit_code}):\n{result.output}")
    return result.output


def pdf_pages(folder: Path) -> tuple[int, int, float]:
    from pypdf import PdfReader

    files = sorted(folder.glob("*.pdf"))
    pages = sum(len(PdfReader(str(f)).pages) for f in files)
    return len(files), pages, sum(f.stat().st_size for f in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="a PostgreSQL server; a scratch database is created and dropped")
    parser.add_argument("--workers", type=int, help="BILLING_RENDER_WORKERS (default: all CPUs)")
    parser.add_argument("--top", type=int, default=8, help="how many statement kinds to list")
    args = parser.parse_args()

    global load_before
    load_before = uptime()
    with tempfile.TemporaryDirectory(prefix="bs-bench-") as tmp:
        folder = Path(tmp)
        with scratch_database(args.database_url, folder) as url:
            run(args, url, folder)


def run(args, url: str, folder: Path) -> None:
    import sqlalchemy as sa

    from begleitservice import create_app
    from begleitservice.accounting import commands, files
    from begleitservice.extensions import db
    from begleitservice.models import Appointment, BilledVisit, Invoice, LeistungsnachweisDocument, Pairing

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}
    if args.workers:
        config["BILLING_RENDER_WORKERS"] = args.workers
    app = create_app(config)
    logging.getLogger().setLevel(logging.WARNING)
    runner = app.test_cli_runner()
    backend = url.split(":", 1)[0]

    started = time.perf_counter()
    invoke(runner, ["db", "upgrade"])
    logging.getLogger().setLevel(logging.WARNING)
    upgraded = time.perf_counter()
    invoke(runner, ["demo-data", "--scale", str(args.scale), "--seed", str(args.seed)])
    loaded = time.perf_counter()

    today = date.today()
    month = last_complete_month(today)
    with app.app_context():
        days = db.session.scalars(
            sa.select(Appointment.on)
            .join(Appointment.pairing)
            .where(Appointment.status == "stattgefunden", Pairing.service == "entlastung")
        ).all()
        db.session.remove()
    from billing.month import Month

    earlier = sorted({Month.of(d) for d in days if d < month.first_day})

    # Wrap the functions the CLI command calls (module attributes, so the command sees the wrapped ones).
    run_timer, render_timer, commit_timer = Timer(), Timer(), Timer()
    commands.run_month = run_timer.wrap(commands.run_month)
    files.render_all = render_timer.wrap(files.render_all)
    commands.commit_with_files = commit_timer.wrap(commands.commit_with_files)
    queries = Queries()
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", queries)

    out = folder / "pdf"
    pre = []
    for m in earlier:
        t0 = time.perf_counter()
        invoke(runner, ["billing", "run", "--month", m.iso, "--out", str(out / m.iso), "--accept-open-visits"])
        pre.append((m, time.perf_counter() - t0))

    for timer in (run_timer, render_timer, commit_timer):
        timer.seconds, timer.calls, timer.cpu = 0.0, 0, 0.0
    queries.active = True
    t0 = time.perf_counter()
    output = invoke(
        runner, ["billing", "run", "--month", month.iso, "--out", str(out / month.iso), "--accept-open-visits"]
    )
    total = time.perf_counter() - t0
    queries.active = False
    statements, kinds = queries.count, queries.kinds.most_common(args.top)

    queries.count, queries.active = 0, True
    t1 = time.perf_counter()
    again = invoke(runner, ["billing", "run", "--month", month.iso, "--out", str(out / month.iso)])
    second = time.perf_counter() - t1
    queries.active = False

    with app.app_context():
        first_day = month.first_day

        def count(model, *where):
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

        visits = count(BilledVisit, BilledVisit.on >= first_day, BilledVisit.on <= month.last_day)
        seniors = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(BilledVisit.senior_id))).where(
                BilledVisit.on >= first_day, BilledVisit.on <= month.last_day
            )
        )
        invoices = count(Invoice, Invoice.month == first_day)
        nachweise = count(LeistungsnachweisDocument, LeistungsnachweisDocument.run.has(month=first_day))
        appointments = count(Appointment)
        db.session.remove()
        db.engine.dispose()
    pdfs, pages, megabytes = pdf_pages(out / month.iso)
    own_rss, child_rss = peak_rss_mb()
    render = render_timer.seconds
    compute = run_timer.seconds - render

    print(f"machine      {platform.platform()}, Python {platform.python_version()}")
    print(f"cpu          {cpu_model()}, nproc {os.cpu_count()}")
    print(f"uptime       {uptime()}  (before: {load_before}; the machine is shared, other work adds to the figures)")
    print(f"database     {backend}, scale {args.scale}, seed {args.seed}, render workers {args.workers or 'all CPUs'}")
    print(
        f"setup        db upgrade {upgraded - started:.1f} s, demo-data {loaded - upgraded:.1f} s "
        f"({appointments} appointments)"
    )
    for m, seconds in pre:
        print(f"earlier run  {m.iso}: {seconds:.1f} s (untimed in detail)")
    print(f"month        {month.iso} (today {today.isoformat()})")
    print(f"billed       {seniors} seniors, {visits} visits, {invoices} invoices, {nachweise} Leistungsnachweise")
    print(f"written      {pdfs} PDFs, {pages} pages, {megabytes:.1f} MB")
    print(f"run          {total:.2f} s total (CLI), {run_timer.cpu + commit_timer.cpu:.2f} CPU s in run and commit")
    print(f"  compute    {compute:.2f} s  data loading, ledger, invoices, rows (run_month less PDFs)")
    print(
        f"  pdf        {render:.2f} s  rendering ({render_timer.calls} render_all call): "
        f"{pdfs / render if render else 0:.0f} documents/s (Typst, PDF/A-2b), {render_timer.cpu:.2f} CPU s"
    )
    print(f"  commit     {commit_timer.seconds:.2f} s  files placed and transaction committed")
    print(f"  other      {total - run_timer.seconds - commit_timer.seconds:.2f} s  CLI, output, reporting")
    print(f"queries      {statements} statements in the run; most frequent:")
    for kind, number in kinds:
        print(f"             {number:6d}  {kind}")
    print(f"second run   {second:.3f} s, {queries.count} statements: {again.strip()}")
    print(f"peak RSS     {own_rss:.0f} MB this process, {child_rss:.0f} MB largest render worker")
    print(f"cli output   {output.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
