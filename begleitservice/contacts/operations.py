"""Log a contact; read the last contact of many people at once. Functions flush, never commit."""

import logging
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import ContactEntry, Request, Senior, User, Volunteer

log = logging.getLogger(__name__)


class ContactError(ValueError):
    """The entry cannot be saved; ``field`` names the form field, the message is German."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def add_contact(
    person: Senior | Volunteer,
    *,
    on: date,
    channel: str,
    with_whom: str,
    note: str,
    user: User | None,
    today: date,
    request: Request | None = None,
) -> ContactEntry:
    """Log a contact with or about ``person`` (and ``request``, which must be the senior's)."""
    if person.restricted_at is not None:
        raise ContactError("note", "Diese Person ist gesperrt (DSGVO): es werden keine Kontakte mehr erfasst.")
    if on > today:
        raise ContactError("on", "Ein Kontakt kann nicht in der Zukunft liegen.")
    if request is not None and (not isinstance(person, Senior) or request.senior_id != person.id):
        raise ContactError("note", "Die Anfrage gehört nicht zu dieser Person.")
    entry = ContactEntry(
        on=on,
        channel=channel,
        with_whom=with_whom.strip(),
        note=note.strip(),
        senior=person if isinstance(person, Senior) else None,
        volunteer=person if isinstance(person, Volunteer) else None,
        request=request,
        by=user,
    )
    db.session.add(entry)
    db.session.flush()
    log.info("contact %s logged for %s %s", entry.id, type(person).__name__.lower(), person.id)
    return entry


OWNER_COLUMNS = {
    "senior": ContactEntry.senior_id,
    "volunteer": ContactEntry.volunteer_id,
    "request": ContactEntry.request_id,
}


def owner_column(kind: str):
    """The column that ties an entry to a 'senior', 'volunteer' or 'request'."""
    return {
        "senior": ContactEntry.senior_id,
        "volunteer": ContactEntry.volunteer_id,
        "request": ContactEntry.request_id,
    }[kind]


def last_contacts(kind: str, ids: Iterable[int]) -> dict[int, date]:
    """The day of the last contact per senior, volunteer or request (one grouped statement)."""
    ids = list(ids)
    if not ids:
        return {}
    column = owner_column(kind)
    query = sa.select(column, sa.func.max(ContactEntry.on)).where(column.in_(ids)).group_by(column)
    return dict(db.session.execute(query).tuples().all())
