"""Log in (with a second factor where set up) and out; forgotten, invited and changed passwords; own account."""

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit, clock
from ..database import lock
from ..extensions import db
from ..inputs import safe_next
from ..models import User
from ..models.user import TOTP_ROLES
from ..security.limits import rate_limited
from ..security.logins import check_login
from ..security.sessions import end_sessions
from . import second_factor as totp
from .forms import ChangePasswordForm, CodeForm, ForgotPasswordForm, LoginForm, NewPasswordForm, SetupCodeForm
from .operations import PasswordError, request_reset, set_new_password
from .tokens import TokenError, load_user

bp = Blueprint("auth", __name__)

PENDING_SECONDS = 300  # password given, code not yet: this long, then the login starts over
MAX_CODE_TRIES = 5
RESET_SENT = (
    "Wenn zu dieser E-Mail-Adresse ein Zugang besteht, haben wir soeben einen Link zum Zurücksetzen des Passworts "
    "dorthin geschickt. Bitte sehen Sie auch im Spam-Ordner nach."
)
CODE_WRONG_AT_SETUP = "Der Code stimmt nicht. Bitte prüfen Sie die Uhrzeit des Telefons und versuchen Sie es neu."
#: Pages a user who must set up the second factor may still open.
SETUP_ENDPOINTS = {"auth.setup_second_factor", "auth.logout", "auth.login", "static"}


@bp.route("/login", methods=["GET", "POST"])
@rate_limited("LOGIN_RATE_LIMIT")
def login():
    """Show the login form and log a staff member in (same work for every e-mail, lockout after failures; then
    the second factor, where set up)."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        refusal = check_login(email, user, form.password.data)
        if refusal is None:
            target = safe_next(request.args.get("next"))
            if user.totp_secret:
                session["second_factor"] = {"user": user.id, "at": _epoch(), "next": target, "tries": 0}
                return redirect(url_for(".second_factor"))
            return _complete_login(user, target, how="mit Passwort")
        flash(refusal, "error")
    return render_template("auth/login.html", form=form)


def _epoch() -> int:
    return int(clock.now().timestamp())


def _complete_login(user: User, target: str | None, *, how: str = ""):
    """Log ``user`` in, record it, and go on (to the second-factor setup first when it is required)."""
    login_user(user)
    audit.record("login", user, user=user, detail=how)
    db.session.commit()
    if must_set_up_second_factor(user):
        flash(
            _("Bitte richten Sie jetzt die Zwei-Faktor-Anmeldung ein; sie ist für Ihre Rolle vorgeschrieben."), "info"
        )
        return redirect(url_for(".setup_second_factor"))
    return redirect(target or url_for("dashboard.index"))


@bp.route("/login/code", methods=["GET", "POST"])
@rate_limited("LOGIN_RATE_LIMIT")
def second_factor():
    """The second login step: a TOTP code or a recovery code."""
    pending = session.get("second_factor")
    if not pending or _epoch() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop("second_factor", None)
        flash(_("Bitte melden Sie sich erneut an."), "info")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        user = lock(User, pending["user"])
        if user is None or not user.is_active or not user.totp_secret:
            session.pop("second_factor", None)
            db.session.rollback()
            return redirect(url_for(".login"))
        now = clock.now()
        if totp.verify_code(user, form.code.data, now=now):
            session.pop("second_factor", None)
            return _complete_login(user, pending.get("next"), how="mit Code (zweiter Faktor)")
        if totp.use_recovery_code(user, form.code.data, now=now):
            session.pop("second_factor", None)
            left = totp.unused_recovery_codes(user)
            flash(_("Sie haben einen Wiederherstellungscode benutzt; es bleiben %(left)s.", left=left), "warning")
            return _complete_login(user, pending.get("next"), how="mit Wiederherstellungscode")
        audit.record("login_failed", user, detail="falscher Code (zweiter Faktor)")
        db.session.commit()
        pending["tries"] = pending.get("tries", 0) + 1
        session["second_factor"] = pending
        if pending["tries"] >= MAX_CODE_TRIES:
            session.pop("second_factor", None)
            flash(_("Zu viele falsche Codes. Bitte melden Sie sich erneut an."), "error")
            return redirect(url_for(".login"))
        form.code.errors.append("Der Code stimmt nicht (oder wurde schon benutzt). Bitte den aktuellen Code eingeben.")
    return render_template("auth/second_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out: ends every session of this user (other browsers and copied cookies too)."""
    if current_user.is_authenticated:
        audit.record("logout", current_user._get_current_object())
        end_sessions(current_user)
        db.session.commit()
    logout_user()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("auth.login"))


