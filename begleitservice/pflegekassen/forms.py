"""Pflegekasse form."""

from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from billing.identifiers import ik_error

from ..forms import OnceForm, kvnr_or_ik_validator


class PflegekasseForm(OnceForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    ik = StringField(
        "Institutionskennzeichen (IK)",
        validators=[DataRequired(), kvnr_or_ik_validator(ik_error)],
        description="Neun Ziffern, z. B. 260326822",
        filters=[lambda v: v.replace(" ", "") if v else v],
    )
    street = StringField("Straße und Hausnummer", validators=[Optional(), Length(max=120)])
    postal_code = StringField(
        "PLZ", validators=[Optional(), Regexp(r"^[0-9]{5}$", message="Die PLZ besteht aus fünf Ziffern.")]
    )
    city = StringField("Ort", validators=[Optional(), Length(max=80)])
    email = EmailField("E-Mail für Rechnungen", validators=[Optional(), Email()])
