"""Placeholder: filled by the pairings feature."""

from flask import Blueprint

from ..auth.access import CARE, restrict

bp = Blueprint("pairings", __name__, url_prefix="/pairings")
restrict(bp, *CARE)


@bp.route("/")
def index():
    """List."""
    return "TODO"


@bp.route("/<int:item_id>")
def detail(item_id: int):
    """Detail."""
    return "TODO"
