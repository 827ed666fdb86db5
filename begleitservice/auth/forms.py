"""Login, second factor, password reset and change."""

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..forms import Form
from .passwords import MAX_LENGTH, POLICY_HINT


class LoginForm(Form):
    email = EmailField("E-Mail", validators=[DataRequired(), Email()])
    password = PasswordField("Passwort", validators=[DataRequired()])


class CodeForm(Form):
    """The second step of the login: a code of the authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        validators=[DataRequired("Bitte den Code eingeben."), Length(max=40)],
        description="Die sechs Ziffern aus Ihrer Authenticator-App – oder einer Ihrer Wiederherstellungscodes.",
    )


class SetupCodeForm(Form):
    code = StringField(
        "Code aus der App",
        validators=[DataRequired("Bitte den Code aus der App eingeben."), Length(max=20)],
        description="Zur Bestätigung die sechs Ziffern, die die App jetzt anzeigt.",
    )


class ForgotPasswordForm(Form):
    email = EmailField("E-Mail", validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(Form):
    password = PasswordField(
        "Neues Passwort", validators=[DataRequired(), Length(max=MAX_LENGTH)], description=POLICY_HINT
    )
    repeat = PasswordField("Neues Passwort wiederholen", validators=[DataRequired()])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Bisheriges Passwort", validators=[DataRequired()])
