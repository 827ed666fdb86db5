"""The contact log entry form."""

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import DateWindow, OnceForm
from ..models import CONTACT_CHANNELS
from ..models.contact import NOTE_MAX, WITH_WHOM_MAX


class ContactForm(OnceForm):
    """Log one contact: day, channel, with whom, a short note."""

    on = DateField("Datum", validators=[InputRequired(message="Bitte das Datum eintragen."), DateWindow("plan")])
    channel = SelectField(
        "Weg",
        choices=list(CONTACT_CHANNELS.items()),
        validators=[InputRequired(message="Bitte wählen Sie, wie der Kontakt war.")],
    )
    with_whom = StringField(
        "Mit wem",
        validators=[
            InputRequired(message="Bitte eintragen, mit wem Sie gesprochen haben."),
            Length(max=WITH_WHOM_MAX, message=f"Bitte höchstens {WITH_WHOM_MAX} Zeichen."),
        ],
        description="z. B. Senior:in selbst, Tochter, Angehörige, Seniorenbüro",
    )
    note = TextAreaField(
        "Notiz",
        validators=[Length(max=NOTE_MAX, message=f"Die Notiz ist zu lang: höchstens {NOTE_MAX} Zeichen.")],
        description=f"kurz, höchstens {NOTE_MAX} Zeichen; keine Gesundheitsangaben, die nicht nötig sind",
    )
