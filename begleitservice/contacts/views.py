"""Contact log pages: a senior's, a volunteer's and a request's contacts, and the form to log one."""

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import clock
from ..auth.access import CARE, restrict
from ..extensions import db
from ..inputs import query_page
from ..models import ContactEntry, Request, Senior, Volunteer
from ..submissions import remember, repeated
from .forms import ContactForm
from .operations import ContactError, add_contact, last_contacts

bp = Blueprint("contacts", __name__, url_prefix="/kontakte")
restrict(bp, *CARE)


@bp.app_template_global()
def last_contact(kind: str, object_id: int):
    """The day of the last logged contact of one senior, volunteer or request (for detail pages), or None."""
    return last_contacts(kind, [object_id]).get(object_id)


def _log(person, *, condition, here: str, back: str, title: str, with_whom: str, request: Request | None = None):
    """Show the entries selected by ``condition`` with the form; on a valid submit log one and come back here."""
    form = ContactForm()
    if not form.is_submitted():
        form.on.data, form.with_whom.data = clock.today(), with_whom
    status = 200
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        try:
            add_contact(
                person,
                request=request,
                on=form.on.data,
                channel=form.channel.data,
                with_whom=form.with_whom.data,
                note=form.note.data or "",
                user=current_user._get_current_object(),
                today=clock.today(),
            )
        except ContactError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            remember(form, here)
            db.session.commit()
            flash(_("Kontakt gespeichert."), "success")
            return redirect(here)
    if form.errors:
        status = 422
    page = db.paginate(
        sa.select(ContactEntry)
        .where(condition)
        .options(joinedload(ContactEntry.by), joinedload(ContactEntry.request))
        .order_by(ContactEntry.on.desc(), ContactEntry.id.desc()),
        page=query_page(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    context = dict(form=form, page=page, person=person, title=title, back=back, request_item=request)
    return render_template("contacts/log.html", **context), status


@bp.route("/senioren/<int:senior_id>", methods=["GET", "POST"])
def senior(senior_id: int):
    """A senior's contacts, including those about their requests."""
    person = db.get_or_404(Senior, senior_id)
    return _log(
        person,
        condition=ContactEntry.senior_id == person.id,
        here=url_for(".senior", senior_id=person.id),
        back=url_for("seniors.detail", senior_id=person.id),
        title=f"Kontakte mit {person.name}",
        with_whom="Senior:in selbst",
    )


@bp.route("/ehrenamtliche/<int:volunteer_id>", methods=["GET", "POST"])
def volunteer(volunteer_id: int):
    """A volunteer's contacts."""
    person = db.get_or_404(Volunteer, volunteer_id)
    return _log(
        person,
        condition=ContactEntry.volunteer_id == person.id,
        here=url_for(".volunteer", volunteer_id=person.id),
        back=url_for("volunteers.detail", volunteer_id=person.id),
        title=f"Kontakte mit {person.name}",
        with_whom="Ehrenamtliche:r selbst",
    )


@bp.route("/anfragen/<int:request_id>", methods=["GET", "POST"])
def request_log(request_id: int):
    """The contacts about one request (they count for its senior too)."""
    item = db.get_or_404(Request, request_id)
    return _log(
        item.senior,
        request=item,
        condition=ContactEntry.request_id == item.id,
        here=url_for(".request_log", request_id=item.id),
        back=url_for("requests.detail", request_id=item.id),
        title=f"Kontakte zur Anfrage vom {item.received_on:%d.%m.%Y} ({item.senior.name})",
        with_whom="Senior:in selbst",
    )
