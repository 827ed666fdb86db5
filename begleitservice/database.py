"""Row locks that make check-then-write safe under concurrent requests, on PostgreSQL and SQLite alike.

A decision that reads a row and then writes on the strength of what it read (accept a proposal, take a stand-in
visit, confirm or decline a visit, save a form once) first calls :func:`lock` on the row the decision is about.
On PostgreSQL that is ``SELECT ... FOR UPDATE``: a second transaction waits at the same line until the first one
has committed, then reads the row as the first one left it. SQLite has no row locks; there :func:`lock` takes the
database's write lock for the rest of the transaction (``BEGIN IMMEDIATE``, or the RESERVED lock a transaction
that has written already holds), which serialises the decisions in the same way. Waiting writers on SQLite retry
for ``SQLITE_BUSY_TIMEOUT_S`` before the database reports itself locked.
"""

import logging

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .extensions import db

log = logging.getLogger(__name__)


def configure_engines(app: Flask) -> None:
    """Give SQLite connections the configured busy timeout (PostgreSQL needs nothing here)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_S"] * 1000)

    @sa.event.listens_for(engine, "connect")
    def _busy_timeout(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {timeout_ms}")


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
