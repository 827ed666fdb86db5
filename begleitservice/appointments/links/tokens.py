"""Signed, expiring, single-purpose link tokens (itsdangerous, one salt per purpose) and external URLs."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from ... import clock

log = logging.getLogger(__name__)

SALTS = {
    "confirm": "begleitservice.termin-bestaetigen",
    "decline": "begleitservice.termin-absagen",
    "report": "begleitservice.stunden-melden",
    "cover": "begleitservice.vertretung-uebernehmen",
    "area": "begleitservice.mein-bereich",
}
ENDPOINTS = {"confirm": "links.confirm", "decline": "links.decline", "report": "links.report", "cover": "links.cover"}


class LinkError(Exception):
    """The link cannot be used: ``reason`` is 'expired' or 'invalid' (tampered, foreign purpose, garbage)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Link:
    """What a valid token says: for which purpose, which appointment, and its single-use nonce.

    For the purpose "cover" the id is that of the CoverOffer (one link per offered volunteer), not the appointment's.
    """

    purpose: str
    appointment_id: int
    nonce: str
    volunteer_id: int | None = None  # whom the link was sent to (links issued before this field: None)


def _serializer(purpose: str, at: datetime | None = None) -> URLSafeTimedSerializer:
    signer = TimestampSigner
    if at is not None:  # a fixed clock: tokens issued "as of" a moment, and age checks in tests
        signer = type("FixedClockSigner", (TimestampSigner,), {"get_timestamp": lambda self: int(at.timestamp())})
    # Links signed with a key in LINK_KEY_FALLBACKS still open (mailed before a rotation); new ones use SECRET_KEY.
    keys = [*current_app.config["LINK_KEY_FALLBACKS"], current_app.config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=SALTS[purpose], signer=signer)


def make_token(
    purpose: str, appointment_id: int, *, volunteer_id: int | None = None, issued_at: datetime | None = None
) -> str:
    """A fresh token for one purpose and appointment (and the volunteer it is sent to), with its own nonce."""
    payload = {"a": appointment_id, "n": secrets.token_hex(16)}
    if volunteer_id is not None:
        payload["v"] = volunteer_id
    return _serializer(purpose, issued_at).dumps(payload)


def load_token(purpose: str, token: str, *, now: datetime | None = None) -> Link:
    """Check signature, purpose (salt) and age; raise :class:`LinkError` when the link cannot be used."""
    max_age = current_app.config["LINK_MAX_AGE_DAYS"] * 24 * 3600
    try:
        payload = _serializer(purpose, now).loads(token, max_age=max_age)
    except SignatureExpired as error:
        log.info("expired %s link", purpose)
        raise LinkError("expired") from error
    except BadData as error:
        log.info("invalid %s link", purpose)
        raise LinkError("invalid") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int) or not isinstance(payload.get("n"), str):
        raise LinkError("invalid")
    volunteer_id = payload.get("v")
    return Link(purpose, payload["a"], payload["n"], volunteer_id if isinstance(volunteer_id, int) else None)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL under BASE_URL, built without a request (jobs and the scheduler have none)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def link_url(purpose: str, appointment_id: int, *, volunteer_id: int | None = None) -> str:
    """The absolute URL of a fresh link for ``purpose`` (for "cover": pass the CoverOffer's id)."""
    token = make_token(purpose, appointment_id, volunteer_id=volunteer_id, issued_at=clock.now())
    return external_url(ENDPOINTS[purpose], token=token)


def make_area_token(volunteer, *, issued_at: datetime | None = None) -> str:
    """A token for the volunteer's "Mein Bereich": their id and current link version (no nonce: it is reused)."""
    return _serializer("area", issued_at).dumps({"v": volunteer.id, "k": volunteer.link_version})


def load_area_token(token: str, *, now: datetime | None = None) -> tuple[int, int]:
    """(volunteer id, link version) of a "Mein Bereich" token; raise :class:`LinkError` when it cannot be used.

    The caller compares the version with the volunteer's: after "Link sperren" an older link is "invalid"."""
    max_age = current_app.config["MEIN_BEREICH_MAX_AGE_DAYS"] * 24 * 3600
    try:
        payload = _serializer("area", now).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkError("expired") from error
    except BadData as error:
        log.info("invalid area link")
        raise LinkError("invalid") from error
    if not isinstance(payload, dict) or not all(type(payload.get(k)) is int for k in ("v", "k")):
        raise LinkError("invalid")
    return payload["v"], payload["k"]


def area_owner(token: str) -> int | None:
    """The volunteer a "Mein Bereich" token was signed for, whatever its age or version (None: not ours): whom a
    fresh link may be mailed to from an expired or blocked one – it goes to their own address only."""
    try:
        payload = _serializer("area").loads(token)
    except BadData:
        return None
    volunteer_id = payload.get("v") if isinstance(payload, dict) else None
    return volunteer_id if type(volunteer_id) is int else None


def area_url(volunteer) -> str:
    """The absolute URL of a fresh "Mein Bereich" link for the volunteer."""
    return external_url("area.home", token=make_area_token(volunteer, issued_at=clock.now()))
