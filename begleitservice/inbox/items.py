"""The inbox groups: each one a query over the facts that names its items by a stable key.

Nothing here is stored: every view asks the facts again, so an item disappears as soon as its fact is solved (the
stand-in accepted, the hours were reported, the request was placed). Only what people add to an item lives in
``InboxItemState`` under the item's key; the key carries the version of the fact where the same fact can come
back (the decline's moment, the certificate's date, the last visit), so an old "erledigt" never hides a new one.

The cost of a view does not grow with the data: per group one count and one limited page of ids, then the shown
objects by id with what their row needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from scheduling.due import certificate_expires_on

from ..extensions import db
from ..models import (
    AlertKind,
    Appointment,
    AppointmentAlert,
    AppointmentStatus,
    Pairing,
    PairingStatus,
    Request,
    RequestStatus,
    Senior,
    SeniorStatus,
    Volunteer,
    VolunteerAbsence,
    VolunteerStatus,
)
from ..models.inbox import BudgetLapse, InboxItemState
from ..paging import Pages

VIEWS = {
    "offen": "offen",
    "mir": "mir zugewiesen",
    "zurueckgestellt": "zurückgestellt",
    "erledigt": "erledigt",
}


@dataclass(frozen=True)
class Context:
    """What the groups' queries depend on: the day, the moment and the settings."""

    today: date
    now: datetime
    config: dict
    user_id: int | None = None


def _text(column) -> sa.ColumnElement:
    return sa.cast(column, sa.String)


def key_of(prefix: str, *parts) -> sa.ColumnElement:
    """The SQL expression of an item key: ``prefix:part:part`` (a missing part is ``-``)."""
    expression = sa.literal(prefix, sa.String)
    for part in parts:
        expression = expression + ":" + sa.func.coalesce(_text(part), "-")
    return expression


def _epoch(column) -> sa.ColumnElement:
    """Seconds since 1970 of a UTC timestamp: the same text on SQLite and PostgreSQL."""
    return sa.cast(sa.extract("epoch", column), sa.Integer)


@dataclass(frozen=True)
class Group:
    """One kind of work: its title, what to do, where it is solved, and the query naming its items."""

    slug: str
    title: str
    todo: str
    model: type
    query: Callable[[Context], sa.Select]  # columns: id, key, sort_a, sort_b (+ extras for the row)
    load: Sequence = field(default_factory=tuple)  # loader options for the shown objects


@dataclass
class Item:
    """One shown item: its key, the object it is about, the query's extra figures and the human state."""

    key: str
    obj: object
    row: dict
    state: InboxItemState | None


@dataclass
class Listing(Pages):
    """A group's count and one page of its items."""

    group: Group
    total: int
    items: list[Item]
    page: int = 1
    per_page: int = 10


# --- the groups ------------------------------------------------------------------------------------------------


def _declines(ctx: Context) -> sa.Select:
    """Declined visits from today on that still need a stand-in (the alert is open)."""
    return (
        sa.select(
            Appointment.id,
            key_of("absage", Appointment.id, _epoch(Appointment.declined_at)).label("key"),
            Appointment.on.label("sort_a"),
            Appointment.planned_start.label("sort_b"),
        )
        .join(AppointmentAlert, AppointmentAlert.appointment_id == Appointment.id)
        .where(
            AppointmentAlert.kind == AlertKind.ABGESAGT,
            AppointmentAlert.resolved_at.is_(None),
            Appointment.status == AppointmentStatus.ABGESAGT,
            Appointment.cover_volunteer_id.is_(None),
            Appointment.on >= ctx.today,
        )
    )


def _stand_ins(ctx: Context) -> sa.Select:
    """Visits a stand-in took over, from today on: call the stand-in with the address, tell the senior."""
    return sa.select(
        Appointment.id,
        key_of("vertretung", Appointment.id, Appointment.cover_volunteer_id).label("key"),
        Appointment.on.label("sort_a"),
        Appointment.planned_start.label("sort_b"),
    ).where(
        Appointment.cover_volunteer_id.is_not(None),
        Appointment.status.in_(AppointmentStatus.OPEN),
        Appointment.on >= ctx.today,
    )


