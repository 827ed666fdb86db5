"""Load benchmark of gunicorn's threaded workers on PostgreSQL: logged-in users over many pages, matching runs.

A scratch PostgreSQL database (created on ``--database-url``'s server and dropped afterwards, unless
``--reuse NAME`` names one already filled), ``db upgrade`` and ``demo-data --scale N`` through the real CLI, then
gunicorn from ``gunicorn.conf.py`` (``--worker-class``, ``--workers``, ``--threads`` override it) with
``PYTHONFAULTHANDLER=1``, and ``--users`` threads that each log in with their own cookie jar and request, for
``--duration`` seconds, a random page: dashboard, the lists, detail pages, Vorschläge, Termine. Every
``--match-every`` seconds one user starts a matching run (POST "Berechnen"), which computes in a background thread
of a web worker while the others keep reading.

Printed: the machine, requests/s, per page the count, p50/p95/max latency and errors (5xx, resets, timeouts), and
from gunicorn's log the workers that died (signal, exit code, timeout) and were booted again, plus the first lines
of any Python fault traceback.

    .venv/bin/python bench/threaded_workers.py --users 20 --duration 180
    .venv/bin/python bench/threaded_workers.py --users 20 --duration 60 --workers 2 --threads 4 --match-every 15
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGIN, PASSWORD = "bench@example.org", "Lastmessung-2026-Seiten"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DETAILS = {  # page name -> (table, URL pattern)
    "volunteer": ("volunteer", "/volunteers/{}"),
    "senior": ("senior", "/seniors/{}"),
    "request": ("request", "/requests/{}"),
    "pairing": ("pairing", "/pairings/{}"),
    "appointment": ("appointment", "/termine/{}"),
    "budget": ("senior", "/seniors/{}/budget"),
    "calendar": ("volunteer", "/termine/ehrenamtliche/{}/kalender"),
    "pairing visits": ("pairing", "/termine/begleitung/{}"),
}
LISTS = {
    "dashboard": "/",
    "volunteers": "/volunteers/",
    "seniors": "/seniors/",
    "requests": "/requests/",
    "pairings": "/pairings/",
    "termine": "/termine/",
    "vorschlaege": "/vorschlaege/",
    "abrechnung": "/abrechnung/",
    "billing preview": "/abrechnung/lauf",
    "payouts": "/abrechnung/auszahlungen",
    "hours xlsx": "/abrechnung/export/hours?format=xlsx",
    "datenschutz": "/datenschutz/",
    "postausgang": "/termine/postausgang",
}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_database(server_url: str, reuse: str | None):
    """The URL of a fresh PostgreSQL database on ``server_url``'s server, dropped at the end (or ``reuse``)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    server = make_url(server_url).set(drivername="postgresql+psycopg")
    if reuse:
        yield server.set(database=reuse).render_as_string(hide_password=False), False
        return
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"bs_bench_threads_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False), True
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cli(env: dict, *args: str) -> str:
    command = [sys.executable, "-c", "from begleitservice.cli import main; main()", *args]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"begleitservice {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def database_facts(url: str) -> tuple[str, dict[str, list[int]], int]:
    """The server's version, the ids the detail pages are drawn from, and the last matching run's id."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        version = conn.scalar(sa.text("SHOW server_version"))
        ids = {
            table: list(conn.scalars(sa.text(f'SELECT id FROM "{table}" ORDER BY id')))
            for table in {table for table, _ in DETAILS.values()}
        }
        last_run = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM match_run"))
    engine.dispose()
    return version, ids, last_run


def match_runs(url: str, after: int) -> dict[str, int]:
    """How the matching runs started during the bench ended (``laeuft``: lost when its worker went away)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT status, count(*) FROM match_run WHERE id > :after GROUP BY status"), {"after": after}
        )
        counts = dict(rows.all())
    engine.dispose()
    return counts


