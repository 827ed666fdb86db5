"""Account operations: passwords by policy, reset and invitation mails (flush only; the caller commits)."""

import logging

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from .. import audit
from ..appointments.links.tokens import external_url
from ..extensions import db
from ..mail.outbox import queue_mail
from ..models import User
from .passwords import password_problem
from .tokens import make_token, max_age_seconds

log = logging.getLogger(__name__)


class PasswordError(ValueError):
    """The password cannot be used; the message is German."""


def set_new_password(user: User, password: str, *, repeat: str | None = None, how: str) -> None:
    """Set ``user``'s password if the policy allows it (and it was typed the same twice); record how (flush)."""
    if repeat is not None and password != repeat:
        raise PasswordError(_("Die beiden Eingaben stimmen nicht überein."))
    if problem := password_problem(password, email=user.email):
        raise PasswordError(problem)
    user.set_password(password)
    db.session.flush()
    audit.record("password", user, detail=how)


def request_reset(email: str) -> bool:
    """Queue a reset link for the active account with ``email``; False (and no mail) when there is none.
    The caller answers the same either way."""
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.is_active:
        audit.record("password", entity="user", label=email, detail="Zurücksetzen für unbekannte Adresse angefragt")
        return False
    minutes = max_age_seconds("reset") // 60
    queue_mail(
        kind="password_reset",
        to=user.email,
        subject="Passwort zurücksetzen – Seniorenbegleitservice",
        template="password_reset",
        user=user,
        url=external_url("auth.reset_password", token=make_token("reset", user)),
        minutes=minutes,
    )
    audit.record("password", user, detail="Link zum Zurücksetzen verschickt")
    return True


def invite(user: User) -> None:
    """Queue the invitation mail with which a new user sets their own password (flush)."""
    queue_mail(
        kind="invitation",
        to=user.email,
        subject="Ihr Zugang zum Seniorenbegleitservice",
        template="invitation",
        user=user,
        url=external_url("auth.accept_invitation", token=make_token("invite", user)),
        days=current_app.config["INVITATION_MAX_AGE_DAYS"],
    )
    audit.record("password", user, detail="Einladung verschickt")
