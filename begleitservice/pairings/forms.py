"""Forms for Begleitungen and their appointments."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..forms import DateWindow, Form, IntervalsField, KmField, OnceForm, PersonField
from ..models import (
    APPOINTMENT_STATUSES,
    PAIRING_END_REASONS,
    PAIRING_STATUSES,
    SERVICES,
    AppointmentStatus,
    PairingStatus,
    Senior,
    SeniorStatus,
    Volunteer,
    VolunteerStatus,
)
from .operations import MAX_SLOT_MINUTES, MIN_SLOT_MINUTES

NO_QUALIFICATION = " (ohne Basisqualifizierung)"
INTERVALS = [(1, "jede Woche"), (2, "jede zweite Woche")]


class PairingForm(OnceForm):
    volunteer_id = PersonField(_l("Ehrenamtliche:r"), model=Volunteer, suggest="volunteers.suggest")
    senior_id = PersonField(_l("Senior:in"), model=Senior, suggest="seniors.suggest")
    service = SelectField(_l("Angebot"), choices=list(SERVICES.items()))
    slots = IntervalsField(_l("Wöchentliche Termine"), description=_l("Zum Beispiel „Di 10:00-12:00; Fr 14:00-15:30“"))
    interval_weeks = SelectField(_l("Rhythmus"), coerce=int, choices=INTERVALS, default=1)
    starts_on = DateField(_l("Beginn"), validators=[InputRequired("Bitte geben Sie ein Datum an."), DateWindow("plan")])
    ends_on = DateField(_l("Ende (optional)"), validators=[Optional(), DateWindow("plan")])
    status = SelectField(_l("Status"), choices=list(PAIRING_STATUSES.items()), default=PairingStatus.AKTIV)
    end_reason = SelectField(
        _l("Grund des Endes"),
        choices=[("", "– nicht angegeben –"), *PAIRING_END_REASONS.items()],
        default="",
        validate_choice=False,  # checked below: a form sent without the field (or a pairing without one) is empty
        description=_l("Nur bei „beendet“: erscheint zusammengefasst in den Berichten."),
    )
    override = BooleanField(_l("Trotzdem speichern: Ich habe die Abweichung geprüft"))
    override_reason = TextAreaField(
        _l("Begründung der Abweichung"),
        validators=[Length(max=500, message=_l("Bitte höchstens 500 Zeichen."))],
        description=_l("Wird bei der Begleitung angezeigt, z. B. „Kennen sich seit Jahren, fährt gern nach Hörde“."),
    )

    def set_people(self, *, keep_volunteer: int | None, keep_senior: int | None) -> None:
        """Offer active volunteers and current seniors (and the ones already chosen when editing)."""
        self.volunteer_id.allowed = sa.and_(
            Volunteer.restricted_at.is_(None),
            sa.or_(Volunteer.status == VolunteerStatus.AKTIV, Volunteer.id == keep_volunteer),
        )
        self.senior_id.allowed = sa.and_(
            Senior.restricted_at.is_(None), sa.or_(Senior.status.in_(SeniorStatus.CURRENT), Senior.id == keep_senior)
        )

    def validate_volunteer_id(self, field):
        if not field.data or db.session.get(Volunteer, field.data) is None:
            raise ValidationError(_("Bitte wählen Sie eine:n Ehrenamtliche:n."))

    def validate_senior_id(self, field):
        if not field.data or db.session.get(Senior, field.data) is None:
            raise ValidationError(_("Bitte wählen Sie eine Person."))

    def validate_slots(self, field):
        if field.errors:
            return
        if not field.data:
            raise ValidationError(_("Bitte geben Sie mindestens einen wöchentlichen Termin an."))
        if any(not MIN_SLOT_MINUTES <= end - start <= MAX_SLOT_MINUTES for _d, start, end in field.data):
            raise ValidationError(_("Jeder Termin muss zwischen 15 Minuten und 10 Stunden dauern."))

    def validate_override_reason(self, field):
        if self.override.data and not (field.data or "").strip():
            raise ValidationError(_("Bitte begründen Sie, warum die Begleitung trotzdem passt."))

    def validate_end_reason(self, field):
        if field.data and field.data not in PAIRING_END_REASONS:
            raise ValidationError("Bitte wählen Sie einen Grund aus der Liste.")

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("Das Ende darf nicht vor dem Beginn liegen."))


class AppointmentForm(Form):
    status = SelectField(_l("Status"), choices=list(APPOINTMENT_STATUSES.items()))
    seen_status = HiddenField()  # the status the coordinator saw: a change meanwhile is not overwritten unseen
    actual_minutes = IntegerField(
        _l("Tatsächliche Minuten"),
        validators=[Optional(), NumberRange(1, 720, "Bitte eine Dauer von 1 bis 720 Minuten angeben.")],
        description=_l("Nur bei „stattgefunden“"),
    )

    km = KmField(
        _l("Gefahrene Kilometer"),
        description=_l("Fahrtkosten dessen, der den Besuch gemacht hat (bei Vertretung: der Vertretung); z. B. 12,5"),
        render_kw={"inputmode": "decimal"},
    )
    activity = StringField(
        "Tätigkeit",
        validators=[Optional(), Length(max=200, message="Bitte höchstens 200 Zeichen.")],
        description="Kurz, was gemacht wurde, z. B. „Spaziergang, Einkauf“; steht auf dem Leistungsnachweis "
        "(keine Gesundheitsangaben).",
    )
    by_phone = BooleanField(
        _l("Telefonisch mitgeteilt"),
        description=_l("Die oder der Ehrenamtliche hat Zusage, Absage oder Stunden am Telefon durchgegeben."),
    )

    def validate_actual_minutes(self, field):
        if field.data is not None and self.status.data != AppointmentStatus.STATTGEFUNDEN:
            raise ValidationError(_("Tatsächliche Minuten gibt es nur bei Status „stattgefunden“; bitte leer lassen."))

    def validate_km(self, field):
        if field.data is not None and self.status.data != AppointmentStatus.STATTGEFUNDEN:
            raise ValidationError(_("Kilometer gibt es nur bei Status „stattgefunden“; bitte leer lassen."))

    def validate_activity(self, field):
        if (field.data or "").strip() and self.status.data != AppointmentStatus.STATTGEFUNDEN:
            raise ValidationError("Eine Tätigkeit gibt es nur bei Status „stattgefunden“; bitte leer lassen.")


class OneOffForm(OnceForm):
    on = DateField(_l("Datum"), validators=[InputRequired("Bitte geben Sie ein Datum an."), DateWindow("plan")])
    start = TimeField(_l("Beginn"), validators=[InputRequired("Bitte geben Sie eine Uhrzeit an.")])
    end = TimeField(_l("Ende"), validators=[InputRequired("Bitte geben Sie eine Uhrzeit an.")])
    note = StringField(_l("Bemerkung"), validators=[Optional(), Length(max=200)])

    def validate_end(self, field):
        if field.data and self.start.data and field.data <= self.start.data:
            raise ValidationError(_("Das Ende muss nach dem Beginn liegen."))
