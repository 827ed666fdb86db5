"""The data-protection log: who exported, restricted or erased whose data, and when (accountability, Art. 5(2))."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import UTCDateTime, in_values
from .user import User

PRIVACY_EVENT_KINDS = {
    "export": "Auskunft (Art. 15)",
    "restrict": "gesperrt (Art. 17/18)",
    "erase": "gelöscht (Art. 17)",
}
PERSON_KINDS = {"senior": "Senior:in", "volunteer": "Ehrenamtliche:r"}


class PrivacyEvent(db.Model):
    """One export, restriction or erasure of a person's data; no name, so it survives the erasure it records."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    person_kind: Mapped[str] = mapped_column(sa.String(20))
    person_id: Mapped[int]  # no foreign key: the person may be gone
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(in_values("kind", PRIVACY_EVENT_KINDS), name="kind"),
        sa.CheckConstraint(in_values("person_kind", PERSON_KINDS), name="person_kind"),
        sa.Index("ix_privacy_event_person", "person_kind", "person_id"),
    )

    @property
    def kind_label(self) -> str:
        return PRIVACY_EVENT_KINDS[self.kind]
