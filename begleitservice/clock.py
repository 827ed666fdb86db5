"""The app's one clock: "now" and "today" as the service sees them.

Tests move time with ``app.config["NOW"]`` (an aware datetime) and ``app.config["TODAY"]`` (a date or ISO string);
without them it is the real time, and today is the date in APP_TIMEZONE (Dortmund), not on the server's UTC.
Column defaults (created_at, …) use :func:`now` too. The pure packages (matching, scheduling, billing) never read
a clock: they take ``now``/``today`` as parameters.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    """``NOW`` from the config if set (an aware datetime), else the real time in UTC."""
    value = current_app.config["NOW"]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("NOW must be timezone-aware")
        return value
    return datetime.now(UTC)


def today() -> date:
    """``TODAY`` from the config if set, else the local date of :func:`now` in the app's time zone."""
    value = current_app.config["TODAY"]
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return now().astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"])).date()
