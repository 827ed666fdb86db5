"""Carry out a stored run, in a background thread of the web process or synchronously (``MATCH_RUN_SYNC``).

Like a job, this is an edge of the unit of work: it commits the run's result, or its failure.

The background thread shares nothing with the request that started it: it gets the run's id, pushes its own app
context (so Flask-SQLAlchemy gives it its own session and its own pooled connection) and loads everything anew.
It is not a daemon thread, and ``wait_all`` (called by gunicorn's ``worker_exit`` hook, see gunicorn.conf.py)
lets a worker that is restarting finish the run instead of leaving it "läuft" until it is taken as lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, current_app

from ..clock import now, today
from ..extensions import db
from ..models.matching import MatchRun
from .operations import MatchError, compute, fail_run, store_solution

log = logging.getLogger(__name__)

# Threads by run id, so tests (and a shutdown) can wait for them.
THREADS: dict[int, threading.Thread] = {}


SAVING = "Vorschläge werden gespeichert"


def reporter(run_id: int) -> Callable[[str], None]:
    """Write the step a run is at into its row at once, on a connection of its own (the run's own transaction
    commits only at the end); a failed write loses a progress line, never the run."""
    table = MatchRun.__table__
    engine = db.engine

    def report(step: str) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(sa.update(table).where(table.c.id == run_id).values(progress=step[:120]))
        except sa.exc.SQLAlchemyError:
            log.warning("match run %s: progress %r not stored", run_id, step, exc_info=True)

    return report


def perform(run_id: int, *, time_limit_s: float | None = None) -> MatchRun:
    """Compute and store run ``run_id`` and commit; on any error record it as failed with a German message. The
    run's row tells the step it is at while it computes (the page shows it)."""
    run = db.session.get(MatchRun, run_id)
    report = reporter(run_id)
    try:
        built, solution = compute(today=today(), time_limit_s=time_limit_s, progress=report)
        report(SAVING)
        store_solution(run, built, solution, now=now())
        db.session.commit()
    except Exception as error:
        log.exception("match run %s failed", run_id)
        db.session.rollback()
        message = (
            str(error)
            if isinstance(error, MatchError)
            else f"Unerwarteter Fehler ({type(error).__name__}). Es wurden keine Vorschläge gespeichert."
        )
        run = db.session.get(MatchRun, run_id)
        fail_run(run, message, now=now())
        db.session.commit()
    return run


def _work(app: Flask, run_id: int) -> None:
    with app.app_context():
        try:
            perform(run_id)
        finally:
            db.session.remove()


def launch(run_id: int) -> None:
    """Carry out run ``run_id`` now (``MATCH_RUN_SYNC``) or in a background thread with its own app context."""
    if current_app.config["MATCH_RUN_SYNC"]:
        perform(run_id)
        return
    for done in [key for key, thread in THREADS.items() if not thread.is_alive()]:
        THREADS.pop(done, None)
    app = current_app._get_current_object()
    thread = threading.Thread(target=_work, args=(app, run_id), name=f"match-run-{run_id}")
    THREADS[run_id] = thread
    thread.start()


def wait(run_id: int, timeout: float | None = None) -> None:
    """Wait until the background thread of ``run_id`` (if any) has finished."""
    thread = THREADS.pop(run_id, None)
    if thread is not None:
        thread.join(timeout)


def wait_all(timeout: float) -> list[int]:
    """Wait up to ``timeout`` seconds in all for the runs still computing; the ids of those still running after."""
    deadline = time.monotonic() + timeout
    for run_id, thread in list(THREADS.items()):
        thread.join(max(0.0, deadline - time.monotonic()))
        if not thread.is_alive():
            THREADS.pop(run_id, None)
    return sorted(run_id for run_id, thread in THREADS.items() if thread.is_alive())