class Stats:
    """Latencies and errors per page, shared by the user threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def record(self, page: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[page].append(seconds)
            if error:
                self.errors[page].append(error)


class User:
    """One browser: its own cookie jar, logged in as the bench admin."""

    def __init__(self, base: str, stats: Stats, timeout: float) -> None:
        self.base, self.stats, self.timeout = base, stats, timeout
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)

    def fetch(self, page: str, path: str, data: dict | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        start, error, text = time.perf_counter(), None, ""
        try:
            with self.opener.open(self.base + path, data=body, timeout=self.timeout) as response:
                text = response.read().decode(errors="replace")
        except urllib.error.HTTPError as failure:
            error = f"HTTP {failure.code}" if failure.code >= 500 or failure.code in (400, 403) else None
        except (OSError, urllib.error.URLError) as failure:  # reset, refused, timed out: the worker died
            error = type(getattr(failure, "reason", failure)).__name__
        self.stats.record(page, time.perf_counter() - start, error)
        return text

    def login(self) -> None:
        token = CSRF.search(self.fetch("login", "/login")).group(1)
        page = self.fetch("login", "/login", {"csrf_token": html.unescape(token), "email": LOGIN, "password": PASSWORD})
        if "Abmelden" not in page:
            raise SystemExit(f"login as {LOGIN} failed (does the database have the bench login?)")

    def start_match(self) -> None:
        found = CSRF.search(self.fetch("vorschlaege", "/vorschlaege/"))
        if found:
            self.fetch("match start", "/vorschlaege/berechnen", {"csrf_token": html.unescape(found.group(1))})


def drive(user: User, ids: dict[str, list[int]], until: float, rng: random.Random, match: threading.Event) -> None:
    user.login()
    while time.monotonic() < until:
        if match.is_set():
            match.clear()
            user.start_match()
            continue
        if rng.random() < 0.5:
            page = rng.choice(list(LISTS))
            user.fetch(page, LISTS[page])
        else:
            page = rng.choice(list(DETAILS))
            table, pattern = DETAILS[page]
            user.fetch(page, pattern.format(rng.choice(ids[table])))


def start_gunicorn(args, env: dict, port: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn"]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["--config", str(ROOT / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "info"]
    for option in ("worker_class", "workers", "threads"):
        if (value := getattr(args, option)) is not None:
            command += [f"--{option.replace('_', '-')}", str(value)]
    command += [*args.gunicorn_arg, "wsgi:app"]
    args.command = command
    # Worker stderr (faulthandler's tracebacks, the app's log) and gunicorn's own log in one file.
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log.read_text()}") from None
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def worker_events(log: str) -> dict[str, object]:
    """Deaths, planned restarts and boots of workers as gunicorn's log tells them (before the bench stopped it),
    and the first lines of each fault traceback (faulthandler: the crashing thread and where it was)."""
    log = log.split("Handling signal: term", 1)[0]
    lines = log.splitlines()
    faults = ["\n".join(lines[i : i + 12]) for i, line in enumerate(lines) if line.startswith("Fatal Python error")]
    return {
        "boots": len(re.findall(r"Booting worker with pid: \d+", log)),
        "signals": re.findall(r"Worker \(pid:\d+\) was sent (\w+)!", log),
        "exits": re.findall(r"Worker \(pid:\d+\) exited with code (\d+)", log),
        "timeouts": log.count("WORKER TIMEOUT"),
        "restarts": log.count("Autorestarting worker"),
        "faults": faults,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(args, stats: Stats, seconds: float, events: dict, versions: dict, runs: dict[str, int]) -> None:
    import gunicorn
    import psycopg
    import sqlalchemy

    total = sum(len(v) for v in stats.latencies.values())
    errors = sum(len(v) for v in stats.errors.values())
    print(f"machine      {platform.platform()}, Python {platform.python_version()}")
    print(f"cpu          {cpu_model()}, nproc {os.cpu_count()}, load average {os.getloadavg()}")
    print(
        f"software     PostgreSQL {versions['postgres']}, gunicorn {gunicorn.__version__}, "
        f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__}), SQLAlchemy {sqlalchemy.__version__}"
    )
    print(
        f"load         scale {args.scale}, {args.users} users, {seconds:.0f} s, a matching run every "
        f"{args.match_every} s (time limit {args.match_time_limit} s)"
    )
    print(f"gunicorn     {' '.join(args.command[3:])}")
    print(f"requests     {total} in {seconds:.0f} s = {total / seconds:.1f} req/s, {errors} errors")
    print(f"  {'page':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  errors")
    for page in sorted(stats.latencies):
        values = stats.latencies[page]
        kinds = defaultdict(int)
        for error in stats.errors[page]:
            kinds[error] += 1
        shown = ", ".join(f"{n}× {kind}" for kind, n in sorted(kinds.items())) or "-"
        print(
            f"  {page:<16}{len(values):>7}{statistics.median(values) * 1000:>9.0f}"
            f"{percentile(values, 0.95) * 1000:>9.0f}{max(values) * 1000:>9.0f}  {shown}"
        )
    died = len(events["signals"]) + len(events["exits"]) + events["timeouts"]
    print(
        f"workers      {died} died ({', '.join(events['signals']) or 'no signal'}; exit codes "
        f"{', '.join(events['exits']) or '-'}; {events['timeouts']} timeouts), {events['restarts']} planned restarts "
        f"(--max-requests), {events['boots']} boots in all"
    )
    print(f"match runs   {', '.join(f'{n} {status}' for status, n in sorted(runs.items())) or 'none'}")
    for fault in events["faults"][:2]:
        print("fault        " + "\n             ".join(fault.splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", metavar="NAME", help="an existing database with demo data and the bench login")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--match-every", type=float, default=20, help="seconds between matching runs (0: none)")
    parser.add_argument("--match-time-limit", type=float, default=5, help="MATCH_TIME_LIMIT_S for the runs")
    parser.add_argument("--worker-class")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--timeout", type=float, default=60, help="seconds a request may take")
    parser.add_argument("--gunicorn-arg", action="append", default=[], help="passed on to gunicorn (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", type=Path, help="keep gunicorn's log here")
    args = parser.parse_args()

    with scratch_database(args.database_url, args.reuse) as (url, fresh), tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT), PYTHONFAULTHANDLER="1")
        env.update(SECRET_KEY="bench-secret", MATCH_TIME_LIMIT_S=str(args.match_time_limit))
        if fresh:
            cli(env, "db", "upgrade")
            cli(env, "demo-data", "--scale", str(args.scale), "--login", LOGIN, "--password", PASSWORD)
        postgres, ids, last_run = database_facts(url)
        log, port = Path(tmp) / "gunicorn.log", free_port()
        server = start_gunicorn(args, env, port, log)
        stats, rng = Stats(), random.Random(args.seed)
        match = threading.Event()
        try:
            started = time.monotonic()
            until = started + args.duration
            users = [
                threading.Thread(
                    target=drive,
                    args=(
                        User(f"http://127.0.0.1:{port}", stats, args.timeout),
                        ids,
                        until,
                        random.Random(rng.random()),
                        match,
                    ),
                )
                for _ in range(args.users)
            ]
            for thread in users:
                thread.start()
            while time.monotonic() < until:
                time.sleep(min(args.match_every or args.duration, until - time.monotonic()))
                if args.match_every and time.monotonic() < until:
                    match.set()
            for thread in users:
                thread.join()
            seconds = time.monotonic() - started
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        if args.log:
            args.log.write_text(log.read_text())
        runs = match_runs(url, last_run)
        report(args, stats, seconds, worker_events(log.read_text()), {"postgres": postgres}, runs)


if __name__ == "__main__":
    main()
