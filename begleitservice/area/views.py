"""'Mein Bereich': the volunteer's own page by a signed, revocable link; no login, no navigation.

GET only shows; every change is a POST of a form on the page, done once, then back to the page (303).
A tampered, expired or revoked link shows a friendly page and changes nothing.
"""

import io
import logging

import segno
import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from billing.month import Month

from .. import clock, signatures
from ..accounting.operations import billing_run_of
from ..appointments import operations as appointment_ops
from ..appointments.convert import senior_label
from ..appointments.forms import ActionForm, ReportForm
from ..appointments.links.tokens import LinkError, area_owner, external_url, link_url, load_token
from ..appointments.links.views import DURATIONS
from ..database import lock
from ..extensions import db
from ..filters import format_km
from ..groups import staffing
from ..i18n import (
    LANGUAGES,
    fmt_appointment,
    fmt_date,
    fmt_date_long,
    fmt_datetime,
    fmt_duration,
    language_of,
    use_volunteer_language,
    volunteer_pages,
)
from ..models import Appointment, AppointmentStatus, CoverOffer, MonthSignature, Pairing, Senior, Volunteer
from ..security.limits import rate_limited
from ..submissions import remember, repeated
from . import operations
from .forms import AbsenceReportForm, GroupAnswersForm, SignatureForm
from .operations import AreaError, volunteer_of

log = logging.getLogger(__name__)

bp = volunteer_pages(Blueprint("area", __name__))

STATUS_TEXT = {
    AppointmentStatus.GEPLANT: _l("Geplant"),
    AppointmentStatus.BESTAETIGT: _l("Bestätigt"),
    AppointmentStatus.ABGESAGT: _l("Abgesagt"),
    AppointmentStatus.STATTGEFUNDEN: _l("Stattgefunden"),
    AppointmentStatus.AUSGEFALLEN: _l("Ausgefallen"),
}


@bp.after_request
def _no_caching(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _invalid(reason: str, *, token: str | None = None):
    status = {"expired": 410, "revoked": 410, "gone": 404}.get(reason, 400)
    renewable = token is not None and reason in ("expired", "revoked")
    return render_template("area/invalid.html", reason=reason, token=token if renewable else None), status


def _hours_form(appointment: Appointment, formdata=None) -> ReportForm:
    form = ReportForm(formdata=formdata, prefix=f"b{appointment.id}")
    form.minutes.choices = [(m, fmt_duration(m)) for m in DURATIONS]
    if formdata is None:
        held = appointment.status == AppointmentStatus.STATTGEFUNDEN
        form.outcome.data = (
            AppointmentStatus.AUSGEFALLEN
            if appointment.status == AppointmentStatus.AUSGEFALLEN
            else AppointmentStatus.STATTGEFUNDEN
        )
        minutes = appointment.actual_minutes if held and appointment.actual_minutes else appointment.planned_minutes
        form.minutes.data = min(max(15, round(minutes / 15) * 15), 720)
        form.km.data = appointment.km
    return form


def _render(volunteer, token: str, *, absence_form=None, hours=None, status: int = 200):
    """The page; ``hours`` is (appointment id, bound form) of a correction that was refused."""
    now = clock.now()
    view = operations.overview(volunteer, now=now)
    forms = {}
    for visit in view.past:
        if operations.can_correct(visit, volunteer, now=now):
            forms[visit.id] = hours[1] if hours and hours[0] == visit.id else _hours_form(visit)
    feed = external_url("links.feed", token=volunteer.calendar_token) if volunteer.calendar_token else None
    return render_template(
        "area/home.html",
        volunteer=volunteer,
        token=token,
        view=view,
        hours_forms=forms,
        absence_form=absence_form or AbsenceReportForm(),
        action_form=ActionForm(),
        undoable={v.id for v in view.upcoming if operations.can_undo_decline(v, volunteer, now=now)},
        cover_links={o.id: link_url("cover", o.id, volunteer_id=volunteer.id) for o in view.offers},
        webcal=("webcal://" + feed.split("://", 1)[1]) if feed else None,
        feed=feed,
        when=lambda a: fmt_appointment(a.on, a.planned_start, a.planned_end),
        senior_label=senior_label,
        status_text=STATUS_TEXT,
        duration=fmt_duration,
        km=format_km,
        date=fmt_date,
        kind_label=operations.kind_label,
        correction_until=operations.correction_until,
        aria=_aria,
        to_sign=signatures.months_to_sign(volunteer, today=appointment_ops.local_today(now)),
        month_label=fmt_month,
        group_months=(Month.of(clock.today()), Month.of(clock.today()).next()),
    ), status


def _aria(field) -> dict:
    """A field with errors names them for screen readers."""
    return {"aria-invalid": "true", "aria-describedby": f"{field.id}-fehler"} if field.errors else {}


def _load(token: str):
    try:
        volunteer = volunteer_of(token, now=clock.now())
    except LinkError as error:
        return None, _invalid(error.reason, token=token)
    use_volunteer_language(volunteer.language)
    return volunteer, None


def _back(token: str, anchor: str):
    return redirect(url_for(".home", token=token, _anchor=anchor), code=303)


@bp.route("/mein-bereich/<token:token>")
@rate_limited("LINK_RATE_LIMIT", methods=("GET",))
def home(token: str):
    """The volunteer's page: visits ahead and behind, offers, absence, calendar, contact."""
    volunteer, refused = _load(token)
    if refused:
        return refused
    return _render(volunteer, token)


@bp.route("/mein-bereich/<token:token>/abwesenheit", methods=["POST"])
@rate_limited("LINK_RATE_LIMIT")
def absence(token: str):
    """Report a holiday or illness: the schedule follows, the coordination is told."""
    volunteer, refused = _load(token)
    if refused:
        return refused
    form = AbsenceReportForm()
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        try:
            _absence, declined = operations.report_absence(
                volunteer,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                kind=form.kind.data,
                now=clock.now(),
            )
        except AreaError as error:
            db.session.rollback()
            getattr(form, error.field or "starts_on").errors.append(str(error))
        else:
            remember(form, url_for(".home", token=token, _anchor="abwesenheit"))
            db.session.commit()
            message = _(
                "Ihre Abwesenheit vom %(start)s bis %(end)s ist eingetragen. Die Koordination ist informiert.",
                start=fmt_date(form.starts_on.data),
                end=fmt_date(form.ends_on.data),
            )
            if declined:
                message += " " + ngettext(
                    "%(num)d Besuch in dieser Zeit ist abgesagt; die Koordination sucht eine Vertretung.",
                    "%(num)d Besuche in dieser Zeit sind abgesagt; die Koordination sucht eine Vertretung.",
                    len(declined),
                )
            flash(message, "success")
            return _back(token, "abwesenheit")
    flash(_("Die Abwesenheit wurde nicht eingetragen. Bitte prüfen Sie die Angaben."), "error")
    return _render(volunteer, token, absence_form=form, status=422)


def _own_visit(appointment_id: int) -> Appointment:
    appointment = db.session.scalar(
        sa.select(Appointment)
        .where(Appointment.id == appointment_id)
        .options(joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.district))
    )
    if appointment is None:
        abort(404)
    return appointment


