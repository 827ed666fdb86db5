"""The Pflegegrad history (PflegegradPeriod rows), kept in step when a senior's Pflegegrad changes."""

import logging
from datetime import date, timedelta

import sqlalchemy as sa

from billing.money import format_date

from ..extensions import db
from ..models import Senior
from ..models.budget import PflegegradPeriod
from .inputs import fallback_grade_start

log = logging.getLogger(__name__)


def periods_of(senior: Senior) -> list[PflegegradPeriod]:
    """The senior's Pflegegrad periods, oldest first."""
    if senior.id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(PflegegradPeriod)
            .where(PflegegradPeriod.senior_id == senior.id)
            .order_by(PflegegradPeriod.valid_from, PflegegradPeriod.id)
        )
    )


def grade_since_error(senior: Senior, since: date, *, today: date) -> str | None:
    """German message if a Pflegegrad change from ``since`` does not fit the history; None if it does."""
    if since > today:
        return "Das Datum „Pflegegrad seit“ liegt in der Zukunft."
    periods = periods_of(senior)
    if not periods:
        return None
    last = periods[-1]
    if last.valid_until is None and since < last.valid_from:
        return (
            f"Der bisherige Pflegegrad {last.grade} gilt seit {format_date(last.valid_from)}; "
            "der neue kann nicht früher beginnen."
        )
    if last.valid_until is not None and since <= last.valid_until:
        return f"Bis {format_date(last.valid_until)} ist schon ein Pflegegrad eingetragen; bitte ein späteres Datum."
    return None


def record_grade_change(senior: Senior, old: int | None, new: int | None, since: date) -> None:
    """Close the running period the day before ``since`` and open one for ``new`` (if any); flush."""
    periods = periods_of(senior)
    if not periods and old is not None:
        start = fallback_grade_start(senior)
        if start < since:
            periods = [PflegegradPeriod(senior=senior, grade=old, valid_from=start)]
            db.session.add(periods[0])
    for period in periods:
        if period.valid_until is not None:
            continue
        if period.valid_from >= since:  # a correction on the same day replaces the period
            db.session.delete(period)
        else:
            period.valid_until = since - timedelta(days=1)
    if new is not None:
        db.session.add(PflegegradPeriod(senior=senior, grade=new, valid_from=since))
    db.session.flush()
    log.info("senior %s: Pflegegrad %s → %s from %s", senior.id, old, new, since)
