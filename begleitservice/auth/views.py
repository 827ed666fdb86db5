"""Log in and out."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from .. import audit
from ..extensions import db
from ..inputs import safe_next
from ..models import User
from ..security.limits import rate_limited
from ..security.logins import check_login
from ..security.sessions import end_sessions
from .forms import LoginForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@rate_limited("LOGIN_RATE_LIMIT")
def login():
    """Show the login form and log a staff member in (same work for every e-mail, lockout after failures)."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        refusal = check_login(email, user, form.password.data)
        if refusal is None:
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
        flash(refusal, "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out: ends every session of this user (other browsers and copied cookies too)."""
    if current_user.is_authenticated:
        audit.record("logout", current_user._get_current_object())
        end_sessions(current_user)
        db.session.commit()
    logout_user()
    flash("Sie sind abgemeldet.", "info")
    return redirect(url_for("auth.login"))
