"""Outbox operations: queue a mail (flush only), claim due mails for one sender, record the outcome."""

import logging
import uuid
from datetime import datetime, timedelta
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app, render_template

from .. import clock
from ..extensions import db
from ..models import NotificationMarker, OutboxMessage, OutboxStatus
from ..models.scheduling import new_message_id

log = logging.getLogger(__name__)


def queue_mail(*, kind: str, to: str | None, subject: str, template: str, **context) -> OutboxMessage | None:
    """Render ``templates/email/<template>.txt`` and ``.html`` into an outbox row; flush, never commit.

    Without an address (a volunteer who only uses the phone) nothing is queued: no row that could only fail."""
    if not to:
        log.info("no %s mail: recipient has no e-mail address", kind)
        return None
    message = OutboxMessage(
        kind=kind,
        recipient=to,
        subject=subject,
        body_text=render_template(f"email/{template}.txt", **context) + render_template("email/_contact.txt"),
        body_html=render_template(f"email/{template}.html", **context),
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
        message_id=new_message_id(_sender_domain()),
    )
    db.session.add(message)
    db.session.flush()
    log.info("queued %s mail %d to %s", kind, message.id, to)
    return message


def _sender_domain() -> str:
    """The domain of MAIL_DEFAULT_SENDER, for Message-IDs (they name the sender's domain, RFC 5322)."""
    _name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return address.rpartition("@")[2] or "localhost"


def sent_keys(keys) -> set[str]:
    """Which of these "already sent" keys are recorded."""
    keys = list(keys)
    if not keys:
        return set()
    return set(db.session.scalars(sa.select(NotificationMarker.key).where(NotificationMarker.key.in_(keys))))


def mark_sent(key: str, *, appointment_id: int | None = None) -> None:
    """Record that the notification ``key`` is queued (the unique key stops a second, concurrent run)."""
    db.session.add(NotificationMarker(key=key, appointment_id=appointment_id))
    db.session.flush()


def forget_markers(appointment_id: int) -> None:
    """Drop an appointment's markers (it moved or is deleted: its notifications are due afresh)."""
    db.session.execute(sa.delete(NotificationMarker).where(NotificationMarker.appointment_id == appointment_id))


def _due(now: datetime, stale_before: datetime):
    return sa.or_(
        sa.and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        # A sender that died mid-batch left its claim behind: take it over after the timeout.
        sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale_before),
    )


def claim_due(*, now: datetime, limit: int) -> tuple[str, list[OutboxMessage]]:
    """Claim up to ``limit`` due mails for this sender and commit, so no other sender takes them.

    The claim is an UPDATE … WHERE status is still claimable of the ids picked first; on PostgreSQL they are picked with
    FOR UPDATE SKIP LOCKED, so two senders at once get disjoint sets instead of waiting for each other.
    """
    token = uuid.uuid4().hex
    stale_before = now - timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    candidates = sa.select(OutboxMessage.id).where(_due(now, stale_before)).order_by(OutboxMessage.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # Two statements in one transaction: as a subquery of the UPDATE, PostgreSQL may run the LIMIT … SKIP LOCKED
    # select more than once and claim every due mail instead of one batch.
    ids = db.session.scalars(candidates).all()
    if not ids:
        db.session.commit()
        return token, []
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), _due(now, stale_before))
        .values(status=OutboxStatus.SENDING, claim=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    claimed = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.claim == token).order_by(OutboxMessage.id)
    ).all()
    return token, list(claimed)


def still_mine(message: OutboxMessage, token: str, *, now: datetime) -> bool:
    """Renew this sender's claim right before sending; False if another sender has taken the mail over."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id, OutboxMessage.claim == token, OutboxMessage.status == OutboxStatus.SENDING
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def record_sent(message: OutboxMessage, *, now: datetime) -> None:
    """The SMTP server accepted the mail."""
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.attempts += 1
    message.claim = None
    message.last_error = None


def record_failure(message: OutboxMessage, error: str, *, now: datetime, permanent: bool = False) -> None:
    """Sending failed: try again later with exponential backoff, or give up after the last attempt."""
    config = current_app.config
    message.attempts += 1
    message.claim = None
    message.last_error = error[:500]
    if permanent or message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        log.error(
            "mail %d to %s failed for good after %d attempts: %s",
            message.id,
            message.recipient,
            message.attempts,
            error,
        )
        return
    delay = min(config["OUTBOX_BACKOFF_SECONDS"] * 2 ** (message.attempts - 1), config["OUTBOX_BACKOFF_MAX_SECONDS"])
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = now + timedelta(seconds=delay)
    log.warning(
        "mail %d to %s not sent (attempt %d), retry in %d s: %s",
        message.id,
        message.recipient,
        message.attempts,
        delay,
        error,
    )


def retry_now(message: OutboxMessage, *, now: datetime) -> None:
    """A coordinator asks to try a failed mail again: pending, due now, attempts start afresh."""
    if message.status != OutboxStatus.FAILED:
        return
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    db.session.flush()
