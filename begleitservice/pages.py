"""The page cache: a finished page is kept by the worker process until anything it may show has changed.

A list, the task inbox or a calendar takes 5–80 ms to build at ten times Dortmund's size and most of a
coordinator's clicks read; serving the same page again costs two small queries (the login and the generation).

How a kept page stays right:

- **The write generation.** Every transaction that writes (an INSERT, UPDATE or DELETE on any table but the audit
  trail, DDL, TRUNCATE) raises the one number in ``cache_generation`` in the same transaction, just before it
  commits. This is an engine event, so ORM flushes, Core statements, the CLI, the scheduler and the other worker
  processes all count. A page is kept under the generation read *before* it was built: once a write has committed,
  every reader sees a new number and builds the page anew. A page built while a write was committing may already
  show that write under the old number: it is never older than its key.
- **The key** also holds the page's path with its query string, the user and the browser session (the session's
  CSRF token, which the page's forms carry), the language and the service's today.
- **More:** a view can add to its key (``@cached(also=...)``): the audit trail adds its newest event.
- **Age:** a kept page is dropped after ``PAGE_CACHE_SECONDS`` (default 60; 0 switches the cache off), so what
  depends on the hour (visits due within 48 hours) and writes made outside the app (psql) show at the latest then.
- **Not kept:** anything but a 200 HTML string from the view, a page while a flash message waits in the session,
  a session that has no CSRF token yet. Only views marked :func:`cached` are kept: lists, the inbox, calendars; never
  pages that write (the senior's detail page records who looked) or show the audit trail.

The store is a per-process LRU of ``PAGE_CACHE_ENTRIES`` pages (default 500, about 20 KB each); a worker that
restarts starts empty.
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

import sqlalchemy as sa
from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from . import clock
from .extensions import db
from .models.cache import CacheGeneration

WROTE = "page_cache_wrote"
KNOWS_TABLE = "page_cache_table"
# What does not count as a write: reading, transaction control, session settings
READS = re.compile(r"\s*(SELECT|SHOW|SET|BEGIN|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|PRAGMA|EXPLAIN|VALUES)\b", re.I)
INSERT_INTO = re.compile(r'\s*INSERT\s+INTO\s+"?(\w+)', re.I)
DDL = re.compile(r"\s*(CREATE|DROP|ALTER)\b", re.I)
WITH_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.I)
# Inserts that do not count: new audit events (the senior's detail page records every look at it). The audit
# trail's page adds its newest event to its key instead; deleting old events (retention) counts as usual.
UNCOUNTED = frozenset({"audit_event"})
RAISE = "UPDATE cache_generation SET value = value + 1 WHERE id = 1"
EXISTS = {
    "postgresql": "SELECT to_regclass('cache_generation') IS NOT NULL",
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'cache_generation'",
}


def init_app(app: Flask) -> None:
    """Count this app's writes and give it its store of kept pages."""
    with app.app_context():
        watch_writes(db.engine)
    app.extensions["page_cache"] = Store(app.config["PAGE_CACHE_ENTRIES"])


def watch_writes(engine: sa.Engine) -> None:
    """Raise the generation in every transaction on ``engine`` that wrote, just before it commits."""
    if sa.event.contains(engine, "commit", _raise_generation):
        return
    sa.event.listen(engine, "before_cursor_execute", _note_write)
    sa.event.listen(engine, "commit", _raise_generation)
    sa.event.listen(engine, "rollback", _forget_write)
    sa.event.listen(engine.pool, "checkin", _forget_on_checkin)
    sa.event.listen(engine.pool, "reset", _forget_on_reset)


def is_write(statement: str) -> bool:
    """Whether a statement changes what a page may show (see UNCOUNTED)."""
    if READS.match(statement):
        return False
    if statement.lstrip()[:4].upper() == "WITH":
        return bool(WITH_WRITES.search(statement))
    found = INSERT_INTO.match(statement)
    return found is None or found.group(1).lower() not in UNCOUNTED


def _note_write(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not conn.info.get(WROTE) and is_write(statement):
        conn.info[WROTE] = True
    if DDL.match(statement):  # a migration may have dropped or created the generation's table
        conn.info.pop(KNOWS_TABLE, None)


def _raise_generation(conn) -> None:
    if not conn.info.pop(WROTE, False):
        return
    dbapi_connection = conn.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    try:
        if not conn.info.get(KNOWS_TABLE):  # before migration 0039 there is nothing to raise
            cursor.execute(EXISTS.get(conn.dialect.name, EXISTS["postgresql"]))
            if not cursor.fetchone()[0]:
                return
            conn.info[KNOWS_TABLE] = True
        cursor.execute(RAISE)
    finally:
        cursor.close()


def _forget_write(conn) -> None:
    conn.info.pop(WROTE, None)


def _forget_on_checkin(_dbapi_connection, record) -> None:
    record.info.pop(WROTE, None)


def _forget_on_reset(_dbapi_connection, record, _reset_state) -> None:
    record.info.pop(WROTE, None)


def ensure_generation() -> None:
    """The generation row, when a database was created from the models (tests) rather than by the migrations."""
    if db.session.get(CacheGeneration, 1) is None:
        db.session.add(CacheGeneration(id=1, value=secrets.randbits(62)))
        db.session.flush()


def generation() -> int | None:
    """The current write generation (None: the row is missing, so nothing is kept)."""
    return db.session.execute(_GENERATION).scalar()


_GENERATION = sa.select(CacheGeneration.value).where(CacheGeneration.id == 1)


class Store:
    """Kept pages of one process: key -> (deadline, html), least recently used dropped first."""

    def __init__(self, entries: int):
        self.entries = entries
        self.pages: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return found[1]

    def put(self, key: tuple, html: str, seconds: float) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic() + seconds, html)
            self.pages.move_to_end(key)
            while len(self.pages) > self.entries:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


def _key(also) -> tuple | None:
    """What a kept page depends on besides the data, or None when this request must not use the cache."""
    if not current_app.config["PAGE_CACHE_SECONDS"] or request.method not in ("GET", "HEAD"):
        return None
    token = session.get("csrf_token")
    if not token or session.get("_flashes") or not current_user.is_authenticated:
        return None
    value = generation()
    if value is None:
        return None
    user = current_user.get_id()
    extra = also() if also is not None else None
    return (value, extra, request.endpoint, request.full_path, user, token, str(get_locale()), clock.today())


def cached(view=None, *, also: Callable[[], Hashable] | None = None):
    """Keep the page this GET view returns (see the module's docstring for what keeps it right); ``also`` gives
    what else the page depends on (read before the page is built)."""
    if view is None:
        return functools.partial(cached, also=also)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = _key(also)
        if key is None:
            return view(*args, **kwargs)
        store: Store = current_app.extensions["page_cache"]
        page = store.get(key)
        if page is not None:
            return page
        page = view(*args, **kwargs)
        if isinstance(page, str) and not session.get("_flashes"):
            store.put(key, page, current_app.config["PAGE_CACHE_SECONDS"])
        return page

    return wrapper
