"""Threaded workers: users on several threads at once and a matching run in a background thread share nothing.

As gunicorn's gthread worker does, the threads here call the one app object at the same time, each request in
its own app context. A guard on the engine records which thread checked out each database connection and fails
the test when a statement runs on a connection another thread holds: the way a session, a connection or a model
object shared between threads shows up long before psycopg crashes on it. The ``bench/threaded_workers.py``
script drives real gunicorn workers under load at 10x size.
"""

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.matches import runner
from begleitservice.models import Senior
from begleitservice.models.matching import MatchRun
from billing import documents
from tests.factories import make_appointment, make_pairing, make_request, make_senior, make_user, make_volunteer

TODAY = date(2026, 11, 4)
MO, MI = 0, 2
USERS, ROUNDS = 6, 3


class ConnectionGuard:
    """Records each pooled connection's owning thread; a statement from another thread is a violation."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine, self.lock = engine, threading.Lock()
        self.owners: dict[int, int] = {}
        self.violations: list[str] = []
        self.threads: set[int] = set()

    def checkout(self, dbapi_connection, record, proxy) -> None:
        with self.lock:
            self.owners[id(dbapi_connection)] = threading.get_ident()

    def checkin(self, dbapi_connection, record) -> None:
        with self.lock:
            self.owners.pop(id(dbapi_connection), None)

    def execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        me = threading.get_ident()
        with self.lock:
            self.threads.add(me)
            owner = self.owners.get(id(conn.connection.dbapi_connection))
            if owner is not None and owner != me:
                self.violations.append(f"{threading.current_thread().name} used a connection of thread {owner}")

    def __enter__(self):
        sa.event.listen(self.engine.pool, "checkout", self.checkout)
        sa.event.listen(self.engine.pool, "checkin", self.checkin)
        sa.event.listen(self.engine, "before_cursor_execute", self.execute)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self.execute)
        sa.event.remove(self.engine.pool, "checkin", self.checkin)
        sa.event.remove(self.engine.pool, "checkout", self.checkout)


@pytest.fixture
def pg(app_ctx, monkeypatch):
    """PostgreSQL only (psycopg under threads is the point), a fixed clock, runs in a background thread."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("threads against one app are tested on PostgreSQL, as gunicorn's gthread workers run it")
    for key, value in {
        "TODAY": TODAY,
        "NOW": datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
        "MATCH_RUN_SYNC": False,
        "MATCH_TIME_LIMIT_S": 5.0,
    }.items():
        monkeypatch.setitem(app_ctx.config, key, value)
    return app_ctx


@pytest.fixture
def service(pg):
    """Two volunteers with a pairing and its visits each, and three open requests for the matching."""
    anna = make_volunteer(first_name="Anna", last_name="Albers", availability=((MO, 9 * 60, 17 * 60),))
    bernd = make_volunteer(first_name="Bernd", last_name="Brandt", gender="m", availability=((MI, 9 * 60, 17 * 60),))
    pairings = [
        make_pairing(
            volunteer=anna, senior=make_senior(first_name="Frieda", last_name="Früh"), slots=((MO, 14 * 60, 90),)
        ),
        make_pairing(
            volunteer=bernd, senior=make_senior(first_name="Karl", last_name="Klein"), slots=((MI, 14 * 60, 90),)
        ),
    ]
    for pairing, day in zip(pairings, (date(2026, 11, 2), date(2026, 11, 4)), strict=True):
        make_appointment(pairing=pairing, on=day)
    for first, last, weekday in (("Hilde", "Montag", MO), ("Grete", "Mittwoch", MI), ("Ida", "Ilse", MO)):
        make_request(senior=make_senior(first_name=first, last_name=last), windows=((weekday, 9 * 60, 12 * 60),))
    return {"volunteer": anna, "pairing": pairings[0], "senior": pairings[0].senior}


