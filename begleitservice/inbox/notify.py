"""Mail to the coordinators about what cannot wait, and a daily digest of the rest (per-user settings).

:func:`notify` is called in the unit of work of the fact itself (a decline through the link, a stand-in accepting,
the escalation job, a visit reported as not held): it records a :class:`CoordinatorEvent` and queues one mail per
user who wants this kind at once, so a rollback sends nothing. The daily job :func:`daily_digest` sends each user
the events of the kinds they want in the digest since their last one, with the inbox's counts.
"""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from scheduling.formatting import format_appointment, format_date
from scheduling.model import local_datetime, to_local

from ..appointments.convert import appointment_volunteer
from ..appointments.links.tokens import external_url
from ..extensions import db
from ..mail.outbox import mark_sent, queue_mail
from ..models import Appointment, NotificationMarker, User, VolunteerAbsence
from ..models.inbox import (
    DEFAULT_DELIVERY,
    CoordinatorEvent,
    Delivery,
    NotificationKind,
    NotificationSetting,
)

log = logging.getLogger(__name__)

CARE = ("coordinator", "admin")
EVENT_KEEP_DAYS = 14  # events name people: kept only as long as a digest may still need them
SUBJECTS = {
    NotificationKind.ABSAGE_KURZFRISTIG: "Kurzfristige Absage",
    NotificationKind.UNBESTAETIGT: "Noch unbestätigt",
    NotificationKind.VERTRETUNG: "Vertretung zugesagt",
    NotificationKind.AUSGEFALLEN: "Besuch ausgefallen",
    NotificationKind.ABSAGE: "Absage",
    NotificationKind.ABWESENHEIT: "Abwesenheit gemeldet",
}
TODO = {
    NotificationKind.ABSAGE_KURZFRISTIG: "Bitte eine Vertretung suchen oder der Senior:in absagen.",
    NotificationKind.UNBESTAETIGT: "Bitte bei der Ehrenamtlichen nachfragen, ob der Besuch stattfindet.",
    NotificationKind.VERTRETUNG: "Bitte die Vertretung mit der Adresse anrufen und der Senior:in Bescheid geben.",
    NotificationKind.AUSGEFALLEN: "Bitte nachfragen, warum der Besuch nicht stattgefunden hat.",
    NotificationKind.ABSAGE: "Bitte eine Vertretung suchen oder der Senior:in absagen.",
    NotificationKind.ABWESENHEIT: "Bitte für die abgesagten Besuche Vertretungen suchen, Senior:innen informieren.",
}


def default_delivery(user: User, kind: str) -> Delivery:
    """What a user gets without a choice: coordinators the defaults, admins nothing."""
    return DEFAULT_DELIVERY[NotificationKind(kind)] if user.role == "coordinator" else Delivery.KEINE


def settings_of(user: User) -> dict[str, str]:
    """The user's delivery per kind (their choice, else the default)."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationSetting.kind, NotificationSetting.delivery).where(
                NotificationSetting.user_id == user.id
            )
        ).all()
    )
    return {kind.value: chosen.get(kind.value, default_delivery(user, kind)) for kind in NotificationKind}


def save_settings(user: User, choices: dict[str, str]) -> None:
    """Store the user's choice for every kind (flush only)."""
    existing = {
        s.kind: s
        for s in db.session.scalars(sa.select(NotificationSetting).where(NotificationSetting.user_id == user.id))
    }
    for kind in NotificationKind:
        delivery = Delivery(choices[kind.value])
        row = existing.get(kind.value)
        if row is None:
            db.session.add(NotificationSetting(user_id=user.id, kind=kind.value, delivery=delivery))
        else:
            row.delivery = delivery
    db.session.flush()


def recipients(kind: str, delivery: Delivery) -> list[User]:
    """Active coordinators and admins who get ``kind`` by ``delivery`` (two queries)."""
    users = db.session.scalars(
        sa.select(User).where(User.is_active.is_(True), User.role.in_(CARE)).order_by(User.id)
    ).all()
    chosen = dict(
        db.session.execute(
            sa.select(NotificationSetting.user_id, NotificationSetting.delivery).where(NotificationSetting.kind == kind)
        ).all()
    )
    return [u for u in users if chosen.get(u.id, default_delivery(u, kind)) == delivery]


def _summary(kind: str, appointment: Appointment) -> str:
    pairing = appointment.pairing
    when = format_appointment(appointment.on, appointment.planned_start, appointment.planned_end)
    senior = f"{pairing.senior.name} ({pairing.senior.district.name})"
    if kind == NotificationKind.VERTRETUNG:
        return f"{when}: {appointment_volunteer(appointment).name} vertritt {pairing.volunteer.name} bei {senior}"
    return f"{when}: {pairing.volunteer.name} bei {senior}"


