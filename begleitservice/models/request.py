"""Vermittlungsanfragen: a senior asks for a volunteer."""

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import (
    GENDERS,
    SERVICES,
    Choice,
    Timestamps,
    UTCDateTime,
    WeeklyInterval,
    in_values,
    labels,
    split_list,
)
from .checks import attach_service_rule
from .senior import Senior


class RequestStatus(Choice):
    """Where a Vermittlungsanfrage stands."""

    OFFEN = "offen"
    VORGESCHLAGEN = "vorgeschlagen"
    VERMITTELT = "vermittelt"
    ABGESCHLOSSEN = "abgeschlossen"
    ZURUECKGEZOGEN = "zurueckgezogen", "zurückgezogen"

    #: still waiting for a volunteer: matching works on these
    OPEN: ClassVar[tuple["RequestStatus", ...]]


RequestStatus.OPEN = (RequestStatus.OFFEN, RequestStatus.VORGESCHLAGEN)
REQUEST_STATUSES = labels(RequestStatus)
URGENCIES = {1: "normal", 2: "dringend", 3: "sehr dringend"}


class Request(Timestamps, db.Model):
    """A placement request (Vermittlungsanfrage) with what the senior needs and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id"), index=True)
    service: Mapped[str] = mapped_column(sa.String(20))
    visits_per_week: Mapped[int] = mapped_column(default=1)
    minutes_per_visit: Mapped[int] = mapped_column(default=120)
    languages: Mapped[str] = mapped_column(sa.String(200), default="")
    volunteer_gender: Mapped[str | None] = mapped_column(sa.String(1))
    urgency: Mapped[int] = mapped_column(default=1)
    received_on: Mapped[date]
    source: Mapped[str | None] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(20), default=RequestStatus.OFFEN)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    senior: Mapped[Senior] = relationship(back_populates="requests")
    windows: Mapped[list["RequestWindow"]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="(RequestWindow.weekday, RequestWindow.start_minute)",
    )
    status_changes: Mapped[list["RequestStatusChange"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestStatusChange.changed_at"
    )

    __table_args__ = (
        sa.CheckConstraint(in_values("service", SERVICES), name="service"),
        sa.CheckConstraint(in_values("status", RequestStatus), name="status"),
        sa.CheckConstraint("visits_per_week BETWEEN 1 AND 7", name="visits_per_week"),
        sa.CheckConstraint("minutes_per_visit BETWEEN 15 AND 600", name="minutes_per_visit"),
        sa.CheckConstraint("urgency BETWEEN 1 AND 3", name="urgency"),
        sa.CheckConstraint(
            "volunteer_gender IS NULL OR " + in_values("volunteer_gender", GENDERS), name="volunteer_gender"
        ),
        sa.Index("ix_request_status_received", "status", "received_on"),
    )

    @property
    def language_list(self) -> list[str]:
        return split_list(self.languages)

    def waiting_days(self, today: date) -> int:
        return max(0, (today - self.received_on).days)

    def __str__(self) -> str:
        return f"Anfrage {self.id} ({SERVICES[self.service]}, {self.senior.name})"


attach_service_rule(Request.__table__)


class RequestWindow(WeeklyInterval, db.Model):
    """A weekly time window in which the senior would like visits."""

    request_id: Mapped[int] = mapped_column(sa.ForeignKey("request.id", ondelete="CASCADE"), index=True)

    request: Mapped[Request] = relationship(back_populates="windows")


class RequestStatusChange(db.Model):
    """When a request entered a status, and who moved it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("request.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(sa.String(200))

    request: Mapped[Request] = relationship(back_populates="status_changes")
    changed_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.CheckConstraint(in_values("status", RequestStatus), name="status"),)
