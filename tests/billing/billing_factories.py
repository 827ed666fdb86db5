"""Factories for the pure billing inputs: sensible defaults, override what the test is about."""

from datetime import time
from decimal import Decimal

from billing.lines import Appointment, Service


def D(text):
    return Decimal(text)


def make_appointment(
    ref, day, *, minutes=60, start=time(10, 0), senior_ref="s1", service=Service.ENTLASTUNG, **kw
):
    """An Entlastung appointment that took place, ``minutes`` long from ``start``."""
    end_minutes = start.hour * 60 + start.minute + (minutes or 0)
    values = dict(
        ref=str(ref),
        senior_ref=senior_ref,
        day=day,
        start=start,
        end=time(end_minutes // 60 % 24, end_minutes % 60),
        volunteer_ref="v1",
        volunteer_name="Jürgen Schäfer",
        service=service,
        minutes=minutes,
    )
    values.update(kw)
    return Appointment(**values)
