"""The coordinators' start page: open work."""

from flask import Blueprint, render_template

from ..auth.access import STAFF, restrict

bp = Blueprint("dashboard", __name__)
restrict(bp, *STAFF)


@bp.route("/")
def index():
    """Show the open work."""
    return render_template("dashboard/index.html")
