"""Pflegekasse form."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from billing.identifiers import ik_error

from ..forms import OnceForm, kvnr_or_ik_validator


class PflegekasseForm(OnceForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    ik = StringField(
        _l("Institutionskennzeichen (IK)"),
        validators=[DataRequired(), kvnr_or_ik_validator(ik_error)],
        description=_l("Neun Ziffern, z. B. 260326822"),
        filters=[lambda v: v.replace(" ", "") if v else v],
    )
    street = StringField(_l("Straße und Hausnummer"), validators=[Optional(), Length(max=120)])
    postal_code = StringField(
        _l("PLZ"), validators=[Optional(), Regexp(r"^[0-9]{5}$", message=_l("Die PLZ besteht aus fünf Ziffern."))]
    )
    city = StringField(_l("Ort"), validators=[Optional(), Length(max=80)])
    email = EmailField(_l("E-Mail für Rechnungen"), validators=[Optional(), Email()])
