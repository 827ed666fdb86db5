"""Invoice numbers from two transactions at once: gapless and without duplicates (real PostgreSQL row locks)."""

import threading
import time

import pytest
import sqlalchemy as sa

from begleitservice.accounting.operations import allocate_numbers
from begleitservice.extensions import db
from begleitservice.models import InvoiceCounter

YEAR = 2026


@pytest.fixture
def pg(app_ctx):
    """The app context, on PostgreSQL only (SQLite serialises all writers: nothing concurrent to test)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent number allocation is tested on PostgreSQL (SQLite serialises all writers)")
    return app_ctx


def _allocate(app, count: int, *, start: threading.Barrier, hold: float = 0.0) -> range:
    """Reserve ``count`` numbers in an own session and transaction, as a second request or CLI run would."""
    with app.app_context():
        start.wait(5)
        try:
            before = allocate_numbers(YEAR, count)
            time.sleep(hold)  # keep the transaction (and its row lock) open while the other one tries
            db.session.commit()
        finally:
            db.session.remove()
    first = int(before[5:]) + 1 if before else 1
    return range(first, first + count)


def _race(app, counts: list[int], *, hold: float = 0.0) -> list[range]:
    start = threading.Barrier(len(counts))
    results: list[range] = []
    errors: list[BaseException] = []

    def work(count: int, delay: float) -> None:
        try:
            results.append(_allocate(app, count, start=start, hold=delay))
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=work, args=(c, hold if i == 0 else 0.0)) for i, c in enumerate(counts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    return results


def _numbers(ranges: list[range]) -> list[int]:
    return sorted(n for r in ranges for n in r)


def test_two_runs_allocating_at_once_get_disjoint_gapless_numbers(pg):
    db.session.add(InvoiceCounter(year=YEAR, last_seq=41))
    db.session.commit()
    ranges = []
    for round_ in range(10):
        ranges += _race(pg, [3, 5], hold=0.05 if round_ % 2 else 0.0)
    numbers = _numbers(ranges)
    assert len(numbers) == len(set(numbers)) == 80  # no number twice
    assert numbers == list(range(42, 122))  # none skipped, continuing after the 41 already issued
    db.session.expire_all()
    assert db.session.get(InvoiceCounter, YEAR).last_seq == 121


def test_the_first_allocation_of_a_year_from_two_runs_at_once(pg):
    """No counter row yet for the year: both create it at the same moment; one must wait, not fail."""
    ranges = _race(pg, [4, 2])
    assert _numbers(ranges) == [1, 2, 3, 4, 5, 6]
    assert db.session.scalar(sa.select(InvoiceCounter.last_seq).where(InvoiceCounter.year == YEAR)) == 6
