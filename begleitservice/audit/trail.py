"""The audit trail's hook: every flush of an audited model writes its audit rows in the same transaction.

Why a session hook and not SQLAlchemy-Continuum: Continuum keeps a full shadow table per versioned model (a second
copy of every senior's health data, a migration per model and per column change) and knows nothing of views,
logins or downloads, which the trail must hold as well. Here one table holds every kind of event; a model is
audited by one line in :data:`REGISTRY` (new models of other feature areas, e.g. provider settings, join the
trail the same way), and the rows are inserted on the flush's own connection, so they commit or roll back with
the change they describe: nothing lost, nothing doubled.

Bulk ``sa.delete(Model)`` / ``sa.update(Model)`` statements bypass the unit of work; :func:`_bulk` reads the rows
such a statement hits before it runs, so they are audited too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import click
import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from ..clock import now
from ..models import (
    Appointment,
    AuditEvent,
    BudgetOpening,
    BudgetOtherUse,
    ContactEntry,
    MonthSignature,
    Pairing,
    PflegegradPeriod,
    Request,
    Senior,
    UmwandlungDeclaration,
    User,
    Volunteer,
)
from ..models.group import DementiaGroup, GroupAttendance, GroupParticipant, GroupRosterEntry, GroupSession
from ..models.inbox import InboxItemState, NotificationSetting
from ..models.provider import BillingRate, ProviderVersion

log = logging.getLogger(__name__)

#: Columns that say nothing about who changed what (bookkeeping, derived search keys).
IGNORED = frozenset({"id", "created_at", "updated_at", "search_text", "sort_name"})
#: Shown instead of a secret's value (never stored) and of a health value in the listing.
SECRET = "(geheim)"


@dataclass(frozen=True)
class Audited:
    """How one model appears in the trail."""

    entity: str
    label: str  # German, for the listing
    persons: Callable[[Session, object], tuple[int | None, int | None]]  # (senior_id, volunteer_id)
    masked: frozenset[str] = frozenset()  # health data (Art. 9): stored, but masked in the listing
    secret: frozenset[str] = frozenset()  # never stored, only "changed"
    ignored: frozenset[str] = field(default=IGNORED)


def _own_senior(_session, obj):
    return obj.id, None


def _own_volunteer(_session, obj):
    return None, obj.id


def _of_senior(_session, obj):
    return obj.senior_id, None


def _pairing_persons(_session, obj):
    return obj.senior_id, obj.volunteer_id


def _appointment_persons(session, obj):
    pairing = _loaded(session, Pairing, obj.pairing_id)
    if pairing is None:
        return None, obj.cover_volunteer_id
    return pairing.senior_id, obj.cover_volunteer_id or pairing.volunteer_id


def _contact_persons(_session, obj):
    return obj.senior_id, obj.volunteer_id


def _own_roster(_session, obj):
    return None, obj.volunteer_id


def _nobody(_session, _obj):
    return None, None


REGISTRY: dict[type, Audited] = {}


def register(model: type, entity: str, label: str, persons=_nobody, *, masked=(), secret=(), ignored=()) -> None:
    """Audit ``model``: every create, change and delete of it is written to the trail (call at import time)."""
    audited = Audited(entity, label, persons, frozenset(masked), frozenset(secret), IGNORED | set(ignored))
    REGISTRY[model] = audited
    for attr in sa.inspect(model).column_attrs:
        if attr.key not in audited.ignored:
            # active history: setting an attribute that was expired (after a commit) loads its old value first,
            # so the trail says "old → new" and not "? → new"
            sa.event.listen(getattr(model, attr.key), "set", _keep_old_value, active_history=True)


def _keep_old_value(_target, value, _old, _initiator):
    return value


HEALTH = ("pflegegrad", "has_dementia", "care_notes")
register(Senior, "senior", "Senior:in", _own_senior, masked=HEALTH)
register(Volunteer, "volunteer", "Ehrenamtliche:r", _own_volunteer, secret=("calendar_token",))
register(Request, "request", "Anfrage", _of_senior, masked=("notes",))
register(Pairing, "pairing", "Begleitung", _pairing_persons)
register(Appointment, "appointment", "Termin", _appointment_persons)
register(PflegegradPeriod, "pflegegrad_period", "Pflegegrad-Zeitraum", _of_senior, masked=("grade",))
register(BudgetOpening, "budget_opening", "Budget-Kontostand", _of_senior)
register(BudgetOtherUse, "budget_other_use", "Budget: andere Nutzung", _of_senior)
register(UmwandlungDeclaration, "umwandlung", "Umwandlung", _of_senior)
register(ContactEntry, "contact_entry", "Kontakt", _contact_persons, masked=("note",))
# Demenzgruppen: a group, its sessions (called off with a reason), places and waiting list (the team's notes and
# transport needs say something about health: masked), attendance (who came, by the day) and rosters
register(DementiaGroup, "dementia_group", "Demenzgruppe")
register(GroupSession, "group_session", "Gruppentermin")
register(
    GroupParticipant, "group_participant", "Gruppe: Teilnahme", _of_senior, masked=("team_notes", "transport_notes")
)
register(GroupAttendance, "group_attendance", "Gruppe: Anwesenheit", _of_senior, ignored=("recorded_at",))
register(GroupRosterEntry, "group_roster", "Gruppe: Einteilung", _own_roster)
# signatures on the phone: who signed when, for whose visits (the image itself is not copied into the trail)
register(MonthSignature, "month_signature", "Unterschrift (Leistungsnachweis)", _pairing_persons, secret=("image",))
# the inbox: who took an item, until when it waits, done with a note (free text: masked like other notes)
register(InboxItemState, "inbox_item", "Aufgabe", masked=("done_note",))
# session_version (every logout) and totp_last_step (every code) change on their own: no change of the account
register(
    User, "user", "Benutzer", secret=("password_hash", "totp_secret"), ignored=("session_version", "totp_last_step")
)
# settings
register(ProviderVersion, "provider_settings", "Trägerangaben", ignored=("changed_at",))
register(BillingRate, "billing_rate", "Satz (Abrechnung)", ignored=("changed_at",))
register(NotificationSetting, "notification_setting", "Benachrichtigungseinstellung")


def entity_label(entity: str | None) -> str:
    """The German name of a registry entity ('senior' → 'Senior:in')."""
    for audited in REGISTRY.values():
        if audited.entity == entity:
            return audited.label
    return entity or ""


def masked_fields(entity: str | None) -> frozenset[str]:
    """The health fields of an entity, masked in the listing."""
    for audited in REGISTRY.values():
        if audited.entity == entity:
            return audited.masked
    return frozenset()


def _loaded(session: Session, model: type, ident: int | None):
    """The object if this session holds it (even when deleted in this flush), else read from the database."""
    if ident is None:
        return None
    held = session.identity_map.get(session.identity_key(model, ident))
    return held if held is not None else session.get(model, ident)


def plain(value):
    """A JSON-ready value: ISO dates and times, decimal strings, everything else as it is."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- who acts -----------------------------------------------------------------------------------------------------