def _unconfirmed(ctx: Context) -> sa.Select:
    """Planned visits in the next days that nobody confirmed yet."""
    days = ctx.config["INBOX_UNCONFIRMED_DAYS"]
    return sa.select(
        Appointment.id,
        key_of("unbestaetigt", Appointment.id, Appointment.on).label("key"),
        Appointment.on.label("sort_a"),
        Appointment.planned_start.label("sort_b"),
    ).where(
        Appointment.status == AppointmentStatus.GEPLANT,
        Appointment.on.between(ctx.today, ctx.today + timedelta(days=days)),
    )


def _without_hours(ctx: Context) -> sa.Select:
    """Past visits neither called off nor reported with minutes, oldest first."""
    return sa.select(
        Appointment.id,
        key_of("stunden", Appointment.id).label("key"),
        Appointment.on.label("sort_a"),
        Appointment.planned_start.label("sort_b"),
    ).where(
        Appointment.on < ctx.today,
        Appointment.status.in_(AppointmentStatus.LIVE),
        Appointment.actual_minutes.is_(None),
    )


def _waiting_requests(ctx: Context) -> sa.Select:
    """Open requests received more than N days ago, oldest first."""
    days = ctx.config["INBOX_REQUEST_WAIT_DAYS"]
    return sa.select(
        Request.id,
        key_of("anfrage", Request.id).label("key"),
        Request.received_on.label("sort_a"),
        (-Request.urgency).label("sort_b"),
    ).where(Request.status.in_(RequestStatus.OPEN), Request.received_on <= ctx.today - timedelta(days=days))


def _reported_absences(ctx: Context) -> sa.Select:
    """Absences volunteers reported themselves in "Mein Bereich" that have not ended: plan around them."""
    return sa.select(
        VolunteerAbsence.id,
        key_of("abwesenheit", VolunteerAbsence.id).label("key"),
        VolunteerAbsence.starts_on.label("sort_a"),
        VolunteerAbsence.id.label("sort_b"),
    ).where(VolunteerAbsence.reported_at.is_not(None), VolunteerAbsence.ends_on >= ctx.today)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _certificates(ctx: Context) -> sa.Select:
    """Current volunteers whose Führungszeugnis is missing, too old, or too old within the notice period."""
    notice = ctx.config["INBOX_CERTIFICATE_NOTICE_DAYS"]
    cutoff = years_before(ctx.today + timedelta(days=notice), ctx.config["FUEHRUNGSZEUGNIS_MAX_YEARS"])
    return sa.select(
        Volunteer.id,
        key_of("fuehrungszeugnis", Volunteer.id, Volunteer.fuehrungszeugnis_on).label("key"),
        sa.func.coalesce(Volunteer.fuehrungszeugnis_on, date(1900, 1, 1)).label("sort_a"),
        Volunteer.sort_name.label("sort_b"),
    ).where(
        Volunteer.status.in_(VolunteerStatus.CURRENT),
        sa.or_(Volunteer.fuehrungszeugnis_on.is_(None), Volunteer.fuehrungszeugnis_on <= cutoff),
    )


def _consents(ctx: Context) -> sa.Select:
    """Current seniors with a Pflegegrad (health data) but no recorded consent."""
    return sa.select(
        Senior.id,
        key_of("einwilligung", Senior.id).label("key"),
        Senior.sort_name.label("sort_a"),
        Senior.id.label("sort_b"),
    ).where(Senior.status.in_(SeniorStatus.CURRENT), Senior.pflegegrad.is_not(None), Senior.consent_on.is_(None))


def _lapsing_budgets(ctx: Context) -> sa.Select:
    """Seniors whose carried Entlastungsbetrag lapses on 30 June, from N days before (the daily job's figure)."""
    notice = ctx.config["INBOX_BUDGET_NOTICE_DAYS"]
    return (
        sa.select(
            Senior.id,
            key_of("budget", Senior.id, BudgetLapse.lapses_on).label("key"),
            (-BudgetLapse.amount).label("sort_a"),
            Senior.sort_name.label("sort_b"),
            BudgetLapse.amount.label("amount"),
            BudgetLapse.lapses_on.label("lapses_on"),
        )
        .join(BudgetLapse, BudgetLapse.senior_id == Senior.id)
        .where(
            Senior.status.in_(SeniorStatus.CURRENT),
            BudgetLapse.lapses_on.between(ctx.today, ctx.today + timedelta(days=notice)),
        )
    )


