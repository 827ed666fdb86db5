"""Forms for the budget facts; the rules that need the database (Umwandlung cap) live in operations."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, Field, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from billing.eligibility import LIVING_LABELS

from ..forms import DateWindow, OnceForm
from ..inputs import InputError, month_error, parse_amount, parse_month

NOT_NEGATIVE = NumberRange(min=Decimal("0"), message=_l("Der Betrag kann nicht negativ sein."))


class GermanMonthField(Field):
    """A month typed as ``02/2025`` (or ``2025-02``); ``data`` is its first day."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "MM/JJJJ", "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%m/%Y") if self.data else ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            month = parse_month(text)
        except InputError as error:
            self.data = None
            raise ValueError("Bitte den Monat als MM/JJJJ angeben, z. B. 02/2025.") from error
        self.data = month.first_day
        if message := month_error(month, "plan"):
            raise ValueError(message)


class EuroField(DecimalField):
    """An amount typed the German way (``1.234,50``, ``12,5 €``) or with a decimal point (``12.50``)."""

    widget = TextInput()  # a number input would refuse the German comma in the browser

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        if not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_amount(valuelist[0])
        except InputError as error:
            self.data = None
            raise ValueError(str(error)) from error


def _money(label: str, *validators, **kw) -> EuroField:
    return EuroField(label, places=2, validators=list(validators), render_kw={"inputmode": "decimal"}, **kw)


class OpeningForm(OnceForm):
    as_of = DateField(
        _l("Stand am"),
        validators=[InputRequired(message=_l("Bitte das Datum des Stands angeben.")), DateWindow("plan")],
    )
    current_year = _money(
        "Verfügbar aus dem laufenden Jahr (€)",
        InputRequired(message=_l("Bitte den Stand des laufenden Jahres angeben.")),
        NOT_NEGATIVE,
    )
    carried = _money(
        "davon Übertrag aus dem Vorjahr (€)",
        Optional(),
        NOT_NEGATIVE,
        description="Zusätzlich zum laufenden Jahr; verfällt am 30.06.",
    )
    source = StringField(
        _l("Quelle"),
        validators=[
            DataRequired(message=_l("Bitte angeben, wer den Stand mitgeteilt hat und wann.")),
            Length(max=300),
        ],
        description=_l("z. B. „Pflegekasse AOK, Schreiben vom 10.01.2025“ oder „Tochter, telefonisch“"),
    )


class OtherUseForm(OnceForm):
    month = GermanMonthField(_l("Monat"), validators=[InputRequired(message=_l("Bitte den Monat angeben."))])
    amount = _money(
        "Betrag (€)",
        InputRequired(message=_l("Bitte den Betrag angeben.")),
        NumberRange(min=Decimal("0.01"), message=_l("Der Betrag muss größer als 0 € sein.")),
    )
    note = StringField(
        _l("Wofür, laut wem"),
        validators=[DataRequired(message=_l("Bitte angeben, wofür und laut wem.")), Length(max=300)],
        description=_l("z. B. „Haushaltshilfe Firma X, laut Sohn“"),
    )


class UmwandlungForm(OnceForm):
    month = GermanMonthField(_l("Monat"), validators=[InputRequired(message=_l("Bitte den Monat angeben."))])
    amount = _money("Erklärter Betrag (€)", InputRequired(message=_l("Bitte den Betrag angeben.")), NOT_NEGATIVE)
    note = StringField(_l("Hinweis"), validators=[Optional(), Length(max=300)], description=_l("z. B. Erklärung vom …"))


class LivingForm(OnceForm):
    situation = SelectField(_l("Wohnsituation"), choices=[(k.value, v) for k, v in LIVING_LABELS.items()])
    valid_from = DateField("ab", validators=[InputRequired(message=_l("Bitte das Datum angeben, ab dem das gilt."))])
    valid_until = DateField(
        "bis", validators=[Optional()], description=_l("Leer: bis auf Weiteres. Beim Sterbedatum immer leer.")
    )
    note = StringField(_l("Hinweis"), validators=[Optional(), Length(max=300)], description=_l("z. B. Name des Heims"))


class AbtretungForm(OnceForm):
    given_on = DateField(
        _l("Gilt ab"), validators=[InputRequired(message=_l("Bitte angeben, ab wann die Abtretung gilt."))]
    )
    document_on = DateField(
        _l("Datum der Erklärung"), validators=[InputRequired(message=_l("Bitte das Datum der Erklärung angeben."))]
    )
    note = StringField(_l("Hinweis"), validators=[Optional(), Length(max=300)])


class RevokeForm(OnceForm):
    revoked_on = DateField(
        _l("Widerrufen zum"),
        validators=[InputRequired(message=_l("Bitte das Datum des Widerrufs angeben."))],
        description=_l("Ab diesem Tag erhält die Senior:in die Rechnung selbst."),
    )