def actor() -> tuple[int | None, str, str | None]:
    """(user id, description, ip) of whoever causes the change: the logged-in user, else the process's source."""
    if has_request_context():
        user = g.get("_login_user")  # read, never load: this may run inside a flush
        ip = request.remote_addr
        if user is not None and getattr(user, "is_authenticated", False):
            return user.id, f"{user.name} <{user.email}>", ip
        return None, f"ohne Anmeldung ({request.endpoint or request.path})", ip
    context = click.get_current_context(silent=True)
    return None, f"Kommandozeile: {context.command_path}" if context else "System", None


# --- the hook -----------------------------------------------------------------------------------------------------


def _row(session, obj, action: str, changes: dict | None, who) -> dict | None:
    audited = REGISTRY.get(type(obj))
    if audited is None:
        return None
    try:
        senior_id, volunteer_id = audited.persons(session, obj)
    except Exception:  # a person link must never stop the change itself
        log.exception("audit: persons of %s %s", audited.entity, getattr(obj, "id", None))
        senior_id = volunteer_id = None
    user_id, description, ip = who
    return {
        "at": now(),
        "user_id": user_id,
        "actor": description[:300],
        "action": action,
        "entity": audited.entity,
        "entity_id": getattr(obj, "id", None),
        "senior_id": senior_id,
        "volunteer_id": volunteer_id,
        "label": _label(obj),
        "changes": changes,
        "detail": "",
        "ip": ip,
    }


def _label(obj) -> str:
    try:
        return str(obj)[:300]
    except Exception:  # a label that needs a row already gone
        return f"Nr. {getattr(obj, 'id', '?')}"


