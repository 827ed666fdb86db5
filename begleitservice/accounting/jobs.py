"""A billing run started on the page: carried out in a background thread (or at once with ``BILLING_RUN_SYNC``).

Like a job, this is an edge of the unit of work: it commits the run with its files (``commit_with_files``), or
records the failure on the job. The thread gets the job's id, pushes its own app context (its own session and
connection) and loads everything anew; it is not a daemon, and ``wait_all`` (gunicorn's ``worker_exit`` hook) lets
a restarting worker finish it. Progress ("documents done of total") goes to a small file beside the documents,
because the run's transaction cannot commit before it ends; the file is removed when the job ends.

Two starts at once (double click, two people) are safe: each waits for the run lock in ``run_month`` and the later
one finds the month billed (it ends "bereits abgerechnet", nothing changed).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from billing.month import Month

from ..clock import now
from ..extensions import db
from ..models import BillingJob, BillingJobStatus, User
from .files import commit_with_files
from .operations import AccountingError, OpenProblems, run_month

log = logging.getLogger(__name__)

THREADS: dict[int, threading.Thread] = {}
STALE_AFTER_S = 3600  # a job "läuft" this long after its start was lost with its worker


def start_job(month: Month, *, user: User | None, accept_open: bool) -> BillingJob:
    """A new job for ``month`` (flushed, not committed; the view commits and then launches it)."""
    job = BillingJob(
        month=month.first_day, accept_open=accept_open, started_by=user, status=BillingJobStatus.LAEUFT, message=""
    )
    db.session.add(job)
    db.session.flush()
    return job


def running_job(month: Month) -> BillingJob | None:
    """The newest job of ``month`` still running (not lost), if any."""
    job = db.session.scalar(
        sa.select(BillingJob)
        .where(BillingJob.month == month.first_day, BillingJob.status == BillingJobStatus.LAEUFT)
        .order_by(BillingJob.id.desc())
        .limit(1)
    )
    return None if job is None or is_lost(job) else job


def progress_path(job_id: int) -> Path:
    return Path(current_app.instance_path) / "billing" / f".job-{job_id}.progress"


def write_progress(path: Path, done: int, total: int) -> None:
    """Replace the progress file atomically (readers never see half a line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(f"{done} {total}")
    os.replace(partial, path)


def progress_of(job: BillingJob) -> tuple[int, int] | None:
    """(documents done, total) of a running job, or None before the documents are being made."""
    try:
        done, total = progress_path(job.id).read_text().split()
        return int(done), int(total)
    except (OSError, ValueError):
        return None


def is_lost(job: BillingJob) -> bool:
    """A job still "läuft" an hour after its start, with no thread here: its worker is gone (a run takes seconds)."""
    if job.status != BillingJobStatus.LAEUFT or (job.id in THREADS and THREADS[job.id].is_alive()):
        return False
    return (now() - job.started_at).total_seconds() > STALE_AFTER_S


def perform(job_id: int) -> BillingJob:
    """Run the job's month and commit it with its files; on any error record the German message on the job."""
    job = db.session.get(BillingJob, job_id)
    month, path = Month.of(job.month), progress_path(job_id)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if done == total or time.monotonic() - last[0] > 0.5:
            last[0] = time.monotonic()
            write_progress(path, done, total)

    try:
        result = run_month(month, user=job.started_by, accept_open=job.accept_open, progress=progress)
        job.status, job.finished_at = BillingJobStatus.FERTIG, now()
        job.run_id, job.created = result.run.id, result.created
        job.documents = len(result.staged.names) if result.staged else 0
        job.message = "\n".join(result.problems)[:2000]
        commit_with_files(result.staged)
    except Exception as error:
        if not isinstance(error, AccountingError):
            log.exception("billing job %s failed", job_id)
        db.session.rollback()
        message = str(error)
        if not isinstance(error, AccountingError):
            message = f"Unerwarteter Fehler ({type(error).__name__}). Es wurde nichts abgerechnet."
        job = db.session.get(BillingJob, job_id)
        job.status, job.finished_at, job.message = BillingJobStatus.FEHLER, now(), message[:2000]
        job.created = False
        db.session.commit()
        if isinstance(error, OpenProblems):
            log.info("billing job %s: %s", job_id, message)
    finally:
        path.unlink(missing_ok=True)
    return job


def _work(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            perform(job_id)
        finally:
            db.session.remove()


def launch(job_id: int) -> None:
    """Carry out job ``job_id`` now (``BILLING_RUN_SYNC``) or in a background thread with its own app context."""
    if current_app.config["BILLING_RUN_SYNC"]:
        perform(job_id)
        return
    for done in [key for key, thread in THREADS.items() if not thread.is_alive()]:
        THREADS.pop(done, None)
    app = current_app._get_current_object()
    thread = threading.Thread(target=_work, args=(app, job_id), name=f"billing-job-{job_id}")
    THREADS[job_id] = thread
    thread.start()


def wait(job_id: int, timeout: float | None = None) -> None:
    """Wait until the background thread of ``job_id`` (if any) has finished."""
    thread = THREADS.pop(job_id, None)
    if thread is not None:
        thread.join(timeout)


def wait_all(timeout: float) -> list[int]:
    """Wait up to ``timeout`` seconds in all for the jobs still running; the ids of those still running after."""
    deadline = time.monotonic() + timeout
    for job_id, thread in list(THREADS.items()):
        thread.join(max(0.0, deadline - time.monotonic()))
        if not thread.is_alive():
            THREADS.pop(job_id, None)
    return sorted(job_id for job_id, thread in THREADS.items() if thread.is_alive())
