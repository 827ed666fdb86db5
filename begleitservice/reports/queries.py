"""The report figures, each a small number of SQL aggregates: the cost grows with districts and offers, not with rows.

Definitions (the page and the exports say the same in German):
- Requests (Anfragen) are counted by the day they were received, in the district of the senior; of those,
  "vermittelt" led to a Begleitung (or a group place), "zurückgezogen" and "wartet" are their status today.
- Days to placement: from receiving the request to the start of its first Begleitung; the median per group.
- Seniors and volunteers "begleitet"/"aktiv": distinct people with at least one visit that took place in the period
  (a stand-in counts for the visit they made), in the district of the senior visited.
- Hours: reported minutes of visits that took place in the period, / 60.
- Volunteers "neu": registered in the period; "ausgeschieden": status set to ausgeschieden in the period
  (both in their home district).
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import (
    PAIRING_END_REASONS,
    SERVICES,
    Appointment,
    AppointmentStatus,
    District,
    MatchRun,
    MatchRunStatus,
    MatchUnserved,
    Pairing,
    PairingSlot,
    PairingStatus,
    Request,
    RequestStatus,
    RequestWindow,
    Senior,
    Sozialraum,
    SozialraumPopulation,
    Volunteer,
    VolunteerAvailability,
    VolunteerStatus,
)
from ..models.base import split_list
from ..models.names import sort_key
from ..models.volunteer import volunteer_travel_district
from . import groups
from .periods import Period

log = logging.getLogger(__name__)

TOTAL = "Gesamt"
NO_SOZIALRAUM = "ohne Sozialraum"
AGE_GROUPS = (("unter 65", None, 65), ("65 bis 74", 65, 75), ("75 bis 84", 75, 85), ("85 und älter", 85, None))
DAYTIMES = (
    ("vormittags (bis 12 Uhr)", 0, 12 * 60),
    ("nachmittags (12 bis 17 Uhr)", 12 * 60, 17 * 60),
    ("abends (ab 17 Uhr)", 17 * 60, 24 * 60),
)
UNSERVED_REASONS = {
    "invalid_request": "Anfrage unvollständig",
    "no_service_in_district": "niemand mit diesem Angebot im Stadtbezirk",
    "no_language": "niemand spricht die gewünschte Sprache",
    "no_gender": "niemand des gewünschten Geschlechts",
    "pinned_unfit": "feste Zuordnung passt nicht",
    "all_excluded": "alle Passenden vom Team abgelehnt",
    "no_capacity_left": "alle Passenden ausgelastet",
    "busy_blocks": "Passende zu den Wunschzeiten schon verplant",
    "no_time_overlap": "keine gemeinsame Zeit",
    "not_chosen": "andere Anfrage vorgezogen",
    "taken": "Passende in diesem Vorschlag vergeben",
}


@dataclass
class Figures:
    """The figures of one area (district, Sozialraum or the city), for one offer or all."""

    received: int = 0
    placed: int = 0
    withdrawn: int = 0
    waiting: int = 0
    median_days: float | None = None
    seniors: int = 0
    volunteers: int = 0
    minutes: int = 0

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))


@dataclass
class Area:
    """One row of the report: a district, a Sozialraum or the whole city."""

    key: object
    name: str
    total: Figures = field(default_factory=Figures)
    offers: dict[str, Figures] = field(default_factory=lambda: {code: Figures() for code in SERVICES})
    volunteers_new: int = 0
    volunteers_left: int = 0
    pairs_ended: int = 0
    group_volunteer_minutes: int = 0  # volunteers' minutes at group sessions (in the group's area)
    is_aktionsraum: bool = False
    district: str = ""
    residents_65plus: int | None = None

    @property
    def group_volunteer_hours(self) -> Decimal:
        return (Decimal(self.group_volunteer_minutes) / 60).quantize(Decimal("0.01"))

    def per_1000(self, value: int) -> Decimal | None:
        """``value`` per 1,000 residents aged 65+ (when the city's figure is imported)."""
        if not self.residents_65plus:
            return None
        return (Decimal(value) * 1000 / self.residents_65plus).quantize(Decimal("0.1"))


@dataclass
class Report:
    """The period report: rows per area, the city row, and the shares."""

    period: Period
    by: str
    areas: list[Area]
    total: Area
    seniors_by_language: list[tuple[str, int]]
    seniors_by_age: list[tuple[str, int]]
    volunteers_by_language: list[tuple[str, int]]
    ended_by_reason: list[tuple[str, int]]
    population_year: int | None = None


# --- helpers -------------------------------------------------------------------------------------------------


def _utc_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's local days as UTC instants [start, end)."""
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    start = datetime.combine(period.start, time.min, zone).astimezone(UTC)
    end = datetime.combine(date.fromordinal(period.end.toordinal() + 1), time.min, zone).astimezone(UTC)
    return start, end


def _days_between(later, earlier):
    """Whole days from ``earlier`` to ``later`` (two date columns), in the dialect's arithmetic."""
    if db.engine.dialect.name == "sqlite":
        return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)
    return later - earlier


