"""Seniors: list (staff), create and edit (care staff), detail (care staff see everything, accounting billing only)."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from .. import audit
from ..accounting.corrections import correction_notice
from ..auth.access import CARE, STAFF, require_role, restrict
from ..clock import today as _today
from ..contacts.operations import last_contacts
from ..extensions import db
from ..inputs import query_int, query_page, query_text
from ..models import (
    APPOINTMENT_STATUSES,
    PAIRING_STATUSES,
    REQUEST_STATUSES,
    SENIOR_STATUSES,
    Appointment,
    District,
    Pairing,
    PairingStatus,
    Pflegekasse,
    Request,
    Senior,
    SeniorStatus,
)
from ..models.budget import AbtretungPeriod
from ..models.names import search_condition
from ..pages import cached
from ..submissions import remember, repeated
from ..suggest import suggestions
from .forms import SeniorForm
from .operations import SeniorError, outside_dortmund, save_senior

bp = Blueprint("seniors", __name__, url_prefix="/seniors")
restrict(bp, *STAFF)

APPOINTMENTS_SHOWN = 10


def detail_url(endpoint: str, object_id: int) -> str:
    """URL of another area's detail page, whatever its id argument is called (request_id, item_id, …)."""
    (argument,) = next(current_app.url_map.iter_rules(endpoint)).arguments
    return url_for(endpoint, **{argument: object_id})


@bp.context_processor
def _template_helpers():
    return {"detail_url": detail_url}


def _sees_care_data() -> bool:
    return current_user.role in CARE


@bp.route("/suche")
def suggest():
    """Type-ahead: seniors (current, not restricted) whose name matches ``?q=``, as JSON."""
    return suggestions(
        Senior,
        where=sa.and_(Senior.status.in_(SeniorStatus.CURRENT), Senior.restricted_at.is_(None)),
        load=(joinedload(Senior.district),),
        describe=lambda s: s.district.name + (f" · Pflegegrad {s.pflegegrad}" if s.pflegegrad else ""),
    )