def _quiet_pairs(ctx: Context) -> sa.Select:
    """Active Begleitungen older than N weeks without a visit (held or planned) in the last N weeks."""
    since = ctx.today - timedelta(weeks=ctx.config["INBOX_PAIR_QUIET_WEEKS"])
    visits = sa.select(Appointment.id).where(
        Appointment.pairing_id == Pairing.id,
        Appointment.status.in_(AppointmentStatus.LIVE),
        Appointment.on.between(since, ctx.today),
    )
    last = (
        sa.select(sa.func.max(Appointment.on))
        .where(
            Appointment.pairing_id == Pairing.id,
            Appointment.status.in_(AppointmentStatus.LIVE),
            Appointment.on <= ctx.today,
        )
        .scalar_subquery()
    )
    return sa.select(
        Pairing.id,
        key_of("ohne_besuch", Pairing.id, last).label("key"),
        sa.func.coalesce(last, Pairing.starts_on).label("sort_a"),
        Pairing.id.label("sort_b"),
        last.label("last_visit"),
    ).where(Pairing.status == PairingStatus.AKTIV, Pairing.starts_on <= since, ~visits.exists())


def _cancelling_pairs(ctx: Context) -> sa.Select:
    """Running Begleitungen with M or more visits called off within the last W weeks (or already ahead)."""
    since = ctx.today - timedelta(weeks=ctx.config["INBOX_PAIR_CANCELLATION_WEEKS"])
    cancelled = (
        sa.select(
            Appointment.pairing_id.label("pairing_id"),
            sa.func.count().label("cancelled"),
            sa.func.max(Appointment.on).label("last_cancelled"),
        )
        .where(Appointment.status.in_(AppointmentStatus.CANCELLED), Appointment.on >= since)
        .group_by(Appointment.pairing_id)
        .having(sa.func.count() >= ctx.config["INBOX_PAIR_CANCELLATIONS"])
        .subquery()
    )
    return (
        sa.select(
            Pairing.id,
            key_of("absagen", Pairing.id, cancelled.c.last_cancelled).label("key"),
            (-cancelled.c.cancelled).label("sort_a"),
            Pairing.id.label("sort_b"),
            cancelled.c.cancelled.label("cancelled"),
            cancelled.c.last_cancelled.label("last_cancelled"),
        )
        .join(cancelled, cancelled.c.pairing_id == Pairing.id)
        .where(Pairing.status.in_(PairingStatus.RUNNING))
    )


_VISIT = (
    joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
    joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.district),
    joinedload(Appointment.cover_volunteer),
)
_PAIR = (joinedload(Pairing.volunteer), joinedload(Pairing.senior).joinedload(Senior.district))

GROUPS = (
    Group(
        "absagen",
        "Absagen: Vertretung finden",
        "Vertretung suchen oder den Besuch absagen",
        Appointment,
        _declines,
        _VISIT,
    ),
    Group(
        "vertretungen",
        "Vertretung zugesagt: anrufen und Senior:in informieren",
        "Vertretung mit der Adresse anrufen, Senior:in Bescheid geben",
        Appointment,
        _stand_ins,
        _VISIT,
    ),
    Group(
        "abwesenheiten",
        "Abwesenheit gemeldet (von Ehrenamtlichen)",
        "Vertretungen für die abgesagten Besuche suchen, Senior:innen Bescheid geben",
        VolunteerAbsence,
        _reported_absences,
        (joinedload(VolunteerAbsence.volunteer),),
    ),
    Group(
        "unbestaetigt",
        "Unbestätigte Termine in den nächsten Tagen",
        "Bei der Ehrenamtlichen nachfragen",
        Appointment,
        _unconfirmed,
        _VISIT,
    ),
    Group(
        "stunden",
        "Vergangene Termine ohne Stunden",
        "Stunden eintragen oder als ausgefallen melden",
        Appointment,
        _without_hours,
        _VISIT,
    ),
    Group(
        "anfragen",
        "Anfragen, die lange warten",
        "Ehrenamtliche finden oder mit der Senior:in sprechen",
        Request,
        _waiting_requests,
        (joinedload(Request.senior).joinedload(Senior.district),),
    ),
    Group(
        "fuehrungszeugnisse",
        "Führungszeugnisse: fehlend oder ablaufend",
        "Neues Führungszeugnis anfordern und eintragen",
        Volunteer,
        _certificates,
    ),
    Group(
        "einwilligungen",
        "Einwilligung fehlt (Pflegegrad erfasst)",
        "Einwilligung einholen und eintragen",
        Senior,
        _consents,
    ),
    Group(
        "budgets",
        "Entlastungsbetrag verfällt am 30. Juni",
        "Mehr Stunden anbieten oder die Familie informieren",
        Senior,
        _lapsing_budgets,
    ),
    Group(
        "ohne-besuch",
        "Begleitungen ohne Besuch",
        "Nachfragen, ob die Begleitung noch läuft",
        Pairing,
        _quiet_pairs,
        _PAIR,
    ),
    Group(
        "absagen-haeufung",
        "Begleitungen mit wiederholten Absagen",
        "Mit beiden sprechen, ob die Begleitung so passt",
        Pairing,
        _cancelling_pairs,
        _PAIR,
    ),
)
BY_SLUG = {group.slug: group for group in GROUPS}
PREFIXES = {
    "absage": "absagen",
    "vertretung": "vertretungen",
    "abwesenheit": "abwesenheiten",
    "unbestaetigt": "unbestaetigt",
    "stunden": "stunden",
    "anfrage": "anfragen",
    "fuehrungszeugnis": "fuehrungszeugnisse",
    "einwilligung": "einwilligungen",
    "budget": "budgets",
    "ohne_besuch": "ohne-besuch",
    "absagen": "absagen-haeufung",
}


