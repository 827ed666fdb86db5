"""Appointments for coordinators: week view, one appointment, a pairing's dates, outbox, calendar links."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

import scheduling
from scheduling.formatting import format_date, format_date_long

from .. import clock
from ..auth.access import CARE, restrict
from ..extensions import db
from ..inputs import query_date, query_int, query_page, query_text
from ..mail.outbox import retry_now
from ..models import (
    APPOINTMENT_STATUSES,
    Appointment,
    AppointmentAlert,
    CoverOffer,
    CoverOfferStatus,
    District,
    OutboxMessage,
    OutboxStatus,
    Pairing,
    Senior,
    Volunteer,
)
from ..models.names import search_condition
from ..models.scheduling import OUTBOX_STATUSES
from ..pages import cached
from ..submissions import remember, repeated
from . import cover, operations
from .convert import to_domain_all, visit_rule
from .forms import ActionForm, CoverOfferForm, OneOffForm
from .links.tokens import external_url

bp = Blueprint("appointments", __name__, url_prefix="/termine")
restrict(bp, *CARE)


def _with_people(query):
    return query.options(
        joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
        joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.district),
        joinedload(Appointment.cover_volunteer),
    )


@bp.route("/")
@cached
def index():
    """Week of all appointments, a page at a time, filterable by district and volunteer (name or id)."""
    today = clock.today()
    monday, sunday = operations.week_bounds(query_date("von", default=today))
    district = query_text("bezirk") or None
    volunteer_id = query_int("ehrenamtliche")
    name = query_text("name") or None
    query = (
        sa.select(Appointment)
        .join(Appointment.pairing)
        .join(Pairing.senior)
        .join(Senior.district)
        .where(Appointment.on.between(monday, sunday))
    )
    if district:
        query = query.where(District.name == district)
    if volunteer_id:
        query = query.where(
            sa.or_(Pairing.volunteer_id == volunteer_id, Appointment.cover_volunteer_id == volunteer_id)
        )
    if name:
        matching = sa.select(Volunteer.id).where(search_condition(Volunteer.search_text, name))
        query = query.where(sa.or_(Pairing.volunteer_id.in_(matching), Appointment.cover_volunteer_id.in_(matching)))
    per_day = dict(
        db.session.execute(query.with_only_columns(Appointment.on, sa.func.count()).group_by(Appointment.on)).all()
    )
    page = db.paginate(
        _with_people(
            query.order_by(Appointment.on, Appointment.planned_start, Appointment.planned_end, Appointment.id)
        ),
        page=query_page(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
        count=False,
    )
    page.total = sum(per_day.values())
    week = scheduling.build_week(to_domain_all(page.items), week_start=monday)
    chosen = db.session.get(Volunteer, volunteer_id) if volunteer_id else None
    districts = db.session.scalars(sa.select(District).order_by(District.name)).all()
    return render_template(
        "appointments/week.html",
        week=week,
        page=page,
        per_day=per_day,
        district=district,
        volunteer=chosen,
        name=name,
        districts=districts,
        today=today,
    )


def _appointment_or_404(appointment_id: int) -> Appointment:
    appointment = db.session.scalar(_with_people(sa.select(Appointment).where(Appointment.id == appointment_id)))
    return appointment or abort(404)


def _cover_form(candidates: list[scheduling.RankedCandidate]) -> CoverOfferForm:
    form = CoverOfferForm()
    form.volunteers.choices = [(c.candidate.volunteer_id, c.candidate.name) for c in candidates]
    return form


def _render_detail(appointment: Appointment, *, candidates=None, cover_form=None, status: int = 200):
    alerts = db.session.scalars(
        sa.select(AppointmentAlert)
        .where(AppointmentAlert.appointment_id == appointment.id)
        .order_by(AppointmentAlert.created_at)
    ).all()
    needs_cover = cover.needs_cover(appointment, now=clock.now())
    if needs_cover and candidates is None:
        candidates = cover.cover_candidates(appointment)
    offers = cover.offers_for(appointment)
    return render_template(
        "appointments/detail.html",
        appointment=appointment,
        alerts=alerts,
        statuses=APPOINTMENT_STATUSES,
        when=format_date_long(appointment.on),
        form=ActionForm(),
        needs_cover=needs_cover,
        candidates=candidates or [],
        cover_form=cover_form or _cover_form(candidates or []),
        offers=offers,
        open_offers={o.volunteer_id for o in offers if o.status == CoverOfferStatus.OFFEN},
    ), status


@bp.route("/<int:appointment_id>")
def detail(appointment_id: int):
    """One appointment: status, decline reason, reported hours, open alerts; for a decline the stand-ins."""
    return _render_detail(_appointment_or_404(appointment_id))


@bp.route("/<int:appointment_id>/vertretung", methods=["POST"])
def offer_cover(appointment_id: int):
    """Offer a declined visit to the chosen stand-ins (one mail each); the first to accept gets it."""
    appointment = _appointment_or_404(appointment_id)
    now = clock.now()
    candidates = cover.cover_candidates(appointment) if cover.needs_cover(appointment, now=now) else []
    form = _cover_form(candidates)
    if form.validate_on_submit():
        chosen = db.session.scalars(sa.select(Volunteer).where(Volunteer.id.in_(form.volunteers.data))).all()
        try:
            made = cover.offer_cover(appointment, chosen, now=now)
        except cover.CoverError as error:
            db.session.rollback()
            form.volunteers.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Angebot an %(count)s Person(en) verschickt.", count=len(made)), "success")
            return redirect(url_for(".detail", appointment_id=appointment.id, _anchor="vertretung"))
    return _render_detail(_appointment_or_404(appointment_id), candidates=candidates, cover_form=form, status=422)


@bp.route("/<int:appointment_id>/vertretung/<int:offer_id>/telefonisch", methods=["POST"])
def accept_cover_by_phone(appointment_id: int, offer_id: int):
    """A stand-in without e-mail said yes on the phone: the coordinator accepts their offer for them, through the
    same operation as the offer's link (the first to accept gets it); marked "telefonisch"."""
    offer = db.get_or_404(CoverOffer, offer_id)
    if offer.appointment_id != appointment_id:
        abort(404)
    if ActionForm().validate_on_submit():
        now = clock.now()
        try:
            won = cover.accept_cover(offer, now=now)
        except cover.CoverError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            if won:
                db.session.get(Appointment, appointment_id).by_phone = True
                db.session.commit()
                flash(_("%(name)s übernimmt den Besuch (telefonisch).", name=offer.volunteer.name), "success")
            else:
                db.session.rollback()
                flash(_("Der Besuch ist schon vergeben oder hat begonnen; nichts geändert."), "error")
    return redirect(url_for(".detail", appointment_id=appointment_id, _anchor="vertretung"))


