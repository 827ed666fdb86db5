"""Begleitungen: list, create (also from a request), edit, detail with appointments and their hours."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from .. import rules
from ..accounting.operations import nachberechnung_notice
from ..appointments.convert import appointment_volunteer
from ..appointments.operations import AppointmentError, add_one_off
from ..auth.access import CARE, restrict
from ..budget.operations import budget_warning
from ..clock import now, today
from ..database import lock
from ..extensions import db
from ..inputs import query_int, query_page, query_text
from ..models import (
    APPOINTMENT_STATUSES,
    PAIRING_END_REASONS,
    PAIRING_STATUSES,
    SERVICES,
    Appointment,
    District,
    Pairing,
    PairingStatus,
    Request,
    Senior,
    Volunteer,
)
from ..models.base import WEEKDAYS
from ..models.names import search_condition
from ..pages import cached
from ..submissions import remember, repeated
from .forms import AppointmentForm, OneOffForm, PairingForm
from .operations import PairingError, PairingRuleError, create_pairing, record_appointment, update_pairing

bp = Blueprint("pairings", __name__, url_prefix="/pairings")
restrict(bp, *CARE)

PAST_SHOWN = 20


@bp.route("/")
@cached
def index():
    """List pairings (active ones by default) with filters and a name search."""
    args = {k: query_text(k) for k in ("status", "service", "district", "q")}
    query = (
        sa.select(Pairing)
        .join(Pairing.senior)
        .join(Pairing.volunteer)
        .options(
            contains_eager(Pairing.senior).joinedload(Senior.district),
            contains_eager(Pairing.volunteer),
            selectinload(Pairing.slots),
        )
        .order_by(Senior.sort_name, Senior.id, Pairing.id)
    )
    if args["status"] in PAIRING_STATUSES:
        query = query.where(Pairing.status == args["status"])
    elif args["status"] != "alle":
        query = query.where(Pairing.status == PairingStatus.AKTIV)
    if args["service"] in SERVICES:
        query = query.where(Pairing.service == args["service"])
    if district_id := query_int("district"):
        query = query.where(Senior.district_id == district_id)
    if args["q"]:
        query = query.where(
            sa.or_(search_condition(Senior.search_text, args["q"]), search_condition(Volunteer.search_text, args["q"]))
        )
    page = db.paginate(query, page=query_page(), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template(
        "pairings/index.html",
        page=page,
        args=args,
        districts=db.session.scalars(sa.select(District).order_by(District.name)).all(),
        statuses=PAIRING_STATUSES,
        services=SERVICES,
    )


@bp.route("/neu", methods=["GET", "POST"])
def create():
    """Create a pairing, prefilled from the request given by ?request_id= if any."""
    request_id = query_int("request_id")
    source = db.get_or_404(Request, request_id) if request_id else None
    form = _form(None)
    if request.method == "GET" and source is not None:
        form.senior_id.data, form.service.data = source.senior_id, source.service
        form.slots.data = _slots_from_request(source)
    rule_error = None
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        try:
            pairing = create_pairing(
                **_values(form), request=source, user=current_user._get_current_object(), override=_override(form, None)
            )
        except PairingError as error:
            db.session.rollback()
            rule_error = _show_error(form, error)
        else:
            remember(form, url_for(".detail", pairing_id=pairing.id))
            db.session.commit()
            flash(
                _(
                    "Begleitung %(volunteer)s ↔ %(senior)s angelegt.",
                    volunteer=pairing.volunteer.name,
                    senior=pairing.senior.name,
                ),
                "success",
            )
            if pairing.service == "entlastung" and (warning := budget_warning(pairing.senior, 0)):
                flash(warning, "warning")  # the new pairing is active now, so it is counted already
            return redirect(url_for(".detail", pairing_id=pairing.id))
    return render_template("pairings/form.html", form=form, pairing=None, source=source, rule_error=rule_error)


@bp.route("/<int:pairing_id>/bearbeiten", methods=["GET", "POST"])
def edit(pairing_id: int):
    """Edit a pairing's people, service, weekly slots, dates and status."""
    pairing = db.get_or_404(Pairing, pairing_id)
    form = _form(pairing)
    if request.method == "GET":
        form.slots.data = [(s.weekday, s.start_minute, s.end_minute) for s in pairing.slots]
    if request.method == "GET" and pairing.override_reason:
        form.override_reason.data = pairing.override_reason
    rule_error = None
    if form.validate_on_submit():
        try:
            update_pairing(
                pairing, **_values(form), user=current_user._get_current_object(), override=_override(form, pairing)
            )
        except PairingError as error:
            db.session.rollback()
            rule_error = _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Begleitung gespeichert."), "success")
            return redirect(url_for(".detail", pairing_id=pairing.id))
    return render_template(
        "pairings/form.html", form=form, pairing=pairing, source=pairing.request, rule_error=rule_error
    )


def _override(form: PairingForm, pairing: Pairing | None) -> rules.Override | None:
    """The coordinator's override of soft placing rules as the form gives it (a stored one stands on an edit)."""
    reason = (form.override_reason.data or "").strip()
    if not form.override.data and not (pairing is not None and pairing.override_rules and reason):
        return None
    earlier = pairing.overridden_rules if pairing is not None and reason == pairing.override_reason else frozenset()
    return rules.Override(reason, rules=earlier, confirmed=bool(form.override.data))


def _show_error(form: PairingForm, error: PairingError) -> PairingRuleError | None:
    """Put the error's German messages at their fields; a rule error is also shown above the form."""
    if not isinstance(error, PairingRuleError):
        getattr(form, error.field).errors.append(str(error))
        return None
    for violation in error.violations:
        getattr(form, violation.field).errors.append(violation.message)
    if error.overridable and not form.override.data:
        form.override.errors.append("Nur mit Häkchen und Begründung speichern.")
    return error


