"""Waiting-time badges of the dashboard; ``today`` comes from the app's one clock (begleitservice.clock)."""

from ..clock import today

__all__ = ["age_class", "today"]

AGE_WARN_DAYS = 30
AGE_BAD_DAYS = 60


def age_class(days: int) -> str:
    """The badge class for a waiting time: ok, warn (> 30 days) or bad (> 60 days)."""
    if days > AGE_BAD_DAYS:
        return "bad"
    if days > AGE_WARN_DAYS:
        return "warn"
    return "ok"
