"""Signed, expiring, single-use links for setting a password (reset and invitation).

A token carries the user's id and a fingerprint of the password hash it was issued against. Setting a password
changes the hash (a new salt each time), so every link issued before stops working: single use without storing
tokens. The salt separates the two purposes; the age limit comes from the settings.
"""

import hashlib
import logging

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import User

log = logging.getLogger(__name__)

SALTS = {"reset": "begleitservice.passwort-zuruecksetzen", "invite": "begleitservice.einladung"}


class TokenError(Exception):
    """The link cannot be used; the message is German."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALTS[purpose])


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.id}:{user.password_hash}:{user.email}".encode()).hexdigest()[:32]


def max_age_seconds(purpose: str) -> int:
    """How long a link of ``purpose`` works (PASSWORD_RESET_MAX_AGE_MINUTES, INVITATION_MAX_AGE_DAYS)."""
    config = current_app.config
    if purpose == "reset":
        return config["PASSWORD_RESET_MAX_AGE_MINUTES"] * 60
    return config["INVITATION_MAX_AGE_DAYS"] * 24 * 3600


def make_token(purpose: str, user: User) -> str:
    """A link token for ``user`` that works until its password changes or the link is too old."""
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def load_user(purpose: str, token: str) -> User:
    """The active user a valid token is for; :class:`TokenError` for a used, expired, tampered or foreign link."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age_seconds(purpose))
    except SignatureExpired as error:
        raise TokenError(_("Der Link ist abgelaufen. Bitte fordern Sie einen neuen an.")) from error
    except BadData as error:
        raise TokenError(_("Der Link ist ungültig. Bitte prüfen Sie, ob er vollständig ist.")) from error
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.is_active or payload.get("f") != _fingerprint(user):
        log.info("%s link refused: used, for another state of the account, or for no active user", purpose)
        raise TokenError(_("Der Link wurde schon benutzt oder gilt nicht mehr. Bitte fordern Sie einen neuen an."))
    return user
