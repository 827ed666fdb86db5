"""Placeholder: filled by the seniors feature."""

from flask import Blueprint

from ..auth.access import CARE, restrict

bp = Blueprint("seniors", __name__, url_prefix="/seniors")
restrict(bp, *CARE)


@bp.route("/")
def index():
    """List."""
    return "TODO"


@bp.route("/<int:item_id>")
def detail(senior_id: int):
    """Detail."""
    return "TODO"
