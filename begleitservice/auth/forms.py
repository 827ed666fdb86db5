"""Login, second factor, password reset and change."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..forms import Form
from .passwords import MAX_LENGTH, POLICY_HINT


class LoginForm(Form):
    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Passwort"), validators=[DataRequired()])


class CodeForm(Form):
    """The second step of the login: a code of the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired("Bitte den Code eingeben."), Length(max=40)],
        description=_l("Die sechs Ziffern aus Ihrer Authenticator-App – oder einer Ihrer Wiederherstellungscodes."),
    )


class SetupCodeForm(Form):
    code = StringField(
        _l("Code aus der App"),
        validators=[DataRequired("Bitte den Code aus der App eingeben."), Length(max=20)],
        description=_l("Zur Bestätigung die sechs Ziffern, die die App jetzt anzeigt."),
    )


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(Form):
    password = PasswordField(
        _l("Neues Passwort"), validators=[DataRequired(), Length(max=MAX_LENGTH)], description=POLICY_HINT
    )
    repeat = PasswordField(_l("Neues Passwort wiederholen"), validators=[DataRequired()])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Bisheriges Passwort"), validators=[DataRequired()])
