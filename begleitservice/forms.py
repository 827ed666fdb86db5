"""Form base class and fields shared by the feature areas."""

import re
import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import ValidationError

from .intervals import format_intervals, parse_intervals


class Form(FlaskForm):
    """A CSRF-protected form whose built-in messages are German."""

    class Meta:
        locales = ("de_DE", "de")


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
