"""The audit trail: ``audit.record(...)`` for events by hand; models in ``trail.REGISTRY`` are audited on flush."""

from flask import Flask

from .operations import forget_person, purge, record
from .trail import register


def init_app(app: Flask) -> None:
    """Record every download and every login attempt of ``app``."""
    from ..security.logins import login_recorded
    from .views import record_downloads, record_login

    record_downloads(app)
    login_recorded.connect(record_login, app)


__all__ = ["forget_person", "init_app", "purge", "record", "register"]
