"""Shared helpers for the app-side scheduling tests (a real SMTP server, a settable clock, links from mails),
plus the tests of the mails' content."""

import email
import re
import socket
import threading
from datetime import UTC, date, datetime
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

from begleitservice.extensions import db
from begleitservice.jobs.jobs import run_job
from scheduling.model import BERLIN
from tests.factories import make_pairing, make_senior, make_volunteer

LINK = re.compile(r"https?://\S+?/(?:link/(?:bestaetigen|absagen|stunden)/\S+|termine/\S*)")


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC timestamp given in Berlin wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every arrived message."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.refuse: set[str] = set()  # recipients answered with "550 no such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Unbekannter Empfänger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """Messages for one recipient."""
        return [m for m in self.messages if address in m["To"]]


def text_of(message) -> str:
    """The plain-text body of a mail."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    """The HTML body of a mail."""
    return message.get_body(preferencelist=("html",)).get_content()


def link_path(message, kind: str) -> str:
    """The path of the first link of a kind ('bestaetigen', 'absagen', 'stunden') in the mail's text."""
    for url in LINK.findall(text_of(message)):
        if f"/link/{kind}/" in url:
            return urlsplit(url).path
    raise AssertionError(f"no {kind} link in: {text_of(message)}")


@pytest.fixture(name="smtp")
def smtp_fixture(app_ctx):
    """A real SMTP server on localhost at a random port; the app sends there. Yields the inbox."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    old = {key: app_ctx.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    app_ctx.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield inbox
    finally:
        controller.stop()
        app_ctx.config.update(old)


@pytest.fixture(name="clock")
def clock_fixture(app_ctx, monkeypatch):
    """Set the app's current moment: ``clock(berlin(2026, 11, 30, 8))``."""

    def set_now(moment: datetime) -> datetime:
        monkeypatch.setitem(app_ctx.config, "NOW", moment)
        return moment

    return set_now


def weekly_pairing(*, starts_on: date = date(2026, 11, 2), slots=((0, 10 * 60, 120),), **kw):
    """A Monday 10–12 pairing of a volunteer with a senior with Pflegegrad and dementia (health data!)."""
    volunteer = kw.pop("volunteer", None) or make_volunteer(first_name="Erika", offers_entlastung=True)
    senior = kw.pop("senior", None) or make_senior(
        first_name="Hildegard", last_name="Beispiel", pflegegrad=3, has_dementia=True, care_notes="Demenz, Pflegegrad 3"
    )
    return make_pairing(volunteer=volunteer, senior=senior, starts_on=starts_on, slots=slots, **kw)


def run(name: str) -> str:
    """Run a job once, as the CLI would."""
    result = run_job(name)
    db.session.expire_all()
    return result


# --- the mails themselves ------------------------------------------------------------------------------------


def test_every_mail_is_german_text_and_html_without_health_data(app_ctx, smtp, clock):
    pairing = weekly_pairing(starts_on=date(2026, 12, 7))
    clock(berlin(2026, 11, 30, 8))  # the pairing is new, the visit on Monday 7 December is 7 days ahead
    pairing.created_at = berlin(2026, 11, 29, 12)
    db.session.commit()
    run("roll_horizon")
    run("confirmation_requests")
    clock(berlin(2026, 12, 6, 9))
    run("reminders")
    clock(berlin(2026, 12, 7, 13))
    run("hours_requests")
    run("send_outbox")
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == [
        "Bitte bestätigen: Besuch am 07.12.2026",
        "Erinnerung: Besuch am 07.12.2026",
        "Ihre neue Begleitung in Eving",
        "Wie war der Besuch am 07.12.2026?",
    ]
    intro = next(m for m in smtp.messages if m["Subject"].startswith("Ihre neue"))
    assert "Sie besuchen Hildegard im Stadtbezirk Eving" in text_of(intro)
    assert "wöchentlich montags 10:00–12:00 Uhr, ab 07.12.2026" in text_of(intro)
    for message in smtp.messages:
        for body in (text_of(message), html_of(message)):
            assert "Guten Tag Erika" in body
            assert "Montag, 07.12.2026, 10:00–12:00 Uhr" in body or message is intro
            for forbidden in ("Pflegegrad", "Demenz", "Beispiel", "Evinger Straße"):
                assert forbidden not in body
