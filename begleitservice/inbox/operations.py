"""Human state of inbox items: assign, snooze, mark done with a note, open again. Flush only, never commit."""

import logging
from datetime import date, datetime

from flask_babel import gettext as _

from ..extensions import db
from ..inputs import date_error
from ..models import User
from ..models.inbox import InboxItemState

log = logging.getLogger(__name__)

NOTE_MAX = 500


class InboxError(ValueError):
    """The change cannot be made; the message is German."""


def _state(key: str) -> InboxItemState:
    state = db.session.get(InboxItemState, key)
    if state is None:
        state = InboxItemState(key=key)
        db.session.add(state)
    return state


def assign(key: str, user: User | None) -> InboxItemState:
    """Give the item to ``user`` (None: to nobody)."""
    if user is not None and (not user.is_active or user.role not in ("coordinator", "admin")):
        raise InboxError(_("Diese Person kann keine Aufgaben übernehmen."))
    state = _state(key)
    state.assignee_id = user.id if user else None
    db.session.flush()
    log.info("inbox item %s assigned to %s", key, user.id if user else None)
    return state


def snooze(key: str, until: date | None, *, today: date) -> InboxItemState:
    """Put the item aside until ``until`` (it comes back on that day)."""
    if until is None:
        raise InboxError(_("Bitte ein Datum angeben, bis wann die Aufgabe zurückgestellt wird."))
    if until <= today:
        raise InboxError(_("Das Datum muss nach heute liegen."))
    if message := date_error(until, "plan"):
        raise InboxError(message)
    state = _state(key)
    state.snoozed_until = until
    db.session.flush()
    return state


def wake(key: str) -> InboxItemState:
    """Bring a put-aside item back now."""
    state = _state(key)
    state.snoozed_until = None
    db.session.flush()
    return state


def mark_done(key: str, note: str | None, *, user: User, now: datetime) -> InboxItemState:
    """The item is dealt with (what was done in the note); it leaves the inbox."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InboxError(_("Die Notiz darf höchstens %(note_max)s Zeichen lang sein.", note_max=NOTE_MAX))
    state = _state(key)
    state.done_at, state.done_by_id, state.done_note = now, user.id, note or None
    state.snoozed_until = None
    db.session.flush()
    log.info("inbox item %s done by user %d", key, user.id)
    return state


def reopen(key: str) -> InboxItemState:
    """A done item is open again (its note is dropped)."""
    state = _state(key)
    state.done_at = state.done_by_id = state.done_note = None
    db.session.flush()
    return state