def _median(histogram: Counter) -> float | None:
    """The median of values given as ``{value: count}``."""
    total = sum(histogram.values())
    if not total:
        return None
    lower, upper = (total - 1) // 2, total // 2
    seen, low_value = 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if low_value is None and seen > lower:
            low_value = value
        if seen > upper:
            return (low_value + value) / 2
    return None


def _area_key(by: str):
    return Senior.district_id if by == "district" else Senior.sozialraum_id


def _distinct_counts(people) -> dict[tuple, int]:
    """Distinct ``person`` of a subquery (area, service, person), counted four ways:
    (area, offer), (area, None), (None, offer), (None, None)."""
    counts: dict[tuple, int] = {}
    for with_area in (True, False):
        for with_offer in (True, False):
            keys = ([people.c.area] if with_area else []) + ([people.c.service] if with_offer else [])
            query = sa.select(*keys, sa.func.count(sa.distinct(people.c.person)))
            for row in db.session.execute(query.group_by(*keys) if keys else query):
                *values, count = row
                key_area = values.pop(0) if with_area else TOTAL
                key_offer = values.pop(0) if with_offer else None
                counts[(key_area, key_offer)] = count
    return counts


def _took_place(period: Period):
    return sa.and_(
        Appointment.status == AppointmentStatus.STATTGEFUNDEN,
        Appointment.on >= period.start,
        Appointment.on <= period.end,
    )


# --- the figures ---------------------------------------------------------------------------------------------


def placed_expression():
    """SQL truth of "this request led to a Begleitung or a group place" (correlated with Request)."""
    led_to_pairing = sa.exists().where(Pairing.request_id == Request.id)
    group_place = groups.placed_expression()
    return led_to_pairing if group_place is None else sa.or_(led_to_pairing, group_place)


def request_counts(period: Period, by: str) -> dict[tuple, Figures]:
    """Requests received in the period per (area, offer): received, placed, withdrawn, still waiting."""
    area = _area_key(by)
    placed = placed_expression()
    rows = db.session.execute(
        sa.select(
            area,
            Request.service,
            sa.func.count(),
            sa.func.sum(sa.case((placed, 1), else_=0)),
            sa.func.sum(sa.case((Request.status == RequestStatus.ZURUECKGEZOGEN, 1), else_=0)),
            sa.func.sum(sa.case((Request.status.in_(RequestStatus.OPEN), 1), else_=0)),
        )
        .join(Senior, Senior.id == Request.senior_id)
        .where(Request.received_on >= period.start, Request.received_on <= period.end)
        .group_by(area, Request.service)
    )
    return {(a, s): Figures(received=n, placed=p or 0, withdrawn=w or 0, waiting=o or 0) for a, s, n, p, w, o in rows}


