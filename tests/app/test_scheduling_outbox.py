"""The outbox: written with the change, sent after the commit, retried with backoff, never twice."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.mail.outbox import queue_mail
from begleitservice.mail.sender import send_pending
from begleitservice.models import OutboxMessage
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    free_port,
    run,
    smtp_fixture,
)
from tests.factories import make_volunteer

NOW = berlin(2026, 12, 1, 9)


def queue(count: int, *, prefix: str = "ehrenamt") -> list[int]:
    """Queue ``count`` certificate reminders (one per new volunteer) and commit; their outbox ids."""
    ids = []
    for n in range(count):
        volunteer = make_volunteer(email=f"{prefix}{n}@example.org")
        ids.append(
            queue_mail(
                kind="certificate_reminder",
                to=volunteer.email,
                subject="Bitte neues Führungszeugnis vorlegen",
                template="certificate_reminder",
                volunteer=volunteer,
                detail="Test",
                years=5,
            ).id
        )
    db.session.commit()
    return ids


def statuses() -> dict[str, int]:
    """How many outbox rows are in each status."""
    return dict(
        db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    )


def test_smtp_down_for_an_hour_loses_nothing_and_sends_nothing_twice(app_ctx, smtp, clock):
    ids = queue(3)
    real_port = app_ctx.config["MAIL_PORT"]
    app_ctx.config["MAIL_PORT"] = free_port()  # nobody listens there: the server is "down"
    moment = clock(NOW)
    for _ in range(8):  # every ten minutes for more than an hour
        run("send_outbox")
        moment = clock(moment + timedelta(minutes=10))
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.status for r in rows] == ["pending"] * 3
    assert 1 < rows[0].attempts < app_ctx.config["OUTBOX_MAX_ATTEMPTS"]  # backoff: not every run tried
    assert "SMTP-Server nicht erreichbar" in rows[0].last_error
    assert smtp.messages == []

    app_ctx.config["MAIL_PORT"] = real_port  # the server is back
    clock(moment + timedelta(hours=1))
    run("send_outbox")
    run("send_outbox")
    assert statuses() == {"sent": 3}
    arrived = Counter(int(m["X-Begleitservice-Outbox-Id"]) for m in smtp.messages)
    assert arrived == Counter(ids)


def test_backoff_waits_before_the_next_attempt(app_ctx, smtp, clock):
    queue(1)
    real_port = app_ctx.config["MAIL_PORT"]
    app_ctx.config["MAIL_PORT"] = free_port()
    clock(NOW)
    run("send_outbox")
    row = db.session.scalar(sa.select(OutboxMessage))
    assert row.attempts == 1 and row.next_attempt_at == NOW + timedelta(seconds=60)
    app_ctx.config["MAIL_PORT"] = real_port
    clock(NOW + timedelta(seconds=30))
    run("send_outbox")
    assert smtp.messages == [] and statuses() == {"pending": 1}
    clock(NOW + timedelta(seconds=61))
    run("send_outbox")
    assert len(smtp.messages) == 1 and statuses() == {"sent": 1}


def test_a_rolled_back_change_sends_nothing(app_ctx, smtp, clock):
    queue(1)
    volunteer = make_volunteer()
    queue_mail(
        kind="x",
        to=volunteer.email,
        subject="nie",
        template="certificate_reminder",
        volunteer=volunteer,
        detail="",
        years=5,
    )
    db.session.rollback()
    clock(NOW)
    run("send_outbox")
    assert [m["Subject"] for m in smtp.messages] == ["Bitte neues Führungszeugnis vorlegen"]


def test_refused_recipient_fails_for_good_and_can_be_retried_from_the_page(app_ctx, smtp, clock, coordinator):
    smtp.refuse = {"unbekannt0@example.org"}
    queue(1, prefix="unbekannt")
    queue(1, prefix="bekannt")
    clock(NOW)
    run("send_outbox")
    assert statuses() == {"failed": 1, "sent": 1}
    page = coordinator.get("/termine/postausgang").get_data(as_text=True)
    assert "fehlgeschlagen" in page and "gesendet" in page and "unbekannt0@example.org" in page
    assert "Erneut senden" in page
    failed = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.status == "failed"))
    assert "550" in failed.last_error
    assert "unbekannt0@example.org" in coordinator.get("/termine/postausgang?status=failed").get_data(as_text=True)
    assert "unbekannt0" not in coordinator.get("/termine/postausgang?status=sent").get_data(as_text=True)

    smtp.refuse = set()
    coordinator.post(f"/termine/postausgang/{failed.id}/erneut")
    run("send_outbox")
    assert statuses() == {"sent": 2}


def test_a_dead_senders_claim_is_taken_over_after_the_timeout(app_ctx, smtp, clock):
    (message_id,) = queue(1)
    db.session.execute(
        sa.update(OutboxMessage).values(status="sending", claim="dead", claimed_at=NOW - timedelta(minutes=5))
    )
    db.session.commit()
    clock(NOW)
    run("send_outbox")
    assert smtp.messages == []  # it may still be sending
    clock(NOW + timedelta(minutes=20))
    run("send_outbox")
    assert [int(m["X-Begleitservice-Outbox-Id"]) for m in smtp.messages] == [message_id]


def test_two_senders_at_once_send_each_mail_exactly_once(app_ctx, smtp, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent claims are tested on PostgreSQL (SQLite serialises all writers)")
    monkeypatch.setitem(app_ctx.config, "OUTBOX_BATCH_SIZE", 3)
    ids = queue(40)
    start = threading.Barrier(3)
    errors = []

    def sender():
        try:
            with app_ctx.app_context():
                start.wait()
                while send_pending(now=NOW).claimed:
                    pass
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    arrived = Counter(int(m["X-Begleitservice-Outbox-Id"]) for m in smtp.messages)
    assert arrived == Counter(ids)  # each exactly once
    db.session.expire_all()
    assert statuses() == {"sent": 40}
