"""The monthly billing run: runs, invoices and Storno invoices, the yearly invoice counter, billed visits."""

from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from billing.completeness import LEFT_OUT_LABELS

from ..clock import now
from ..extensions import db
from .base import Choice, UTCDateTime, in_values
from .checks import money_sum_sql
from .pairing import Appointment
from .pflegekasse import Pflegekasse
from .senior import Senior
from .user import User
from .volunteer import Volunteer

Money = sa.Numeric(10, 2)
SPLIT_COLUMNS = ("entlastungsbetrag", "umwandlung", "private")
INVOICE_KINDS = {"invoice": "Rechnung", "storno": "Stornorechnung"}
RECIPIENT_KINDS = {"pflegekasse": "Pflegekasse", "senior": "Versicherte/r"}


class BillingRun(db.Model):
    """A billed month: once it exists, the appointments of that month are locked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(unique=True)  # first day of the billed month
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    run_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    documents_dir: Mapped[str] = mapped_column(sa.String(500))
    # The open points (German texts) whoever closed the month confirmed; empty when it was complete.
    open_problems: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))

    run_by: Mapped[User | None] = relationship()
    invoices: Mapped[list["Invoice"]] = relationship(back_populates="run", order_by="Invoice.seq")
    documents: Mapped[list["LeistungsnachweisDocument"]] = relationship(back_populates="run")
    left_out: Mapped[list["LeftOutVisit"]] = relationship(back_populates="run", order_by="LeftOutVisit.id")


class BillingJobStatus(Choice):
    """Where a background billing run stands (the codes of a matching run)."""

    LAEUFT = "laeuft", "läuft"
    FERTIG = "fertig"
    FEHLER = "fehler", "Fehler"


class BillingJob(db.Model):
    """A billing run started on the page: it runs in the background; the page shows its progress and outcome.

    Progress (documents done of total) lives in a small file beside the documents (accounting.jobs), since the
    run's own transaction cannot commit before it ends."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]  # first day of the month to bill
    accept_open: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(20), default=BillingJobStatus.LAEUFT)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("billing_run.id", ondelete="SET NULL"))
    created: Mapped[bool] = mapped_column(default=False)  # False: the month had been billed already
    documents: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(2000), default="")  # German: the error, or the confirmed points

    started_by: Mapped[User | None] = relationship()
    run: Mapped[BillingRun | None] = relationship()

    __table_args__ = (sa.CheckConstraint(in_values("status", BillingJobStatus), name="status"),)


class InvoiceCounter(db.Model):
    """The last invoice number issued per year (gapless; allocated under a row lock)."""

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("last_seq >= 0", name="last_seq"),)


class Invoice(db.Model):
    """An invoice or Storno invoice with a snapshot of its recipient and its totals."""

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_run.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(11), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    month: Mapped[date]  # first day of the billed month
    kind: Mapped[str] = mapped_column(sa.String(10), default="invoice")
    recipient_kind: Mapped[str] = mapped_column(sa.String(12))
    recipient_name: Mapped[str] = mapped_column(sa.String(200))
    recipient_address: Mapped[str] = mapped_column(sa.String(500), default="")  # lines joined by "\n"
    recipient_ik: Mapped[str | None] = mapped_column(sa.String(9))
    pflegekasse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pflegekasse.id"), index=True)
    senior_id: Mapped[int | None] = mapped_column(sa.ForeignKey("senior.id"), index=True)
    issued_on: Mapped[date]
    entlastungsbetrag: Mapped[Decimal] = mapped_column(Money)
    umwandlung: Mapped[Decimal] = mapped_column(Money)
    private: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    sections: Mapped[int] = mapped_column(default=1)  # persons on the invoice
    cancels_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id"), index=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    pdf_file: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    run: Mapped[BillingRun] = relationship(back_populates="invoices")
    pflegekasse: Mapped[Pflegekasse | None] = relationship()
    senior: Mapped[Senior | None] = relationship()
    cancels: Mapped["Invoice | None"] = relationship(remote_side=[id], back_populates="stornos")
    stornos: Mapped[list["Invoice"]] = relationship(back_populates="cancels")

    __table_args__ = (
        sa.UniqueConstraint("year", "seq", name="uq_invoice_year_seq"),
        sa.CheckConstraint(in_values("kind", INVOICE_KINDS), name="kind"),
        sa.CheckConstraint(in_values("recipient_kind", RECIPIENT_KINDS), name="recipient_kind"),
        sa.CheckConstraint("seq >= 1", name="seq"),
        sa.CheckConstraint(money_sum_sql("total", *SPLIT_COLUMNS), name="total"),
        sa.CheckConstraint("(kind = 'storno') = (cancels_id IS NOT NULL)", name="storno_cancels"),
    )

    @property
    def kind_label(self) -> str:
        return INVOICE_KINDS[self.kind]

    @property
    def recipient_kind_label(self) -> str:
        return RECIPIENT_KINDS[self.recipient_kind]


