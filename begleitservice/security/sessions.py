"""Sessions that can be ended: a version number per user, checked on every request, and an idle timeout.

The session cookie carries the user's ``session_version`` from the moment of login. Logging out, a new password,
deactivation and a role change raise the number (the latter three by themselves, whichever view or command
makes them), so every copy of every earlier cookie of that user stops working at once. A session unused for
SESSION_IDLE_MINUTES ends as well.
"""

import logging

import sqlalchemy as sa
from flask import Flask, current_app, flash, session
from flask_login import user_logged_in
from sqlalchemy.orm import Session

from .. import clock
from ..extensions import db
from ..models import User

log = logging.getLogger(__name__)

VERSION, SEEN = "_sv", "_seen"
# A change of any of these ends the user's sessions.
REVOKING = ("password_hash", "role", "is_active")
IDLE = "Sie wurden nach {minutes} Minuten ohne Aktivität abgemeldet. Bitte melden Sie sich erneut an."
SEEN_EVERY_SECONDS = 60  # the cookie is rewritten at most once a minute, not on every request


def end_sessions(user: User) -> None:
    """End every session of ``user`` (flush by the caller's unit of work)."""
    user.session_version = (user.session_version or 0) + 1


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user of this session, if it is active, current and not idle."""
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or session.get(VERSION) != user.session_version:
        if user is not None:
            log.info("ended session of user %d refused", user.id)
        session.clear()
        return None
    now, seen = clock.now().timestamp(), session.get(SEEN)
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    if not isinstance(seen, int | float) or now - seen > idle:
        log.info("idle session of user %d ended", user.id)
        session.clear()
        flash(IDLE.format(minutes=current_app.config["SESSION_IDLE_MINUTES"]), "info")
        return None
    if not 0 <= now - seen < SEEN_EVERY_SECONDS:
        session[SEEN] = now
    return user


def _start(app: Flask, user: User) -> None:
    """A login starts a session of the user's current version (any login_user call, password or second factor)."""
    session[VERSION] = user.session_version
    session[SEEN] = clock.now().timestamp()


def _changed(user: User, name: str) -> bool:
    history = sa.inspect(user).attrs[name].history
    if not history.added:
        return False
    return not history.deleted or history.deleted[0] != history.added[0]  # old value unknown: count as changed


@sa.event.listens_for(Session, "before_flush")
def _end_sessions_on_change(session_, flush_context, instances) -> None:
    """A changed password, role or active flag ends the user's sessions, whoever made the change."""
    for user in session_.dirty:
        if isinstance(user, User) and any(_changed(user, name) for name in REVOKING):
            end_sessions(user)


def register_sessions(app: Flask) -> None:
    """Note the version at each login."""
    user_logged_in.connect(_start, app)
