"""Admins manage staff accounts."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.access import restrict
from ..extensions import db
from ..models import User
from ..submissions import remember, repeated
from .forms import UserForm
from .operations import UserError, save_user

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict(bp, "admin")


@bp.route("/benutzer")
def users():
    """List staff accounts."""
    return render_template("admin/users.html", users=db.session.scalars(sa.select(User).order_by(User.name)).all())


@bp.route("/benutzer/neu", methods=["GET", "POST"])
def create_user():
    """Create a staff account."""
    return _edit(User())


@bp.route("/benutzer/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Edit a staff account (role, access, password)."""
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
            try:
                save_user(
                    user,
                    name=form.name.data,
                    email=form.email.data,
                    role=form.role.data,
                    password=form.password.data,
                    is_active=form.is_active.data,
                )
            except UserError as error:
                getattr(form, error.field).errors.append(str(error))
            else:
                remember(form, url := url_for(".users"))
                db.session.commit()
                flash(f"Benutzer „{user.name}“ gespeichert.", "success")
                return redirect(url)
    return render_template("admin/user_form.html", form=form, user=user)