@bp.route("/mein-bereich/<token:token>/stunden/<int:appointment_id>", methods=["POST"])
@rate_limited("LINK_RATE_LIMIT")
def hours(token: str, appointment_id: int):
    """Report or correct a visit's hours and kilometres (within the correction days, month not billed)."""
    volunteer, refused = _load(token)
    if refused:
        return refused
    appointment = _own_visit(appointment_id)
    form = _hours_form(appointment, formdata=request.form)
    if form.validate_on_submit():
        minutes = form.minutes.data if form.outcome.data == AppointmentStatus.STATTGEFUNDEN else None
        try:
            operations.correct_hours(
                appointment, volunteer, minutes=minutes, km=form.km.data if minutes else None, now=clock.now()
            )
        except AreaError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _back(token, "vergangen")
        db.session.commit()
        text = fmt_duration(minutes) if minutes else _("ausgefallen")
        flash(_("Gespeichert: Besuch am %(day)s – %(text)s.", day=fmt_date(appointment.on), text=text), "success")
        return _back(token, f"besuch-{appointment.id}")
    flash(_("Die Stunden wurden nicht gespeichert. Bitte prüfen Sie die Angaben."), "error")
    return _render(volunteer, token, hours=(appointment.id, form), status=422)


@bp.route("/mein-bereich/<token:token>/absage-zuruecknehmen/<int:appointment_id>", methods=["POST"])
@rate_limited("LINK_RATE_LIMIT")
def undo_decline(token: str, appointment_id: int):
    """Take a decline back while no stand-in has taken the visit."""
    volunteer, refused = _load(token)
    if refused:
        return refused
    appointment = _own_visit(appointment_id)
    if ActionForm().validate_on_submit():
        try:
            operations.undo_decline(appointment, volunteer, now=clock.now())
        except AreaError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            who = senior_label(appointment.pairing.senior)
            flash(_("Ihre Absage ist zurückgenommen: Sie besuchen %(who)s wie geplant.", who=who), "success")
    return _back(token, "kommend")


@bp.route("/mein-bereich/<token:token>/kalender", methods=["POST"])
@rate_limited("LINK_RATE_LIMIT")
def calendar(token: str):
    """Switch the private calendar feed on (a new address when asked again)."""
    volunteer, refused = _load(token)
    if refused:
        return refused
    if ActionForm().validate_on_submit():
        appointment_ops.issue_calendar_token(volunteer)
        db.session.commit()
        flash(_("Ihr Kalender-Link ist bereit."), "success")
    return _back(token, "kalender")


