"""Form base class and fields shared by the feature areas.

Every form derives from :class:`Form`, whose ``Meta.bind_field`` gives each field the input rules of
begleitservice.inputs: text fields refuse control characters (NUL, and line breaks in one-line fields) before any
other check runs, and a date field without its own :class:`DateWindow` gets the window of all dates.
"""

import re
import secrets

import sqlalchemy as sa
from flask import url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, Field, HiddenField, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import html_params

from .extensions import db
from .inputs import InputError, date_error, optional_id, parse_km, shown, text_error
from .intervals import format_intervals, parse_intervals
from .models.names import SEARCH_MAX_CHARS, search_condition


class CleanText:
    """Refuse control characters (and line breaks in one-line fields) before the field's other validators."""

    def __init__(self, *, multiline: bool):
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and (message := text_error(field.data, multiline=self.multiline)):
            raise StopValidation(message)


class DateWindow:
    """A date within one of the windows of begleitservice.inputs: "any", "birth" or "plan"."""

    def __init__(self, kind: str = "any"):
        self.kind = kind

    def __call__(self, form, field) -> None:
        if message := date_error(field.data, self.kind):
            raise ValidationError(message)


class Form(FlaskForm):
    """A CSRF-protected form whose built-in messages are German and whose fields follow the input rules."""

    class Meta:
        locales = ("de_DE", "de")

        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            args, kwargs = list(unbound_field.args), unbound_field.kwargs
            validators = list((args.pop(1) if len(args) > 1 else kwargs.get("validators")) or [])
            if issubclass(field_class, StringField):
                validators.insert(0, CleanText(multiline=issubclass(field_class, TextAreaField)))
            if issubclass(field_class, DateField) and not any(isinstance(v, DateWindow) for v in validators):
                validators.append(DateWindow("any"))
            bound = type(unbound_field)(field_class, *args, **{**kwargs, "validators": validators})
            return super().bind_field(form, bound, options)


class KmField(StringField):
    """Kilometres driven for a visit (Fahrtkosten): ``12`` or ``12,5``, 0 to 500; empty is None."""

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else None
        self.data = None
        if valuelist:
            try:
                self.data = parse_km(valuelist[0])
            except InputError as error:
                raise ValueError(str(error)) from error

    def _value(self) -> str:
        if self.data is None:
            return getattr(self, "raw_text", None) or ""
        return f"{self.data:f}".replace(".", ",").removesuffix(",0")


SUBMISSION_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


class SubmissionField(HiddenField):
    """A hidden one-time token: new in every form rendered afresh, sent back unchanged with the form.

    Anything else sent in its place (nothing, garbage) counts as a fresh token: that submit is simply unprotected.
    """

    def process_formdata(self, valuelist):
        if valuelist and SUBMISSION_TOKEN.fullmatch(valuelist[0] or ""):
            self.data = valuelist[0]


class OnceForm(Form):
    """A form that creates something: sending the same rendered form twice (double click, back and send again)
    saves it once; the view claims the token with :func:`begleitservice.submissions.repeated`."""

    submission = SubmissionField(default=lambda: secrets.token_urlsafe(24))


class IntervalsField(TextAreaField):
    """Weekly intervals typed as "Mo 09:00-12:00; Mi 14:00-17:00"; ``data`` is a list of tuples."""

    raw: str | None = None

    def _value(self) -> str:
        if self.raw is not None:  # show what was typed, also when it could not be read
            return self.raw
        return format_intervals(self.data or []) if isinstance(self.data, list) else (self.data or "")

    def process_data(self, value):
        """Stored slots or windows (objects with weekday, start_minute, end_minute) become tuples."""
        if isinstance(value, list | tuple) and value and not isinstance(value[0], tuple | list):
            value = [(item.weekday, item.start_minute, item.end_minute) for item in value]
        self.data = value

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        try:
            self.data = parse_intervals(self.raw)
        except ValueError as error:
            self.data = []
            raise ValueError(str(error)) from error


def kvnr_or_ik_validator(check):
    """A WTForms validator from a billing.identifiers check (returns a message or None)."""

    def validate(form, field):
        if field.data and (message := check(field.data)):
            raise ValidationError(message)

    return validate


class PersonInput:
    """A search box with a suggestion list and the hidden id it fills (see static/suggest.js)."""

    def __call__(self, field, **kwargs):
        list_id, id_field = f"{field.id}-vorschlaege", f"{field.id}-id"
        params = html_params(
            type="search",
            id=field.id,
            name=f"{field.name}-name",
            value=field.display_name(),
            list=list_id,
            data_suggest=url_for(field.suggest),
            data_id_field=id_field,
            autocomplete="off",
            maxlength=SEARCH_MAX_CHARS,
            placeholder="Name eingeben …",
            **kwargs,
        )
        return Markup(
            f"<input {params}>"
            f'<datalist id="{list_id}"></datalist>'
            f'<input type="hidden" id="{id_field}" name="{field.name}" value="{field.data or ""}">'
        )


class PersonField(Field):
    """A person chosen by typing a name: type-ahead suggestions (static/suggest.js) fill a hidden id.

    ``data`` is the person's id. Without JavaScript, or when the typed name was not picked from the suggestions,
    the typed name is searched: one match is taken, several or none give a German message. The form sets
    ``allowed`` (an SQL condition on ``model``, e.g. active or the one already chosen) before validation.
    """

    widget = PersonInput()

    def __init__(self, label=None, validators=None, *, model, suggest: str, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.model, self.suggest, self.allowed, self.typed = model, suggest, None, None

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0]:
            try:
                self.data = optional_id(valuelist[0])
            except InputError as error:
                raise ValueError("Ungültige Auswahl: bitte die Person aus den Vorschlägen wählen.") from error

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self.typed = (formdata.get(f"{self.name}-name") or "").strip()[:SEARCH_MAX_CHARS] or None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        if self.typed and (message := text_error(self.typed, multiline=False)):
            raise StopValidation(message)
        condition = sa.true() if self.allowed is None else self.allowed
        if self.data:
            if db.session.scalar(sa.select(self.model.id).where(self.model.id == self.data, condition)) is None:
                self.data = None
                raise StopValidation("Diese Person kann hier nicht gewählt werden (nicht aktiv oder gesperrt).")
            return
        if not self.typed:
            return
        found = db.session.scalars(
            sa.select(self.model.id).where(condition, search_condition(self.model.search_text, self.typed)).limit(2)
        ).all()
        if len(found) == 1:
            self.data = found[0]
        elif found:
            raise StopValidation(
                f"Mehrere Personen passen zu „{shown(self.typed)}“: bitte eine aus den Vorschlägen wählen."
            )
        else:
            raise StopValidation(f"Niemand passt zu „{shown(self.typed)}“.")

    def display_name(self) -> str:
        """The name shown in the text box: what was typed, else the chosen person's name."""
        if self.typed is not None and not self.data:
            return self.typed
        person = db.session.get(self.model, self.data) if self.data else None
        return f"{person.last_name}, {person.first_name}" if person else (self.typed or "")
