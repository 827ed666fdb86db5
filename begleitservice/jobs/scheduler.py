"""The scheduler process (APScheduler 3, jobs kept in the app's database); only the CLI starts it."""

import logging
import os
import signal
import threading

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from ..extensions import db
from .jobs import JOBS, run_job
from .leadership import scheduler_lock

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
_app: Flask | None = None


def run_scheduled(name: str) -> None:
    """What the scheduler calls (by reference, stored in the job store): one job in an app context."""
    if _app is None:
        raise RuntimeError("the scheduler runs jobs only inside the `scheduler` command")
    with _app.app_context():
        try:
            run_job(name)
        except Exception:  # logged by run_job; the scheduler keeps going
            pass
        finally:
            db.session.remove()


def build_scheduler(app: Flask, *, interval: float | None = None, only: tuple[str, ...] = ()) -> BackgroundScheduler:
    """A paused scheduler with the selected jobs in the database job store (old entries replaced)."""
    global _app
    _app = app
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"], tablename=JOBSTORE_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60},
        timezone=app.config["APP_TIMEZONE"],
    )
    scheduler.start(paused=True)
    scheduler.remove_all_jobs()  # the registry and the options decide; nothing stale from an earlier start
    for job in JOBS.values():
        if only and job.name not in only:
            continue
        trigger, arguments = ("interval", {"seconds": interval}) if interval else job.trigger(app.config)
        scheduler.add_job(run_scheduled, trigger, args=[job.name], id=job.name, name=job.description, **arguments)
    return scheduler


def serve(app: Flask, *, interval: float | None = None, only: tuple[str, ...] = (), run_for: float | None = None):
    """Run the scheduler until SIGTERM/SIGINT (or ``run_for`` seconds), then let running jobs finish and stop.

    Only the process holding the scheduler lock runs jobs; another one waits as standby and takes over as soon
    as the active one is gone. A process that loses its lock (broken connection) stops its jobs and waits again.
    """
    stop = threading.Event()

    def _stop(signum, frame):
        log.info("scheduler: received %s, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    if run_for is not None:
        timer = threading.Timer(run_for, stop.set)
        timer.daemon = True
        timer.start()
    lock = scheduler_lock(app, db.engine)
    poll = app.config["SCHEDULER_STANDBY_SECONDS"]
    try:
        while not stop.is_set():
            if not lock.acquire():
                log.info("scheduler: standby, another scheduler is active; checking every %g s", poll)
                while not stop.wait(poll) and not lock.acquire():
                    pass
                if stop.is_set():
                    break
            log.info("scheduler: this process is the active scheduler (pid %d)", os.getpid())
            try:
                _run_while_held(app, lock, stop, poll, interval=interval, only=only)
            finally:
                lock.release()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("scheduler stopped")


def _run_while_held(app: Flask, lock, stop: threading.Event, poll: float, **options) -> None:
    """Run the jobs until ``stop`` is set or the lock is lost."""
    scheduler = build_scheduler(app, **options)
    try:
        scheduler.resume()
        for job in scheduler.get_jobs():
            log.info("scheduler: job %s, next run %s", job.id, job.next_run_time)
        log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))
        while not stop.wait(poll):
            if not lock.held():
                log.error("scheduler: lost the scheduler lock; stopping the jobs and waiting as standby")
                return
    finally:
        scheduler.shutdown(wait=True)
