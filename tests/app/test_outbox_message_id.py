"""Every outbox mail carries one Message-ID, made when it is queued: a resend after a crash has the same one."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.mail import sender
from begleitservice.mail.outbox import queue_mail
from begleitservice.mail.sender import send_pending
from begleitservice.models import OutboxMessage
from tests.app.test_scheduling_support import smtp_fixture  # noqa: F401 (fixture: a real SMTP server)
from tests.factories import make_volunteer

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)


def _queue() -> OutboxMessage:
    volunteer = make_volunteer()
    message = queue_mail(
        kind="certificate_reminder",
        to=volunteer.email,
        subject="Bitte neues Führungszeugnis vorlegen",
        template="certificate_reminder",
        volunteer=volunteer,
        detail="Test",
        years=5,
    )
    db.session.commit()
    return message


class Crash(BaseException):
    """The process dies right after the SMTP server took the mail, before the outbox noted it."""


def test_the_message_id_is_made_once_and_sent_as_is(app_ctx, smtp, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "MAIL_DEFAULT_SENDER", "Begleitservice <post@begleitservice.example>")
    message = _queue()
    assert message.message_id.startswith("<") and message.message_id.endswith("@begleitservice.example>")
    assert send_pending(now=NOW).sent == 1
    assert [m["Message-ID"].strip() for m in smtp.messages] == [message.message_id]


def test_a_resend_after_a_crash_carries_the_same_message_id(app_ctx, smtp, monkeypatch):
    message = _queue()
    with monkeypatch.context() as patch:
        patch.setattr(sender, "record_sent", lambda row, now: (_ for _ in ()).throw(Crash()))
        with pytest.raises(Crash):
            send_pending(now=NOW)
    db.session.rollback()
    assert len(smtp.messages) == 1
    assert db.session.scalar(sa.select(OutboxMessage.status)) == "sending"  # claimed, never recorded

    later = NOW + timedelta(seconds=app_ctx.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"] + 1)
    assert send_pending(now=later).sent == 1  # the stale claim is taken over and the mail sent again
    first, second = smtp.messages
    assert first["Message-ID"].strip() == second["Message-ID"].strip() == message.message_id
    assert first["X-Begleitservice-Outbox-Id"] == second["X-Begleitservice-Outbox-Id"]


def test_every_mail_has_its_own_message_id(app_ctx):
    queued = [_queue().message_id for _ in range(3)]
    direct = OutboxMessage(kind="x", recipient="a@b.de", subject="s", body_text="t")
    db.session.add(direct)
    db.session.flush()  # the column default for rows made without queue_mail
    assert len(set(queued) | {direct.message_id}) == 4 and direct.message_id.endswith("@localhost>")
