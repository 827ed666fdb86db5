"""The current moment for appointments, links and jobs; tests set ``app.config["NOW"]`` (aware) to move it."""

from datetime import datetime

from flask import current_app

from ..models import utcnow


def now() -> datetime:
    """``NOW`` from the config if set (an aware datetime), else the real time in UTC."""
    value = current_app.config.get("NOW")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("NOW must be timezone-aware")
        return value
    return utcnow()
