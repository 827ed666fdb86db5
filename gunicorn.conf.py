"""gunicorn settings for production: ``gunicorn`` in the checkout reads this file (``-c gunicorn.conf.py``).

Threaded workers (gthread): each worker process serves ``threads`` requests at once, every request in its own
app context with its own database session and pooled connection; a matching run computes in a background
thread of the worker with its own app context too (begleitservice.matches.runner). Command-line flags and
GUNICORN_CMD_ARGS override these values; WEB_CONCURRENCY sets the number of workers.
"""

import logging
import os
import sys

wsgi_app = "wsgi:app"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads per worker (WEB_THREADS overrides). On Python 3.11 (3.11.7 here) workers with 2 or more request threads
# died with SIGSEGV within seconds of 20 concurrent users on the inbox lists (a fault in the interpreter's object
# allocator at random places: SQLAlchemy's InstanceState, psycopg's fetch, Jinja), also with psycopg's pure Python
# implementation, without SQLAlchemy's and MarkupSafe's C extensions and without greenlet; with one thread per
# worker, and on Python 3.12.1 with four, none in 30 s of the same load. So 3.11 gets one request thread per
# worker (a matching or billing run still computes in a thread of its own); Python 3.12 or newer is recommended.
threads = int(os.environ.get("WEB_THREADS", "4" if sys.version_info >= (3, 12) else "1"))
# The master builds the app once and forks the workers from it: a worker (re)starts in about 0.1 s instead of
# importing the app anew (about 1 s of CPU); post_fork gives each worker its own database connections.
preload_app = True
# A worker that does not report for this long is killed and replaced; a page at 10x size takes well below it.
timeout = 60
# A restarting or stopping worker waits this long for its requests and a matching run to finish.
graceful_timeout = 45


def post_fork(server, worker):
    """With --preload the app was built in the master: drop the pool it may have inherited (never reuse a socket)."""
    if not server.cfg.preload_app:
        return
    from begleitservice.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)  # the parent keeps its connections; this process opens its own


def worker_exit(server, worker):
    """Let a matching run or billing run of this worker finish before the process ends (it would stay "läuft")."""
    from begleitservice.accounting import jobs
    from begleitservice.matches import runner

    budget = max(1.0, min(server.cfg.graceful_timeout, server.cfg.timeout) - 5)
    still = runner.wait_all(timeout=budget / 2)
    if still:
        logging.getLogger("gunicorn.error").warning(
            "worker %s exits while match runs %s still compute", worker.pid, still
        )
    billing = jobs.wait_all(timeout=budget / 2)
    if billing:
        logging.getLogger("gunicorn.error").warning(
            "worker %s exits while billing jobs %s still run", worker.pid, billing
        )
