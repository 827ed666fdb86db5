"""Forms of the Vorschläge page: start a run, accept (with a start date) or reject a proposal."""

from wtforms import DateField
from wtforms.validators import InputRequired

from ..forms import DateWindow, Form


class StartForm(Form):
    """Start a matching run (CSRF only)."""


class RejectForm(Form):
    """Reject a proposal (CSRF only)."""


class AcceptForm(Form):
    """Accept a proposal from a start date."""

    starts_on = DateField("Beginn", validators=[InputRequired("Bitte geben Sie ein Datum an."), DateWindow("plan")])


def accept_form(proposal_id: int, **kwargs) -> AcceptForm:
    """The accept form of one proposal, with field names unique on the page."""
    return AcceptForm(prefix=f"p{proposal_id}", **kwargs)
