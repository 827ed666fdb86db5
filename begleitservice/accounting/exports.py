"""Rows for the accounting exports: billed (or, for an open month, billable) visits, invoices, payouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from billing.exports import AccountingRow, accounting_rows, write_accounting, write_invoices, write_payouts
from billing.invoices import InvoiceKind, Recipient, RecipientKind
from billing.ledger import Split
from billing.month import Month

from ..extensions import db
from ..models import BilledVisit, GroupSession, Invoice, Senior
from .allowances import payouts
from .convert import visit_split
from .operations import billing_run_of, preview_month

KINDS = ("hours", "invoices", "allowances")
TITLES = {"hours": "Stunden", "invoices": "Rechnungen", "allowances": "Aufwandsentschädigungen"}
FILE_NAMES = {"hours": "Stunden", "invoices": "Rechnungen", "allowances": "Auszahlungen"}


def hour_rows(month: Month) -> list[AccountingRow]:
    """One row per billable appointment: from the billed visits of a billed month, else from a preview."""
    if billing_run_of(month.first_day) is None:
        return accounting_rows(preview_month(month))
    visits = db.session.scalars(
        sa.select(BilledVisit)
        .where(BilledVisit.on >= month.first_day, BilledVisit.on <= month.last_day, sa.not_(BilledVisit.is_cancelled))
        .options(
            joinedload(BilledVisit.senior).joinedload(Senior.pflegekasse),
            joinedload(BilledVisit.volunteer),
            joinedload(BilledVisit.group_session).joinedload(GroupSession.group),
            joinedload(BilledVisit.kasse_invoice),
            joinedload(BilledVisit.senior_invoice),
        )
    ).all()
    visits.sort(key=lambda v: (v.senior.sort_name, v.senior_id, v.on, v.start))
    rows = []
    for v in visits:
        kasse = v.senior.pflegekasse
        numbers = [inv.number for inv in (v.kasse_invoice, v.senior_invoice) if inv is not None]
        rows.append(
            AccountingRow(
                v.senior.name,
                v.senior.kvnr or "",
                kasse.name if kasse else "",
                kasse.ik if kasse else "",
                v.done_by,
                v.on,
                v.start,
                v.end,
                v.minutes,
                (Decimal(v.minutes) / 60).quantize(Decimal("0.01")),
                v.rate,
                v.amount,
                visit_split(v),
                ", ".join(numbers),
            )
        )
    return rows


@dataclass(frozen=True)
class InvoiceRow:
    """An Invoice row in the shape billing.exports' invoice columns read."""

    number: str
    issued_on: date
    kind: InvoiceKind
    cancels: str | None
    month: Month
    recipient: Recipient
    sections: tuple
    split: Split

    @property
    def total(self) -> Decimal:
        return self.split.total


def invoice_rows(month: Month) -> list[InvoiceRow]:
    """The invoices and Storno invoices of ``month`` in number order."""
    invoices = db.session.scalars(
        sa.select(Invoice)
        .where(Invoice.month == month.first_day)
        .options(joinedload(Invoice.cancels))
        .order_by(Invoice.year, Invoice.seq)
    )
    return [
        InvoiceRow(
            inv.number,
            inv.issued_on,
            InvoiceKind.STORNO if inv.kind == "storno" else InvoiceKind.INVOICE,
            inv.cancels.number if inv.cancels else None,
            month,
            Recipient(
                RecipientKind(inv.recipient_kind), inv.recipient_ik or "", inv.recipient_name, (), inv.recipient_ik
            ),
            (None,) * inv.sections,
            Split(inv.entlastungsbetrag, inv.umwandlung, inv.private),
        )
        for inv in invoices
    ]


def write_export(kind: str, month: Month, target, *, xlsx: bool) -> int:
    """Write the export ``kind`` of ``month`` to ``target`` (path or binary file); the number of rows."""
    if kind == "hours":
        rows = hour_rows(month)
        write_accounting(target, rows, xlsx=xlsx)
    elif kind == "invoices":
        rows = invoice_rows(month)
        write_invoices(target, rows, xlsx=xlsx)
    elif kind == "allowances":
        rows = payouts(month)
        write_payouts(target, rows, xlsx=xlsx)
    else:
        raise ValueError(f"unknown export: {kind}")
    return len(rows)


def export_name(kind: str, month: Month, fmt: str) -> str:
    """Download name, e.g. ``Stunden-2026-10.csv``."""
    return f"{FILE_NAMES[kind]}-{month.iso}.{fmt}"
