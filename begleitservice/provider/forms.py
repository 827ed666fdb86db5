"""Forms of the provider and billing settings page."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from ..budget.forms import EuroField
from ..forms import DateWindow, Form
from ..models import RATE_KINDS


class ProviderForm(Form):
    """The provider's data as printed on bills, valid from a day."""

    valid_from = DateField(
        _l("Gültig ab"), validators=[InputRequired("Bitte angeben, ab wann die Angaben gelten."), DateWindow("plan")]
    )
    name = StringField(_l("Name des Trägers"))
    address = TextAreaField(_l("Anschrift"), description=_l("Eine Zeile je Adresszeile, z. B. Straße und PLZ Ort."))
    ik = StringField(_l("Institutionskennzeichen (IK)"), description=_l("Neun Ziffern; die Prüfziffer wird geprüft."))
    recognition = StringField(
        _l("Anerkennung nach AnFöVO"),
        description=_l("Behörde und Aktenzeichen der Anerkennung als Angebot nach §45a SGB XI."),
    )
    account_holder = StringField(_l("Kontoinhaber"))
    iban = StringField(_l("IBAN"))
    bic = StringField(_l("BIC"))
    payment_days = IntegerField(
        _l("Zahlungsziel (Tage)"),
        default=14,
        validators=[
            InputRequired("Bitte ein Zahlungsziel in Tagen angeben."),
            NumberRange(0, 365, "Bitte ein Zahlungsziel von 0 bis 365 Tagen angeben."),
        ],
    )
    note = TextAreaField(
        _l("Hinweis auf Rechnungen"),
        description=_l("Z. B. „Die Leistungen sind nach § 4 Nr. 16 UStG umsatzsteuerfrei.“"),
    )
    contact_phone = StringField(
        _l("Telefon der Koordination"), description=_l("Steht in jeder E-Mail und auf jeder Link-Seite.")
    )
    contact_hours = StringField(_l("Erreichbar"), description=_l("Z. B. „Mo–Do 9–12 Uhr, Di 14–16 Uhr“."))
    contact_email = StringField(
        _l("E-Mail der Koordination"),
        description=_l("Antworten auf E-Mails der Software gehen an diese Adresse (Reply-To)."),
    )


class RateForm(Form):
    """A new dated rate."""

    kind = SelectField(_l("Satz"), choices=list(RATE_KINDS.items()))
    valid_from = DateField(
        _l("Gültig ab"), validators=[InputRequired("Bitte angeben, ab wann der Satz gilt."), DateWindow("plan")]
    )
    amount = EuroField(
        _l("Betrag (€)"),
        places=2,
        validators=[InputRequired("Bitte einen Betrag angeben.")],
        render_kw={"inputmode": "decimal"},
    )
