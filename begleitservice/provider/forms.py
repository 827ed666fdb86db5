"""Forms of the provider and billing settings page."""

from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from ..budget.forms import EuroField
from ..forms import DateWindow, Form
from ..models import RATE_KINDS


class ProviderForm(Form):
    """The provider's data as printed on bills, valid from a day."""

    valid_from = DateField(
        "Gültig ab", validators=[InputRequired("Bitte angeben, ab wann die Angaben gelten."), DateWindow("plan")]
    )
    name = StringField("Name des Trägers")
    address = TextAreaField("Anschrift", description="Eine Zeile je Adresszeile, z. B. Straße und PLZ Ort.")
    ik = StringField("Institutionskennzeichen (IK)", description="Neun Ziffern; die Prüfziffer wird geprüft.")
    recognition = StringField(
        "Anerkennung nach AnFöVO", description="Behörde und Aktenzeichen der Anerkennung als Angebot nach §45a SGB XI."
    )
    account_holder = StringField("Kontoinhaber")
    iban = StringField("IBAN")
    bic = StringField("BIC")
    payment_days = IntegerField(
        "Zahlungsziel (Tage)",
        default=14,
        validators=[
            InputRequired("Bitte ein Zahlungsziel in Tagen angeben."),
            NumberRange(0, 365, "Bitte ein Zahlungsziel von 0 bis 365 Tagen angeben."),
        ],
    )
    note = TextAreaField(
        "Hinweis auf Rechnungen", description="Z. B. „Die Leistungen sind nach § 4 Nr. 16 UStG umsatzsteuerfrei.“"
    )
    contact_phone = StringField(
        "Telefon der Koordination", description="Steht in jeder E-Mail und auf jeder Link-Seite."
    )
    contact_hours = StringField("Erreichbar", description="Z. B. „Mo–Do 9–12 Uhr, Di 14–16 Uhr“.")
    contact_email = StringField(
        "E-Mail der Koordination", description="Antworten auf E-Mails der Software gehen an diese Adresse (Reply-To)."
    )


class RateForm(Form):
    """A new dated rate."""

    kind = SelectField("Satz", choices=list(RATE_KINDS.items()))
    valid_from = DateField(
        "Gültig ab", validators=[InputRequired("Bitte angeben, ab wann der Satz gilt."), DateWindow("plan")]
    )
    amount = EuroField(
        "Betrag (€)",
        places=2,
        validators=[InputRequired("Bitte einen Betrag angeben.")],
        render_kw={"inputmode": "decimal"},
    )