def _value(audited: Audited, key: str, value):
    return SECRET if key in audited.secret and value is not None else plain(value)


def _snapshot(obj, *, old: bool) -> dict:
    """Every audited column of ``obj``: {field: [value, None]} for a delete, {field: [None, value]} for a create."""
    audited = REGISTRY[type(obj)]
    result = {}
    for attr in sa.inspect(obj).mapper.column_attrs:
        if attr.key in audited.ignored:
            continue
        value = obj.__dict__.get(attr.key)
        if value is None:
            continue
        value = _value(audited, attr.key, value)
        result[attr.key] = [value, None] if old else [None, value]
    return result


def _diff(obj) -> dict:
    """{field: [old, new]} of the columns this flush changed."""
    audited = REGISTRY[type(obj)]
    state = sa.inspect(obj)
    result = {}
    for attr in state.mapper.column_attrs:
        if attr.key in audited.ignored:
            continue
        history = state.attrs[attr.key].history
        if not history.added and not history.deleted:
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        result[attr.key] = [_value(audited, attr.key, old), _value(audited, attr.key, new)]
    return result


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """Write one audit row per created, changed and deleted audited object, on the flush's own connection."""
    if not REGISTRY:
        return
    rows, who = [], None
    for objects, action in ((session.new, "create"), (session.dirty, "update"), (session.deleted, "delete")):
        for obj in objects:
            if type(obj) not in REGISTRY:
                continue
            if action == "create":
                changes = _snapshot(obj, old=False)
            elif action == "delete":
                changes = _snapshot(obj, old=True)
            else:
                changes = _diff(obj)
                if not changes:
                    continue
            who = who or actor()
            if (row := _row(session, obj, action, changes, who)) is not None:
                rows.append(row)
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)


@sa.event.listens_for(Session, "do_orm_execute")
def _bulk(state):
    """Audit the rows a bulk UPDATE or DELETE of an audited model hits: read them before, run it, and record them
    when the statement changed them all (none: a lost race, nothing recorded; some: those that now differ)."""
    if not (state.is_update or state.is_delete):
        return None
    mapper = state.bind_mapper
    model = mapper.class_ if mapper is not None else None
    if model not in REGISTRY:
        return None
    session, statement = state.session, state.statement
    query = sa.select(model).execution_options(autoflush=False)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    audited = REGISTRY[model]
    before = {}
    for obj in session.execute(query).scalars():
        before[obj.id] = (obj, _snapshot(obj, old=True))
    result = state.invoke_statement()
    if not before or not result.rowcount:
        return result
    hit = set(before)
    if result.rowcount < len(before):  # some rows no longer matched when the statement ran: find the ones it hit
        hit = _hit(session, model, statement, set(before), deleted=state.is_delete)
    who, rows = actor(), []
    for ident in sorted(hit):
        obj, snapshot = before[ident]
        changes = snapshot if state.is_delete else _set_changes(audited, statement, snapshot)
        if changes and (row := _row(session, obj, "delete" if state.is_delete else "update", changes, who)):
            rows.append(row)
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)
    return result


def _hit(session, model, statement, candidates: set[int], *, deleted: bool) -> set[int]:
    """Of ``candidates``, those a bulk statement that hit fewer rows deleted, or left holding its SET values."""
    query = sa.select(model.id).where(model.id.in_(candidates)).execution_options(autoflush=False)
    if deleted:
        return candidates - set(session.scalars(query))
    for column, value in _set_values(statement).items():
        if not isinstance(value, sa.sql.ClauseElement):
            query = query.where(getattr(model, column).is_(None) if value is None else getattr(model, column) == value)
    return set(session.scalars(query))


def _set_changes(audited: Audited, statement, snapshot: dict) -> dict:
    """{field: [old, new]} of a bulk UPDATE for one row, from its values before."""
    changes = {}
    for column, value in _set_values(statement).items():
        old = snapshot.get(column, [None])[0]
        new = "(berechnet)" if isinstance(value, sa.sql.ClauseElement) else _value(audited, column, value)
        if column not in audited.ignored and old != new:
            changes[column] = [old, new]
    return changes


def _set_values(statement) -> dict:
    """{column name: value} of an UPDATE statement's SET clause."""
    values = {}
    for key, value in (statement._values or {}).items():
        name = key if isinstance(key, str) else getattr(key, "key", str(key))
        values[name] = value.value if isinstance(value, sa.sql.elements.BindParameter) else value
    return values