class BilledVisit(db.Model):
    """One billed appointment with its amount and split; a Storno marks it cancelled and a rebill adds a new row.

    Or one Demenzgruppe session a senior attended (``group_session_id`` set, no appointment, no single volunteer).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_run.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointment.id"), index=True)
    group_session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group_session.id"), index=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("volunteer.id"), index=True)
    kasse_invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id"), index=True)
    senior_invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id"), index=True)
    on: Mapped[date]
    start: Mapped[time]
    end: Mapped[time]
    minutes: Mapped[int]
    grade: Mapped[int | None]
    rate: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    entlastungsbetrag: Mapped[Decimal] = mapped_column(Money)
    umwandlung: Mapped[Decimal] = mapped_column(Money)
    private: Mapped[Decimal] = mapped_column(Money)
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id"))

    run: Mapped[BillingRun] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    group_session: Mapped["GroupSession | None"] = relationship()  # noqa: F821
    senior: Mapped[Senior] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()
    kasse_invoice: Mapped[Invoice | None] = relationship(foreign_keys=[kasse_invoice_id])
    senior_invoice: Mapped[Invoice | None] = relationship(foreign_keys=[senior_invoice_id])

    __table_args__ = (
        sa.CheckConstraint("minutes >= 0", name="minutes"),
        sa.CheckConstraint(money_sum_sql("amount", *SPLIT_COLUMNS), name="split"),
        sa.CheckConstraint("is_cancelled = (cancelled_by_id IS NOT NULL)", name="cancelled"),
        # An appointment is billed at most once while not cancelled (a Storno frees it for the rebill).
        sa.Index(
            "uq_billed_visit_active",
            "appointment_id",
            unique=True,
            sqlite_where=sa.text("NOT is_cancelled"),
            postgresql_where=sa.text("NOT is_cancelled"),
        ),
        # either a home visit (appointment, volunteer) or a Demenzgruppe session (no volunteer of its own)
        sa.CheckConstraint(
            "(appointment_id IS NOT NULL AND volunteer_id IS NOT NULL AND group_session_id IS NULL)"
            " OR (appointment_id IS NULL AND group_session_id IS NOT NULL)",
            name="visit_or_group_session",
        ),
        # a senior's attended session is billed at most once while not cancelled
        sa.Index(
            "uq_billed_group_session_active",
            "group_session_id",
            "senior_id",
            unique=True,
            sqlite_where=sa.text("NOT is_cancelled AND group_session_id IS NOT NULL"),
            postgresql_where=sa.text("NOT is_cancelled AND group_session_id IS NOT NULL"),
        ),
    )

    @property
    def line_ref(self) -> str:
        """The billing line's ref: the appointment id, or ``g<session>-<senior>`` for a group session."""
        if self.group_session_id is not None:
            return group_line_ref(self.group_session_id, self.senior_id)
        return str(self.appointment_id)

    @property
    def done_by(self) -> str:
        """Who did it: the volunteer's name, or the Demenzgruppe's."""
        if self.volunteer is not None:
            return self.volunteer.name
        return f"Demenzgruppe {self.group_session.group.name}" if self.group_session else ""


def group_line_ref(session_id: int, senior_id: int) -> str:
    """The billing line ref of a senior's attended Demenzgruppe session."""
    return f"g{session_id}-{senior_id}"


class LeistungsnachweisDocument(db.Model):
    """The Leistungsnachweis PDF of one senior and billed month (a rebill after a Storno adds a newer one)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_run.id"), index=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id"), index=True)
    file_name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    run: Mapped[BillingRun] = relationship(back_populates="documents")
    senior: Mapped[Senior] = relationship()

    __table_args__ = (sa.UniqueConstraint("run_id", "file_name", name="uq_leistungsnachweis_file"),)


class PendingCorrection(db.Model):
    """Billed months of a senior that a fact changed afterwards may affect (e.g. a Pflegegrad entered
    retroactively): the budget page offers the correction plan from ``from_month`` until it is applied."""

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(sa.ForeignKey("senior.id", ondelete="CASCADE"), index=True)
    from_month: Mapped[date]  # first day of the earliest month the change reaches
    reason: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    senior: Mapped[Senior] = relationship()


class LeftOutVisit(db.Model):
    """An Entlastung visit the run of its month did not bill because it was incomplete when the month was closed
    (confirmed by whoever closed it): held without minutes, or never marked held nor cancelled. Once its minutes
    are reported it is billed as a Nachberechnung of that month; ``reason`` is a billing.completeness kind."""

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_run.id"), index=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointment.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))  # the appointment's status when the month was closed
    text: Mapped[str] = mapped_column(sa.String(500))  # the open point as the preview showed it

    run: Mapped[BillingRun] = relationship(back_populates="left_out")
    appointment: Mapped[Appointment] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("run_id", "appointment_id", name="uq_left_out_visit_run_appointment"),
        sa.CheckConstraint(in_values("reason", LEFT_OUT_LABELS), name="reason"),
    )

    @property
    def reason_label(self) -> str:
        return LEFT_OUT_LABELS[self.reason]