def placement_days(period: Period, by: str) -> dict[tuple, Counter]:
    """Histogram of days to placement per (area, offer) for the requests received in the period."""
    area = _area_key(by)
    starts = [
        sa.select(Pairing.request_id.label("request_id"), Pairing.starts_on.label("on")).where(
            Pairing.request_id.is_not(None)
        )
    ]
    if (group_starts := groups.place_starts()) is not None:
        starts.append(group_starts)
    union = sa.union_all(*starts).subquery()
    first = (
        sa.select(union.c.request_id, sa.func.min(union.c.on).label("first_on")).group_by(union.c.request_id).subquery()
    )
    days = _days_between(first.c.first_on, Request.received_on)
    days = sa.case((days < 0, 0), else_=days)
    rows = db.session.execute(
        sa.select(area, Request.service, days, sa.func.count())
        .join(Senior, Senior.id == Request.senior_id)
        .join(first, first.c.request_id == Request.id)
        .where(Request.received_on >= period.start, Request.received_on <= period.end)
        .group_by(area, Request.service, days)
    )
    histograms: dict[tuple, Counter] = defaultdict(Counter)
    for a, service, value, count in rows:
        histograms[(a, service)][int(value)] += count
    return histograms


def visit_minutes(period: Period, by: str) -> dict[tuple, int]:
    """Reported minutes of visits that took place in the period, per (area, offer); for the groups the minutes
    of the sessions each senior attended (in the senior's area)."""
    area = _area_key(by)
    rows = db.session.execute(
        sa.select(area, Pairing.service, sa.func.coalesce(sa.func.sum(Appointment.actual_minutes), 0))
        .select_from(Appointment)
        .join(Pairing, Pairing.id == Appointment.pairing_id)
        .join(Senior, Senior.id == Pairing.senior_id)
        .where(_took_place(period))
        .group_by(area, Pairing.service)
    )
    minutes = {(a, s): int(m) for a, s, m in rows}
    for key, value in groups.participant_minutes(period, area).items():
        minutes[(key, "demenzgruppe")] = minutes.get((key, "demenzgruppe"), 0) + value
    return minutes


def supported_seniors(period: Period, by: str) -> dict[tuple, int]:
    """Distinct seniors with a visit that took place (or a group session attended), by area and offer."""
    area = _area_key(by)
    parts = [
        sa.select(area.label("area"), Pairing.service.label("service"), Pairing.senior_id.label("person"))
        .select_from(Appointment)
        .join(Pairing, Pairing.id == Appointment.pairing_id)
        .join(Senior, Senior.id == Pairing.senior_id)
        .where(_took_place(period))
    ]
    if (attended := groups.attending_seniors(period, area)) is not None:
        parts.append(attended)
    return _distinct_counts(sa.union_all(*parts).subquery())


def visiting_volunteer():
    """The volunteer who made a visit: the stand-in if there was one, else the pairing's volunteer."""
    return sa.func.coalesce(Appointment.cover_volunteer_id, Pairing.volunteer_id)


def active_volunteers(period: Period, by: str) -> dict[tuple, int]:
    """Distinct volunteers with a visit that took place, counted in the district of the senior visited
    (at a group session present on the roster: in the group's district)."""
    area = _area_key(by)
    parts = [
        sa.select(area.label("area"), Pairing.service.label("service"), visiting_volunteer().label("person"))
        .select_from(Appointment)
        .join(Pairing, Pairing.id == Appointment.pairing_id)
        .join(Senior, Senior.id == Pairing.senior_id)
        .where(_took_place(period))
    ]
    if (present := groups.present_volunteers(period, by)) is not None:
        parts.append(present)
    return _distinct_counts(sa.union_all(*parts).subquery())


def volunteer_movements(period: Period) -> dict[object, tuple[int, int]]:
    """Per home district: volunteers registered in the period, and volunteers who left in it."""
    start, end = _utc_bounds(period)
    new = sa.and_(Volunteer.created_at >= start, Volunteer.created_at < end)
    left = sa.and_(Volunteer.left_on >= period.start, Volunteer.left_on <= period.end)
    rows = db.session.execute(
        sa.select(
            Volunteer.home_district_id,
            sa.func.sum(sa.case((new, 1), else_=0)),
            sa.func.sum(sa.case((left, 1), else_=0)),
        )
        .where(sa.or_(new, left))
        .group_by(Volunteer.home_district_id)
    )
    return {district: (new or 0, left or 0) for district, new, left in rows}


