"""Forms of the Vorschläge page: start a run, accept (with a start date) or reject a proposal."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..forms import DateWindow, Form


class StartForm(Form):
    """Start a matching run (CSRF only)."""


class RejectForm(Form):
    """Reject a proposal, saying why (the reason stays with the rejection and in the request's history)."""

    reason = TextAreaField(
        _l("Grund der Ablehnung"),
        validators=[
            DataRequired("Bitte kurz den Grund angeben, z. B. „wohnt zu weit weg“ oder „kennen sich, passt nicht“."),
            Length(max=300, message=_l("Bitte höchstens 300 Zeichen.")),
        ],
    )


class UndoForm(Form):
    """Take a rejection back (CSRF only)."""


class AcceptForm(Form):
    """Accept a proposal from a start date."""

    starts_on = DateField(_l("Beginn"), validators=[InputRequired("Bitte geben Sie ein Datum an."), DateWindow("plan")])


def accept_form(proposal_id: int, *, alternative: int | None = None, **kwargs) -> AcceptForm:
    """The accept form of one proposal (or of one of its alternatives), with field names unique on the page."""
    prefix = f"p{proposal_id}" if alternative is None else f"p{proposal_id}a{alternative}"
    return AcceptForm(prefix=prefix, **kwargs)


def reject_form(proposal_id: int, **kwargs) -> RejectForm:
    """The reject form of one proposal (its own prefix: several cards on one page)."""
    return RejectForm(prefix=f"ablehnen{proposal_id}", **kwargs)
