"""User administration forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..forms import OnceForm
from ..models import ROLES


class UserForm(OnceForm):
    """Name, address, role and access; the password is the user's own (set through the invitation link)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Email()])
    role = SelectField(_l("Rolle"), choices=list(ROLES.items()))
    is_active = BooleanField(_l("Zugang aktiv"), default=True)