def ended_pairs(period: Period, by: str) -> dict[tuple, int]:
    """Begleitungen that ended in the period, per (area, reason)."""
    area = _area_key(by)
    start, end = _utc_bounds(period)
    ended_in = sa.or_(
        sa.and_(Pairing.ends_on >= period.start, Pairing.ends_on <= period.end),
        sa.and_(Pairing.ends_on.is_(None), Pairing.updated_at >= start, Pairing.updated_at < end),
    )
    rows = db.session.execute(
        sa.select(area, Pairing.end_reason, sa.func.count())
        .join(Senior, Senior.id == Pairing.senior_id)
        .where(Pairing.status == PairingStatus.BEENDET, ended_in)
        .group_by(area, Pairing.end_reason)
    )
    return {(a, r): n for a, r, n in rows}


def _shares_by_list(rows) -> list[tuple[str, int]]:
    """``(stored list text, count)`` rows → counts per single item (a person with two languages counts twice)."""
    counts: Counter = Counter()
    for text, count in rows:
        for item in split_list(text) or ["keine Angabe"]:
            counts[item] += count
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def senior_shares(period: Period) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Seniors supported in the period by language and by age group (age at the end of the period)."""
    visited = sa.select(Pairing.senior_id.label("senior_id")).join(Appointment, Appointment.pairing_id == Pairing.id)
    attended = groups.attending_seniors(period, Senior.district_id).subquery()
    supported = sa.union(visited.where(_took_place(period)), sa.select(attended.c.person.label("senior_id"))).subquery()
    languages = db.session.execute(
        sa.select(Senior.languages, sa.func.count())
        .join(supported, supported.c.senior_id == Senior.id)
        .group_by(Senior.languages)
    )
    cases = []
    for label, low, high in AGE_GROUPS:
        conditions = []
        if low is not None:  # at least ``low`` years old: born on or before the day ``low`` years back
            conditions.append(Senior.birth_on <= _years_before(period.end, low))
        if high is not None:
            conditions.append(Senior.birth_on > _years_before(period.end, high))
        cases.append((sa.and_(*conditions), label))
    group = sa.case(*cases, else_="unbekannt")
    ages = dict(
        db.session.execute(
            sa.select(group, sa.func.count()).join(supported, supported.c.senior_id == Senior.id).group_by(group)
        ).all()
    )
    by_age = [(label, ages.get(label, 0)) for label, _low, _high in AGE_GROUPS]
    return _shares_by_list(languages), by_age


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def volunteer_languages(period: Period) -> list[tuple[str, int]]:
    """Volunteers active in the period by language."""
    present = groups.present_volunteers(period, "district").subquery()
    active = sa.union(
        sa.select(visiting_volunteer().label("volunteer_id"))
        .select_from(Appointment)
        .join(Pairing, Pairing.id == Appointment.pairing_id)
        .where(_took_place(period)),
        sa.select(present.c.person.label("volunteer_id")),
    ).subquery()
    rows = db.session.execute(
        sa.select(Volunteer.languages, sa.func.count())
        .join(active, active.c.volunteer_id == Volunteer.id)
        .group_by(Volunteer.languages)
    )
    return _shares_by_list(rows)


def _areas(by: str) -> list[Area]:
    if by == "district":
        # German alphabetical order (Hörde between Hombruch and Huckarde), the same on both databases
        districts = sorted(db.session.scalars(sa.select(District)), key=lambda d: sort_key(d.name))
        return [Area(d.id, d.name) for d in districts]
    rows = db.session.execute(
        sa.select(Sozialraum, District.name).join(District, District.id == Sozialraum.district_id)
    ).all()
    areas = [Area(s.id, s.name, is_aktionsraum=s.is_aktionsraum, district=name) for s, name in rows]
    areas.sort(key=lambda a: (sort_key(a.district), sort_key(a.name)))
    return areas


def population(year: int) -> tuple[dict[int, int], int | None]:
    """Residents 65+ per Sozialraum: the latest imported year up to ``year`` (and that year)."""
    latest = db.session.scalar(
        sa.select(sa.func.max(SozialraumPopulation.year)).where(SozialraumPopulation.year <= year)
    )
    if latest is None:
        return {}, None
    rows = db.session.execute(
        sa.select(SozialraumPopulation.sozialraum_id, SozialraumPopulation.residents_65plus).where(
            SozialraumPopulation.year == latest
        )
    )
    return dict(rows.all()), latest


def build_report(period: Period, *, by: str = "district") -> Report:
    """All figures of the period per district (``by="district"``) or per Sozialraum (``by="sozialraum"``)."""
    areas = _areas(by)
    if by == "sozialraum":
        areas.append(Area(None, NO_SOZIALRAUM))
    index = {area.key: area for area in areas}
    total = Area(TOTAL, TOTAL)

    def area_of(key) -> Area:
        if key not in index:  # a district or Sozialraum added meanwhile
            index[key] = Area(key, str(key))
            areas.append(index[key])
        return index[key]

    for (key, service), figures in request_counts(period, by).items():
        for target in (area_of(key), total):
            for bucket in (target.offers[service], target.total):
                bucket.received += figures.received
                bucket.placed += figures.placed
                bucket.withdrawn += figures.withdrawn
                bucket.waiting += figures.waiting
    histograms = placement_days(period, by)
    merged: dict[tuple, Counter] = defaultdict(Counter)
    for (key, service), histogram in histograms.items():
        for target_key in ((key, service), (key, None), (TOTAL, service), (TOTAL, None)):
            merged[target_key].update(histogram)
    for (key, service), histogram in merged.items():
        target = total if key == TOTAL else area_of(key)
        (target.offers[service] if service else target.total).median_days = _median(histogram)
    for (key, service), minutes in visit_minutes(period, by).items():
        for target in (area_of(key), total):
            target.offers[service].minutes += minutes
            target.total.minutes += minutes
    for name, counts in (("seniors", supported_seniors(period, by)), ("volunteers", active_volunteers(period, by))):
        for (key, service), count in counts.items():
            target = total if key == TOTAL else area_of(key)
            setattr(target.offers[service] if service else target.total, name, count)
    for key, minutes in groups.volunteer_minutes(period, by).items():
        for target in (area_of(key), total):
            target.group_volunteer_minutes += minutes
    if by == "district":
        for key, (new, left) in volunteer_movements(period).items():
            area = area_of(key)
            area.volunteers_new, area.volunteers_left = new, left
            total.volunteers_new += new
            total.volunteers_left += left
    reasons: Counter = Counter()
    for (key, reason), count in ended_pairs(period, by).items():
        area_of(key).pairs_ended += count
        total.pairs_ended += count
        reasons[PAIRING_END_REASONS.get(reason, "nicht angegeben")] += count
    population_year = None
    if by == "sozialraum":
        residents, population_year = population(period.end.year)
        for area in areas:
            area.residents_65plus = residents.get(area.key)
        # no city-wide rate: the city's figures may cover some Sozialräume only, and seniors without one count too
        total.residents_65plus = None
    by_language, by_age = senior_shares(period)
    return Report(
        period=period,
        by=by,
        areas=areas,
        total=total,
        seniors_by_language=by_language,
        seniors_by_age=by_age,
        volunteers_by_language=volunteer_languages(period),
        ended_by_reason=sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
        population_year=population_year,
    )


# --- where help is missing (today) ---------------------------------------------------------------------------


@dataclass
class Gap:
    """Waiting requests and volunteer capacity in one district."""

    key: object
    name: str
    waiting: dict[str, int] = field(default_factory=lambda: {code: 0 for code in SERVICES})
    waiting_minutes: int = 0
    volunteers: int = 0
    offering: dict[str, int] = field(default_factory=lambda: {code: 0 for code in SERVICES})
    free_minutes: int = 0

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())

    @property
    def free_hours(self) -> Decimal:
        return (Decimal(self.free_minutes) / 60).quantize(Decimal("0.01"))

    @property
    def needed_hours(self) -> Decimal:
        return (Decimal(self.waiting_minutes) / 60).quantize(Decimal("0.01"))


@dataclass
class Missing:
    """Where help is missing: waiting requests by district, offer, language and time of day; capacity; reasons."""

    gaps: list[Gap]
    total: Gap
    by_language: list[tuple[str, int, int, Decimal]]  # waiting requests, volunteers speaking it, their free hours
    by_daytime: list[tuple[str, int, int, Decimal]]
    reasons: list[tuple[str, int]]
    run: MatchRun | None
    group_waiting: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    by_offer: list[tuple[str, int, int, Decimal]] = field(default_factory=list)


def _waiting():
    return sa.and_(Request.status.in_(RequestStatus.OPEN))


def missing_help(*, by: str = "district") -> Missing:
    """Requests waiting today beside the capacity of active volunteers, and the matching's reasons summed."""
    gaps = [Gap(a.key, a.name) for a in _areas(by)]
    if by == "sozialraum":
        gaps.append(Gap(None, NO_SOZIALRAUM))
    index = {g.key: g for g in gaps}
    total = Gap(TOTAL, TOTAL)
    area = _area_key(by)
    for key, service, count, minutes in db.session.execute(
        sa.select(
            area,
            Request.service,
            sa.func.count(),
            sa.func.sum(Request.visits_per_week * Request.minutes_per_visit),
        )
        .join(Senior, Senior.id == Request.senior_id)
        .where(_waiting())
        .group_by(area, Request.service)
    ):
        gap = index.setdefault(key, Gap(key, str(key)))
        for target in (gap, total):
            target.waiting[service] += count
            target.waiting_minutes += minutes or 0
    if by == "district":
        _capacity(index, total)
    languages = language_capacity()
    by_language = [
        (lang, n, *languages.get(lang, (0, Decimal("0.00"))))
        for lang, n in _shares_by_list(
            db.session.execute(
                sa.select(Request.languages, sa.func.count()).where(_waiting()).group_by(Request.languages)
            )
        )
    ]
    by_language = [
        ("ohne Sprachwunsch", n, total.volunteers, total.free_hours) if lang == "keine Angabe" else (lang, n, v, h)
        for lang, n, v, h in by_language
    ]
    available = daytime_capacity()
    offers = offer_capacity()
    wished = _daytimes(RequestWindow, RequestWindow.request_id)
    times = dict(
        db.session.execute(
            sa.select(wished.c.daytime, sa.func.count())
            .join(Request, Request.id == wished.c.owner)
            .where(_waiting())
            .group_by(wished.c.daytime)
        ).all()
    )
    run, reasons = unserved_reasons()
    return Missing(
        gaps=gaps,
        total=total,
        by_language=by_language,
        by_daytime=[
            (label, times.get(label, 0), *available.get(label, (0, Decimal("0.00")))) for label, _l, _h in DAYTIMES
        ],
        by_offer=[(code, total.waiting[code], *offers[code]) for code in SERVICES],
        reasons=reasons,
        run=run,
        group_waiting=groups.waiting_lists(),
    )


