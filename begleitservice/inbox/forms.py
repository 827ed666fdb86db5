"""The forms of an inbox item: one per action, all carrying the item's key."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import DateWindow, Form


class ItemForm(Form):
    """An action on one item (mir zuweisen, freigeben, wieder öffnen, zurückholen)."""

    key = HiddenField(validators=[DataRequired(), Length(max=160)])


class AssignForm(ItemForm):
    """Give the item to a coordinator."""

    assignee = SelectField(_l("Zuweisen an"), coerce=int, choices=[], validate_choice=True)


class SnoozeForm(ItemForm):
    """Put the item aside until a date."""

    until = DateField(
        _l("Zurückstellen bis"),
        validators=[DataRequired(message=_l("Bitte ein Datum angeben.")), DateWindow("plan")],
    )


class DoneForm(ItemForm):
    """Mark the item done, with what was done."""

    note = TextAreaField(_l("Notiz (was wurde getan?)"), validators=[Optional(), Length(max=500)])


def settings_form_class():
    """A form with one choice (sofort, Zusammenfassung, keine) per kind of notification."""
    from wtforms import RadioField

    from ..models.inbox import DELIVERIES, NOTIFICATION_KINDS

    fields = {
        kind: RadioField(label, choices=list(DELIVERIES.items()), validate_choice=True)
        for kind, label in NOTIFICATION_KINDS.items()
    }
    return type("NotificationSettingsForm", (Form,), fields)


NotificationSettingsForm = settings_form_class()