def _pages(service) -> list[tuple[str, str]]:
    """(path, text the page must show) for a coordinator's round over lists, details, Vorschläge and Termine."""
    return [
        ("/", "Übersicht"),
        ("/volunteers/", "Ehrenamtliche"),
        ("/seniors/", "Senior:innen"),
        ("/requests/", "Vermittlungsanfragen"),
        ("/pairings/", "Begleitungen"),
        ("/termine/?von=2026-11-02", "Termine"),
        ("/vorschlaege/", "Vorschläge"),
        (f"/volunteers/{service['volunteer'].id}", "Anna Albers"),
        (f"/seniors/{service['senior'].id}", "Frieda Früh"),
        (f"/pairings/{service['pairing'].id}", "Anna Albers ↔ Frieda Früh"),
    ]


def _logged_in(app):
    client = app.test_client()
    user = make_user(role="coordinator")
    response = client.post("/login", data={"email": user.email, "password": "richtig-geheim-123"})
    assert response.status_code == 302
    return client


def test_users_on_threads_and_a_background_run_share_no_connection(pg, service, monkeypatch):
    pages = _pages(service)
    clients = [_logged_in(pg) for _ in range(USERS)]
    db.session.commit()  # the main thread holds no connection while the others work
    started, release = threading.Barrier(USERS + 1), threading.Event()
    compute = runner.compute

    def held(**kwargs):
        assert release.wait(30)  # the run computes while the users are in the middle of their rounds
        return compute(**kwargs)

    monkeypatch.setattr(runner, "compute", held)
    failures: list[str] = []

    def browse(number: int, client) -> None:
        try:
            started.wait(10)
            for round_ in range(ROUNDS):
                if number == 0 and round_ == 1:
                    release.set()
                for path, text in pages[number % 3 :] + pages[: number % 3]:
                    response = client.get(path)
                    page = response.get_data(as_text=True)
                    if response.status_code != 200 or text not in page:
                        failures.append(f"{path}: {response.status_code}")
        except BaseException as error:  # reported by the test
            failures.append(repr(error))

    with ConnectionGuard(db.engine) as guard:
        page = clients[0].post("/vorschlaege/berechnen", follow_redirects=True).get_data(as_text=True)
        assert "Berechnung läuft … seit" in page
        users = [threading.Thread(target=browse, args=(n, c), name=f"user-{n}") for n, c in enumerate(clients)]
        for thread in users:
            thread.start()
        started.wait(10)
        for thread in users:
            thread.join(60)
        release.set()
        assert runner.wait_all(timeout=30) == []

    assert failures == []
    assert guard.violations == []
    assert len(guard.threads) >= USERS + 1  # every user and the run really ran statements on their own thread
    run = db.session.scalar(sa.select(MatchRun))
    assert (run.status, run.served) == ("fertig", 2)  # Anna may take one more senior, Bernd one
    page = clients[1].get("/vorschlaege/").get_data(as_text=True)
    assert "Bestmögliche Verteilung: 2 von 3 Anfragen können vermittelt werden" in page


def test_the_guard_sees_a_model_object_handed_to_a_background_thread(pg, service):
    """The guard bites: a thread with its own app context that loads through a request's object uses the
    request's connection (what the matching thread must never do with the request's run or user)."""
    senior_id = service["senior"].id
    db.session.rollback()  # no connection held from before the guard
    loaded = []

    def work(senior) -> None:
        with pg.app_context():
            loaded.append(senior.first_name)  # expired: loads through the session it came from

    with ConnectionGuard(db.engine) as guard:
        senior = db.session.get(Senior, senior_id)  # the main thread's session checks out its connection
        db.session.expire(senior, ["first_name"])
        thread = threading.Thread(target=work, args=(senior,), name="shares-an-object")
        thread.start()
        thread.join(10)
    db.session.rollback()
    assert loaded == ["Frieda"]
    assert guard.violations and "shares-an-object used a connection of thread" in guard.violations[0]


def test_each_thread_renders_pdfs_with_its_own_compiler():
    """A Typst compiler is not shared between threads: every thread gets its own and reuses it."""
    seen = {}

    def remember(name: str) -> None:
        seen[name] = (documents.compiler(), documents.compiler())

    threads = [threading.Thread(target=remember, args=(f"t{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(first is second for first, second in seen.values())  # reused within a thread
    assert len({id(first) for first, _ in seen.values()}) == 3  # not shared between threads
