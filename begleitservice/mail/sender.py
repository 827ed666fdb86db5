"""Send the outbox through SMTP with Flask-Mail: claim, send one by one, record each outcome at once."""

import logging
import re
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from flask import current_app
from flask_mail import Connection, Message

from .. import clock
from ..extensions import db, mail
from ..models import OutboxMessage, OutboxStatus
from ..provider.settings import Contact, coordination_contact
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


def _sender(contact: Contact) -> str:
    """MAIL_DEFAULT_SENDER, with the provider's name shown when the setting gives a bare address."""
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    # Flask-Mail re-encodes the name unquoted: brackets, commas and the like would turn into address syntax.
    shown = " ".join(re.sub(r'[()<>@,;:\\".\[\]]', " ", name or contact.name or "Seniorenbegleitservice").split())
    return formataddr((shown, address))


def _message(row: OutboxMessage, contact: Contact) -> Message:
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=_sender(contact),
        reply_to=contact.email or None,
        extra_headers={"X-Begleitservice-Outbox-Id": str(row.id)},
    )
    message.msgId = row.message_id  # the same on every attempt: a resend after a crash is recognisable
    return message


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def send_pending(*, now: datetime | None = None) -> SendReport:
    """Send due outbox mails, batch after batch, until none is due or the time budget is spent.

    SMTP errors leave a mail pending with backoff; each mail's outcome is committed at once. One SMTP connection
    serves the whole run, and the sent rows stay loaded (no expiry after each commit), so a wave of a thousand
    mails costs a constant amount per mail instead of growing with the batch.
    """
    # One clock for the whole run: the fixed ``now`` when given (tests, run-job --now), else the real time, read
    # afresh before each mail so a long batch keeps renewing its claim.
    current = clock.now if now is None else (lambda: now)
    config = current_app.config
    deadline = time.monotonic() + config["OUTBOX_TIME_BUDGET_SECONDS"]
    report = SendReport()
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    connection = None
    try:
        while True:
            token, claimed = claim_due(now=current(), limit=config["OUTBOX_BATCH_SIZE"])
            report.claimed += len(claimed)
            if not claimed:
                break
            if connection is None:
                try:
                    connection = _connection().__enter__()
                except SMTP_ERRORS as error:
                    _unreachable(claimed, error, now=current(), report=report)
                    break
            done = report.sent + report.retry + report.failed
            _send_batch(connection, claimed, token, current, report)
            progress = report.sent + report.retry + report.failed - done
            if len(claimed) < config["OUTBOX_BATCH_SIZE"] or not progress or time.monotonic() >= deadline:
                break
    finally:
        session.expire_on_commit = expire_on_commit
        if connection is not None:
            try:
                connection.__exit__(None, None, None)
            except SMTP_ERRORS:
                log.debug("SMTP quit failed", exc_info=True)
    if report.claimed:
        log.info("outbox: %s", report)
    return report


def _unreachable(claimed: list[OutboxMessage], error: Exception, *, now: datetime, report: SendReport) -> None:
    for row in claimed:
        record_failure(row, f"SMTP-Server nicht erreichbar: {error}", now=now)
        report.retry += row.status == OutboxStatus.PENDING
        report.failed += row.status == OutboxStatus.FAILED
    db.session.commit()
    log.warning("SMTP server unreachable, %d mails stay in the outbox: %s", len(claimed), error)


def _send_batch(connection, claimed: list[OutboxMessage], token: str, current, report: SendReport) -> None:
    contact = coordination_contact()
    # The claim is renewed (and checked) when half its timeout has passed: until then no other sender may take
    # these mails over, so renewing before every mail would only double the commits.
    renew_after = timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"] / 2)
    renewed = current()
    for row in claimed:
        if current() - renewed >= renew_after:
            if not still_mine(row, token, now=current()):
                log.warning("mail %d was taken over by another sender; skipped", row.id)
                continue
            renewed = current()
        try:
            connection.send(_message(row, contact))
        except SMTP_ERRORS as error:
            record_failure(row, str(error) or type(error).__name__, now=current(), permanent=_is_permanent(error))
            report.retry += row.status == OutboxStatus.PENDING
            report.failed += row.status == OutboxStatus.FAILED
        else:
            record_sent(row, now=current())
            report.sent += 1
        db.session.commit()