def group_of_key(key: str) -> Group | None:
    """The group an item key belongs to (by its prefix), or None."""
    return BY_SLUG.get(PREFIXES.get(key.split(":", 1)[0], ""))


# --- reading ---------------------------------------------------------------------------------------------------


def _shown(view: str, ctx: Context):
    """The condition on the joined state row for one view of the inbox."""
    state = InboxItemState
    not_done = state.done_at.is_(None)
    awake = sa.or_(state.snoozed_until.is_(None), state.snoozed_until <= ctx.today)
    if view == "erledigt":
        return state.done_at.is_not(None)
    if view == "zurueckgestellt":
        return sa.and_(not_done, state.snoozed_until > ctx.today)
    if view == "mir":
        return sa.and_(not_done, awake, state.assignee_id == ctx.user_id)
    return sa.or_(state.key.is_(None), sa.and_(not_done, awake))


def _visible(group: Group, ctx: Context, view: str):
    facts = group.query(ctx).subquery()
    query = (
        sa.select(facts, InboxItemState)
        .outerjoin(InboxItemState, InboxItemState.key == facts.c.key)
        .where(_shown(view, ctx))
    )
    return facts, query


def count(group: Group, ctx: Context, *, view: str = "offen") -> int:
    """How many items the group has in this view."""
    _, query = _visible(group, ctx, view)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def listing(group: Group, ctx: Context, *, view: str = "offen", page: int = 1, per_page: int = 10) -> Listing:
    """The group's count and one page of items with their objects and state: two queries (the page carries the
    total as a window count; only a page past the end asks for the count on its own)."""
    facts, query = _visible(group, ctx, view)
    rows = db.session.execute(
        query.add_columns(sa.func.count().over().label("total"))
        .order_by(facts.c.sort_a, facts.c.sort_b, facts.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not rows:
        total = count(group, ctx, view=view) if page > 1 else 0
        return Listing(group, total, [], page, per_page)
    ids = [row.id for row in rows]
    model = group.model
    objects = {
        obj.id: obj
        for obj in db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*group.load)).unique()
    }
    items = []
    for row in rows:
        extras = {k: v for k, v in row._mapping.items() if isinstance(k, str)}
        items.append(Item(row.key, objects[row.id], extras, row.InboxItemState))
    return Listing(group, rows[0].total, items, page, per_page)


def find(key: str, ctx: Context) -> Group | None:
    """The group of an item that exists now under ``key`` (whatever its human state), else None."""
    group = group_of_key(key)
    if group is None:
        return None
    facts = group.query(ctx).subquery()
    found = db.session.scalar(sa.select(facts.c.id).where(facts.c.key == key).limit(1))
    return group if found is not None else None


def certificate_expiry(volunteer: Volunteer, *, years: int) -> date | None:
    """The day the volunteer's Führungszeugnis becomes too old (None: none on file)."""
    seen = volunteer.fuehrungszeugnis_on
    return certificate_expires_on(seen, valid_years=years) if seen else None