@bp.route("/")
@cached
def index():
    """List seniors: search, filters, pagination; care columns only for care staff."""
    args = request.args
    today = _today()
    query = _filtered(sa.select(Senior), args, today).order_by(Senior.sort_name, Senior.id)
    query = query.options(joinedload(Senior.district), joinedload(Senior.pflegekasse))
    page = db.paginate(query, page=query_page(), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    pairing_counts, contacts = {}, {}
    if _sees_care_data() and page.items:
        contacts = last_contacts("senior", (s.id for s in page.items))
        pairing_counts = dict(
            db.session.execute(
                sa.select(Pairing.senior_id, sa.func.count())
                .where(Pairing.senior_id.in_([s.id for s in page.items]), Pairing.status == PairingStatus.AKTIV)
                .group_by(Pairing.senior_id)
            ).all()
        )
    return render_template(
        "seniors/index.html",
        page=page,
        args=args,
        today=today,
        care=_sees_care_data(),
        pairing_counts=pairing_counts,
        contacts=contacts,
        districts=db.session.scalars(sa.select(District).order_by(District.name)).all(),
        kassen=db.session.scalars(sa.select(Pflegekasse).order_by(Pflegekasse.name)).all(),
        statuses=SENIOR_STATUSES,
    )


def _filtered(query, args, today: date):
    """Apply the list's search and filters from the query string."""
    query = query.where(search_condition(Senior.search_text, query_text("q")))
    if district_id := query_int("district"):
        query = query.where(Senior.district_id == district_id)
    grade = args.get("pflegegrad", "")
    if grade == "keiner":
        query = query.where(Senior.pflegegrad.is_(None))
    elif grade in {"1", "2", "3", "4", "5"}:
        query = query.where(Senior.pflegegrad == int(grade))
    if kasse_id := query_int("pflegekasse"):
        query = query.where(Senior.pflegekasse_id == kasse_id)
    status = args.get("status", "")
    if status in SENIOR_STATUSES:
        query = query.where(Senior.status == status)
    elif status != "alle":
        query = query.where(Senior.status.in_(SeniorStatus.CURRENT))
    abtretung_valid = sa.exists().where(AbtretungPeriod.senior_id == Senior.id, AbtretungPeriod.valid_on_sql(today))
    if args.get("abtretung") == "vorhanden":
        query = query.where(abtretung_valid)
    elif args.get("abtretung") == "keine":
        query = query.where(~abtretung_valid)
    return query


@bp.route("/neu", methods=["GET", "POST"])
def create():
    """Create a senior (care staff only)."""
    require_role(*CARE)
    return _edit(Senior())


@bp.route("/<int:senior_id>/bearbeiten", methods=["GET", "POST"])
def edit(senior_id: int):
    """Edit a senior (care staff only)."""
    require_role(*CARE)
    return _edit(db.get_or_404(Senior, senior_id))


def _edit(senior: Senior):
    # A new senior has no values yet: show the form's defaults (Ort Dortmund, Sprache Deutsch), not empty fields.
    form = SeniorForm(obj=senior if senior.id else None)
    duplicates = []
    if form.validate_on_submit():
        if senior.id is None and (repeat := repeated(form)) is not None:
            return repeat
        try:
            save_senior(senior, today=_today(), allow_duplicate=form.confirm_other_person.data, **form.values())
        except SeniorError as error:
            for name, message in error.errors.items():
                getattr(form, name).errors.append(message)
            duplicates = error.duplicates
        else:
            url = url_for(".detail", senior_id=senior.id)
            if senior.id is not None and correction_notice(senior):
                url = url_for("budget.detail", senior_id=senior.id)  # its notice names the billed months
            remember(form, url)
            db.session.commit()
            flash(_("„%(senior)s“ gespeichert.", senior=senior.name), "success")
            if outside_dortmund(senior.postal_code):
                flash(
                    _(
                        ("Hinweis: Die PLZ %(postal_code)s liegt außerhalb Dortmunds (44135–44388)."),
                        postal_code=senior.postal_code,
                    ),
                    "warning",
                )
            return redirect(url)
    return render_template("seniors/form.html", form=form, senior=senior, duplicates=duplicates)


@bp.route("/<int:senior_id>")
def detail(senior_id: int):
    """Show a senior: everything for care staff; billing facts and visit minutes for accounting."""
    senior = db.session.scalars(
        sa.select(Senior)
        .where(Senior.id == senior_id)
        .options(joinedload(Senior.district), joinedload(Senior.sozialraum), joinedload(Senior.pflegekasse))
    ).first() or abort(404)
    today = _today()
    care = _sees_care_data()
    appointments = sa.select(Appointment).join(Appointment.pairing).where(Pairing.senior_id == senior.id)
    appointments = appointments.options(joinedload(Appointment.pairing).joinedload(Pairing.volunteer))
    past = db.session.scalars(
        appointments.where(Appointment.on < today)
        .order_by(Appointment.on.desc(), Appointment.planned_start.desc())
        .limit(APPOINTMENTS_SHOWN)
    ).all()
    context = dict(
        senior=senior,
        care=care,
        today=today,
        past=past,
        statuses=SENIOR_STATUSES,
        request_statuses=REQUEST_STATUSES,
        pairing_statuses=PAIRING_STATUSES,
        appointment_statuses=APPOINTMENT_STATUSES,
    )
    if care:
        context["upcoming"] = db.session.scalars(
            appointments.where(Appointment.on >= today)
            .order_by(Appointment.on, Appointment.planned_start)
            .limit(APPOINTMENTS_SHOWN)
        ).all()
        context["requests"] = db.session.scalars(
            sa.select(Request)
            .where(Request.senior_id == senior.id)
            .options(selectinload(Request.windows))
            .order_by(Request.received_on.desc())
        ).all()
        context["pairings"] = db.session.scalars(
            sa.select(Pairing)
            .where(Pairing.senior_id == senior.id)
            .options(joinedload(Pairing.volunteer), selectinload(Pairing.slots))
            .order_by(Pairing.status.in_(PairingStatus.RUNNING).desc(), Pairing.starts_on.desc())
        ).all()
    audit.record("view", senior, detail="Detailseite" + (" mit Pflegeangaben" if care else ""))
    db.session.commit()
    return render_template("seniors/detail.html", **context)
