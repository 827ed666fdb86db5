"""User administration forms."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import OnceForm
from ..models import ROLES

MIN_PASSWORD = 10


class UserForm(OnceForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("E-Mail", validators=[DataRequired(), Email()])
    role = SelectField("Rolle", choices=list(ROLES.items()))
    password = PasswordField(
        "Passwort",
        validators=[Optional(), Length(min=MIN_PASSWORD, message=f"Mindestens {MIN_PASSWORD} Zeichen.")],
        description="Bei bestehenden Benutzern leer lassen, um das Passwort nicht zu ändern.",
    )
    is_active = BooleanField("Zugang aktiv", default=True)
