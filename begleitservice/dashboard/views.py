"""The start page: the task inbox for coordinators, billing gaps for accounting (admins see both)."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..auth.access import CARE, STAFF, restrict
from ..clock import today
from ..inbox import views as inbox
from ..pages import cached
from . import queries

bp = Blueprint("dashboard", __name__)
restrict(bp, *STAFF)

BILLING = ("accounting", "admin")


@bp.route("/")
@cached
def index():
    """Show what needs a person now (coordinators) and the billing gaps (accounting)."""
    day = today()
    context = {"today": day, "care": False, "billing": False}
    if current_user.role in CARE:
        ctx = inbox.context()
        context.update(care=True, inbox=inbox.overview(ctx), forms=inbox.forms_context(inbox.staff()))
    if current_user.role in BILLING:
        context.update(
            billing=True,
            entlastung=queries.entlastung_last_month(day),
            missing_billing=queries.seniors_missing_billing_data(),
        )
    return render_template("dashboard/index.html", **context)
