"""Data protection pages: access export (Art. 15), request for erasure (Art. 17) and the data-protection log."""

import json

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from ..auth.access import CARE, restrict
from ..clock import now as clock_now
from ..extensions import db
from ..forms import Form
from ..inputs import query_page
from ..models import PrivacyEvent, Senior, Volunteer
from ..models.privacy import PERSON_KINDS
from ..pages import cached
from .export import export_person
from .operations import PrivacyError, is_restricted, record_event, request_erasure, restriction_message
from .records import person_kind, retention

bp = Blueprint("privacy", __name__, url_prefix="/datenschutz")
restrict(bp, *CARE)

DETAIL = {"senior": ("seniors.detail", "senior_id"), "volunteer": ("volunteers.detail", "volunteer_id")}
LIST = {"senior": "seniors.index", "volunteer": "volunteers.index"}


class ErasureForm(Form):
    """The coordinator confirms the request for erasure."""

    note = StringField(_l("Eingang des Antrags (z. B. Brief vom …, Anruf)"), validators=[Length(max=300)])
    confirm = BooleanField(
        _l("Der Antrag liegt vor und die antragstellende Person ist geprüft."),
        validators=[DataRequired("Bitte bestätigen Sie den Antrag.")],
    )


def _detail_url(person) -> str:
    endpoint, argument = DETAIL[person_kind(person)]
    return url_for(endpoint, **{argument: person.id})


@bp.route("/")
@cached
def index():
    """The data-protection log: exports, restrictions and erasures, newest first."""
    query = sa.select(PrivacyEvent).order_by(PrivacyEvent.at.desc(), PrivacyEvent.id.desc())
    page = db.paginate(
        query,
        page=query_page(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template("privacy/index.html", page=page, person_kinds=PERSON_KINDS)


@bp.route("/senioren/<int:senior_id>/auskunft")
def export_senior(senior_id: int):
    """Download everything stored about a senior as JSON (Art. 15)."""
    return _export(db.get_or_404(Senior, senior_id))


@bp.route("/ehrenamtliche/<int:volunteer_id>/auskunft")
def export_volunteer(volunteer_id: int):
    """Download everything stored about a volunteer as JSON (Art. 15)."""
    return _export(db.get_or_404(Volunteer, volunteer_id))


def _export(person):
    now = clock_now()
    data = export_person(person, now=now)
    record_event("export", person, user=current_user, at=now, note="Download")
    db.session.commit()
    name = f"auskunft-{'senior' if isinstance(person, Senior) else 'ehrenamt'}-{person.id}-{now:%Y-%m-%d}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/senioren/<int:senior_id>/loeschen", methods=["GET", "POST"])
def erase_senior(senior_id: int):
    """Confirm and carry out a senior's request for erasure (restriction while invoices must be kept)."""
    return _erase(db.get_or_404(Senior, senior_id))


@bp.route("/ehrenamtliche/<int:volunteer_id>/loeschen", methods=["GET", "POST"])
def erase_volunteer(volunteer_id: int):
    """Confirm and carry out a volunteer's request for erasure (restriction while billed visits must be kept)."""
    return _erase(db.get_or_404(Volunteer, volunteer_id))


def _erase(person):
    if is_restricted(person):
        flash(restriction_message(person), "error")
        return redirect(_detail_url(person))
    form = ErasureForm()
    kept = retention(person)
    if form.validate_on_submit():
        name, detail_url = person.name, _detail_url(person)
        try:
            result = request_erasure(person, user=current_user, now=clock_now(), note=form.note.data or "")
        except PrivacyError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(detail_url)
        db.session.commit()
        if result.outcome == "restrict":
            flash(f"{name} ist jetzt gesperrt (DSGVO) bis {result.retain_until:%d.%m.%Y}.", "success")
            return redirect(detail_url)
        flash(_("%(name)s und alle Daten zu dieser Person wurden gelöscht.", name=name), "success")
        return redirect(url_for(LIST[person_kind(person)]))
    return render_template("privacy/erase.html", person=person, kept=kept, form=form, back=_detail_url(person))
