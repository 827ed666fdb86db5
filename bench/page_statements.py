"""SQL statements, HTML size and in-process time per page, at two data sizes: does a page's cost grow with the data?

For each ``--scale`` a scratch database (SQLite file, or PostgreSQL when ``--database-url`` names a server) gets
``db upgrade`` and ``demo-data --scale N``; then one logged-in test client requests every page of the navigation
and a few detail pages, each ``--repeat`` times, and counts the SQL statements the page sent. Printed: the machine,
then per page the statements when the page is built, when it is served from the page cache ("kept"), KB of HTML
and the median milliseconds of building it at each scale, and the ratio large/small.

    .venv/bin/python bench/page_statements.py --scale 1 --scale 10
    .venv/bin/python bench/page_statements.py --scale 1 --scale 10 --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LOGIN, PASSWORD = "bench@example.org", "Lastmessung-2026-Seiten"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGES = {
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
    "datenschutz": "/datenschutz/",
    "postausgang": "/termine/postausgang",
    "pflegekassen": "/pflegekassen/",
    "benutzer": "/admin/benutzer",
    "traeger": "/admin/traeger/",
    "protokoll": "/admin/protokoll/",
    "hilfe": "/hilfe/",
    "kalender monat": "/kalender/",
    "kalender woche": "/kalender/?ansicht=woche",
    "teamsitzung": "/druck/begleitungen",
    "teamsitz. alle": "/druck/begleitungen?bezirk=alle",
}
INBOX_GROUPS = (  # the inbox's full list per group (/aufgaben/<slug>)
    "absagen",
    "vertretungen",
    "unbestaetigt",
    "stunden",
    "anfragen",
    "fuehrungszeugnisse",
    "einwilligungen",
    "budgets",
    "ohne-besuch",
    "absagen-haeufung",
)
PAGES |= {f"aufg. {slug}"[:16]: f"/aufgaben/{slug}" for slug in INBOX_GROUPS}
DETAILS = {  # page -> (table, URL pattern): the detail page of the row with the median id
    "volunteer": ("volunteer", "/volunteers/{}"),
    "senior": ("senior", "/seniors/{}"),
    "request": ("request", "/requests/{}"),
    "pairing": ("pairing", "/pairings/{}"),
    "appointment": ("appointment", "/termine/{}"),
    "budget": ("senior", "/seniors/{}/budget"),
    "calendar": ("volunteer", "/termine/ehrenamtliche/{}/kalender"),
    "kal. ehrenamt": ("volunteer", "/kalender/ehrenamtliche/{}"),
    "kal. senior:in": ("senior", "/kalender/senioren/{}"),
    "einsatzplan": ("volunteer", "/druck/einsatzplan/{}"),
    "adressblatt": ("appointment", "/druck/adressblatt/{}"),
    "kontakte": ("senior", "/kontakte/senioren/{}"),
}


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"


@contextmanager
def scratch_database(server_url: str | None, tmp: Path, scale: int):
    """A fresh database URL for one scale (a SQLite file in ``tmp`` or a PostgreSQL database dropped afterwards)."""
    if not server_url:
        yield f"sqlite:///{tmp}/bench_{scale}.db"
        return
    server = sa.make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"bs_bench_pages_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(app, scale: int) -> None:
    """``db upgrade`` and ``demo-data --scale N`` with the bench login, through the real CLI commands."""
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["demo-data", "--scale", str(scale), "--login", LOGIN, "--password", PASSWORD]):
        result = runner.invoke(args=args)
        if result.exit_code:
            raise SystemExit(f"{' '.join(args)} failed: {result.output}")


def page_urls(app) -> dict[str, str]:
    """Every page of PAGES plus the detail pages of DETAILS, each for the row with the median id."""
    from begleitservice.extensions import db

    urls = dict(PAGES)
    with app.app_context():
        for name, (table, pattern) in DETAILS.items():
            ids = db.session.scalars(sa.text(f'SELECT id FROM "{table}" ORDER BY id')).all()
            if ids:
                urls[name] = pattern.format(ids[len(ids) // 2])
    return urls


def count_pages(app, urls: dict[str, str], repeat: int) -> dict[str, tuple[int, int, float, int]]:
    """Log in with a test client and return page -> (SQL statements when the page is built, bytes, median ms of
    building it, statements when it is served from the page cache)."""
    from begleitservice.extensions import db

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    client.post("/login", data={"email": LOGIN, "password": PASSWORD, "csrf_token": token})
    client.get("/hilfe/")  # the session's form token: from now on its pages may be kept
    with app.app_context():
        engine = db.engine
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    def get(target: str):
        count[0] = 0
        started = time.perf_counter()
        response = client.get(target)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{target}: HTTP {response.status_code}")
        return response, count[0], elapsed

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    figures = {}
    try:
        for name, target in urls.items():
            times, statements, size, kept = [], 0, 0, 0
            for _ in range(repeat):
                app.extensions["page_cache"].clear()
                response, statements, elapsed = get(target)
                times.append(elapsed)
                size = len(response.get_data())
                _, kept, _ = get(target)
            figures[name] = (statements, size, statistics.median(times), kept)
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
    return figures


def measure(url: str, scale: int, repeat: int) -> dict[str, tuple[int, int, float]]:
    """Fill the database at ``scale`` and return page -> (statements, bytes, median ms)."""
    from begleitservice.app import create_app
    from begleitservice.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": True})
    fill(app, scale)
    figures = count_pages(app, page_urls(app), repeat)
    with app.app_context():
        db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", help="data size (repeatable); default 1 and 10")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite files)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scales = args.scale or [1, 10]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            with scratch_database(args.database_url, Path(tmp), scale) as url:
                results[scale] = measure(url, scale, args.repeat)
    print(machine())
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; median of {args.repeat} requests")
    head = "page".ljust(16)
    for s in scales:
        head += f"{'stmts@' + str(s):>11}{'kept@' + str(s):>9}{'KB@' + str(s):>9}{'ms@' + str(s):>9}"
    print(head + ("   ms ratio" if len(scales) > 1 else ""))
    for name in results[scales[0]]:
        line = name.ljust(16)
        for scale in scales:
            statements, size, ms, kept = results[scale].get(name, (0, 0, 0.0, 0))
            line += f"{statements:>11}{kept:>9}{size / 1024:>9.0f}{ms:>9.0f}"
        if len(scales) > 1:
            first, last = results[scales[0]][name][2], results[scales[-1]].get(name, (0, 0, 0.0, 0))[2]
            line += f"{last / first:>11.1f}" if first else ""
        print(line)


if __name__ == "__main__":
    main()
