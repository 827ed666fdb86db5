"""Form base class and fields shared by the feature areas.

Every form derives from :class:`Form`, whose ``Meta.bind_field`` gives each field the input rules of
begleitservice.inputs: text fields refuse control characters (NUL, and line breaks in one-line fields) before any
other check runs, and a date field without its own :class:`DateWindow` gets the window of all dates.
"""

import re
import secrets

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from .inputs import date_error, text_error
from .intervals import format_intervals, parse_intervals


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
