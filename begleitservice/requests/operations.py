"""State changes of Vermittlungsanfragen: saving, status moves with history (used by views, matching, CLI)."""

import logging
from datetime import date

from ..extensions import db
from ..inputs import date_error
from ..models import (
    REQUEST_STATUSES,
    SERVICES,
    Request,
    RequestStatus,
    RequestStatusChange,
    RequestWindow,
    Senior,
    User,
)
from ..models.base import join_list, split_list
from ..rules import senior_service_error

log = logging.getLogger(__name__)

# Where a request may go from each status. "offen → vermittelt" covers a placement made without a proposal,
# "vorgeschlagen → offen" a proposal the senior or volunteer turned down.
TRANSITIONS = {
    RequestStatus.OFFEN: (RequestStatus.VORGESCHLAGEN, RequestStatus.VERMITTELT, RequestStatus.ZURUECKGEZOGEN),
    RequestStatus.VORGESCHLAGEN: (RequestStatus.VERMITTELT, RequestStatus.OFFEN, RequestStatus.ZURUECKGEZOGEN),
    RequestStatus.VERMITTELT: (RequestStatus.ABGESCHLOSSEN,),
    RequestStatus.ABGESCHLOSSEN: (),
    RequestStatus.ZURUECKGEZOGEN: (),
}


class RequestError(ValueError):
    """A request cannot be saved or moved; the message is German and names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def allowed_statuses(request: Request) -> list[str]:
    """The statuses a request may move to from its current one."""
    return list(TRANSITIONS.get(request.status, ()))


def save_request(
    request: Request,
    *,
    senior: Senior,
    service: str,
    visits_per_week: int,
    minutes_per_visit: int,
    windows: list[tuple[int, int, int]],
    languages: str | None,
    volunteer_gender: str | None,
    urgency: int,
    received_on: date,
    source: str | None,
    notes: str | None,
    user: User | None,
) -> Request:
    """Set a request's fields and windows and flush; a new request starts "offen" with a history row."""
    if senior.restricted_at is not None:
        raise RequestError("senior_id", "Diese Person ist gesperrt (DSGVO) und wird nicht mehr bearbeitet.")
    if service not in SERVICES:
        raise RequestError("service", "Bitte wählen Sie ein Angebot.")
    if message := senior_service_error(service, senior):
        raise RequestError("service", message)
    if not windows:
        raise RequestError("windows", "Bitte geben Sie mindestens ein Zeitfenster an.")
    if message := date_error(received_on, "plan"):
        raise RequestError("received_on", message)
    request.senior = senior
    request.service = service
    request.visits_per_week = visits_per_week
    request.minutes_per_visit = minutes_per_visit
    request.languages = join_list(split_list(languages))  # "" when any language will do (the column is NOT NULL)
    request.volunteer_gender = volunteer_gender or None
    request.urgency = urgency
    request.received_on = received_on
    request.source = source or None
    request.notes = (notes or "").strip() or None
    request.windows = [RequestWindow(weekday=d, start_minute=s, end_minute=e) for d, s, e in windows]
    if request.id is None:
        request.status = RequestStatus.OFFEN
        request.status_changes = [
            RequestStatusChange(status=RequestStatus.OFFEN, changed_by=user, note="Anfrage erfasst")
        ]
    db.session.add(request)
    db.session.flush()
    return request


def change_status(request: Request, status: str, *, user: User | None, note: str | None = None) -> Request:
    """Move ``request`` to ``status`` if the transition is allowed, record who did it, and flush."""
    if status not in REQUEST_STATUSES:
        raise RequestError("status", f"Unbekannter Status „{status}“.")
    if status == request.status:
        raise RequestError("status", f"Die Anfrage hat schon den Status „{REQUEST_STATUSES[status]}“.")
    if status not in TRANSITIONS.get(request.status, ()):
        allowed = ", ".join(f"„{REQUEST_STATUSES[s]}“" for s in TRANSITIONS.get(request.status, ()))
        raise RequestError(
            "status",
            f"Eine Anfrage mit Status „{REQUEST_STATUSES[request.status]}“ kann nicht auf "
            f"„{REQUEST_STATUSES[status]}“ gesetzt werden"
            + (f" (möglich: {allowed})." if allowed else "; sie ist erledigt."),
        )
    log.info("request %s: %s -> %s", request.id, request.status, status)
    request.status = status
    request.status_changes.append(
        RequestStatusChange(status=status, changed_by=user, note=(note or "").strip()[:200] or None)
    )
    db.session.flush()
    return request
