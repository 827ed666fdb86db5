"""Forms of "Mein Bereich" (the hours form is the hours link's own ``ReportForm``)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, StringField
from wtforms.validators import InputRequired, ValidationError

from ..forms import DateWindow, Form, OnceForm
from .operations import ABSENCE_KINDS


class AbsenceReportForm(OnceForm):
    """The volunteer is away: from, until, and why (holiday, illness, other)."""

    starts_on = DateField(
        _l("Von (erster Tag)"),
        validators=[InputRequired(message=_l("Bitte das Datum „von“ eintragen.")), DateWindow("plan")],
    )
    ends_on = DateField(
        _l("Bis (letzter Tag)"),
        validators=[InputRequired(message=_l("Bitte das Datum „bis“ eintragen.")), DateWindow("plan")],
    )
    kind = RadioField(
        _l("Grund"),
        choices=list(ABSENCE_KINDS.items()),
        default="urlaub",
        validators=[InputRequired(message=_l("Bitte einen Grund auswählen."))],
    )

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Das Datum „bis“ darf nicht vor „von“ liegen."))


class SignatureForm(Form):
    """The senior (or representative) signs on the phone; the volunteer confirms it happened there and then.

    The checks (name, image, confirmation) are ``signatures.sign``'s, so every entry point refuses alike."""

    signer_name = StringField(
        _l("Name der Person, die unterschreibt"),
        description=_l("Die Senior:in selbst oder die Vertretung (z. B. Tochter, Betreuer)."),
        render_kw={"autocomplete": "off", "maxlength": 120},
    )
    signature = HiddenField()
    confirmed = BooleanField(_l("Ich bestätige: Die Unterschrift wurde eben auf meinem Handy geleistet."))


class GroupAnswersForm(OnceForm):
    """ "Gruppentermine im <Monat>": the one-time token; the answers are the radio groups ``termin-<id>``."""
