"""Forms of "Mein Bereich" (the hours form is the hours link's own ``ReportForm``)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField
from wtforms.validators import InputRequired, ValidationError

from ..forms import DateWindow, OnceForm
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
