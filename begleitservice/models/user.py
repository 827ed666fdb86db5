"""Staff accounts: coordinators, accounting and admins; their second factor and recovery codes."""

import secrets
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import Timestamps, UTCDateTime, in_values

ROLES = {"coordinator": "Koordination", "accounting": "Buchhaltung", "admin": "Administration"}
#: Roles that must use a second factor when TOTP_REQUIRED is set (they see health data and manage accounts).
TOTP_ROLES = ("admin", "coordinator")


@cache
def _unusable_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(24))


class User(UserMixin, Timestamps, db.Model):
    """A staff member who logs in; the role decides what they see."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))  # "": invited, no password set yet
    is_active: Mapped[bool] = mapped_column(default=True)
    # Raised to end every session of the user at once (begleitservice.security.sessions)
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # TOTP second factor (RFC 6238): the base32 secret once set up, and the last time step used (no replay).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RecoveryCode.id"
    )

    __table_args__ = (sa.CheckConstraint(in_values("role", ROLES), name="role"),)

    @validates("email")
    def _normalise_email(self, key, value):
        return value.strip().lower()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:  # invited, no password yet: the same hash work as a real check, then no
            check_password_hash(_unusable_hash(), password)
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def __str__(self) -> str:
        return self.name


class RecoveryCode(db.Model):
    """A one-time code that stands in for the second factor (stored as a SHA-256 hash; shown once)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="recovery_codes")