def _form(pairing: Pairing | None) -> PairingForm:
    form = PairingForm(obj=pairing)
    keep_volunteer, keep_senior = (pairing.volunteer_id, pairing.senior_id) if pairing else (None, None)
    form.set_people(keep_volunteer=keep_volunteer, keep_senior=keep_senior)
    return form


def _values(form: PairingForm) -> dict:
    return dict(
        volunteer=db.session.get(Volunteer, form.volunteer_id.data),
        senior=db.session.get(Senior, form.senior_id.data),
        service=form.service.data,
        slots=form.slots.data,
        interval_weeks=form.interval_weeks.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        status=form.status.data,
        end_reason=form.end_reason.data or None,
    )


def _slots_from_request(source: Request) -> list[tuple[int, int, int]]:
    """A first suggestion: one visit of the requested length at the start of each window, up to visits_per_week."""
    slots = []
    for window in source.windows[: source.visits_per_week]:
        end = min(window.start_minute + source.minutes_per_visit, window.end_minute)
        slots.append((window.weekday, window.start_minute, end))
    return slots


@bp.route("/<int:pairing_id>")
def detail(pairing_id: int):
    """Show a pairing with its slots and its past and upcoming appointments."""
    return _detail(pairing_id, OneOffForm())


def _detail(pairing_id: int, one_off: OneOffForm):
    pairing = db.session.scalar(
        sa.select(Pairing)
        .where(Pairing.id == pairing_id)
        .options(
            joinedload(Pairing.volunteer),
            joinedload(Pairing.senior).joinedload(Senior.district),
            joinedload(Pairing.request),
            selectinload(Pairing.slots),
        )
    ) or abort(404)
    day = today()
    show_all = request.args.get("alle") == "1"
    base = sa.select(Appointment).where(Appointment.pairing_id == pairing.id)
    upcoming = db.session.scalars(
        base.where(Appointment.on >= day).order_by(Appointment.on, Appointment.planned_start)
    ).all()
    past_query = base.where(Appointment.on < day).order_by(Appointment.on.desc(), Appointment.planned_start.desc())
    past_count = db.session.scalar(sa.select(sa.func.count()).select_from(past_query.subquery()))
    past = db.session.scalars(past_query if show_all else past_query.limit(PAST_SHOWN)).all()
    return render_template(
        "pairings/detail.html",
        pairing=pairing,
        upcoming=upcoming,
        past=past,
        past_count=past_count,
        show_all=show_all,
        one_off=one_off,
        statuses=PAIRING_STATUSES,
        end_reasons=PAIRING_END_REASONS,
        appointment_statuses=APPOINTMENT_STATUSES,
        weekdays=WEEKDAYS,
    )


@bp.route("/<int:pairing_id>/termine/neu", methods=["POST"])
def add_appointment(pairing_id: int):
    """Add a one-off appointment to a pairing."""
    pairing = db.get_or_404(Pairing, pairing_id)
    form = OneOffForm()
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        try:
            appointment = add_one_off(
                pairing,
                on=form.on.data,
                start=form.start.data,
                end=form.end.data,
                note=form.note.data,
                now=now(),
                allow_past=True,
            )
        except AppointmentError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            remember(form, url_for(".detail", pairing_id=pairing.id))
            db.session.commit()
            flash(f"Einzeltermin am {appointment.on:%d.%m.%Y} eingetragen.", "success")
            return redirect(url_for(".detail", pairing_id=pairing.id))
    return _detail(pairing_id, form)


@bp.route("/<int:pairing_id>/termine/<int:appointment_id>", methods=["GET", "POST"])
def edit_appointment(pairing_id: int, appointment_id: int):
    """Set an appointment's status and the minutes it actually took."""
    if request.method == "POST":
        lock(Appointment, appointment_id)  # against the volunteer's confirm/decline link at the same moment
    appointment = db.get_or_404(Appointment, appointment_id)
    if appointment.pairing_id != pairing_id:
        abort(404)
    form = AppointmentForm(obj=appointment)
    if request.method == "GET":
        form.seen_status.data = appointment.status
        form.by_phone.data = appointment.by_phone or not appointment_volunteer(appointment).email
    if form.validate_on_submit() and _unchanged_since_shown(form, appointment):
        try:
            record_appointment(
                appointment,
                status=form.status.data,
                actual_minutes=form.actual_minutes.data,
                km=form.km.data,
                by_phone=form.by_phone.data,
                activity=form.activity.data,
            )
        except PairingError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            notice = nachberechnung_notice(appointment)
            db.session.commit()
            flash(f"Termin am {appointment.on:%d.%m.%Y} gespeichert.", "success")
            if notice:
                flash(notice, "info")
            return redirect(url_for(".detail", pairing_id=pairing_id))
    return render_template("pairings/appointment.html", form=form, appointment=appointment)


def _unchanged_since_shown(form: AppointmentForm, appointment: Appointment) -> bool:
    """False (with a note on the form) when the status changed since the form was shown, e.g. the volunteer
    declined meanwhile: the coordinator sees the new status and decides again instead of overwriting it unseen."""
    seen = form.seen_status.data
    if not seen or seen == appointment.status:
        return True
    form.seen_status.data = appointment.status
    form.status.errors.append(
        f"Der Termin wurde inzwischen geändert: Status jetzt „{APPOINTMENT_STATUSES[appointment.status]}“. "
        "Bitte prüfen und erneut speichern."
    )
    return False
