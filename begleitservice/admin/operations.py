"""Creating and changing staff accounts (used by the admin pages and the CLI)."""

import sqlalchemy as sa

from ..extensions import db
from ..inputs import InputError, clean_text, shown
from ..models import ROLES, User


class UserError(ValueError):
    """A user cannot be saved; the message is German and names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def save_user(user: User, *, name: str, email: str, role: str, password: str | None, is_active: bool = True) -> User:
    """Set a user's fields and flush; refuse a taken email, an unknown role or a new user without password."""
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
    if user.id is None and not password:
        raise UserError("password", "Neue Benutzer brauchen ein Passwort.")
    if password and len(password) < 10:
        raise UserError("password", "Das Passwort braucht mindestens 10 Zeichen.")
    user.name, user.email, user.role, user.is_active = name.strip(), email, role, is_active
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