OFFER_FLAGS = {
    "besuchsdienst": Volunteer.offers_besuchsdienst,
    "entlastung": Volunteer.offers_entlastung,
    "demenzgruppe": Volunteer.offers_demenzgruppe,
}


def _active_capacity():
    """(select over active volunteers, their free minutes per week): what they offer less their running pairings."""
    used = (
        sa.select(
            Pairing.volunteer_id,
            sa.func.sum(PairingSlot.duration_minutes / Pairing.interval_weeks).label("minutes"),
        )
        .join(PairingSlot, PairingSlot.pairing_id == Pairing.id)
        .where(Pairing.status.in_(PairingStatus.RUNNING))
        .group_by(Pairing.volunteer_id)
        .subquery()
    )
    free = Volunteer.max_minutes_per_week - sa.func.coalesce(used.c.minutes, 0)
    free = sa.case((free > 0, free), else_=0)
    base = (
        sa.select()
        .select_from(Volunteer)
        .outerjoin(used, used.c.volunteer_id == Volunteer.id)
        .where(Volunteer.status == VolunteerStatus.AKTIV, Volunteer.restricted_at.is_(None))
    )
    return base, free


def _capacity(index: dict, total: Gap) -> None:
    """Active volunteers per district they serve (home or travel), with their free minutes per week."""
    base, free = _active_capacity()
    serves = sa.union(
        sa.select(Volunteer.id.label("volunteer_id"), Volunteer.home_district_id.label("district_id")),
        sa.select(volunteer_travel_district.c.volunteer_id, volunteer_travel_district.c.district_id),
    ).subquery()
    columns = [sa.func.sum(sa.case((flag, 1), else_=0)) for flag in OFFER_FLAGS.values()]
    query = base.add_columns(sa.func.count(), sa.func.coalesce(sa.func.sum(free), 0), *columns)
    by_district = query.add_columns(serves.c.district_id).join(serves, serves.c.volunteer_id == Volunteer.id)
    for count, minutes, *flags, district_id in db.session.execute(by_district.group_by(serves.c.district_id)):
        gap = index.get(district_id)
        if gap is None:
            continue
        gap.volunteers, gap.free_minutes = count, int(minutes)
        gap.offering = {code: int(n or 0) for code, n in zip(OFFER_FLAGS, flags, strict=True)}
    count, minutes, *flags = db.session.execute(query).one()
    total.volunteers, total.free_minutes = count, int(minutes or 0)
    total.offering = {code: int(n or 0) for code, n in zip(OFFER_FLAGS, flags, strict=True)}


