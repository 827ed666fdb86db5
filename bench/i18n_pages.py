"""What the languages cost: a volunteer's confirm page and their confirmation mail, rendered in each language.

Creates the app on a temporary SQLite database with one volunteer per language and a planned visit, then for
every language fetches the confirm link page N times (test client, one by one) and queues the confirmation mail
N times (rolled back), and prints pages/s and mails/s per language beside German.

    .venv/bin/python bench/i18n_pages.py [--n 300]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from begleitservice import create_app
from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.i18n import LANGUAGES
from begleitservice.mail import notices
from begleitservice.reference import ensure_reference_data
from bench.billing_bench import machine
from tests.factories import make_appointment, make_pairing, make_volunteer

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
logging.disable(logging.INFO)  # one log line per queued mail would be most of the time measured


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    print(machine(), "· load", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "x" * 32,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "NOW": NOW,
        }
    )
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        visits = {}
        for code in LANGUAGES:
            volunteer = make_volunteer(language=code)
            visit = make_appointment(pairing=make_pairing(volunteer=volunteer), on=date(2026, 12, 7))
            visits[code] = (visit.id, f"/link/bestaetigen/{make_token('confirm', visit.id, volunteer_id=volunteer.id)}")
        db.session.commit()
        client = app.test_client()
        print(f"{'language':8} {'pages/s':>8} {'mails/s':>8}  (n={args.n} each)")
        for code, (visit_id, path) in visits.items():
            client.get(path)  # warm: templates compiled, catalogue loaded
            start = time.perf_counter()
            for _ in range(args.n):
                assert client.get(path).status_code == 200
            pages = args.n / (time.perf_counter() - start)
            from begleitservice.models import Appointment

            visit = db.session.get(Appointment, visit_id)
            start = time.perf_counter()
            for _ in range(args.n):
                notices.confirmation_request(visit)
            mails = args.n / (time.perf_counter() - start)
            db.session.rollback()
            print(f"{code:8} {pages:8.0f} {mails:8.0f}")


if __name__ == "__main__":
    main()
