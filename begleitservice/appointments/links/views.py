"""Public pages without login: the volunteer's confirm/decline/report links and the private iCal feed.

GET only shows the page (mail scanners prefetch links); the POST of its one button makes the change, once.
A used, tampered, expired or foreign-purpose link shows a friendly page and changes nothing.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

import scheduling
from scheduling.formatting import format_duration

from ... import clock
from ...accounting.operations import MonthBilled
from ...database import lock
from ...extensions import db
from ...filters import format_km
from ...i18n import fmt_appointment, fmt_datetime, fmt_duration, language_of, use_volunteer_language, volunteer_pages
from ...models import Appointment, AppointmentStatus, CoverOfferStatus, Pairing, Senior, UsedLink, Volunteer
from ...models.scheduling import CoverOffer
from ...security.limits import rate_limited
from .. import operations
from ..convert import appointment_volunteer, senior_label, to_domain_all
from ..cover import CoverError, NotFree, accept_cover, needs_cover
from ..forms import ConfirmForm, DeclineForm, ReportForm
from .tokens import LinkError, load_token

log = logging.getLogger(__name__)

bp = volunteer_pages(Blueprint("links", __name__))

ACTIONS = {
    "confirm": (operations.can_confirm, ConfirmForm, "appointments/link_confirm.html"),
    "decline": (operations.can_decline, DeclineForm, "appointments/link_decline.html"),
    "report": (operations.can_report, ReportForm, "appointments/link_report.html"),
}
DURATIONS = range(15, 12 * 60 + 1, 15)


@bp.after_request
def _no_caching(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/link/bestaetigen/<token:token>", methods=["GET", "POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def confirm(token: str):
    """Confirm a visit (a volunteer's link from the confirmation request)."""
    return _handle("confirm", token)


@bp.route("/link/absagen/<token:token>", methods=["GET", "POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def decline(token: str):
    """Decline a visit, with an optional reason."""
    return _handle("decline", token)


@bp.route("/link/stunden/<token:token>", methods=["GET", "POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def report(token: str):
    """Report after the visit: took place (for how long) or did not take place."""
    return _handle("report", token)


def _page(template: str, status: int = 200, **context):
    return render_template(template, **context), status


def _handle(purpose: str, token: str):
    now = clock.now()
    try:
        link = load_token(purpose, token, now=now)
    except LinkError as error:
        return _page("appointments/link_invalid.html", 410 if error.reason == "expired" else 400, reason=error.reason)
    if request.method == "POST":
        # Confirm and decline (or the same link twice) at once: one after the other, each deciding on the state
        # the other left, so a decline is never overwritten by a confirm that read the visit before it.
        lock(Appointment, link.appointment_id)
    appointment = db.session.scalar(
        sa.select(Appointment)
        .where(Appointment.id == link.appointment_id)
        .options(joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.district))
    )
    if appointment is None:
        return _page("appointments/link_invalid.html", 404, reason="gone")
    use_volunteer_language(appointment_volunteer(appointment).language)
    if link.volunteer_id is not None and link.volunteer_id != appointment_volunteer(appointment).id:
        # The visit was handed to a stand-in since this link was sent: it no longer speaks for that person.
        return _page("appointments/link_invalid.html", 409, reason="reassigned")
    used = db.session.get(UsedLink, link.nonce)
    allowed, form_class, template = ACTIONS[purpose]
    if used is not None or not allowed(appointment, now=now):
        return _state(appointment, purpose=purpose, used=used)
    form = form_class()
    if purpose == "report":
        form.minutes.choices = [(m, fmt_duration(m)) for m in DURATIONS]
        if request.method == "GET":
            form.minutes.data = min(max(15, round(appointment.planned_minutes / 15) * 15), 720)
    if form.validate_on_submit():
        try:
            outcome = _apply(purpose, appointment, form, now=now)
        except MonthBilled:
            db.session.rollback()
            return _page("appointments/link_invalid.html", 409, reason="billed")
        db.session.add(
            UsedLink(nonce=link.nonce, purpose=purpose, appointment_id=appointment.id, outcome=outcome, used_at=now)
        )
        try:
            db.session.commit()
        except IntegrityError:  # the same link, clicked twice at once: the first one counts
            db.session.rollback()
            log.info("link %s for appointment %d used concurrently", purpose, link.appointment_id)
        return redirect(url_for(request.endpoint, token=token), code=303)
    return _page(template, form=form, **_visit(appointment))


def _apply(purpose: str, appointment: Appointment, form, *, now) -> str:
    """Make the change; the outcome recorded for the coordination is German, whatever the volunteer reads."""
    with language_of("de"):
        return _apply_german(purpose, appointment, form, now=now)


def _apply_german(purpose: str, appointment: Appointment, form, *, now) -> str:
    if purpose == "confirm":
        operations.confirm(appointment, now=now)
        return AppointmentStatus.BESTAETIGT.label
    if purpose == "decline":
        operations.decline(appointment, now=now, reason=form.reason.data)
        return AppointmentStatus.ABGESAGT.label
    minutes = form.minutes.data if form.outcome.data == AppointmentStatus.STATTGEFUNDEN else None
    km = form.km.data if minutes else None
    operations.report(appointment, minutes=minutes, km=km, now=now)
    if not minutes:
        return "ausgefallen"
    return f"stattgefunden, {format_duration(minutes)}" + (f", {format_km(km)} km" if km is not None else "")


def _visit(appointment: Appointment) -> dict:
    senior = appointment.pairing.senior
    return {
        "appointment": appointment,
        "when": fmt_appointment(appointment.on, appointment.planned_start, appointment.planned_end),
        "senior_label": senior_label(senior),
        "district": senior.district.name,
    }


def _state(appointment: Appointment, *, purpose: str, used: UsedLink | None):
    """What this link did, or why it can do nothing now: the appointment's current state."""
    return _page(
        "appointments/link_state.html",
        purpose=purpose,
        used=used,
        used_at=fmt_datetime(used.used_at) if used else None,
        duration=fmt_duration(appointment.actual_minutes) if appointment.actual_minutes else None,
        km=format_km(appointment.km) if appointment.km is not None else None,
        started=operations.starts_at(appointment) <= clock.now(),
        **_visit(appointment),
    )


@bp.route("/link/vertretung/<token:token>", methods=["GET", "POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def cover(token: str):
    """Take over a declined visit as a stand-in (the link of a cover offer): the first to accept gets it."""
    now = clock.now()
    try:
        link = load_token("cover", token, now=now)
    except LinkError as error:
        return _page("appointments/link_invalid.html", 410 if error.reason == "expired" else 400, reason=error.reason)
    offer = db.session.scalar(
        sa.select(CoverOffer)
        .where(CoverOffer.id == link.appointment_id)
        .options(
            joinedload(CoverOffer.appointment)
            .joinedload(Appointment.pairing)
            .joinedload(Pairing.senior)
            .joinedload(Senior.district)
        )
    )
    if offer is None:
        return _page("appointments/link_invalid.html", 404, reason="gone")
    use_volunteer_language(offer.volunteer.language)
    form = ConfirmForm()
    if offer.status == CoverOfferStatus.OFFEN and form.validate_on_submit():
        try:
            won = accept_cover(offer, now=now)
            db.session.commit()
        except NotFree as busy:
            db.session.rollback()
            log.info("cover offer %d: volunteer no longer free (%s)", offer.id, busy.reason)
            return _page("appointments/link_cover_busy.html", 409, reason=busy.reason, **_visit(offer.appointment))
        except (CoverError, IntegrityError):
            db.session.rollback()
            won = False
        log.info("cover offer %d: %s", offer.id, "accepted" if won else "not taken")
        return redirect(url_for(".cover", token=token), code=303)
    appointment = offer.appointment
    if offer.status == CoverOfferStatus.OFFEN and needs_cover(appointment, now=now):
        return _page("appointments/link_cover.html", form=form, **_visit(appointment))
    return _page(
        "appointments/link_cover_state.html",
        offer=offer,
        started=operations.starts_at(appointment) <= now,
        **_visit(appointment),
    )


@bp.route("/kalender/<token:token>.ics")
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def feed(token: str):
    """A volunteer's private iCal feed of their visits (from two weeks back); unknown token → 404."""
    if len(token) < 20:
        abort(404)
    volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.calendar_token == token))
    if volunteer is None:
        abort(404)
    since = clock.today() - timedelta(days=14)
    appointments = db.session.scalars(
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(
            Appointment.on >= since,
            sa.or_(
                sa.and_(Pairing.volunteer_id == volunteer.id, Appointment.cover_volunteer_id.is_(None)),
                Appointment.cover_volunteer_id == volunteer.id,  # visits they stand in for
            ),
        )
        .options(
            joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
            joinedload(Appointment.cover_volunteer),
            joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.district),
        )
    ).unique()
    body = scheduling.build_feed(to_domain_all(appointments), now=clock.now(), domain=_domain())
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": "inline; filename=besuche.ics"})


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
