"""A wave of mails leaves in one sender run: batch after batch while mail is due, at a constant cost per mail."""

import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.mail.sender import send_pending
from begleitservice.models import OutboxMessage
from tests.app.test_scheduling_outbox import NOW, statuses
from tests.app.test_scheduling_support import clock_fixture, smtp_fixture  # noqa: F401 (fixtures)


def _wave(count: int, start: int = 0) -> None:
    """``count`` due mails (plain rows: the sender is under test, not the templates)."""
    db.session.add_all(
        OutboxMessage(
            kind="test",
            recipient=f"welle{n}@example.org",
            subject=f"Welle {n}",
            body_text="Guten Tag",
            next_attempt_at=NOW,
            created_at=NOW,
        )
        for n in range(start, start + count)
    )
    db.session.commit()


def _statements_to_send(app) -> tuple[int, str]:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        report = send_pending(now=NOW)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen), str(report)


def test_one_run_sends_every_due_batch_at_a_constant_cost_per_mail(app_ctx, smtp, clock, monkeypatch):
    clock(NOW)
    monkeypatch.setitem(app_ctx.config, "OUTBOX_BATCH_SIZE", 10)
    _wave(15)
    small, report = _statements_to_send(app_ctx)
    assert report == "15 gesendet, 0 später erneut, 0 fehlgeschlagen"
    _wave(60, start=15)
    large, report = _statements_to_send(app_ctx)
    assert report == "60 gesendet, 0 später erneut, 0 fehlgeschlagen"  # six batches in one run, not one a minute
    assert len(smtp.messages) == 75 and len({m["Message-ID"] for m in smtp.messages}) == 75
    assert statuses() == {"sent": 75}
    per_mail = (large - small) / 45
    assert per_mail <= 3  # renew the claim, record the outcome (+ the claim, once per batch): nothing reloaded


def test_a_run_stops_at_its_time_budget_and_the_next_one_goes_on(app_ctx, smtp, clock, monkeypatch):
    clock(NOW)
    monkeypatch.setitem(app_ctx.config, "OUTBOX_BATCH_SIZE", 10)
    monkeypatch.setitem(app_ctx.config, "OUTBOX_TIME_BUDGET_SECONDS", 0)  # spent after the first batch
    _wave(25)
    assert str(send_pending(now=NOW)) == "10 gesendet, 0 später erneut, 0 fehlgeschlagen"
    assert str(send_pending(now=NOW)) == "10 gesendet, 0 später erneut, 0 fehlgeschlagen"
    assert str(send_pending(now=NOW)) == "5 gesendet, 0 später erneut, 0 fehlgeschlagen"
    assert statuses() == {"sent": 25}
