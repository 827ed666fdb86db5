"""Forms of the accounting pages: run a month, Storno with reason and corrected minutes."""

from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import OnceForm


class RunForm(OnceForm):
    """Confirm the run of a month."""

    month = HiddenField(validators=[DataRequired()])


class StornoForm(OnceForm):
    """Storno of an invoice: the reason; corrected minutes come as ``minutes-<appointment id>`` fields."""

    reason = StringField(
        "Grund des Stornos",
        validators=[DataRequired("Bitte geben Sie einen Grund für das Storno an."), Length(max=300)],
    )
