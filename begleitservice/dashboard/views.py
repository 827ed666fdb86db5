"""The start page: open work for coordinators, billing gaps for accounting (admins see both)."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from ..auth.access import CARE, STAFF, restrict
from ..clock import today
from ..models import APPOINTMENT_STATUSES, REQUEST_STATUSES
from . import queries

bp = Blueprint("dashboard", __name__)
restrict(bp, *STAFF)

BILLING = ("accounting", "admin")


@bp.route("/")
def index():
    """Show the open work for the user's role."""
    day = today()
    context = {"today": day, "care": False, "billing": False}
    if current_user.role in CARE:
        context.update(
            care=True,
            requests=queries.open_requests(),
            unconfirmed=queries.unconfirmed_appointments(day),
            unreported=queries.unreported_appointments(day),
            certificates=queries.certificates_due(day, max_years=current_app.config["FUEHRUNGSZEUGNIS_MAX_YEARS"]),
            no_consent=queries.seniors_without_consent(),
            request_statuses=REQUEST_STATUSES,
            appointment_statuses=APPOINTMENT_STATUSES,
        )
    if current_user.role in BILLING:
        context.update(
            billing=True,
            entlastung=queries.entlastung_last_month(day),
            missing_billing=queries.seniors_missing_billing_data(),
        )
    return render_template("dashboard/index.html", **context)
