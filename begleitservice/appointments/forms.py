"""Forms of the appointment pages and the volunteer link pages."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import DateWindow, Form, KmField, OnceForm
from ..models import AppointmentStatus


class OneOffForm(OnceForm):
    """A one-off appointment, optionally standing in for a skipped rule date."""

    on = DateField(_l("Datum"), validators=[DataRequired(message=_l("Bitte ein Datum angeben.")), DateWindow("plan")])
    start = TimeField(_l("Beginn"), validators=[DataRequired(message=_l("Bitte eine Uhrzeit angeben."))])
    end = TimeField(_l("Ende"), validators=[DataRequired(message=_l("Bitte eine Uhrzeit angeben."))])
    replaces_on = SelectField(_l("Ersatz für"), choices=[], validate_choice=True)


class ConfirmForm(Form):
    """The one button of the confirmation page."""


class DeclineForm(Form):
    """Decline with an optional reason."""

    reason = TextAreaField(
        _l("Grund (freiwillig)"),
        validators=[Optional(), Length(max=300, message=_l("Bitte höchstens 300 Zeichen eingeben."))],
    )


class ReportForm(Form):
    """Did the visit take place, and for how long?"""

    outcome = RadioField(
        _l("Hat der Besuch stattgefunden?"),
        choices=[
            (AppointmentStatus.STATTGEFUNDEN, _l("Der Besuch hat stattgefunden")),
            (AppointmentStatus.AUSGEFALLEN, _l("Der Besuch ist ausgefallen")),
        ],
        default=AppointmentStatus.STATTGEFUNDEN,
        validators=[DataRequired(message=_l("Bitte auswählen."))],
    )
    minutes = SelectField(_l("Dauer"), coerce=int, choices=[], validate_choice=True)
    km = KmField(
        _l("Gefahrene Kilometer (freiwillig)"),
        description=_l("Für die Fahrtkosten: hin und zurück, ganze Kilometer oder mit einer Nachkommastelle."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )

    def validate_km(self, field):
        if field.data is not None and self.outcome.data != AppointmentStatus.STATTGEFUNDEN:
            raise ValidationError(_("Kilometer bitte nur angeben, wenn der Besuch stattgefunden hat."))


class ActionForm(Form):
    """A CSRF-protected button (retry a mail, settle an alert, new calendar link)."""


class CoverOfferForm(Form):
    """Which of the proposed stand-ins get the offer (checkboxes; choices are the current candidates)."""

    volunteers = SelectMultipleField(
        _l("Vertretung anfragen"),
        coerce=int,
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Bitte mindestens eine Person auswählen."))],
    )
