"""Matching runs: the proposals of the engine, the requests it left open, and the pairs a coordinator rejected."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .base import Choice, UTCDateTime, in_values, label_of, labels
from .request import Request
from .volunteer import Volunteer


class MatchRunStatus(Choice):
    """Where a run of the matching engine stands."""

    LAEUFT = "laeuft", "läuft"
    FERTIG = "fertig"
    FEHLER = "fehler"


class ProposalDecision(Choice):
    """The coordinator's decision on one proposed pair."""

    OFFEN = "offen"
    ANGENOMMEN = "angenommen"
    ABGELEHNT = "abgelehnt"
    ERSETZT = "ersetzt", "durch neuere Berechnung ersetzt"


RUN_STATUSES = labels(MatchRunStatus)
DECISIONS = labels(ProposalDecision)


class MatchRun(db.Model):
    """One run of the matching engine over all open requests, with its outcome and proofs."""

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), default=MatchRunStatus.LAEUFT)
    solver_status: Mapped[str | None] = mapped_column(sa.String(20))
    requests_count: Mapped[int] = mapped_column(default=0)
    volunteers_count: Mapped[int] = mapped_column(default=0)
    served: Mapped[int | None]
    served_bound: Mapped[int | None]
    served_proven: Mapped[bool] = mapped_column(default=False)
    wall_s: Mapped[float | None]
    notes: Mapped[list] = mapped_column(sa.JSON, default=list)  # German notes: left-out requests, absences
    error: Mapped[str | None] = mapped_column(sa.String(500))
    progress: Mapped[str | None] = mapped_column(sa.String(120))  # the step a running computation is at (German)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    started_by: Mapped["User | None"] = relationship()  # noqa: F821
    proposals: Mapped[list["MatchProposal"]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="MatchProposal.id"
    )
    unserved: Mapped[list["MatchUnserved"]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="MatchUnserved.id"
    )

    __table_args__ = (
        sa.CheckConstraint(in_values("status", MatchRunStatus), name="status"),
        # at most one run computes at a time, also with two clicks at once
        sa.Index(
            "ix_match_run_one_running",
            "status",
            unique=True,
            sqlite_where=sa.text(f"status = '{MatchRunStatus.LAEUFT}'"),
            postgresql_where=sa.text(f"status = '{MatchRunStatus.LAEUFT}'"),
        ),
    )

    @property
    def status_label(self) -> str:
        return label_of(MatchRunStatus, self.status)


class MatchProposal(db.Model):
    """A proposed pair of a run: volunteer, request, weekly visits, German reasons, and the coordinator's decision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("match_run.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("request.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)
    visits: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[weekday, start_minute, end_minute], ...]
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    # [{"volunteer_id": …, "visits": [[weekday, start, end], …], "reasons": […]}, …] ranked, at most two
    alternatives: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
    decision: Mapped[str] = mapped_column(sa.String(20), default=ProposalDecision.OFFEN)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    pairing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pairing.id", ondelete="SET NULL"))

    run: Mapped[MatchRun] = relationship(back_populates="proposals")
    request: Mapped[Request] = relationship()
    volunteer: Mapped[Volunteer] = relationship()
    decided_by: Mapped["User | None"] = relationship()  # noqa: F821
    pairing: Mapped["Pairing | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(in_values("decision", ProposalDecision), name="decision"),
        sa.UniqueConstraint("run_id", "request_id", name="uq_match_proposal_run_request"),
    )

    @property
    def decision_label(self) -> str:
        return label_of(ProposalDecision, self.decision)

    @property
    def weekly_minutes(self) -> int:
        return sum(end - start for _, start, end in self.visits)


class MatchUnserved(db.Model):
    """A request a run left open, with the German reasons why no volunteer could take it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("match_run.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("request.id", ondelete="CASCADE"), index=True)
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    reason_codes: Mapped[list] = mapped_column(sa.JSON, default=list)

    run: Mapped[MatchRun] = relationship(back_populates="unserved")
    request: Mapped[Request] = relationship()


class MatchRejection(db.Model):
    """A pair the coordinator rejected: the engine never proposes this volunteer for this request again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("request.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str | None] = mapped_column(sa.String(300))  # the team's words, e.g. "wohnt zu weit weg"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    request: Mapped[Request] = relationship()
    volunteer: Mapped[Volunteer] = relationship()
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("request_id", "volunteer_id", name="uq_match_rejection_pair"),)
