"""Row locks that make check-then-write safe under concurrent requests, on PostgreSQL and SQLite alike.

A decision that reads a row and then writes on the strength of what it read (accept a proposal, take a stand-in
visit, confirm or decline a visit, save a form once) first calls :func:`lock` on the row the decision is about.
On PostgreSQL that is ``SELECT ... FOR UPDATE``: a second transaction waits at the same line until the first one
has committed, then reads the row as the first one left it. SQLite has no row locks; there :func:`lock` takes the
database's write lock for the rest of the transaction (``BEGIN IMMEDIATE``, or the RESERVED lock a transaction
that has written already holds), which serialises the decisions in the same way.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` and the threads of a process queue for it
(:class:`_WriterQueue`); writers of other processes are waited for up to ``SQLITE_BUSY_TIMEOUT_S``. Measured with
``bench/sqlite_writers_bench.py`` (16 threads clicking forms and links): without the queue SQLite's polling let
writers wait up to 13 s (and fail with "database is locked" after pysqlite's 5 s); with it, no failures and
about 2 s at most.
"""

import logging
import re
import sqlite3
import threading
import weakref

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .extensions import db

log = logging.getLogger(__name__)

WRITER_QUEUES: "weakref.WeakKeyDictionary[sa.Engine, _WriterQueue]" = weakref.WeakKeyDictionary()


def configure_engines(app: Flask) -> None:
    """On SQLite: the busy timeout, and writers of this process queued for the write lock (PostgreSQL: nothing)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    timeout_s = app.config["SQLITE_BUSY_TIMEOUT_S"]

    @sa.event.listens_for(engine, "connect")
    def _busy_timeout(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")

    WRITER_QUEUES[engine] = _WriterQueue(timeout_s)
    WRITER_QUEUES[engine].listen(engine)


class _WriterQueue:
    """One write transaction at a time per process, each starting with ``BEGIN IMMEDIATE``.

    SQLite lets one writer in at a time and makes the others poll (sleeping up to 100 ms between tries), so under
    load a newcomer often overtakes a writer that has waited for seconds, until one waits past the busy timeout
    and fails with "database is locked". Here the threads of this process queue on a lock instead and are let in
    as soon as the previous writer is done; the busy timeout still covers writers in other processes.
    """

    WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|BEGIN)\b", re.IGNORECASE)

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.turn = threading.Lock()

    def listen(self, engine: sa.Engine) -> None:
        sa.event.listen(engine, "before_cursor_execute", self.before_write)

        def ended(conn):
            self.done(conn.info)

        def returned(_dbapi_connection, record, _reset_state=None):
            self.done(record.info)

        def dropped(_dbapi_connection, record, _exception=None):
            self.done(record.info)

        sa.event.listen(engine, "commit", ended)
        sa.event.listen(engine, "rollback", ended)
        sa.event.listen(engine.pool, "reset", returned)
        sa.event.listen(engine.pool, "checkin", returned)
        sa.event.listen(engine.pool, "close", returned)
        sa.event.listen(engine.pool, "invalidate", dropped)

    def before_write(self, conn, cursor, statement, _parameters, _context, _executemany) -> None:
        """Wait for this connection's turn before the first write of a transaction, then hold the write lock."""
        if cursor.connection.in_transaction or not self.WRITES.match(statement):
            return
        if not conn.info.get("writer_turn"):
            if not self.turn.acquire(timeout=self.timeout_s):
                raise sqlite3.OperationalError("database is locked")
            conn.info["writer_turn"] = True
        if not statement.lstrip().upper().startswith("BEGIN"):
            cursor.execute("BEGIN IMMEDIATE")

    def done(self, info: dict) -> None:
        """The transaction ends (or the connection goes back to the pool): the next writer's turn."""
        if info.pop("writer_turn", False):
            self.turn.release()


def lock(model: type, ident: int):
    """The row of ``model`` with primary key ``ident``, read afresh and held until this transaction ends (None
    when there is no such row). Call it before reading what a decision depends on, and before writing."""
    _hold_sqlite_write_lock()
    (key,) = sa.inspect(model).primary_key
    return db.session.scalars(
        sa.select(model).where(key == ident).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()


def _hold_sqlite_write_lock() -> None:
    """On SQLite, make sure this transaction holds the database's write lock from now until it ends."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    # pysqlite opens a (deferred) transaction only before the first INSERT/UPDATE/DELETE; once one is open this
    # connection already holds the RESERVED lock, which no other writer can take until it commits or rolls back.
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_unless_present(model: type, key: str, **values) -> bool:
    """``INSERT ... ON CONFLICT (key) DO NOTHING``: True when this call inserted the row, False when it was there.

    When another transaction is inserting the same key, PostgreSQL makes this one wait for it and then answers
    False (or inserts, had the other rolled back); on SQLite the write lock serialises the two.
    """
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    column = getattr(model, key)
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=[key]).returning(column)
    return db.session.execute(statement).first() is not None  # nothing returned: the row was there