def _hours(minutes) -> Decimal:
    return (Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.01"))


def language_capacity() -> dict[str, tuple[int, Decimal]]:
    """Per language: active volunteers who speak it and their free hours per week."""
    base, free = _active_capacity()
    rows = db.session.execute(
        base.add_columns(Volunteer.languages, sa.func.count(), sa.func.sum(free)).group_by(Volunteer.languages)
    )
    counts: Counter = Counter()
    minutes: Counter = Counter()
    for text, count, free_minutes in rows:
        for language in split_list(text):
            counts[language] += count
            minutes[language] += int(free_minutes or 0)
    return {language: (counts[language], _hours(minutes[language])) for language in counts}


def _daytimes(model, owner):
    """(owner id, time of day) for each weekly window of ``model`` and each time of day it overlaps."""
    return sa.union(
        *(
            sa.select(owner.label("owner"), sa.literal(label).label("daytime")).where(
                model.start_minute < high, model.end_minute > low
            )
            for label, low, high in DAYTIMES
        )
    ).subquery()


def daytime_capacity() -> dict[str, tuple[int, Decimal]]:
    """Per time of day: active volunteers available then (a weekly window overlapping it) and their free hours."""
    base, free = _active_capacity()
    windows = _daytimes(VolunteerAvailability, VolunteerAvailability.volunteer_id)
    rows = db.session.execute(
        base.add_columns(windows.c.daytime, sa.func.count(), sa.func.sum(free))
        .join(windows, windows.c.owner == Volunteer.id)
        .group_by(windows.c.daytime)
    )
    return {daytime: (count, _hours(minutes)) for daytime, count, minutes in rows}


def offer_capacity() -> dict[str, tuple[int, Decimal]]:
    """Per offer: active volunteers offering it and their free hours per week."""
    base, free = _active_capacity()
    columns = []
    for flag in OFFER_FLAGS.values():
        columns += [sa.func.sum(sa.case((flag, 1), else_=0)), sa.func.sum(sa.case((flag, free), else_=0))]
    values = db.session.execute(base.add_columns(*columns)).one()
    return {code: (int(values[2 * i] or 0), _hours(values[2 * i + 1])) for i, code in enumerate(OFFER_FLAGS)}


def unserved_reasons() -> tuple[MatchRun | None, list[tuple[str, int]]]:
    """The reasons of the latest finished matching run for requests still waiting, summed by reason."""
    run = db.session.scalar(
        sa.select(MatchRun).where(MatchRun.status == MatchRunStatus.FERTIG).order_by(MatchRun.id.desc()).limit(1)
    )
    if run is None:
        return None, []
    codes_text = sa.cast(MatchUnserved.reason_codes, sa.Text)
    rows = db.session.execute(
        sa.select(codes_text, sa.func.count())
        .join(Request, Request.id == MatchUnserved.request_id)
        .where(MatchUnserved.run_id == run.id, _waiting())
        .group_by(codes_text)
    )
    counts: Counter = Counter()
    for text, count in rows:
        try:
            codes = json.loads(text or "[]")
        except ValueError:
            log.warning("unreadable reason codes %r in match run %s", text, run.id)
            codes = []
        for code in codes or ["unknown"]:
            counts[UNSERVED_REASONS.get(code, "ohne Angabe")] += count
    return run, sorted(counts.items(), key=lambda item: (-item[1], item[0]))
