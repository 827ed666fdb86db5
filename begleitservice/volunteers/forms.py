"""Volunteer and absence forms."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from ..forms import DateWindow, IntervalsField, OnceForm
from ..i18n import LANGUAGE_LABELS
from ..inputs import optional_id
from ..models import GENDERS, SERVICES, VOLUNTEER_STATUSES, VolunteerStatus
from .operations import MAX_MINUTES_PER_WEEK, MAX_SENIORS

HOURS_PER_WEEK = 168
_HOURS_MINUTES = re.compile(r"^([0-9]{1,2}):([0-5][0-9])$")


def hours_label(minutes: int | None) -> str:
    """240 → "4", 150 → "2,5", 100 → "1:40" (hours as a coordinator types them)."""
    if minutes is None:
        return ""
    if (minutes * 100) % 60:
        return f"{minutes // 60}:{minutes % 60:02d}"
    return format(Decimal(minutes) / 60, "f").rstrip("0").rstrip(".").replace(".", ",")


def parse_hours(text: str) -> int:
    """ "4", "2,5", "2.5" or "2:30" hours → minutes; raise ValueError with a German message."""
    text = text.strip().replace(" ", "")
    if match := _HOURS_MINUTES.match(text):
        return int(match[1]) * 60 + int(match[2])
    try:
        hours = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"„{text}“ ist keine Stundenzahl wie „4“ oder „2,5“.") from None
    if not hours.is_finite() or hours < 0:
        raise ValueError(f"„{text}“ ist keine Stundenzahl wie „4“ oder „2,5“.")
    if hours > HOURS_PER_WEEK:  # also keeps "1e999999" from becoming a huge integer below
        raise ValueError(f"„{text}“ sind mehr Stunden, als eine Woche hat.")
    return int((hours * 60).to_integral_value())


class HoursField(Field):
    """Hours typed as "4", "2,5" or "2:30"; ``data`` is integer minutes."""

    widget = TextInput()

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else hours_label(self.data)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_hours(valuelist[0])
        except ValueError as error:
            self.data = None
            raise ValueError(str(error)) from error


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VolunteerForm(OnceForm):
    first_name = StringField(_l("Vorname"), validators=[DataRequired(), Length(max=80)])
    last_name = StringField(_l("Nachname"), validators=[DataRequired(), Length(max=80)])
    email = EmailField(
        _l("E-Mail"),
        validators=[Optional(), Email(message=_l("Bitte eine gültige E-Mail-Adresse eintragen.")), Length(max=254)],
        description=_l(
            "Freiwillig: ohne Adresse bekommt die Person keine Mails; die "
            "Koordination ruft an und trägt Zusagen, Absagen und Stunden "
            "telefonisch ein."
        ),
    )
    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=40)])
    home_district_id = SelectField(
        _l("Wohnbezirk"), coerce=optional_id, validators=[InputRequired(message=_l("Bitte den Wohnbezirk wählen."))]
    )
    travel_district_ids = CheckboxesField(
        _l("Fährt auch in diese Bezirke"), coerce=optional_id, description=_l("Der Wohnbezirk zählt immer mit.")
    )
    services = CheckboxesField(_l("Dienste"), choices=list(SERVICES.items()))
    languages = StringField(
        _l("Sprachen"),
        default="Deutsch",
        validators=[Length(max=200)],
        description=_l("Mehrere mit Komma trennen, z. B. „Deutsch, Türkisch“."),
    )
    gender = SelectField(_l("Geschlecht"), choices=list(GENDERS.items()))
    language = SelectField(
        _l("Sprache für Mails und Seiten"),
        choices=list(LANGUAGE_LABELS.items()),
        default="de",
        description=_l("In dieser Sprache bekommt die Person Mails, Link-Seiten und ihren Einsatzplan."),
    )
    availability = IntervalsField(
        _l("Verfügbar"), description=_l("Wochentag und Uhrzeit, z. B. „Mo 09:00-12:00; Mi 14:00-17:00“.")
    )
    max_minutes_per_week = HoursField(
        _l("Höchstens Stunden pro Woche"),
        default=240,
        validators=[InputRequired(message=_l("Bitte die Stunden pro Woche eintragen."))],
        description=_l("In Stunden, z. B. „4“ oder „2,5“."),
    )
    max_seniors = IntegerField(
        _l("Höchstens Senior:innen gleichzeitig"),
        default=2,
        validators=[
            InputRequired(message=_l("Bitte eine Zahl eintragen.")),
            NumberRange(
                0,
                MAX_SENIORS,
                message=_l("Bitte eine Zahl von 0 bis %(max_seniors)s eintragen.", max_seniors=MAX_SENIORS),
            ),
        ],
    )
    max_group_sessions_per_month = IntegerField(
        _l("Höchstens Gruppentermine im Monat"),
        default=4,
        validators=[
            Optional(),
            NumberRange(0, 31, message=_l("Bitte eine Zahl von 0 bis 31 eintragen.")),
        ],
        description=_l("Demenzgruppen: der Einsatzplan teilt nicht öfter ein."),
    )
    basisqualifizierung_on = DateField(
        _l("Basisqualifizierung am"), validators=[Optional()], description=_l("Nötig für die Häusliche Entlastung.")
    )
    basisqualifizierung_ref = StringField(
        _l("Nachweis der Basisqualifizierung"),
        validators=[Optional(), Length(max=80)],
        description=_l("Zertifikat oder Aktenzeichen."),
    )
    fuehrungszeugnis_on = DateField(_l("Erweitertes Führungszeugnis vom"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=list(VOLUNTEER_STATUSES.items()), default=VolunteerStatus.AKTIV)
    notes = TextAreaField(_l("Notizen"), validators=[Optional()])
    confirm_other_person = BooleanField(_l("Trotzdem speichern – es ist eine andere Person"))

    def validate_max_minutes_per_week(self, field):
        if field.data is not None and field.data > MAX_MINUTES_PER_WEEK:
            raise ValidationError(_("Bitte höchstens 40 Stunden pro Woche eintragen (0 bis 40)."))


class AbsenceForm(OnceForm):
    starts_on = DateField(
        _l("Von"), validators=[InputRequired(message=_l("Bitte das Datum „von“ eintragen.")), DateWindow("plan")]
    )
    ends_on = DateField(
        _l("Bis"), validators=[InputRequired(message=_l("Bitte das Datum „bis“ eintragen.")), DateWindow("plan")]
    )
    reason = StringField(_l("Grund"), validators=[Optional(), Length(max=120)], description=_l("z. B. Urlaub, Kur"))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("Das Datum „bis“ darf nicht vor „von“ liegen."))
