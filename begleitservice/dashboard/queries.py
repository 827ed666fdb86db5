"""Read-only queries for the start page's billing part (the coordinators' part is begleitservice.inbox)."""

from datetime import date, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Appointment,
    AppointmentStatus,
    Pairing,
    Senior,
    SeniorStatus,
)


def previous_month(today: date) -> tuple[date, date]:
    """First and last day of the month before ``today``'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def entlastung_last_month(today: date) -> dict:
    """Counts of "stattgefunden" Entlastung appointments last month, with and without actual minutes."""
    first, last = previous_month(today)
    row = db.session.execute(
        sa.select(
            sa.func.count(Appointment.actual_minutes),
            sa.func.count() - sa.func.count(Appointment.actual_minutes),
            sa.func.coalesce(sa.func.sum(Appointment.actual_minutes), 0),
        )
        .join(Appointment.pairing)
        .where(
            Pairing.service == "entlastung",
            Appointment.status == AppointmentStatus.STATTGEFUNDEN,
            Appointment.on.between(first, last),
        )
    ).one()
    return {"first": first, "last": last, "with_minutes": row[0], "without_minutes": row[1], "minutes": row[2]}


def seniors_missing_billing_data() -> list[Senior]:
    """Current seniors with a Pflegegrad whose KVNR or Pflegekasse is missing."""
    return db.session.scalars(
        sa.select(Senior)
        .where(
            Senior.status.in_(SeniorStatus.CURRENT),
            Senior.pflegegrad.is_not(None),
            sa.or_(Senior.kvnr.is_(None), Senior.pflegekasse_id.is_(None)),
        )
        .order_by(Senior.sort_name, Senior.id)
    ).all()
