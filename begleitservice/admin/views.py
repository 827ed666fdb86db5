"""Admins manage staff accounts: create (with an invitation mail), edit, invite again, reset the second factor."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..auth import second_factor
from ..auth.access import restrict
from ..auth.operations import invite
from ..extensions import db
from ..models import User
from ..pages import cached
from ..submissions import remember, repeated
from .forms import UserForm
from .operations import UserError, save_user

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict(bp, "admin")


@bp.route("/benutzer")
@cached
def users():
    """List staff accounts."""
    return render_template("admin/users.html", users=db.session.scalars(sa.select(User).order_by(User.name)).all())


@bp.route("/benutzer/neu", methods=["GET", "POST"])
def create_user():
    """Create a staff account; the new user gets an invitation mail to set their password."""
    return _edit(User())


@bp.route("/benutzer/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Edit a staff account (name, address, role, access)."""
    return _edit(db.get_or_404(User, user_id))


def _edit(user: User):
    # A new user has no values yet: show the form's defaults ("Zugang aktiv" ticked), not empty fields.
    form = UserForm(obj=user if user.id else None)
    if form.validate_on_submit():
        if user.id is None and (repeat := repeated(form)) is not None:
            return repeat
        if user.id == current_user.id and (not form.is_active.data or form.role.data != "admin"):
            form.role.errors.append("Sie können sich nicht selbst die Administration entziehen.")
        else:
            new = user.id is None
            try:
                save_user(
                    user,
                    name=form.name.data,
                    email=form.email.data,
                    role=form.role.data,
                    is_active=form.is_active.data,
                )
            except UserError as error:
                getattr(form, error.field).errors.append(str(error))
            else:
                if new:
                    invite(user)
                remember(form, url := url_for(".users"))
                db.session.commit()
                invited = f" Die Einladung an {user.email} ist unterwegs." if new else ""
                flash(_("Benutzer „%(user)s“ gespeichert.%(invited)s", user=user.name, invited=invited), "success")
                return redirect(url)
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/benutzer/<int:user_id>/einladen", methods=["POST"])
def invite_again(user_id: int):
    """Send a new invitation (the earlier link stops working once a password is set)."""
    user = db.get_or_404(User, user_id)
    if not user.is_active:
        flash(_("Der Zugang ist gesperrt; bitte erst wieder freigeben."), "error")
        return redirect(url_for(".edit_user", user_id=user.id))
    invite(user)
    db.session.commit()
    flash(_("Eine neue Einladung an %(email)s ist unterwegs.", email=user.email), "success")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/benutzer/<int:user_id>/zwei-faktor-zuruecksetzen", methods=["POST"])
def reset_second_factor(user_id: int):
    """Remove a user's second factor (lost phone and codes); they set it up again at the next login."""
    user = db.get_or_404(User, user_id)
    second_factor.disable(user)
    audit.record("second_factor", user, detail="von der Administration zurückgesetzt")
    db.session.commit()
    flash(_("Der zweite Faktor von „%(user)s“ ist zurückgesetzt.", user=user.name), "success")
    return redirect(url_for(".edit_user", user_id=user.id))
