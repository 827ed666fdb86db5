"""Forms of the Demenzgruppen pages: a group, enrolment, admission and end, cancelling, roster, closing weeks."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..budget.forms import EuroField
from ..forms import DateWindow, Form, OnceForm, PersonField
from ..models import PRICE_UNITS, WEEKDAYS, Senior, SeniorStatus, Volunteer, VolunteerStatus
from ..models.base import minutes_label


def _times() -> list[tuple[str, str]]:
    return [(str(m), minutes_label(m)) for m in range(7 * 60, 21 * 60 + 1, 15)]


class GroupForm(OnceForm):
    """A Demenzgruppe: name, place, weekday and time, period, capacity, staffing rule, lead, first price."""

    name = StringField(_l("Name"), validators=[InputRequired("Bitte einen Namen eingeben."), Length(max=120)])
    place = StringField(
        _l("Ort"),
        validators=[InputRequired("Bitte den Ort eingeben."), Length(max=120)],
        description=_l("z. B. Begegnungsstätte Hörde"),
    )
    street = StringField(
        _l("Straße und Hausnummer"), validators=[InputRequired("Bitte die Anschrift eingeben."), Length(max=120)]
    )
    postal_code = StringField(
        _l("PLZ"),
        validators=[
            InputRequired("Bitte die PLZ eingeben."),
            Length(min=5, max=5, message=_l("Die PLZ hat 5 Ziffern.")),
        ],
    )
    district_id = SelectField(
        _l("Stadtbezirk"), coerce=int, validators=[InputRequired("Bitte den Stadtbezirk wählen.")]
    )
    sozialraum_id = SelectField(_l("Sozialraum"), coerce=int, validators=[Optional()])
    weekday = SelectField(_l("Wochentag"), coerce=int, choices=list(enumerate(WEEKDAYS)))
    start_minute = SelectField(_l("Beginn"), coerce=int, choices=_times(), default=14 * 60)
    end_minute = SelectField(_l("Ende"), coerce=int, choices=_times(), default=17 * 60)
    starts_on = DateField(
        _l("Erster Termin ab"), validators=[InputRequired("Bitte das Anfangsdatum eingeben."), DateWindow("plan")]
    )
    ends_on = DateField(_l("Letzter Termin bis"), validators=[Optional(), DateWindow("plan")])
    capacity = IntegerField(
        _l("Plätze"),
        default=10,
        validators=[
            InputRequired("Bitte die Zahl der Plätze eingeben."),
            NumberRange(1, 40, "Zwischen 1 und 40 Plätze."),
        ],
    )
    participants_per_volunteer = IntegerField(
        _l("Teilnehmende je Ehrenamtliche:r"),
        default=3,
        validators=[InputRequired("Bitte eine Zahl eingeben."), NumberRange(1, 20, "Zwischen 1 und 20.")],
    )
    min_volunteers = IntegerField(
        _l("Mindestens Ehrenamtliche"),
        default=2,
        validators=[InputRequired("Bitte eine Zahl eingeben."), NumberRange(0, 20, "Zwischen 0 und 20.")],
    )
    lead_name = StringField(
        _l("Fachkraft (Leitung)"), validators=[InputRequired("Bitte die leitende Fachkraft eingeben."), Length(max=120)]
    )
    lead_phone = StringField(_l("Telefon der Leitung"), validators=[Optional(), Length(max=40)])
    price_unit = SelectField(_l("Preis"), choices=list(PRICE_UNITS.items()))
    price_amount = EuroField(
        _l("Betrag in €"),
        places=2,
        validators=[
            InputRequired("Bitte den Preis eingeben (z. B. 22,50)."),
            NumberRange(0, 1000, "Zwischen 0 und 1000 €."),
        ],
    )
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=2000)])

    def validate_end_minute(self, field):
        if field.data <= self.start_minute.data:
            raise ValidationError(_("Das Ende muss nach dem Beginn liegen."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("Der letzte Termin liegt vor dem ersten."))

    def validate_postal_code(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError(_("Die PLZ hat 5 Ziffern."))


class EnrolForm(OnceForm):
    """Put a senior on the group's waiting list."""

    senior_id = PersonField(_l("Senior:in"), model=Senior, suggest="seniors.suggest")
    needs_transport = BooleanField(_l("braucht Fahrdienst"))
    transport_notes = StringField(_l("Fahrdienst: Hinweise"), validators=[Optional(), Length(max=300)])
    team_notes = TextAreaField(_l("Hinweise für das Team"), validators=[Optional(), Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.senior_id.allowed = sa.and_(Senior.restricted_at.is_(None), Senior.status.in_(SeniorStatus.CURRENT))

    def validate_senior_id(self, field):
        if not field.data:
            raise ValidationError(_("Bitte eine Senior:in wählen."))


class DayForm(Form):
    """A date: first participation, or last one."""

    on = DateField(_l("Datum"), validators=[InputRequired("Bitte ein Datum eingeben."), DateWindow("plan")])


class EndForm(Form):
    """End a participation (date of the last session) or take off the waiting list (no date)."""

    on = DateField(_l("Letzte Teilnahme am"), validators=[Optional(), DateWindow("plan")])


class PostForm(Form):
    """A button that changes something (no fields: only the CSRF token is checked)."""


class CancelForm(Form):
    """Call a session off, with a reason that goes into the mails."""

    reason = StringField(
        _l("Grund"), validators=[InputRequired("Bitte einen Grund für die Absage angeben."), Length(max=300)]
    )


class RosterForm(Form):
    """Put a volunteer on a session's roster."""

    volunteer_id = PersonField(_l("Ehrenamtliche:r"), model=Volunteer, suggest="volunteers.suggest")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.volunteer_id.allowed = sa.and_(
            Volunteer.restricted_at.is_(None), Volunteer.status == VolunteerStatus.AKTIV
        )

    def validate_volunteer_id(self, field):
        if not field.data:
            raise ValidationError(_("Bitte eine Ehrenamtliche wählen."))


class ClosureForm(OnceForm):
    """A closing period of the group."""

    starts_on = DateField(
        _l("Geschlossen vom"), validators=[InputRequired("Bitte den ersten Tag eingeben."), DateWindow("plan")]
    )
    ends_on = DateField(
        _l("bis einschließlich"), validators=[InputRequired("Bitte den letzten Tag eingeben."), DateWindow("plan")]
    )
    reason = StringField(_l("Grund"), validators=[Optional(), Length(max=120)], description=_l("z. B. Sommerferien"))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("Das Ende liegt vor dem Anfang."))


class PriceForm(OnceForm):
    """A new price from a date on."""

    valid_from = DateField(_l("gilt ab"), validators=[InputRequired("Bitte das Datum eingeben."), DateWindow("plan")])
    unit = SelectField(_l("Preis"), choices=list(PRICE_UNITS.items()))
    amount = EuroField(
        _l("Betrag in €"),
        places=2,
        validators=[
            InputRequired("Bitte den Preis eingeben (z. B. 22,50)."),
            NumberRange(0, 1000, "Zwischen 0 und 1000 €."),
        ],
    )


class GenerateForm(Form):
    """Create the sessions up to a date."""

    until = DateField(
        _l("Termine erzeugen bis"), validators=[InputRequired("Bitte ein Datum eingeben."), DateWindow("plan")]
    )


class AnswerForm(RosterForm):
    """A volunteer's answer for this session, taken by phone or mail: kann / kann nicht (the proposal heeds it)."""

    answer = SelectField(
        _l("Rückmeldung"), choices=[("ja", _l("kann")), ("nein", _l("kann nicht"))], validators=[InputRequired()]
    )