@bp.route("/mein-bereich/<token:token>/sprache", methods=["POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("POST",))
def language(token: str):
    """Keep the language chosen with the switch for the volunteer's mails and pages (Volunteer.language)."""
    volunteer, refused = _load(token)
    if refused:
        return refused
    chosen = request.form.get("sprache")
    if chosen not in LANGUAGES:
        abort(400, "Diese Sprache gibt es hier nicht. / This language is not available.")
    if ActionForm().validate_on_submit() and volunteer.language != chosen:
        volunteer.language = chosen
        db.session.commit()
        with language_of(chosen):
            flash(_("Ab jetzt bekommen Sie E-Mails auf %(language)s.", language=LANGUAGES[chosen]), "success")
    return redirect(url_for(".home", token=token, lang=chosen), code=303)


@bp.route("/mein-bereich/<token:token>/kalender.svg")
@rate_limited("LINK_RATE_LIMIT", methods=("GET",))
def calendar_qr(token: str):
    """The QR code of the webcal address, to scan with the phone."""
    volunteer, refused = _load(token)
    if refused or not volunteer.calendar_token:
        abort(404)
    feed = external_url("links.feed", token=volunteer.calendar_token)
    out = io.BytesIO()
    segno.make("webcal://" + feed.split("://", 1)[1], error="m").save(
        out, kind="svg", scale=6, dark="#1b1f24", light="#ffffff", title=_("QR-Code des Kalender-Links")
    )
    return Response(out.getvalue(), mimetype="image/svg+xml")


@bp.route("/mein-bereich/<token:token>/unterschrift/<int:senior_id>/<int:year>/<int:month>", methods=["GET", "POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def sign(token: str, senior_id: int, year: int, month: int):
    """The senior signs the month's Leistungsnachweis (this volunteer's visits) on the phone."""
    volunteer, refused = _load(token)
    if refused:
        return refused
    try:
        chosen = Month(year, month)
    except ValueError:
        abort(404)
    senior = db.session.get(Senior, senior_id)
    lines = signatures.signed_lines(senior_id, volunteer.id, chosen) if senior else []
    if not lines:
        abort(404)
    form = SignatureForm()
    status = 200
    if form.validate_on_submit():
        try:
            signatures.sign(
                volunteer,
                senior,
                chosen,
                signer_name=form.signer_name.data,
                image=form.signature.data,
                confirmed=form.confirmed.data,
                now=clock.now(),
            )
        except signatures.SignatureError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
            flash(_("Die Unterschrift wurde nicht gespeichert. Bitte prüfen Sie die Angaben."), "error")
            status = 422
        else:
            db.session.commit()
            flash(_("Vielen Dank! Die Unterschrift ist gespeichert."), "success")
            return redirect(url_for(".sign", token=token, senior_id=senior_id, year=year, month=month), code=303)
    signature = signatures.signature_of(senior_id, volunteer.id, chosen)
    return render_template(
        "area/sign.html",
        token=token,
        volunteer=volunteer,
        senior=senior,
        senior_name=senior_label(senior),
        month=chosen,
        month_label=fmt_month(chosen),
        lines=lines,
        signature=signature,
        valid=signature is not None and signatures.is_valid(signature, lines),
        billed=billing_run_of(chosen.first_day) is not None,
        form=form,
        when=lambda a: fmt_appointment(a.on, a.planned_start, a.planned_end),
        duration=fmt_duration,
        signed_at=fmt_datetime,
        aria=_aria,
    ), status


@bp.route("/mein-bereich/<token:token>/unterschrift/<int:signature_id>.png")
@rate_limited("LINK_RATE_LIMIT", methods=("GET",))
def signature_image(token: str, signature_id: int):
    """The stored signature image (only for the volunteer whose visits it signs)."""
    volunteer, refused = _load(token)
    if refused:
        abort(404)
    signature = db.session.get(MonthSignature, signature_id)
    if signature is None or signature.volunteer_id != volunteer.id:
        abort(404)
    return Response(signature.image, mimetype="image/png")


ANSWER_TEXT = {"ja": _l("kann"), "nein": _l("kann nicht")}


@bp.route("/mein-bereich/<token:token>/gruppentermine/<int:year>/<int:month>", methods=["GET", "POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def group_sessions(token: str, year: int, month: int):
    """ "Gruppentermine im <Monat>": kann / kann nicht per session of the groups the volunteer can serve, saved
    through the coordination's own operation (``groups.staffing.answer``) that the staffing proposal reads."""
    volunteer, refused = _load(token)
    if refused:
        return refused
    try:
        chosen = Month(year, month)
    except ValueError:
        abort(404)
    sessions = staffing.offered_sessions(volunteer, chosen, today=clock.today())
    form = GroupAnswersForm()
    status, errors, picked = 200, [], {}
    if request.method == "POST":
        by_id = {s.id: s for s in sessions}
        valid = True
        for key, value in request.form.items():
            if not key.startswith("termin-"):
                continue
            number = key.removeprefix("termin-")
            if not number.isdigit() or int(number) not in by_id or value not in ANSWER_TEXT:
                valid = False
                break
            picked[int(number)] = value
        if not form.validate_on_submit():
            errors.append(_("Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und wählen Sie noch einmal."))
        elif not valid:
            errors.append(
                _(
                    "Ihre Antwort enthält einen Termin oder eine Auswahl, die es hier nicht (mehr) gibt. "
                    "Es wurde nichts gespeichert. Bitte laden Sie die Seite neu."
                )
            )
        elif not picked:
            errors.append(_("Bitte wählen Sie bei mindestens einem Termin „kann“ oder „kann nicht“."))
        else:
            if (repeat := repeated(form)) is not None:
                return repeat
            lock(type(volunteer), volunteer.id)  # two tabs of the same volunteer: one after the other
            for session_id, value in sorted(picked.items()):  # locks always in the same order
                staffing.answer(by_id[session_id], volunteer, value)
            target = url_for(".group_sessions", token=token, year=year, month=month)
            remember(form, target)
            db.session.commit()
            flash(
                ngettext(
                    "Vielen Dank! Ihre Antwort zu %(num)d Termin ist gespeichert.",
                    "Vielen Dank! Ihre Antworten zu %(num)d Terminen sind gespeichert.",
                    len(picked),
                ),
                "success",
            )
            return redirect(target, code=303)
        status = 422
        db.session.rollback()
        form = GroupAnswersForm(formdata=None)  # a fresh one-time token for the next try
    for message in errors:
        flash(message, "error")
    answers = staffing.answers_of(volunteer, sessions)
    return render_template(
        "area/group_sessions.html",
        volunteer=volunteer,
        token=token,
        form=form,
        month=chosen,
        month_label=fmt_month(chosen),
        following=chosen.next(),
        following_label=fmt_month(chosen.next()),
        sessions=sessions,
        answers=answers | picked if status != 200 else answers,
        answer_text=ANSWER_TEXT,
        date=fmt_date_long,
    ), status


def fmt_month(month: Month) -> str:
    """'November 2026' in the page's language."""
    from babel.dates import format_date as babel_date

    from ..i18n import current_language, format_locale

    if current_language() == "de":
        return month.label
    return babel_date(month.first_day, "LLLL y", locale=format_locale())


@bp.route("/mein-bereich/<token:token>/neuer-link", methods=["POST"])
@rate_limited("LINK_RATE_LIMIT")
def renew(token: str):
    """From an expired or blocked "Mein Bereich" link: mail a fresh one to the volunteer's own address."""
    volunteer_id = area_owner(token)
    volunteer = db.session.get(Volunteer, volunteer_id) if volunteer_id is not None else None
    if volunteer is None or volunteer.restricted_at is not None:
        return _invalid("invalid")
    use_volunteer_language(volunteer.language)
    sent = False
    if ActionForm().validate_on_submit():
        sent = operations.send_area_link(volunteer, now=clock.now())
        db.session.commit()
    return render_template("area/link_sent.html", sent=sent, volunteer=volunteer)


@bp.route("/mein-bereich/anfordern/<purpose>/<token:token>", methods=["POST"])
@rate_limited("LINK_RATE_LIMIT")
def request_link(purpose: str, token: str):
    """From a confirm/decline/hours/cover link page: mail the volunteer a link to "Mein Bereich"."""
    if purpose not in ("confirm", "decline", "report", "cover"):
        abort(404)
    try:
        link = load_token(purpose, token, now=clock.now())
    except LinkError as error:
        return _invalid(error.reason)
    volunteer = _volunteer_of_link(purpose, link)
    if volunteer is None or volunteer.restricted_at is not None:
        return _invalid("gone")
    use_volunteer_language(volunteer.language)
    sent = False
    if ActionForm().validate_on_submit():
        sent = operations.send_area_link(volunteer, now=clock.now())
        db.session.commit()
    return render_template("area/link_sent.html", sent=sent, volunteer=volunteer)


def _volunteer_of_link(purpose: str, link):
    if purpose == "cover":
        offer = db.session.get(CoverOffer, link.appointment_id)
        return offer.volunteer if offer is not None else None
    if link.volunteer_id is not None:
        return db.session.get(Volunteer, link.volunteer_id)
    appointment = db.session.get(Appointment, link.appointment_id)
    return appointment.pairing.volunteer if appointment is not None else None
