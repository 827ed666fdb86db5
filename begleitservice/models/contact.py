"""The contact log: calls, visits, mails and letters with or about a senior, a volunteer or a request."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import Choice, UTCDateTime, in_values, labels
from .request import Request
from .senior import Senior
from .user import User
from .volunteer import Volunteer


class ContactChannel(Choice):
    """How the contact took place."""

    TELEFON = "telefon", "Telefon"
    BESUCH = "besuch", "Besuch"
    EMAIL = "email", "E-Mail"
    BRIEF = "brief", "Brief"


CONTACT_CHANNELS = labels(ContactChannel)
NOTE_MAX = 500
WITH_WHOM_MAX = 120


class ContactEntry(db.Model):
    """One contact: the day, the channel, with whom, the staff member who logged it and a short note.

    It concerns exactly one person, a senior or a volunteer; an entry about a request carries its senior too, so the
    senior's log, "last contact", the access export and the erasure find it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    on: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(10))
    with_whom: Mapped[str] = mapped_column(sa.String(WITH_WHOM_MAX))
    note: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")
    senior_id: Mapped[int | None] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("volunteer.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("request.id", ondelete="CASCADE"))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    senior: Mapped[Senior | None] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()
    request: Mapped[Request | None] = relationship()
    by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(in_values("channel", ContactChannel), name="channel"),
        sa.CheckConstraint("(senior_id IS NULL) <> (volunteer_id IS NULL)", name="one_person"),
        sa.CheckConstraint("request_id IS NULL OR senior_id IS NOT NULL", name="request_has_senior"),
        sa.Index("ix_contact_entry_senior_on", "senior_id", "on"),
        sa.Index("ix_contact_entry_volunteer_on", "volunteer_id", "on"),
        sa.Index("ix_contact_entry_request_on", "request_id", "on"),
    )

    @property
    def channel_label(self) -> str:
        return CONTACT_CHANNELS[self.channel]
