"""Today's date as the service sees it, overridable in tests through ``app.config["TODAY"]``."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

AGE_WARN_DAYS = 30
AGE_BAD_DAYS = 60


def today() -> date:
    """The local date in the app's time zone, or ``TODAY`` from the config (a date or ISO string)."""
    value = current_app.config.get("TODAY")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return datetime.now(ZoneInfo(current_app.config["APP_TIMEZONE"])).date()


def age_class(days: int) -> str:
    """The badge class for a waiting time: ok, warn (> 30 days) or bad (> 60 days)."""
    if days > AGE_BAD_DAYS:
        return "bad"
    if days > AGE_WARN_DAYS:
        return "warn"
    return "ok"
