"""Senior form: parses the input; the rules (check digits, ages, billing needs) live in operations.save_senior."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..extensions import db
from ..forms import DateWindow, OnceForm
from ..inputs import optional_id
from ..models import GENDERS, SENIOR_STATUSES, District, Pflegekasse, SeniorStatus, Sozialraum
from .operations import FIELDS, REQUIRED

OTHER_PERSON = "Trotzdem speichern – es ist eine andere Person"


def _optional_str(value):
    return value or None


class SeniorForm(OnceForm):
    first_name = StringField(_l("Vorname"), validators=[DataRequired(message=REQUIRED["first_name"]), Length(max=80)])
    last_name = StringField(_l("Nachname"), validators=[DataRequired(message=REQUIRED["last_name"]), Length(max=80)])
    birth_on = DateField(_l("Geburtsdatum"), validators=[InputRequired(message=REQUIRED["birth_on"])])
    street = StringField(
        _l("Straße und Hausnummer"), validators=[DataRequired(message=REQUIRED["street"]), Length(max=120)]
    )
    postal_code = StringField(
        _l("PLZ"), validators=[DataRequired(message=REQUIRED["postal_code"])], description=_l("Fünf Ziffern")
    )
    city = StringField(
        _l("Ort"), validators=[DataRequired(message=REQUIRED["city"]), Length(max=80)], default="Dortmund"
    )
    district_id = SelectField(
        _l("Stadtbezirk"),
        coerce=optional_id,
        validators=[DataRequired(message=REQUIRED["district_id"])],
        description=_l("Die PLZ ist nur ein Hinweis – PLZ-Gebiete überschreiten Bezirksgrenzen."),
    )
    sozialraum_id = SelectField(_l("Sozialraum"), coerce=optional_id, validators=[Optional()])
    phone = TelField(_l("Telefon"), validators=[Optional(), Length(max=40)])

    contact_name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    contact_relation = StringField(
        _l("Beziehung"), validators=[Optional(), Length(max=60)], description=_l("z. B. Tochter, Nachbar")
    )
    contact_phone = TelField(_l("Telefon"), validators=[Optional(), Length(max=40)])
    contact_email = EmailField(_l("E-Mail"), validators=[Optional(), Length(max=254)])

    pflegegrad = SelectField(
        _l("Pflegegrad"),
        coerce=optional_id,
        choices=[("", "keiner")] + [(str(g), str(g)) for g in range(1, 6)],
        description=_l(
            "Mit Pflegegrad sind Versichertennummer und Pflegekasse Pflicht: die "
            "Entlastung wird über die Pflegekasse abgerechnet (§45b SGB XI)."
        ),
    )
    pflegegrad_since = DateField(
        _l("Pflegegrad seit"),
        validators=[Optional(), DateWindow("plan")],
        description=_l("Nur bei einer Änderung des Pflegegrads: ab wann er gilt (leer: heute)."),
    )
    pflegekasse_id = SelectField(_l("Pflegekasse"), coerce=optional_id)
    kvnr = StringField(
        _l("Versichertennummer (KVNR)"),
        description=_l("Großbuchstabe und neun Ziffern, z. B. A123456780; Pflicht bei Pflegegrad."),
        filters=[lambda v: v.replace(" ", "").upper() if v else v],
    )

    languages = StringField(
        _l("Sprachen"),
        validators=[Length(max=200)],
        default="Deutsch",
        description=_l("Mehrere durch Komma trennen, z. B. Deutsch, Türkisch"),
    )
    preferred_volunteer_gender = SelectField(
        _l("Gewünschtes Geschlecht der Ehrenamtlichen"),
        coerce=_optional_str,
        choices=[("", "keine Vorgabe"), *GENDERS.items()],
    )
    has_dementia = BooleanField(_l("Demenz"))
    care_notes = TextAreaField(_l("Hinweise zur Begleitung"), description=_l("Nur für die Koordination sichtbar."))
    stand_in_notes = TextAreaField(
        _l("Hinweise für Vertretungen"),
        validators=[Length(max=500, message=_l("Bitte höchstens 500 Zeichen."))],
        description=_l(
            "Stehen auf dem Adressblatt, das eine Vertretung bekommt: Zugang, Schlüssel, Klingel, Haustiere, wen "
            "anrufen. Keine Gesundheitsangaben."
        ),
    )

    consent_on = DateField(_l("Einwilligung erteilt am"), validators=[Optional()])
    consent_scope = StringField(
        _l("Umfang der Einwilligung"),
        validators=[Length(max=200)],
        description=_l("Pflicht, wenn ein Datum eingetragen ist (Art. 9 DSGVO: Gesundheitsdaten)."),
    )
    status = SelectField(_l("Status"), choices=list(SENIOR_STATUSES.items()), default=SeniorStatus.AKTIV)
    confirm_other_person = BooleanField(OTHER_PERSON)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        districts = db.session.scalars(sa.select(District).order_by(District.name))
        self.district_id.choices = [("", "– bitte wählen –")] + [(d.id, d.name) for d in districts]
        raeume = db.session.execute(
            sa.select(Sozialraum.id, Sozialraum.name, District.name).join(Sozialraum.district).order_by(Sozialraum.name)
        )
        self.sozialraum_id.choices = [("", "– keiner –")] + [(i, f"{n} ({d})") for i, n, d in raeume]
        kassen = db.session.scalars(sa.select(Pflegekasse).order_by(Pflegekasse.name))
        self.pflegekasse_id.choices = [("", "– keine –")] + [(k.id, f"{k.name} (IK {k.ik})") for k in kassen]

    def values(self) -> dict:
        """The entered values keyed by Senior column, for operations.save_senior."""
        return {name: getattr(self, name).data for name in FIELDS} | {"pflegegrad_since": self.pflegegrad_since.data}
