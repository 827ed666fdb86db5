"""Create forms that have been saved, by their one-time token: the same page sent twice saves nothing twice."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now
from ..extensions import db
from .base import UTCDateTime


class FormSubmission(db.Model):
    """One saved submission of a create form: its token (unique), the view, and where its result is shown."""

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    endpoint: Mapped[str] = mapped_column(sa.String(120))
    target: Mapped[str | None] = mapped_column(sa.String(500))  # the page of what the first submit created
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
