"""User administration forms."""

from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..forms import OnceForm
from ..models import ROLES


class UserForm(OnceForm):
    """Name, address, role and access; the password is the user's own (set through the invitation link)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("E-Mail", validators=[DataRequired(), Email()])
    role = SelectField("Rolle", choices=list(ROLES.items()))
    is_active = BooleanField("Zugang aktiv", default=True)
