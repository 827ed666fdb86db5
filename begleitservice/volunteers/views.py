"""Placeholder: filled by the volunteers feature."""

from flask import Blueprint

from ..auth.access import CARE, restrict

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")
restrict(bp, *CARE)


@bp.route("/")
def index():
    """List."""
    return "TODO"


@bp.route("/<int:item_id>")
def detail(item_id: int):
    """Detail."""
    return "TODO"
