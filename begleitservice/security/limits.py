"""Rate limits per client address (Flask-Limiter) on the routes that take secrets: login, password reset, links.

A view opts in with ``@rate_limited("LOGIN_RATE_LIMIT")`` (the name of the setting that holds the limit); the app
factory binds one limiter per app to every marked view, so each app (and each test's app) has its own storage.
Views that share a setting share one budget per address: all volunteer links count together.
"""

import logging

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

MARK = "_begleitservice_rate_limit"
TOO_MANY_REQUESTS = (
    "Zu viele Anfragen in kurzer Zeit. Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal."
)


def rate_limited(setting: str, *, methods: tuple[str, ...] = ("POST",)):
    """Mark a view: the limit in ``app.config[setting]`` applies to its ``methods``, per client address."""

    def mark(view):
        setattr(view, MARK, (setting, methods))
        return view

    return mark


def register_limits(app: Flask) -> None:
    """One limiter for ``app`` on every marked view, and the lockout counter on the same kind of storage."""
    limiter = Limiter(get_remote_address)  # reads RATELIMIT_ENABLED, _STORAGE_URI, _KEY_PREFIX, _HEADERS_ENABLED
    limiter.init_app(app)
    app.extensions["begleitservice.limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()) if limiter.enabled else ():
        if (marked := getattr(view, MARK, None)) is None:
            continue
        setting, methods = marked
        app.view_functions[endpoint] = limiter.shared_limit(
            lambda setting=setting: current_app.config[setting],
            scope=setting.lower(),
            methods=list(methods),
            error_message=TOO_MANY_REQUESTS,
        )(view)
    # The lockout counts failed logins per e-mail in a moving window, also when the limits are switched off;
    # while the shared storage (Redis) is unreachable, each process counts in memory instead of refusing logins.
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["begleitservice.lockout"] = LockoutCounter(
        MovingWindowRateLimiter(storage), MovingWindowRateLimiter(MemoryStorage())
    )
    if app.config["PRODUCTION"] and app.config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        log.warning("RATELIMIT_STORAGE_URI is not set: each worker process counts rate limits and lockouts alone")


class LockoutCounter:
    """Failed logins per key in the shared storage, or in this process's memory while that storage fails."""

    def __init__(self, shared: MovingWindowRateLimiter, local: MovingWindowRateLimiter):
        self.shared, self.local = shared, local

    def _call(self, operation: str, *args):
        try:
            return getattr(self.shared, operation)(*args)
        except Exception:  # redis' connection errors and whatever else the storage raises
            log.exception("rate limit storage unreachable: counting failed logins in this process")
            return getattr(self.local, operation)(*args)

    def test(self, limit, *key) -> bool:
        return self._call("test", limit, *key)

    def hit(self, limit, *key) -> bool:
        return self._call("hit", limit, *key)

    def clear(self, limit, *key) -> None:
        self._call("clear", limit, *key)


def lockout_counter() -> LockoutCounter:
    """The counter of failed logins of the current app."""
    return current_app.extensions["begleitservice.lockout"]


def lockout_limit():
    """``LOGIN_LOCKOUT_FAILURES`` per ``LOGIN_LOCKOUT_MINUTES`` as a limit item."""
    config = current_app.config
    return parse(f"{config['LOGIN_LOCKOUT_FAILURES']}/{config['LOGIN_LOCKOUT_MINUTES']} minutes")
