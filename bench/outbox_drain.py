"""How long a wave of outbox mails takes to leave: one sender run against a local SMTP server (aiosmtpd).

A scratch database (SQLite file, or PostgreSQL when ``--database-url`` names a server) gets ``db upgrade`` and
``--mails`` due outbox rows; then ``send_pending`` runs (as the scheduler's ``send_outbox`` job does every
minute) until nothing is due. Printed: the machine, the database, mails sent per run, seconds and mails/s.

    .venv/bin/python bench/outbox_drain.py --mails 1000
    .venv/bin/python bench/outbox_drain.py --mails 1000 --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.page_statements import machine, scratch_database  # noqa: E402


class Inbox:
    """aiosmtpd handler counting what arrives."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--database-url", help="a PostgreSQL server (default: a SQLite file)")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from begleitservice.app import create_app
    from begleitservice.extensions import db
    from begleitservice.mail.sender import send_pending
    from begleitservice.models import OutboxMessage

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as tmp, scratch_database(args.database_url, Path(tmp), 1) as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench-secret",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": port,
            }
        )
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        if result.exit_code:
            raise SystemExit(result.output)
        with app.app_context():
            db.session.add_all(
                OutboxMessage(kind="bench", recipient=f"welle{n}@example.org", subject=f"Welle {n}", body_text="Hallo")
                for n in range(args.mails)
            )
            db.session.commit()
            runs, started = [], time.perf_counter()
            while True:
                report = send_pending()
                if not report.claimed:
                    break
                runs.append(report.sent)
            seconds = time.perf_counter() - started
            db.engine.dispose()
    controller.stop()
    print(machine())
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"{args.mails} mails: {inbox.count} arrived in {seconds:.1f} s ({inbox.count / seconds:.0f} mails/s)")
    print(f"sender runs (one per scheduler tick): {len(runs)}, mails per run: {runs}")


if __name__ == "__main__":
    main()
