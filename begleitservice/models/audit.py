"""The audit trail: who created, changed, deleted, opened, exported or logged in, and when."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import UTCDateTime
from .user import User

AUDIT_ACTIONS = {
    "create": "angelegt",
    "update": "geändert",
    "delete": "gelöscht",
    "view": "angesehen",
    "login": "Anmeldung",
    "login_failed": "Anmeldung fehlgeschlagen",
    "logout": "Abmeldung",
    "export": "exportiert",
    "download": "heruntergeladen",
    "password": "Passwort",
    "second_factor": "Zweiter Faktor",
    "purge": "Protokoll bereinigt",
}


class AuditEvent(db.Model):
    """One audited action. Persons are kept by number without a foreign key, so the row outlives an erasure."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(sa.String(300))  # "Name <e-mail>", "Kommandozeile", "Scheduler", …
    action: Mapped[str] = mapped_column(sa.String(20))
    entity: Mapped[str | None] = mapped_column(sa.String(40))  # registry name: "senior", "pairing", …
    entity_id: Mapped[int | None]
    senior_id: Mapped[int | None] = mapped_column(index=True)
    volunteer_id: Mapped[int | None] = mapped_column(index=True)
    label: Mapped[str] = mapped_column(sa.String(300), default="")
    changes: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))  # {field: [old, new]}
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    ip: Mapped[str | None] = mapped_column(sa.String(45))

    user: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_event_entity", "entity", "entity_id"),)

    @property
    def action_label(self) -> str:
        return AUDIT_ACTIONS.get(self.action, self.action)
