"""A volunteer's iCalendar feed of visits (no health data, only 'Besuch bei Frau M. (Eving)')."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from scheduling.model import Appointment, Status, require_aware

if TYPE_CHECKING:
    import icalendar

log = logging.getLogger(__name__)

DEFAULT_DOMAIN = "begleitservice.dortmund.de"
PRODID = "-//Stadt Dortmund//Seniorenbegleitservice//DE"

ICAL_STATUS = {
    Status.GEPLANT: "TENTATIVE",
    Status.BESTAETIGT: "CONFIRMED",
    Status.STATTGEFUNDEN: "CONFIRMED",
    Status.ABGESAGT: "CANCELLED",
    Status.AUSGEFALLEN: "CANCELLED",
}


def event_uid(appointment: Appointment, *, domain: str = DEFAULT_DOMAIN) -> str:
    """Stable UID of an appointment's event: 'termin-42@domain'."""
    return f"termin-{appointment.id}@{domain}"


def event_summary(appointment: Appointment) -> str:
    """'Besuch bei Frau M. (Eving)', with 'abgesagt' appended for called-off visits."""
    text = f"Besuch bei {appointment.senior_label}" if appointment.senior_label else "Besuch"
    if appointment.district:
        text += f" ({appointment.district})"
    if appointment.is_cancelled:
        text += f" – {Status(appointment.status).label}"
    return text


def build_event(appointment: Appointment, *, now: datetime, domain: str = DEFAULT_DOMAIN) -> icalendar.Event:
    """One VEVENT with local Europe/Berlin times."""
    import icalendar  # on use: only the feed needs it

    event = icalendar.Event()
    event.add("uid", event_uid(appointment, domain=domain))
    event.add("dtstamp", require_aware(now).astimezone(UTC))
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", event_summary(appointment))
    event.add("status", ICAL_STATUS[Status(appointment.status)])
    if appointment.district:
        event.add("location", f"Dortmund-{appointment.district}")
    return event


def build_feed(
    appointments: Iterable[Appointment],
    *,
    now: datetime,
    domain: str = DEFAULT_DOMAIN,
    name: str = "Meine Besuche – Seniorenbegleitservice",
    since: date | None = None,
) -> bytes:
    """The whole feed as bytes (text/calendar), with VTIMEZONE for Europe/Berlin."""
    import icalendar  # on use: only the feed needs it

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Berlin")
    refresh = icalendar.vDuration(timedelta(hours=6))
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", refresh)
    chosen = sorted(
        (a for a in appointments if a.id is not None and (since is None or a.on >= since)),
        key=lambda a: (a.starts_at, str(a.id)),
    )
    for appointment in chosen:
        calendar.add_component(build_event(appointment, now=now, domain=domain))
    if chosen:
        # VTIMEZONE covering the feed's years only, placed before the events for picky clients.
        calendar.add_missing_timezones(
            first_date=date(chosen[0].on.year - 1, 1, 1), last_date=date(chosen[-1].on.year + 2, 1, 1)
        )
        calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    log.debug("iCal feed with %d events", len(chosen))
    return calendar.to_ical()