# --- forgotten password and invitation ---------------------------------------------------------------------------


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@rate_limited("PASSWORD_RESET_RATE_LIMIT")
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        db.session.commit()
        flash(RESET_SENT, "info")
        return redirect(url_for(".login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/passwort-neu/<token:token>", methods=["GET", "POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def reset_password(token: str):
    """Set a new password through the link of the reset mail."""
    return _password_from_link("reset", token)


@bp.route("/einladung/<token:token>", methods=["GET", "POST"])
@rate_limited("LINK_RATE_LIMIT", methods=("GET", "POST"))
def accept_invitation(token: str):
    """Set the first password through the link of the invitation mail."""
    return _password_from_link("invite", token)


def _password_from_link(purpose: str, token: str):
    title = "Neues Passwort festlegen" if purpose == "reset" else "Zugang einrichten"
    try:
        user = load_user(purpose, token)
    except TokenError as error:
        return render_template("auth/link_refused.html", title=title, message=str(error)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            how = "über den Link zurückgesetzt" if purpose == "reset" else "über die Einladung festgelegt"
            set_new_password(user, form.password.data, repeat=form.repeat.data, how=how)
        except PasswordError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Ihr Passwort ist gespeichert. Bitte melden Sie sich jetzt damit an."), "success")
            return redirect(url_for(".login"))
    return render_template("auth/new_password.html", form=form, title=title, user=user)


# --- own account -------------------------------------------------------------------------------------------------


def must_set_up_second_factor(user) -> bool:
    """Whether ``user`` must set up TOTP before anything else (TOTP_REQUIRED and an admin or coordinator role)."""
    return current_app.config["TOTP_REQUIRED"] and user.role in TOTP_ROLES and not user.totp_secret


@bp.before_app_request
def _lead_to_second_factor_setup():
    """Send admins and coordinators without a second factor to its setup while it is required."""
    if not current_app.config["TOTP_REQUIRED"] or request.endpoint in SETUP_ENDPOINTS:
        return None
    if current_user.is_authenticated and must_set_up_second_factor(current_user):
        flash(_("Bitte richten Sie zuerst die Zwei-Faktor-Anmeldung ein."), "info")
        return redirect(url_for("auth.setup_second_factor"))
    return None


@bp.route("/konto")
@login_required
def account():
    """The own account: password and second factor."""
    return render_template(
        "auth/account.html",
        user=current_user,
        recovery_left=totp.unused_recovery_codes(current_user),
        required=must_set_up_second_factor(current_user) or _required_for(current_user),
    )


def _required_for(user) -> bool:
    return current_app.config["TOTP_REQUIRED"] and user.role in TOTP_ROLES


@bp.route("/konto/passwort", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the own password (the current one is asked for)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            form.current.errors.append("Das bisherige Passwort stimmt nicht.")
        else:
            try:
                set_new_password(user, form.password.data, repeat=form.repeat.data, how="selbst geändert")
            except PasswordError as error:
                db.session.rollback()
                form.password.errors.append(str(error))
            else:
                db.session.commit()
                login_user(user)  # this session stays valid; other sessions end with the old password
                flash(_("Ihr Passwort ist geändert."), "success")
                return redirect(url_for(".account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/konto/zwei-faktor", methods=["GET", "POST"])
@login_required
def setup_second_factor():
    """Set up TOTP: a QR code and the key to type, confirmed by a first code; then the recovery codes, once."""
    user = current_user._get_current_object()
    if user.totp_secret:
        return redirect(url_for(".account"))
    secret = session.get("totp_setup") or totp.new_secret()
    session["totp_setup"] = secret
    form = SetupCodeForm()
    if form.validate_on_submit():
        now = clock.now()
        step = totp.matching_step(secret, form.code.data, now=now, after=None)
        if step is None:
            form.code.errors.append(CODE_WRONG_AT_SETUP)
        else:
            user.totp_secret, user.totp_last_step = secret, step
            codes = totp.new_recovery_codes(user)
            audit.record("second_factor", user, detail="eingerichtet")
            db.session.commit()
            session.pop("totp_setup", None)
            return render_template("auth/recovery_codes.html", codes=codes, first=True)
    uri = totp.provisioning_uri(user, secret)
    return render_template("auth/setup_second_factor.html", form=form, qr=totp.qr_svg(uri), key=totp.grouped(secret))


@bp.route("/konto/zwei-faktor/codes", methods=["POST"])
@login_required
def new_recovery_codes():
    """Replace the recovery codes (a current TOTP code confirms it); show the new ones once."""
    return _with_current_code(lambda user: _show_new_codes(user))


@bp.route("/konto/zwei-faktor/aus", methods=["POST"])
@login_required
def disable_second_factor():
    """Turn the second factor off (not while it is required for the role; a current code confirms it)."""
    if _required_for(current_user):
        flash(_("Für Ihre Rolle ist die Zwei-Faktor-Anmeldung vorgeschrieben; sie bleibt eingeschaltet."), "error")
        return redirect(url_for(".account"))
    return _with_current_code(_disable)


def _with_current_code(action):
    form = CodeForm()
    user = lock(User, current_user.id)
    if not form.validate_on_submit() or not totp.verify_code(user, form.code.data, now=clock.now()):
        db.session.rollback()
        flash(_("Der Code stimmt nicht. Es wurde nichts geändert."), "error")
        return redirect(url_for(".account"))
    return action(user)


def _show_new_codes(user: User):
    codes = totp.new_recovery_codes(user)
    audit.record("second_factor", user, detail="neue Wiederherstellungscodes")
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, first=False)


def _disable(user: User):
    totp.disable(user)
    audit.record("second_factor", user, detail="ausgeschaltet")
    db.session.commit()
    flash(_("Die Zwei-Faktor-Anmeldung ist ausgeschaltet."), "success")
    return redirect(url_for(".account"))
