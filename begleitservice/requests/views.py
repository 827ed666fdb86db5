"""Vermittlungsanfragen: list of open work, create, edit, detail with status history."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..auth.access import CARE, restrict
from ..clock import today
from ..contacts.operations import last_contacts
from ..extensions import db
from ..inputs import query_int, query_page, query_text
from ..models import (
    REQUEST_STATUSES,
    SERVICES,
    URGENCIES,
    District,
    Pairing,
    Request,
    RequestStatus,
    RequestStatusChange,
    Senior,
)
from ..models.names import search_condition
from ..pages import cached
from ..submissions import remember, repeated
from .forms import RequestForm, StatusForm
from .operations import RequestError, allowed_statuses, change_status, save_request

bp = Blueprint("requests", __name__, url_prefix="/requests")
restrict(bp, *CARE)


@bp.route("/")
@cached
def index():
    """List requests, open ones oldest first, with filters and a name search."""
    args = {k: query_text(k) for k in ("status", "service", "district", "urgency", "q")}
    query = (
        sa.select(Request)
        .join(Request.senior)
        .options(contains_eager(Request.senior).joinedload(Senior.district))
        .order_by(Request.received_on, Request.id)
    )
    if args["status"] in REQUEST_STATUSES:
        query = query.where(Request.status == args["status"])
    elif args["status"] != "alle":
        query = query.where(Request.status.in_(RequestStatus.OPEN))
    if args["service"] in SERVICES:
        query = query.where(Request.service == args["service"])
    if district_id := query_int("district"):
        query = query.where(Senior.district_id == district_id)
    if urgency := query_int("urgency", high=max(URGENCIES)):
        query = query.where(Request.urgency == urgency)
    query = query.where(search_condition(Senior.search_text, args["q"]))
    page = db.paginate(query, page=query_page(), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template(
        "requests/index.html",
        page=page,
        contacts=last_contacts("request", (r.id for r in page.items)),
        args=args,
        today=today(),
        districts=db.session.scalars(sa.select(District).order_by(District.name)).all(),
        statuses=REQUEST_STATUSES,
        services=SERVICES,
        urgencies=URGENCIES,
    )


@bp.route("/neu", methods=["GET", "POST"])
def create():
    """Record a new request, for the senior given by ?senior_id= if any."""
    item = Request()
    senior_id = query_int("senior_id")
    return _edit(item, preselected=db.get_or_404(Senior, senior_id) if senior_id else None)


@bp.route("/<int:request_id>/bearbeiten", methods=["GET", "POST"])
def edit(request_id: int):
    """Edit a request's needs (not its status)."""
    return _edit(db.get_or_404(Request, request_id))


def _edit(item: Request, *, preselected: Senior | None = None):
    form = RequestForm(obj=item if item.id else None)
    form.set_seniors(keep=item.senior_id, current=item.source)
    if request.method == "GET":
        if item.id is None and preselected is not None:
            form.senior_id.data = preselected.id
            form.service.data = "entlastung" if preselected.pflegegrad else "besuchsdienst"
            form.languages.data = preselected.languages
            form.volunteer_gender.data = preselected.preferred_volunteer_gender or ""
        if item.id is not None:
            form.windows.data = [(w.weekday, w.start_minute, w.end_minute) for w in item.windows]
            form.volunteer_gender.data = item.volunteer_gender or ""
    if form.validate_on_submit():
        if item.id is None and (repeat := repeated(form)) is not None:
            return repeat
        try:
            save_request(
                item,
                senior=db.session.get(Senior, form.senior_id.data),
                service=form.service.data,
                visits_per_week=form.visits_per_week.data,
                minutes_per_visit=form.minutes_per_visit.data,
                windows=form.windows.data,
                languages=form.languages.data,
                volunteer_gender=form.volunteer_gender.data,
                urgency=form.urgency.data,
                received_on=form.received_on.data,
                source=form.source.data,
                notes=form.notes.data,
                user=current_user._get_current_object(),
            )
        except RequestError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            remember(form, url := url_for(".detail", request_id=item.id))
            db.session.commit()
            flash(_("Anfrage für %(senior)s gespeichert.", senior=item.senior.name), "success")
            return redirect(url)
    return render_template("requests/form.html", form=form, item=item, preselected=preselected)


@bp.route("/<int:request_id>")
def detail(request_id: int):
    """Show a request with its windows, status history and the pairing made from it."""
    return _detail(_load(request_id), StatusForm())


@bp.route("/<int:request_id>/status", methods=["POST"])
def status(request_id: int):
    """Move a request to another status and record it in the history."""
    item = _load(request_id)
    form = StatusForm()
    form.set_choices(allowed_statuses(item))
    if form.validate_on_submit():
        try:
            change_status(item, form.status.data, user=current_user._get_current_object(), note=form.note.data)
        except RequestError as error:
            db.session.rollback()
            item = _load(request_id)
            form.status.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Status auf „%(value)s“ gesetzt.", value=REQUEST_STATUSES[item.status]), "success")
            return redirect(url_for(".detail", request_id=item.id))
    return _detail(item, form)


def _load(request_id: int) -> Request:
    item = db.session.scalar(
        sa.select(Request)
        .where(Request.id == request_id)
        .options(
            joinedload(Request.senior).joinedload(Senior.district),
            selectinload(Request.windows),
            selectinload(Request.status_changes).joinedload(RequestStatusChange.changed_by),
        )
    )
    if item is None:
        abort(404)
    return item


def _detail(item: Request, form: StatusForm):
    form.set_choices(allowed_statuses(item))
    pairings = db.session.scalars(
        sa.select(Pairing)
        .where(Pairing.request_id == item.id)
        .options(joinedload(Pairing.volunteer), selectinload(Pairing.slots))
        .order_by(Pairing.starts_on)
    ).all()
    return render_template(
        "requests/detail.html",
        item=item,
        form=form,
        pairings=pairings,
        today=today(),
        statuses=REQUEST_STATUSES,
        urgencies=URGENCIES,
        is_open=item.status in RequestStatus.OPEN,
    )
