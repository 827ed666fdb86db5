"""A month's Leistungsnachweis signed on the volunteer's phone by the senior or their representative."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime
from .senior import Senior
from .volunteer import Volunteer


class MonthSignature(db.Model):
    """The signature of one senior's month for the visits one volunteer made, with what was signed.

    ``lines_hash`` is the hash of the signed lines (``begleitservice.signatures.lines_hash``): when a line changes
    afterwards the hash no longer matches and the signature is void (``signatures.is_valid``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)
    month: Mapped[date]  # the first day of the month
    signer_name: Mapped[str] = mapped_column(sa.String(120))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lines_hash: Mapped[str] = mapped_column(sa.String(64))
    line_count: Mapped[int]
    image: Mapped[bytes] = mapped_column(sa.LargeBinary)  # PNG, checked and re-encoded

    senior: Mapped[Senior] = relationship()
    volunteer: Mapped[Volunteer] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("senior_id", "volunteer_id", "month", name="uq_month_signature_month"),
        sa.CheckConstraint("length(signer_name) > 0", name="signer_name"),
        sa.CheckConstraint("line_count > 0", name="line_count"),
    )
