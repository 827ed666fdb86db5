"""Placeholder: filled by the requests feature."""

from flask import Blueprint

from ..auth.access import CARE, restrict

bp = Blueprint("requests", __name__, url_prefix="/requests")
restrict(bp, *CARE)


@bp.route("/")
def index():
    """List."""
    return "TODO"


@bp.route("/<int:item_id>")
def detail(item_id: int):
    """Detail."""
    return "TODO"
