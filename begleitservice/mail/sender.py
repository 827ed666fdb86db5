"""Send the outbox through SMTP with Flask-Mail: claim, send one by one, record each outcome at once."""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_mail import Connection, Message

from .. import clock
from ..extensions import db, mail
from ..models import OutboxMessage, OutboxStatus
from .outbox import claim_due, record_failure, record_sent, still_mine

log = logging.getLogger(__name__)

SMTP_ERRORS = (OSError, smtplib.SMTPException)


@dataclass
class SendReport:
    """What one sender run did."""

    claimed: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} gesendet, {self.retry} später erneut, {self.failed} fehlgeschlagen"


class _Connection(Connection):
    """Flask-Mail's connection with a socket timeout, so a hanging server cannot block the scheduler."""

    def configure_host(self):
        timeout = current_app.config["MAIL_TIMEOUT_SECONDS"]
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _connection() -> _Connection:
    # The settings are read now, not at start-up: a changed MAIL_PORT applies to the next run.
    return _Connection(mail.init_mail(current_app.config, current_app.debug, current_app.testing))


def _message(row: OutboxMessage) -> Message:
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={"X-Begleitservice-Outbox-Id": str(row.id)},
    )
    message.msgId = row.message_id  # the same on every attempt: a resend after a crash is recognisable
    return message


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def send_pending(*, now: datetime | None = None) -> SendReport:
    """Send every due outbox mail once; SMTP errors leave it pending with backoff (commits per mail)."""
    # One clock for the whole run: the fixed ``now`` when given (tests, run-job --now), else the real time, read
    # afresh before each mail so a long batch keeps renewing its claim.
    current = clock.now if now is None else (lambda: now)
    now = current()
    token, claimed = claim_due(now=now, limit=current_app.config["OUTBOX_BATCH_SIZE"])
    report = SendReport(claimed=len(claimed))
    if not claimed:
        return report
    try:
        connection = _connection().__enter__()
    except SMTP_ERRORS as error:
        for row in claimed:
            record_failure(row, f"SMTP-Server nicht erreichbar: {error}", now=now)
            report.retry += row.status == OutboxStatus.PENDING
            report.failed += row.status == OutboxStatus.FAILED
        db.session.commit()
        log.warning("SMTP server unreachable, %d mails stay in the outbox: %s", len(claimed), error)
        return report
    try:
        for row in claimed:
            if not still_mine(row, token, now=current()):
                log.warning("mail %d was taken over by another sender; skipped", row.id)
                continue
            try:
                connection.send(_message(row))
            except SMTP_ERRORS as error:
                record_failure(row, str(error) or type(error).__name__, now=now, permanent=_is_permanent(error))
                report.retry += row.status == OutboxStatus.PENDING
                report.failed += row.status == OutboxStatus.FAILED
            else:
                record_sent(row, now=current())
                report.sent += 1
            db.session.commit()
    finally:
        try:
            connection.__exit__(None, None, None)
        except SMTP_ERRORS:
            log.debug("SMTP quit failed", exc_info=True)
    log.info("outbox: %s", report)
    return report