@bp.route("/<int:appointment_id>/vertretung/zurueckziehen", methods=["POST"])
def withdraw_cover(appointment_id: int):
    """Withdraw the open stand-in offers (the coordinators found another way); the volunteers are told."""
    appointment = db.get_or_404(Appointment, appointment_id)
    if ActionForm().validate_on_submit():
        count = cover.withdraw_offers(appointment, now=clock.now())
        db.session.commit()
        flash(_("%(count)s offene(s) Angebot(e) zurückgezogen.", count=count), "success")
    return redirect(url_for(".detail", appointment_id=appointment.id, _anchor="vertretung"))


@bp.route("/<int:appointment_id>/erledigt", methods=["POST"])
def resolve(appointment_id: int):
    """Take the appointment's alerts off the dashboard."""
    appointment = db.get_or_404(Appointment, appointment_id)
    if ActionForm().validate_on_submit():
        count = operations.resolve_alerts(appointment, now=clock.now())
        db.session.commit()
        flash(_("%(count)s Hinweis(e) als erledigt markiert.", count=count), "success")
    return redirect(url_for(".detail", appointment_id=appointment.id))


def _pairing_or_404(pairing_id: int) -> Pairing:
    pairing = db.session.scalar(
        sa.select(Pairing)
        .where(Pairing.id == pairing_id)
        .options(
            selectinload(Pairing.slots),
            selectinload(Pairing.appointments),
            joinedload(Pairing.volunteer).selectinload(Volunteer.absences),
            joinedload(Pairing.senior).joinedload(Senior.district),
        )
    )
    return pairing or abort(404)


