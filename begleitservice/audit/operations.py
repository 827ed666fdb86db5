"""Writing to the audit trail by hand (views, logins, downloads), purging it, forgetting an erased person."""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import AuditEvent, Senior, User, Volunteer
from .trail import REGISTRY, actor

log = logging.getLogger(__name__)


def record(
    action: str,
    obj=None,
    *,
    user: User | None = None,
    detail: str = "",
    senior_id: int | None = None,
    volunteer_id: int | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    label: str | None = None,
) -> AuditEvent:
    """Add one event to the trail (flush, never commit): a view, a login, an export, … ``obj`` is what it is
    about (its registry entity and persons are filled in); ``user`` overrides the logged-in user as actor."""
    user_id, description, ip = actor()
    if user is not None:
        user_id, description = user.id, f"{user.name} <{user.email}>"
    if obj is not None:
        audited = REGISTRY[type(obj)]
        entity, entity_id, label = audited.entity, obj.id, label if label is not None else str(obj)
        own_senior, own_volunteer = audited.persons(db.session, obj)
        senior_id, volunteer_id = senior_id or own_senior, volunteer_id or own_volunteer
    event = AuditEvent(
        user_id=user_id,
        actor=description[:300],
        action=action,
        entity=entity,
        entity_id=entity_id,
        senior_id=senior_id,
        volunteer_id=volunteer_id,
        label=(label or "")[:300],
        detail=detail[:500],
        ip=ip,
    )
    db.session.add(event)
    db.session.flush()
    return event


def purge(*, now: datetime) -> int:
    """Delete events older than AUDIT_RETENTION_DAYS; the purge itself is recorded. Returns how many went."""
    days = current_app.config["AUDIT_RETENTION_DAYS"]
    cutoff = now - timedelta(days=days)
    gone = db.session.execute(sa.delete(AuditEvent).where(AuditEvent.at < cutoff)).rowcount
    if gone:
        record("purge", detail=f"{gone} Einträge vor dem {cutoff:%d.%m.%Y} gelöscht (Aufbewahrung {days} Tage)")
    log.info("audit purge: %d events before %s", gone, cutoff.isoformat())
    return gone


def purge_job(*, now: datetime) -> str:
    """Scheduler job: delete audit events past the retention period."""
    return f"{purge(now=now)} Protokolleinträge nach Ablauf der Aufbewahrungsfrist gelöscht"


def forget_person(person: Senior | Volunteer) -> None:
    """After an erasure (Art. 17): keep who did what when about the person, drop the values and names."""
    column = AuditEvent.senior_id if isinstance(person, Senior) else AuditEvent.volunteer_id
    db.session.execute(
        sa.update(AuditEvent).where(column == person.id).values(changes=None, label="(gelöscht)", detail="")
    )


def events_of(person: Senior | Volunteer):
    """The person's events, oldest first (for the access export, Art. 15)."""
    column = AuditEvent.senior_id if isinstance(person, Senior) else AuditEvent.volunteer_id
    return db.session.scalars(sa.select(AuditEvent).where(column == person.id).order_by(AuditEvent.at, AuditEvent.id))
