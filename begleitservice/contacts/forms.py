"""The contact log entry form."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import DateWindow, OnceForm
from ..models import CONTACT_CHANNELS
from ..models.contact import NOTE_MAX, WITH_WHOM_MAX


class ContactForm(OnceForm):
    """Log one contact: day, channel, with whom, a short note."""

    on = DateField(
        _l("Datum"), validators=[InputRequired(message=_l("Bitte das Datum eintragen.")), DateWindow("plan")]
    )
    channel = SelectField(
        _l("Weg"),
        choices=list(CONTACT_CHANNELS.items()),
        validators=[InputRequired(message=_l("Bitte wählen Sie, wie der Kontakt war."))],
    )
    with_whom = StringField(
        _l("Mit wem"),
        validators=[
            InputRequired(message=_l("Bitte eintragen, mit wem Sie gesprochen haben.")),
            Length(
                max=WITH_WHOM_MAX, message=_l("Bitte höchstens %(with_whom_max)s Zeichen.", with_whom_max=WITH_WHOM_MAX)
            ),
        ],
        description=_l("z. B. Senior:in selbst, Tochter, Angehörige, Seniorenbüro"),
    )
    note = TextAreaField(
        _l("Notiz"),
        validators=[
            Length(
                max=NOTE_MAX, message=_l("Die Notiz ist zu lang: höchstens %(note_max)s Zeichen.", note_max=NOTE_MAX)
            )
        ],
        description=_l(
            ("kurz, höchstens %(note_max)s Zeichen; keine Gesundheitsangaben, die nicht nötig sind"), note_max=NOTE_MAX
        ),
    )
