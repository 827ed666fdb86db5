"""Calendars: week and month grids of the whole service (filterable by district and volunteer name), of one
volunteer and of one senior, with NRW holidays and volunteers' absences."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, url_for

import scheduling
from scheduling import Span

from .. import clock
from ..auth.access import CARE, restrict
from ..extensions import db
from ..inputs import query_date, query_text
from ..models import District, Pairing, Senior, Volunteer, VolunteerStatus
from ..models.names import search_condition
from ..pages import cached
from . import queries

bp = Blueprint("calendars", __name__, url_prefix="/kalender")
restrict(bp, *CARE)


def _span() -> Span:
    value = request.args.get("ansicht", "") or Span.MONTH
    if value not in set(Span):
        abort(400, description="Ansicht „woche“ oder „monat“ angeben.")
    return Span(value)


def _grid(visits, absences: list[scheduling.Absence], *, span: Span, anchor: date) -> scheduling.CalendarGrid:
    """The grid with visits in their cells, or with counts per day when the period holds too many to list."""
    counts = queries.counts_per_day(visits)
    listed = None
    if sum(counts.values()) <= current_app.config["CALENDAR_MAX_VISITS"]:
        listed = queries.domain_visits(visits)
    return scheduling.build_calendar(
        span, anchor, today=clock.today(), appointments=listed, counts=counts, absences=absences
    )


def _day_links(grid: scheduling.CalendarGrid, **filters) -> dict[date, str]:
    """Per day with visits, the Termine page that lists it: its week, the page where the day starts, its anchor."""
    per_page = current_app.config["ITEMS_PER_PAGE"]
    links = {}
    for week in grid.weeks:
        before = 0
        for day in week:
            if day.count:
                args = {k: v for k, v in filters.items() if v} | {"von": day.on.isoformat()}
                if before >= per_page:
                    args["page"] = before // per_page + 1
                links[day.on] = url_for("appointments.index", **args, _anchor=f"tag-{day.on.isoformat()}")
            before += day.count
    return links


def _render(grid: scheduling.CalendarGrid, *, subject: str, termine: dict | None = None, **context):
    """The calendar page; ``termine`` are the Termine filters that select the same visits (for the day links)."""
    links = _day_links(grid, **termine) if termine is not None else {}
    return render_template("calendars/calendar.html", grid=grid, subject=subject, day_links=links, **context)


@bp.route("/")
@cached
def service():
    """The whole service's week or month; filter by the senior's district and a volunteer's typed name."""
    span, anchor = _span(), query_date("datum", default=clock.today())
    first, last = scheduling.grid_bounds(span, anchor)
    district = query_text("bezirk", max_length=80) or None
    name = query_text("name", max_length=100) or None
    visits = queries.service_filter(queries.visits_between(first, last), district=district, name=name)
    who = Volunteer.status != VolunteerStatus.AUSGESCHIEDEN
    if district:
        who = sa.and_(who, Volunteer.home_district.has(District.name == district))
    if name:
        who = sa.and_(who, search_condition(Volunteer.search_text, name))
    grid = _grid(visits, queries.absences_between(first, last, who), span=span, anchor=anchor)
    subject = " · ".join(filter(None, ("alle Termine", district and f"Bezirk {district}", name and f"„{name}“")))
    return _render(
        grid,
        subject=subject,
        scope="service",
        termine={"bezirk": district, "name": name},
        district=district,
        name=name,
        districts=db.session.scalars(sa.select(District).order_by(District.name)).all(),
    )


@bp.route("/ehrenamtliche/<int:volunteer_id>")
@cached
def volunteer(volunteer_id: int):
    """One volunteer's visits (own and as stand-in) and absences."""
    person = db.get_or_404(Volunteer, volunteer_id)
    span, anchor = _span(), query_date("datum", default=clock.today())
    first, last = scheduling.grid_bounds(span, anchor)
    visits = queries.visits_between(first, last).where(queries.done_by(person.id))
    absences = queries.absences_between(first, last, Volunteer.id == person.id)
    grid = _grid(visits, absences, span=span, anchor=anchor)
    return _render(grid, subject=person.name, scope="volunteer", volunteer=person)


@bp.route("/senioren/<int:senior_id>")
@cached
def senior(senior_id: int):
    """One senior's visits, and the absences of the volunteers who visit them."""
    person = db.get_or_404(Senior, senior_id)
    span, anchor = _span(), query_date("datum", default=clock.today())
    first, last = scheduling.grid_bounds(span, anchor)
    visits = queries.visits_between(first, last).where(Pairing.senior_id == person.id)
    absences = queries.absences_between(first, last, queries.senior_volunteers(person.id))
    grid = _grid(visits, absences, span=span, anchor=anchor)
    return _render(grid, subject=person.name, scope="senior", senior=person)
