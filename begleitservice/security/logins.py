"""Checking a login: the same work for every e-mail, a temporary lockout after repeated failures, one record.

Known and unknown e-mails, inactive and locked accounts all cost exactly one password hash check, so the answer
time tells nothing about which addresses exist. The lockout counts failures per e-mail (hashed, known or not) in a
moving window and refuses even the right password until the window has passed.
"""

import hashlib
import logging
import secrets
from functools import cache

from blinker import Namespace
from flask import current_app, request

from ..models import User
from .limits import lockout_counter, lockout_limit

log = logging.getLogger(__name__)

WRONG = "E-Mail oder Passwort ist falsch."
LOCKED = (
    "Zu viele fehlgeschlagene Anmeldeversuche. Die Anmeldung für dieses Konto ist vorübergehend gesperrt; "
    "bitte versuchen Sie es in {minutes} Minuten noch einmal oder wenden Sie sich an die Administration."
)

signals = Namespace()
#: Sent after every login attempt: ``login_recorded.send(app, email=…, user=…, success=…, reason=…)``; the audit
#: trail connects here. ``reason`` is "ok", "wrong" (password, unknown e-mail, inactive account) or "locked".
login_recorded = signals.signal("login-recorded")


@cache
def _stand_in() -> User:
    """A user that exists nowhere, with a hash made the way real ones are: checked in place of unknown e-mails."""
    user = User()
    user.set_password(secrets.token_urlsafe(24))
    return user


def _lockout_key(email: str) -> tuple[str, str]:
    digest = hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]  # no addresses in the counter's storage
    return current_app.config["RATELIMIT_KEY_PREFIX"], f"login-failures:{digest}"


def check_login(email: str, user: User | None, password: str) -> str | None:
    """None when ``user`` may log in with ``password``; else the German message to show. Records the attempt."""
    counter, limit, key = lockout_counter(), lockout_limit(), _lockout_key(email)
    locked = not counter.test(limit, *key)
    matches = (user or _stand_in()).check_password(password)  # always exactly one hash check
    if locked:
        record_login(email=email, user=user, success=False, reason="locked")
        return LOCKED.format(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    if not matches or user is None or not user.is_active:
        counter.hit(limit, *key)
        record_login(email=email, user=user, success=False, reason="wrong")
        if not counter.test(limit, *key):
            return LOCKED.format(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
        return WRONG
    counter.clear(limit, *key)
    record_login(email=email, user=user, success=True, reason="ok")
    return None


def record_login(*, email: str, user: User | None, success: bool, reason: str) -> None:
    """Log the attempt (user id, not the address typed) and tell the listeners (the audit trail)."""
    who = f"user {user.id}" if user is not None else "an unknown e-mail"
    if success:
        log.info("login of %s from %s", who, request.remote_addr)
    else:
        log.warning("failed login (%s) for %s from %s", reason, who, request.remote_addr)
    login_recorded.send(current_app._get_current_object(), email=email, user=user, success=success, reason=reason)