def decline_kind(appointment: Appointment, *, now: datetime) -> NotificationKind:
    """A decline within NOTIFY_SHORT_NOTICE_HOURS of the visit is short notice, else an ordinary one."""
    hours = current_app.config["NOTIFY_SHORT_NOTICE_HOURS"]
    starts = local_datetime(appointment.on, appointment.planned_start)
    return NotificationKind.ABSAGE_KURZFRISTIG if starts - now <= timedelta(hours=hours) else NotificationKind.ABSAGE


def notify(kind: NotificationKind, appointment: Appointment, *, now: datetime) -> CoordinatorEvent:
    """Record the event and queue the mail to everyone who wants this kind at once (flush only)."""
    return _record_and_mail(
        kind,
        _summary(kind, appointment),
        subject=f"{SUBJECTS[kind]}: Besuch am {format_date(appointment.on)}",
        url=external_url("appointments.detail", appointment_id=appointment.id),
        appointment_id=appointment.id,
        now=now,
    )


def notify_absence(absence: VolunteerAbsence, *, declined: int, now: datetime) -> CoordinatorEvent:
    """A volunteer reported an absence in "Mein Bereich": record the event and queue the mail to everyone who wants
    it at once (flush only); the absence also waits in the inbox until it is over."""
    volunteer = absence.volunteer
    summary = (
        f"{volunteer.name}: {absence.reason or 'abwesend'} vom {format_date(absence.starts_on)} bis "
        f"{format_date(absence.ends_on)}, {declined} Besuch(e) abgesagt"
    )
    kind = NotificationKind.ABWESENHEIT
    return _record_and_mail(
        kind,
        summary,
        subject=f"{SUBJECTS[kind]}: {volunteer.name}",
        url=external_url("volunteers.detail", volunteer_id=volunteer.id),
        now=now,
        about_volunteer=True,
    )


def _record_and_mail(
    kind: NotificationKind,
    summary: str,
    *,
    subject: str,
    url: str,
    now: datetime,
    appointment_id: int | None = None,
    **context,
) -> CoordinatorEvent:
    """The one way an event is recorded and mailed at once to those who want ``kind`` so (flush only)."""
    event = CoordinatorEvent(kind=kind, appointment_id=appointment_id, summary=summary[:300], occurred_at=now)
    db.session.add(event)
    db.session.flush()
    users = recipients(kind, Delivery.SOFORT)
    for user in users:
        queue_mail(
            kind=f"koordination_{kind}",
            to=user.email,
            subject=subject,
            template="coordinator_notice",
            user=user,
            title=SUBJECTS[kind],
            summary=event.summary,
            todo=TODO[kind],
            url=url,
            inbox_url=external_url("dashboard.index"),
            **context,
        )
    log.info("coordinator event %s (%s): %d mail(s) at once", kind, subject, len(users))
    return event


def _last_digest(user: User) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(NotificationMarker.created_at)).where(NotificationMarker.key.like(f"digest:{user.id}:%"))
    )


def daily_digest(*, now: datetime, counts: list[tuple[str, str, int]]) -> int:
    """Queue each user's digest: the events of their digest kinds since their last one, and the inbox counts.

    ``counts`` are (title, URL, count) of the inbox groups. A user with nothing new and an empty inbox gets none;
    a second run on the same day queues nothing (marker ``digest:<user>:<date>``). Events older than
    EVENT_KEEP_DAYS are deleted first.
    """
    day = to_local(now).date()
    db.session.execute(
        sa.delete(CoordinatorEvent).where(CoordinatorEvent.occurred_at < now - timedelta(days=EVENT_KEEP_DAYS))
    )
    sent = 0
    open_groups = [(title, url, n) for title, url, n in counts if n]
    for user in db.session.scalars(
        sa.select(User).where(User.is_active.is_(True), User.role.in_(CARE)).order_by(User.id)
    ):
        marker = f"digest:{user.id}:{day.isoformat()}"
        if db.session.scalar(sa.select(NotificationMarker.id).where(NotificationMarker.key == marker)):
            continue
        kinds = [k for k, d in settings_of(user).items() if d == Delivery.ZUSAMMENFASSUNG]
        if not kinds:
            continue
        since = _last_digest(user) or now - timedelta(days=1)
        events = db.session.scalars(
            sa.select(CoordinatorEvent)
            .where(CoordinatorEvent.kind.in_(kinds), CoordinatorEvent.occurred_at > since)
            .order_by(CoordinatorEvent.occurred_at, CoordinatorEvent.id)
        ).all()
        if not events and not open_groups:
            continue
        grouped = [
            (SUBJECTS[kind], [e.summary for e in events if e.kind == kind])
            for kind in NotificationKind
            if kind in kinds
        ]
        queue_mail(
            kind="koordination_zusammenfassung",
            to=user.email,
            subject=f"Tägliche Zusammenfassung – {format_date(day)}",
            template="coordinator_digest",
            user=user,
            day=format_date(day),
            groups=[(title, lines) for title, lines in grouped if lines],
            open_groups=open_groups,
            inbox_url=external_url("dashboard.index"),
            settings_url=external_url("inbox.settings"),
        )
        mark_sent(marker)
        sent += 1
    log.info("daily digest: %d mail(s)", sent)
    return sent
