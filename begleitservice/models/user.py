"""Staff accounts: coordinators, accounting and admins."""

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import Timestamps, in_values

ROLES = {"coordinator": "Koordination", "accounting": "Buchhaltung", "admin": "Administration"}


class User(UserMixin, Timestamps, db.Model):
    """A staff member who logs in; the role decides what they see."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Raised to end every session of the user at once (begleitservice.security.sessions)
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (sa.CheckConstraint(in_values("role", ROLES), name="role"),)

    @validates("email")
    def _normalise_email(self, key, value):
        return value.strip().lower()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def __str__(self) -> str:
        return self.name
