"""Exports for accounting: CSV that German Excel opens as is, and XLSX with typed cells.

Each table is a list of ``Column`` (German header, cell type, getter); the same columns drive both writers.
CSV: UTF-8 with BOM, ``;`` separator, decimal comma without thousands separator, dates ``03.11.2026``, CRLF.
XLSX: dates as dates, times as times, numbers as numbers with a display format.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any, BinaryIO, TextIO

from billing.allowances import PayoutRow
from billing.cells import neutralise
from billing.config import CAP_NAMES
from billing.invoices import Invoice, RecipientKind
from billing.ledger import Split
from billing.lines import times_agree
from billing.money import format_date, format_decimal, format_time
from billing.run import MonthRun

Target = str | os.PathLike | BinaryIO | TextIO

_XLSX_FORMATS = {
    "date": "DD.MM.YYYY",
    "time": "HH:MM",
    "int": "0",
    "hours": "0.00",
    "km": "0.0",
    "money": '#,##0.00 "€";-#,##0.00 "€"',
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # text | date | time | int | hours | km | money
    get: Callable[[Any], Any]
    width: int = 14


@dataclass(frozen=True)
class AccountingRow:
    """One billable appointment for accounting, with who paid it and the invoice(s) it is on."""

    senior_name: str
    kvnr: str
    pflegekasse: str
    pflegekasse_ik: str
    volunteer_name: str
    day: date
    start: time
    end: time
    minutes: int
    hours: Decimal
    rate: Decimal
    amount: Decimal
    split: Split
    invoice_numbers: str

    @property
    def times(self) -> tuple[time | None, time | None]:
        """Start and end as exported: empty where they do not span the billed minutes (lines.times_agree)."""
        return (self.start, self.end) if times_agree(self.start, self.end, self.minutes) else (None, None)


def accounting_rows(run: MonthRun, invoices: Sequence[Invoice] = ()) -> list[AccountingRow]:
    """One row per billable appointment of ``run``; ``invoices`` (numbered) fill the invoice column."""
    numbers: dict[str, list[str]] = {}
    for invoice in invoices:
        for ref in invoice.line_refs:
            numbers.setdefault(ref, []).append(invoice.number or "")
    rows = []
    for result in run.seniors:
        senior, kasse = result.senior, result.senior.pflegekasse
        for billed in result.billed:
            line, a = billed.line, billed.line.appointment
            rows.append(
                AccountingRow(
                    senior.name,
                    senior.kvnr,
                    kasse.name if kasse else "",
                    kasse.ik if kasse else "",
                    a.volunteer_name,
                    a.day,
                    a.start,
                    a.end,
                    line.minutes,
                    line.hours,
                    line.rate,
                    line.amount,
                    billed.split,
                    ", ".join(n for n in numbers.get(line.ref, []) if n),
                )
            )
    return rows


ACCOUNTING_COLUMNS = (
    Column("Senior/in", "text", lambda r: r.senior_name, 24),
    Column("Versichertennummer", "text", lambda r: r.kvnr, 14),
    Column("Pflegekasse", "text", lambda r: r.pflegekasse, 28),
    Column("IK Pflegekasse", "text", lambda r: r.pflegekasse_ik, 12),
    Column("Ehrenamtliche/r", "text", lambda r: r.volunteer_name, 22),
    Column("Datum", "date", lambda r: r.day, 11),
    Column("Beginn", "time", lambda r: r.times[0], 8),
    Column("Ende", "time", lambda r: r.times[1], 8),
    Column("Minuten", "int", lambda r: r.minutes, 8),
    Column("Stunden", "hours", lambda r: r.hours, 8),
    Column("Stundensatz", "money", lambda r: r.rate, 11),
    Column("Betrag", "money", lambda r: r.amount, 11),
    Column("davon Entlastungsbetrag", "money", lambda r: r.split.entlastungsbetrag),
    Column("davon Umwandlung", "money", lambda r: r.split.umwandlung),
    Column("davon privat", "money", lambda r: r.split.private),
    Column("Kostenträger", "text", lambda r: r.split.payer_label(), 26),
    Column("Rechnungsnummer", "text", lambda r: r.invoice_numbers, 26),
)

INVOICE_COLUMNS = (
    Column("Rechnungsnummer", "text", lambda i: i.number or "", 14),
    Column("Rechnungsdatum", "date", lambda i: i.issued_on, 12),
    Column("Art", "text", lambda i: i.kind.value, 14),
    Column("Storno zu", "text", lambda i: i.cancels or "", 14),
    Column("Abrechnungsmonat", "text", lambda i: str(i.month), 10),
    Column(
        "Empfänger-Art",
        "text",
        lambda i: "Pflegekasse" if i.recipient.kind is RecipientKind.PFLEGEKASSE else "Versicherte/r",
        14,
    ),
    Column("Empfänger", "text", lambda i: i.recipient.name, 30),
    Column("IK", "text", lambda i: i.recipient.ik or "", 11),
    Column("Personen", "int", lambda i: len(i.sections), 9),
    Column("Entlastungsbetrag", "money", lambda i: i.split.entlastungsbetrag),
    Column("Umwandlung", "money", lambda i: i.split.umwandlung),
    Column("privat", "money", lambda i: i.split.private),
    Column("Gesamtbetrag", "money", lambda i: i.total),
)

PAYOUT_COLUMNS = (
    Column("Ehrenamtliche/r", "text", lambda p: p.volunteer_name, 24),
    Column("Monat", "text", lambda p: str(p.month), 9),
    Column("Einsätze", "int", lambda p: p.visits, 9),
    Column("Stunden", "hours", lambda p: p.hours, 9),
    Column("Aufwandsentschädigung", "money", lambda p: p.amount, 12),
    Column("Kilometer", "km", lambda p: p.km, 10),
    Column("Fahrtkosten", "money", lambda p: p.travel, 12),
    Column("Auszahlung gesamt", "money", lambda p: p.total, 12),
    Column("bisher im Jahr", "money", lambda p: p.paid_before, 14),
    Column("Jahressumme", "money", lambda p: p.year_total, 13),
    Column("Freibetrag", "text", lambda p: CAP_NAMES[p.cap_kind], 36),
    Column("Höchstbetrag", "money", lambda p: p.cap, 13),
    Column("davon steuerpflichtig", "money", lambda p: p.taxable, 13),
    Column("Status", "text", lambda p: p.status.value, 13),
    Column("Hinweis", "text", lambda p: p.message, 60),
)


def _csv_cell(kind: str, value: Any) -> str:
    value = neutralise(value)
    if value is None:
        return ""
    if kind == "date":
        return format_date(value)
    if kind == "time":
        return format_time(value)
    if kind in ("hours", "money"):
        return format_decimal(value, 2)
    if kind == "km":
        return format_decimal(value, 1)
    return str(value)


def write_csv(target: Target, columns: Sequence[Column], rows: Iterable[Any]) -> None:
    """Write ``rows`` as a German Excel CSV to a path or an open (binary or text) file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c.kind, c.get(row)) for c in columns])
    text = "\ufeff" + buffer.getvalue()
    if isinstance(target, str | os.PathLike):
        with open(target, "wb") as fh:
            fh.write(text.encode("utf-8"))
    elif isinstance(target, io.TextIOBase):
        target.write(text)
    else:
        target.write(text.encode("utf-8"))


