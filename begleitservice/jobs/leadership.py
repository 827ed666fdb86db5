"""Only one scheduler runs the jobs: the first process takes a lock, any other waits as standby until it is free.

PostgreSQL: a session-level advisory lock on a connection the active scheduler keeps open; it is released by
the server the moment that process dies (or its connection breaks). SQLite: an ``fcntl`` lock on a file beside
the database, released by the kernel when the process dies. Both are per database: schedulers of different
databases never wait for each other.
"""

import fcntl
import logging
import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from ..config import INSTANCE_DIR

log = logging.getLogger(__name__)

# Advisory locks are shared by every database of a server: the lock is the pair (this class, the database's name),
# so two installations (or test databases) on one server each have their own scheduler.
ADVISORY_CLASS = int.from_bytes(b"bsch", "big") & 0x7FFFFFFF
LOCK_SQL = "SELECT pg_try_advisory_lock(:key, hashtext(current_database()))"
UNLOCK_SQL = "SELECT pg_advisory_unlock(:key, hashtext(current_database()))"


class AdvisoryLock:
    """The PostgreSQL advisory lock, held by one open connection."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.connection: sa.Connection | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free; False while another process holds it."""
        connection = self.engine.connect()
        try:
            got = connection.execute(sa.text(LOCK_SQL), {"key": ADVISORY_CLASS}).scalar()
            connection.commit()  # the lock belongs to the session, not the transaction: nothing stays open
        except Exception:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self.connection = connection
        return True

    def held(self) -> bool:
        """Whether the lock's connection is still alive (a broken connection has lost the lock)."""
        if self.connection is None:
            return False
        try:
            self.connection.execute(sa.text("SELECT 1"))
            self.connection.commit()
        except sa.exc.DBAPIError:
            log.exception("scheduler: the connection holding the scheduler lock broke")
            self.connection.invalidate()
            self.connection = None
            return False
        return True

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.execute(sa.text(UNLOCK_SQL), {"key": ADVISORY_CLASS})
            self.connection.commit()
        finally:
            self.connection.close()
            self.connection = None


class FileLock:
    """An exclusive ``flock`` on a file; the file itself stays (it only carries the holder's pid, for people)."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is None:
            return
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None


def scheduler_lock(app: Flask, engine: sa.Engine) -> AdvisoryLock | FileLock:
    """The lock that decides which scheduler of this database is active."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    if app.config["SCHEDULER_LOCK_FILE"]:
        return FileLock(Path(app.config["SCHEDULER_LOCK_FILE"]))
    database = engine.url.database
    if database and database != ":memory:":
        return FileLock(Path(database).with_name(Path(database).name + ".scheduler.lock"))
    return FileLock(INSTANCE_DIR / "scheduler.lock")
