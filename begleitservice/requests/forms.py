"""Forms for Vermittlungsanfragen: the request itself and a status change."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..clock import today
from ..extensions import db
from ..forms import DateWindow, Form, IntervalsField, OnceForm, PersonField
from ..models import GENDERS, REQUEST_STATUSES, SERVICES, URGENCIES, Senior, SeniorStatus
from ..reference import SENIORENBUEROS
from ..rules import senior_service_error

OTHER_SOURCE = "Sonstige"


class RequestForm(OnceForm):
    senior_id = PersonField(_l("Senior:in"), model=Senior, suggest="seniors.suggest")
    service = SelectField(_l("Angebot"), choices=list(SERVICES.items()), validators=[DataRequired()])
    visits_per_week = IntegerField(
        _l("Besuche pro Woche"),
        default=1,
        validators=[InputRequired("Bitte eine Zahl von 1 bis 7 angeben."), NumberRange(1, 7)],
    )
    minutes_per_visit = IntegerField(
        _l("Minuten pro Besuch"),
        default=120,
        validators=[InputRequired("Bitte eine Zahl von 15 bis 600 angeben."), NumberRange(15, 600)],
    )
    windows = IntervalsField(
        _l("Gewünschte Zeitfenster"),
        description=_l("Zum Beispiel „Mo 09:00-12:00; Mi 14:00-17:00“"),
    )
    languages = StringField(
        _l("Benötigte Sprachen"),
        validators=[Optional(), Length(max=200)],
        description=_l("Durch Komma getrennt, z. B. „Deutsch, Türkisch“; leer lassen, wenn egal"),
    )
    volunteer_gender = SelectField(
        _l("Gewünschtes Geschlecht der/des Ehrenamtlichen"),
        choices=[("", "keine Vorgabe"), *GENDERS.items()],
        validators=[Optional()],
    )
    urgency = SelectField(_l("Dringlichkeit"), coerce=int, choices=list(URGENCIES.items()), default=1)
    received_on = DateField(
        _l("Eingegangen am"),
        validators=[InputRequired("Bitte geben Sie ein Datum an."), DateWindow("plan")],
        default=today,
    )
    source = SelectField(
        _l("Quelle"),
        choices=[("", "– bitte wählen –"), *[(s, s) for s in SENIORENBUEROS], (OTHER_SOURCE, OTHER_SOURCE)],
        validators=[DataRequired("Bitte wählen Sie, woher die Anfrage kam.")],
    )
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=5000)])

    def set_seniors(self, *, keep: int | None, current: str | None = None) -> None:
        """Offer current seniors (and ``keep``, the one already chosen), and keep an unlisted stored source."""
        self.senior_id.allowed = sa.and_(
            Senior.restricted_at.is_(None), sa.or_(Senior.status.in_(SeniorStatus.CURRENT), Senior.id == keep)
        )
        if current and current not in dict(self.source.choices):
            self.source.choices.append((current, current))

    def validate_senior_id(self, field):
        if not field.data or db.session.get(Senior, field.data) is None:
            raise ValidationError(_("Bitte wählen Sie eine Person."))

    def validate_service(self, field):
        senior = db.session.get(Senior, self.senior_id.data) if self.senior_id.data else None
        if message := senior_service_error(field.data, senior):
            raise ValidationError(message)

    def validate_windows(self, field):
        if not field.errors and not field.data:
            raise ValidationError(_("Bitte geben Sie mindestens ein Zeitfenster an."))

    def validate_received_on(self, field):
        if field.data and field.data > today():
            raise ValidationError(_("Das Eingangsdatum darf nicht in der Zukunft liegen."))


class StatusForm(Form):
    status = SelectField(_l("Neuer Status"), validate_choice=False)
    note = StringField(_l("Bemerkung"), validators=[Optional(), Length(max=200)])

    def set_choices(self, statuses) -> None:
        """Offer only the statuses the request may move to."""
        self.status.choices = [(s, REQUEST_STATUSES[s]) for s in statuses]

    def validate_status(self, field):
        if field.data not in REQUEST_STATUSES:
            raise ValidationError(_("Bitte wählen Sie einen Status."))