def write_xlsx(target: Target, columns: Sequence[Column], rows: Iterable[Any], *, title: str = "Export") -> None:
    """Write ``rows`` as an XLSX sheet with typed, formatted cells to a path or a binary file."""
    from openpyxl import Workbook  # loaded on use: openpyxl pulls in numpy
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([neutralise(c.get(row)) for c in columns])  # Decimal, date, time: typed cells
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        fmt = _XLSX_FORMATS.get(column.kind)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    wb.save(target)


TABLES: Mapping[str, tuple[str, Sequence[Column]]] = {
    "abrechnung": ("Abrechnungspositionen", ACCOUNTING_COLUMNS),
    "rechnungen": ("Rechnungsausgangsbuch", INVOICE_COLUMNS),
    "auszahlungen": ("Aufwandsentschädigungen", PAYOUT_COLUMNS),
}


def write_accounting(target: Target, rows: Iterable[AccountingRow], *, xlsx: bool = False) -> None:
    _write("abrechnung", target, rows, xlsx)


def write_invoices(target: Target, invoices: Iterable[Invoice], *, xlsx: bool = False) -> None:
    _write("rechnungen", target, invoices, xlsx)


def write_payouts(target: Target, rows: Iterable[PayoutRow], *, xlsx: bool = False) -> None:
    _write("auszahlungen", target, rows, xlsx)


def _write(table: str, target: Target, rows: Iterable[Any], xlsx: bool) -> None:
    title, columns = TABLES[table]
    if xlsx:
        write_xlsx(target, columns, rows, title=title)
    else:
        write_csv(target, columns, rows)
