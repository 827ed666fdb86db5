"""SQLite's write transactions: each starts with BEGIN IMMEDIATE and the threads of a process take turns."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from begleitservice.database import WRITER_QUEUES, insert_unless_present, lock
from begleitservice.extensions import db
from begleitservice.models import FormSubmission, User
from tests.factories import make_user


@pytest.fixture
def turn(app_ctx):
    """The lock SQLite writers of this process queue on (SQLite only)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the writer queue is SQLite's; PostgreSQL locks rows")
    db.session.commit()
    return WRITER_QUEUES[db.engine].turn


def _in_write_transaction() -> bool:
    return db.session.connection().connection.dbapi_connection.in_transaction


def test_a_lock_takes_the_write_lock_at_once_and_the_commit_hands_it_on(turn):
    user = make_user()
    assert not turn.locked()

    assert lock(User, user.id).id == user.id  # a read, but the write lock is held from here on
    assert turn.locked() and _in_write_transaction()
    db.session.commit()
    assert not turn.locked()


def test_a_failed_write_hands_the_turn_on_after_its_rollback(turn):
    user = make_user(email="doppelt@example.org")
    db.session.add(User(email="doppelt@example.org", name="Zweiter", role="coordinator", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert not turn.locked()

    assert insert_unless_present(FormSubmission, "token", token="t" * 30, endpoint="x", created_at=user.created_at)
    assert not insert_unless_present(FormSubmission, "token", token="t" * 30, endpoint="x", created_at=user.created_at)
    assert turn.locked()
    db.session.remove()  # the connection goes back to the pool unfinished: rolled back, turn handed on
    assert not turn.locked()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormSubmission)) == 0
