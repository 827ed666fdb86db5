"""Concurrent writers on SQLite: do clicks from many threads at once end in "database is locked" (a 500)?

Builds a fresh SQLite file with reference data, a coordinator, 40 volunteers, 40 seniors and a planned visit
for each, then lets ``--threads`` test clients (each its own thread, app context, session and connection, as
gunicorn's threaded workers would run them) click for ``--seconds``: new seniors and requests through their forms
(with the one-time token), confirm and decline links of the visits, and the lists. Prints the answers by status,
the "database is locked" errors, and write latencies.

    .venv/bin/python bench/sqlite_writers_bench.py [--threads 16] [--seconds 20] [--busy-timeout 30] [--wal]
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from begleitservice import create_app
from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.models import (
    Appointment,
    District,
    Pairing,
    PairingSlot,
    Senior,
    User,
    Volunteer,
    VolunteerAvailability,
)
from begleitservice.reference import ensure_reference_data

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)
TOKEN = re.compile(r'name="submission" type="hidden" value="([^"]+)"')
PASSWORD = "bench-passwort-2026"


class LockedErrors(logging.Handler):
    """Counts logged errors that say the database was locked."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record):
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        if "database is locked" in text:
            self.count += 1


def build(app, people: int) -> tuple[list[int], list[int]]:
    """Reference data, a coordinator, ``people`` volunteers with a pairing and a planned visit each."""
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        user = User(email="bench@example.org", name="Bench", role="coordinator")
        user.set_password(PASSWORD)
        db.session.add(user)
        district = db.session.query(District).filter_by(name="Eving").one()
        seniors, visits = [], []
        for n in range(people):
            volunteer = Volunteer(
                first_name="Erika",
                last_name=f"Bench{n}",
                email=f"bench{n}@example.org",
                gender="w",
                offers_besuchsdienst=True,
                home_district=district,
                availability=[VolunteerAvailability(weekday=0, start_minute=540, end_minute=1020)],
            )
            senior = Senior(
                first_name="Hilde",
                last_name=f"Bench{n}",
                birth_on=date(1940, 1, 1),
                street="Evinger Str. 1",
                postal_code="44339",
                district=district,
            )
            pairing = Pairing(
                volunteer=volunteer,
                senior=senior,
                service="besuchsdienst",
                starts_on=date(2026, 11, 2),
                slots=[PairingSlot(weekday=0, start_minute=600, duration_minutes=120)],
            )
            appointment = Appointment(
                pairing=pairing, on=date(2026, 12, 7), planned_start=clock(10), planned_end=clock(12), status="geplant"
            )
            db.session.add_all([volunteer, senior, pairing, appointment])
            db.session.flush()
            seniors.append(senior.id)
            visits.append((appointment.id, volunteer.id))
        db.session.commit()
        return seniors, visits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--busy-timeout", type=float, default=30.0, help="SQLITE_BUSY_TIMEOUT_S (pysqlite: 5)")
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--wal", action="store_true", help="journal_mode=WAL, synchronous=NORMAL (experiment)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bs-bench-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "SQLITE_BUSY_TIMEOUT_S": args.busy_timeout,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            "NOW": NOW,
            "TODAY": NOW.date(),
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    locked = LockedErrors()
    logging.getLogger().addHandler(locked)
    if args.wal:
        import sqlalchemy as sa

        with app.app_context():

            @sa.event.listens_for(db.engine, "connect")
            def _wal(dbapi_connection, _record):
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    seniors, visits = build(app, args.people)
    with app.app_context():
        links = [
            (f"/link/{path}/{make_token(purpose, a, volunteer_id=v)}", purpose)
            for a, v in visits
            for purpose, path in (("confirm", "bestaetigen"), ("decline", "absagen"))
        ]

    answers: Counter = Counter()
    write_ms: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(args.threads)
    stop_at = [0.0]

    def click(client, rng) -> None:
        kind = rng.choice(["senior", "request", "link", "link", "list"])
        began = time.perf_counter()
        if kind == "senior":
            token = TOKEN.search(client.get("/seniors/neu").get_data(as_text=True)).group(1)
            data = {
                "first_name": "Neu",
                "last_name": f"Person{rng.randrange(10**9)}",
                "birth_on": "1941-03-09",
                "street": "Nordmarkt 5",
                "postal_code": "44145",
                "city": "Dortmund",
                "district_id": "1",
                "languages": "Deutsch",
                "status": "aktiv",
                "consent_on": "2026-01-10",
                "consent_scope": "Vermittlung",
                "submission": token,
            }
            response = client.post("/seniors/neu", data=data)
        elif kind == "request":
            token = TOKEN.search(client.get("/requests/neu").get_data(as_text=True)).group(1)
            data = {
                "senior_id": rng.choice(seniors),
                "service": "besuchsdienst",
                "visits_per_week": "1",
                "minutes_per_visit": "120",
                "windows": "Mo 09:00-12:00",
                "languages": "Deutsch",
                "urgency": "2",
                "received_on": "2026-11-02",
                "source": "Sonstige",
                "submission": token,
            }
            response = client.post("/requests/neu", data=data)
        elif kind == "link":
            url, _purpose = rng.choice(links)
            response = client.post(url, data={"reason": "krank"})
        else:
            response = client.get(rng.choice(["/seniors/", "/pairings/", "/requests/"]))
        elapsed = (time.perf_counter() - began) * 1000
        with lock:
            answers[(kind, response.status_code)] += 1
            if kind != "list":
                write_ms.append(elapsed)

    def work(seed: int) -> None:
        rng = random.Random(seed)
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
        start.wait()
        while time.perf_counter() < stop_at[0]:
            click(client, rng)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(args.threads)]
    stop_at[0] = time.perf_counter() + args.seconds + 5  # logins first
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = sum(answers.values())
    errors = sum(count for (kind, status), count in answers.items() if status >= 500)
    print(f"SQLite, {args.threads} threads, {args.seconds:.0f} s, busy timeout {args.busy_timeout:g} s")
    for (kind, status), count in sorted(answers.items()):
        print(f"  {kind:8s} {status}: {count}")
    print(f"requests: {total}, 5xx: {errors}, 'database is locked' logged: {locked.count}")
    if write_ms:
        ordered = sorted(write_ms)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        print(f"write clicks: median {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms")


if __name__ == "__main__":
    main()
