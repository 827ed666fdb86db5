"""Creating and changing staff accounts (used by the admin pages and the CLI)."""

import sqlalchemy as sa

from ..auth.passwords import password_problem
from ..extensions import db
from ..inputs import InputError, clean_text, shown
from ..models import ROLES, User


class UserError(ValueError):
    """A user cannot be saved; the message is German and names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def save_user(
    user: User, *, name: str, email: str, role: str, password: str | None = None, is_active: bool = True
) -> User:
    """Set a user's fields and flush; refuse a taken email, an unknown role or a password against the policy.
    A new user without password is invited: they set it through the invitation link."""
    for field, value, length in (("name", name, 120), ("email", email, 254)):
        try:
            clean_text(value, multiline=False, max_length=length)
        except InputError as error:
            raise UserError(field, str(error)) from error
    email = email.strip().lower()
    if not name.strip():
        raise UserError("name", "Bitte einen Namen angeben.")
    if "@" not in email.strip("@"):
        raise UserError("email", f"„{shown(email)}“ ist keine E-Mail-Adresse.")
    if role not in ROLES:
        raise UserError("role", f"Unbekannte Rolle „{role}“ (erlaubt: {', '.join(ROLES)}).")
    clash = db.session.scalar(sa.select(User).where(User.email == email))
    if clash is not None and clash is not user:
        raise UserError("email", "Diese E-Mail-Adresse hat schon einen Zugang.")
    if password and (problem := password_problem(password, email=email)):
        raise UserError("password", problem)
    user.name, user.email, user.role, user.is_active = name.strip(), email, role, is_active
    if password:
        user.set_password(password)
    elif user.password_hash is None:
        user.password_hash = ""  # invited: no password until the user sets one
    db.session.add(user)
    db.session.flush()
    return user