@bp.route("/begleitung/<int:pairing_id>", methods=["GET", "POST"])
def pairing(pairing_id: int):
    """A pairing's coming appointments, the rule dates skipped (and why), and one-off replacement dates."""
    pairing = _pairing_or_404(pairing_id)
    now = clock.now()
    today = operations.local_today(now)
    weeks = current_app.config["APPOINTMENT_HORIZON_WEEKS"]
    skipped = operations.skipped_dates(pairing, today=today, horizon_weeks=weeks)
    form = OneOffForm()
    form.replaces_on.choices = [("", "– kein Ersatz, zusätzlicher Termin –")] + [
        (s.on.isoformat(), f"{format_date_long(s.on)} ({s.reason})") for s in skipped
    ]
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        replaces_on = date.fromisoformat(form.replaces_on.data) if form.replaces_on.data else None
        try:
            appointment = operations.add_one_off(
                pairing, on=form.on.data, start=form.start.data, end=form.end.data, replaces_on=replaces_on, now=now
            )
        except operations.AppointmentError as error:
            getattr(form, error.field).errors.append(str(error))
            db.session.rollback()
            pairing = _pairing_or_404(pairing_id)
        else:
            remember(form, url := url_for(".pairing", pairing_id=pairing.id))
            db.session.commit()
            flash(_("Ersatztermin am %(on)s angelegt.", on=format_date(appointment.on)), "success")
            return redirect(url)
    elif request.method == "GET" and skipped:
        first = next((s for s in skipped if operations.replacement_for(pairing, s.on) is None), None)
        if first is not None:
            form.replaces_on.data = first.on.isoformat()
    upcoming = [a for a in pairing.appointments if a.on >= today - timedelta(days=7)]
    rule = visit_rule(pairing)
    return render_template(
        "appointments/pairing.html",
        pairing=pairing,
        rule_text=rule.describe() if rule else f"keine Termine (Begleitung {pairing.status})",
        upcoming=upcoming,
        skipped=[(s, operations.replacement_for(pairing, s.on)) for s in skipped],
        conflicts=operations.conflicts(pairing, now=now, horizon_weeks=weeks),
        statuses=APPOINTMENT_STATUSES,
        form=form,
        weeks=weeks,
    )


@bp.route("/postausgang")
@cached
def outbox():
    """The mail outbox: pending, sent and failed mails with their attempts and last error."""
    status = request.args.get("status", "")
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in OUTBOX_STATUSES:
        query = query.where(OutboxMessage.status == status)
    counts = dict(
        db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    )
    page = db.paginate(query, page=query_page(), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template(
        "appointments/outbox.html", page=page, status=status, statuses=OUTBOX_STATUSES, counts=counts, form=ActionForm()
    )


@bp.route("/postausgang/<int:message_id>/erneut", methods=["POST"])
def retry(message_id: int):
    """Send a failed mail again with the next outbox run."""
    message = db.get_or_404(OutboxMessage, message_id)
    if ActionForm().validate_on_submit() and message.status == OutboxStatus.FAILED:
        retry_now(message, now=clock.now())
        db.session.commit()
        flash(_("Die E-Mail an %(recipient)s wird erneut versendet.", recipient=message.recipient), "success")
    return redirect(url_for(".outbox", status=request.args.get("status", "")))


@bp.route("/ehrenamtliche/<int:volunteer_id>/kalender", methods=["GET", "POST"])
def calendar(volunteer_id: int):
    """A volunteer's private calendar link: show it, make a new one (the old one stops), or switch it off."""
    volunteer = db.get_or_404(Volunteer, volunteer_id)
    form = ActionForm()
    if form.validate_on_submit():
        if request.form.get("action") == "sperren":
            operations.revoke_calendar_token(volunteer)
            flash(_("Der Kalender-Link ist gesperrt."), "success")
        else:
            operations.issue_calendar_token(volunteer)
            flash(_("Ein neuer Kalender-Link wurde erzeugt; der alte funktioniert nicht mehr."), "success")
        db.session.commit()
        return redirect(url_for(".calendar", volunteer_id=volunteer.id))
    feed_url = external_url("links.feed", token=volunteer.calendar_token) if volunteer.calendar_token else None
    return render_template("appointments/calendar.html", volunteer=volunteer, feed_url=feed_url, form=form)
