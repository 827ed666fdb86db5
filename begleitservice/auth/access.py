"""Who may see what: roles per blueprint."""

from flask import Blueprint, abort
from flask_login import current_user, login_required


def restrict(bp: Blueprint, *roles: str) -> None:
    """Require a logged-in user with one of ``roles`` for every view of ``bp``."""

    @bp.before_request
    @login_required
    def _check_role():
        if current_user.role not in roles:
            abort(403)


def require_role(*roles: str) -> None:
    """Abort with 403 unless the current user has one of ``roles`` (for single views)."""
    if not current_user.is_authenticated or current_user.role not in roles:
        abort(403)


STAFF = ("coordinator", "accounting", "admin")
CARE = ("coordinator", "admin")
