"""Forms of the accounting pages: run a month, Storno with reason and corrected minutes."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form, OnceForm


class RunForm(OnceForm):
    """Confirm the run of a month."""

    month = HiddenField(validators=[DataRequired()])
    accept_open = BooleanField(
        _l(
            "Trotz offener Punkte abschließen: die nicht erfassten Termine werden "
            "nicht abgerechnet (nachgetragene Minuten kommen als Nachberechnung in "
            "eine spätere Abrechnung)."
        )
    )


class StornoForm(Form):
    """Storno of an invoice, first step: the reason; corrected minutes come as ``minutes-<appointment id>``
    fields. Sending it shows the correction plan; nothing changes yet."""

    reason = StringField(
        _l("Grund des Stornos"),
        validators=[DataRequired("Bitte geben Sie einen Grund für das Storno an."), Length(max=300)],
    )


class ApplyCorrectionForm(OnceForm):
    """„Korrektur ausführen“: the plan shown (its fingerprint) is applied once, or nothing happens."""

    reason = StringField(
        _l("Grund der Korrektur"),
        validators=[DataRequired("Bitte geben Sie einen Grund für die Korrektur an."), Length(max=300)],
    )
    plan = HiddenField(validators=[DataRequired()])
