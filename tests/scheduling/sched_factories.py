"""Factory helpers for the scheduling tests (plain data, no app)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, time

from scheduling.model import BERLIN, Appointment, Status
from scheduling.recurrence import Plan

_ids = itertools.count(1000)


def make_appointment(on: date, start: str = "10:00", end: str = "12:00", **fields) -> Appointment:
    """An appointment with sensible defaults; times as 'HH:MM'."""
    fields.setdefault("id", next(_ids))
    fields.setdefault("senior_label", "Frau M.")
    fields.setdefault("district", "Eving")
    fields.setdefault("volunteer_id", 1)
    fields.setdefault("senior_id", 10)
    return Appointment(on=on, start=time.fromisoformat(start), end=time.fromisoformat(end), **fields)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware timestamp given in Berlin wall-clock time, returned in UTC like the app stores it."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN).astimezone(UTC)


def apply_plan(appointments: list[Appointment], plan: Plan) -> list[Appointment]:
    """Apply a reconcile plan the way the app would, returning the new list."""
    deleted = {a.id for a in plan.delete}
    moved = {m.appointment.id: m for m in plan.update}
    result = []
    for appointment in appointments:
        if appointment.id in deleted:
            continue
        move = moved.get(appointment.id)
        if move is not None:
            appointment = replace(appointment, on=move.on, start=move.start, end=move.end)
        result.append(appointment)
    for occurrence in plan.create:
        result.append(Appointment(id=next(_ids), on=occurrence.on, start=occurrence.start, end=occurrence.end))
    return result


__all__ = ["Status", "apply_plan", "berlin", "make_appointment"]
