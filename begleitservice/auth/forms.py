"""Login form."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from ..forms import Form


class LoginForm(Form):
    email = EmailField("E-Mail", validators=[DataRequired(), Email()])
    password = PasswordField("Passwort", validators=[DataRequired()])
