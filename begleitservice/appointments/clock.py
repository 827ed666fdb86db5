"""The app's clock, as the appointments code has always imported it (see begleitservice.clock)."""

from ..clock import now

__all__ = ["now"]
