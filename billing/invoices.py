"""Invoices of a billing month: who gets which visit, collective Pflegekasse invoices, numbering, Storno.

Route rule (Abtretung given or revoked mid-month, given again later: a history of periods): decided *per
appointment date*. A visit on a day an Abtretungserklärung was valid goes to the Pflegekasse; it is valid from
the day it was given up to the day before it was revoked (a visit on the day of revocation goes to the senior).
The Pflegekasse is billed only the part paid by the Entlastungsbetrag and Umwandlung; any private part of such
a visit goes on the senior's invoice, together with all visits without a valid Abtretung (she then claims
reimbursement).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from enum import StrEnum

from billing.config import CATEGORY_TEXT, Provider
from billing.ledger import Split, sum_splits
from billing.lines import Line
from billing.money import ZERO
from billing.month import Month

_NUMBER = re.compile(r"(\d{4})-(\d{6})")


@dataclass(frozen=True)
class Pflegekasse:
    name: str
    ik: str
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class Abtretung:
    """Abtretungserklärung on file: valid from ``given_on`` up to the day before ``revoked_on`` (a visit on the
    day of the revocation goes to the senior); ``document_on``: the date on the declaration (default given_on)."""

    given_on: date
    revoked_on: date | None = None
    document_on: date | None = None

    @property
    def dated(self) -> date:
        """The date printed for the declaration."""
        return self.document_on or self.given_on

    def valid_on(self, day: date) -> bool:
        return self.given_on <= day and (self.revoked_on is None or day < self.revoked_on)


@dataclass(frozen=True)
class Senior:
    """The billing fields of a senior (nothing else: accounting sees no care notes)."""

    ref: str
    name: str
    birth_date: date | None
    address: tuple[str, ...]
    kvnr: str
    pflegekasse: Pflegekasse | None
    abtretungen: tuple[Abtretung, ...] = ()

    def abtretung_on(self, day: date) -> Abtretung | None:
        return next((a for a in self.abtretungen if a.valid_on(day)), None)


@dataclass(frozen=True)
class BilledLine:
    """A billable line with the split the ledger gave it and the route the Abtretung rule gave it."""

    line: Line
    split: Split
    to_pflegekasse: bool
    grade: int | None = None  # Pflegegrad on the visit day


class InvoiceKind(StrEnum):
    INVOICE = "Rechnung"
    STORNO = "Stornorechnung"


class RecipientKind(StrEnum):
    PFLEGEKASSE = "pflegekasse"
    SENIOR = "senior"


@dataclass(frozen=True)
class Recipient:
    kind: RecipientKind
    ref: str  # IK of the Pflegekasse or ref of the senior
    name: str
    address: tuple[str, ...]
    ik: str | None = None


@dataclass(frozen=True)
class InvoiceLine:
    """A visit on an invoice; ``split`` is the part charged on *this* invoice (its total is what is due)."""

    ref: str
    day: date
    start: time
    end: time
    minutes: int
    hours: Decimal
    rate: Decimal
    amount: Decimal  # the whole visit
    split: Split
    volunteer_name: str
    grade: int | None = None  # Pflegegrad on the visit day
    note: str = ""  # what was done (from the appointment)

    @property
    def charged(self) -> Decimal:
        return self.split.total

    def negated(self) -> InvoiceLine:
        return dataclasses.replace(
            self, minutes=-self.minutes, hours=-self.hours, amount=-self.amount, split=self.split.negated()
        )


@dataclass(frozen=True)
class InvoiceSection:
    """The visits of one senior on an invoice (a collective invoice has one section per senior)."""

    senior: Senior
    grade: int | None
    lines: tuple[InvoiceLine, ...]
    abtretung: Abtretung | None = None

    @property
    def split(self) -> Split:
        return sum_splits(line.split for line in self.lines)

    @property
    def grade_label(self) -> str:
        """The Pflegegrade on the visit days, in visit order (``2 / 3`` after a change), or ``–``."""
        return grades_label(line.grade for line in self.lines) or (str(self.grade) if self.grade else "–")

    @property
    def charged(self) -> Decimal:
        return self.split.total

    @property
    def billed_elsewhere(self) -> Decimal:
        """Part of these visits billed on the other invoice (e.g. the private part of Abtretung visits)."""
        return sum((line.amount - line.charged for line in self.lines), ZERO)


@dataclass(frozen=True)
class Invoice:
    """An invoice or Storno; ``number`` and ``issued_on`` are None until the app allocates them."""

    month: Month
    recipient: Recipient
    sections: tuple[InvoiceSection, ...]
    provider: Provider
    kind: InvoiceKind = InvoiceKind.INVOICE
    number: str | None = None
    issued_on: date | None = None
    cancels: str | None = None  # number of the invoice a Storno cancels
    note: str = ""
    category: str = CATEGORY_TEXT

    @property
    def split(self) -> Split:
        return sum_splits(section.split for section in self.sections)

    @property
    def total(self) -> Decimal:
        return self.split.total

    @property
    def is_collective(self) -> bool:
        return len(self.sections) > 1

    @property
    def line_refs(self) -> tuple[str, ...]:
        return tuple(line.ref for section in self.sections for line in section.lines)


def grades_label(grades: Iterable[int | None]) -> str:
    """Distinct Pflegegrade in order, ``2 / 3``; days without a grade show as ``–``; "" for none at all."""
    seen: list[str] = []
    for grade in grades:
        text = str(grade) if grade else "–"
        if text not in seen:
            seen.append(text)
    return " / ".join(seen)


def route_lines(
    senior: Senior,
    lines: Iterable[Line],
    splits: Mapping[str, Split] | None = None,
    *,
    grades: Mapping[str, int | None] | None = None,
) -> list[BilledLine]:
    """Billable lines with their split (default: private), route (Pflegekasse if Abtretung that day) and the
    Pflegegrad of the visit day."""
    splits, grades = splits or {}, grades or {}
    has_kasse = senior.pflegekasse is not None
    return [
        BilledLine(
            line,
            splits.get(line.ref, Split(private=line.amount)),
            has_kasse and senior.abtretung_on(line.day) is not None,
            grades.get(line.ref),
        )
        for line in lines
        if line.billable
    ]


def plan_invoices(
    month: Month,
    billed: Sequence[tuple[Senior, int | None, Sequence[BilledLine]]],
    *,
    provider: Provider,
    collective: bool = True,
) -> list[Invoice]:
    """The unnumbered invoices of ``month``: Pflegekasse invoices (collective per IK, or one per senior),
    then one invoice per senior for visits without Abtretung and private parts; ordered by recipient name."""
    kasse: dict[str, list[InvoiceSection]] = {}
    own: list[Invoice] = []
    for senior, grade, lines in billed:
        routed = [bl for bl in lines if bl.to_pflegekasse and bl.split.insured]
        if routed:
            abtretung = senior.abtretung_on(routed[0].line.day)
            section = InvoiceSection(senior, grade, tuple(_kasse_line(bl) for bl in routed), abtretung)
            key = senior.pflegekasse.ik if collective else f"{senior.pflegekasse.ik}/{senior.ref}"
            kasse.setdefault(key, []).append(section)
        private = [_senior_line(bl) for bl in lines]
        private = [line for line in private if line.charged]
        if private:
            section = InvoiceSection(senior, grade, tuple(private))
            own.append(Invoice(month, _senior_recipient(senior), (section,), provider))
    invoices = [
        Invoice(month, _kasse_recipient(sections[0].senior), tuple(sorted(sections, key=_by_name)), provider)
        for sections in kasse.values()
    ]
    invoices.sort(key=lambda inv: (inv.recipient.name, inv.sections[0].senior.name, inv.sections[0].senior.ref))
    own.sort(key=lambda inv: (inv.recipient.name, inv.recipient.ref))
    return invoices + own


def build_storno(original: Invoice, *, reason: str = "", senior_refs: Iterable[str] | None = None) -> Invoice:
    """The unnumbered Storno of a numbered invoice: every line negated, referencing the original number.

    ``senior_refs`` cancels only those seniors' sections of a collective invoice (the others stay valid).
    """
    if original.number is None or original.kind is not InvoiceKind.INVOICE:
        raise ValueError("Nur eine nummerierte Rechnung kann storniert werden.")
    wanted = None if senior_refs is None else set(senior_refs)
    sections = tuple(
        dataclasses.replace(s, lines=tuple(line.negated() for line in s.lines))
        for s in original.sections
        if wanted is None or s.senior.ref in wanted
    )
    if not sections:
        raise ValueError("Die Rechnung enthält keine der genannten Personen.")
    note = f"Storno der Rechnung {original.number}" + (f": {reason}" if reason else "")
    return dataclasses.replace(
        original,
        sections=sections,
        kind=InvoiceKind.STORNO,
        number=None,
        issued_on=None,
        cancels=original.number,
        note=note,
    )


def format_invoice_number(year: int, sequence: int) -> str:
    """``2026-000123``: the year and a gapless counter per year, six digits."""
    if not 1 <= sequence <= 999_999 or not 1000 <= year <= 9999:
        raise ValueError(f"invoice number out of range: {year}/{sequence}")
    return f"{year:04d}-{sequence:06d}"


def parse_invoice_number(number: str) -> tuple[int, int]:
    """``(year, sequence)`` of ``2026-000123``; a malformed number is refused with a German message."""
    match = _NUMBER.fullmatch(number.strip())
    if not match or int(match[2]) == 0:
        raise ValueError(f"Ungültige Rechnungsnummer {number!r} (erwartet z. B. 2026-000123).")
    return int(match[1]), int(match[2])


def next_invoice_number(last: str | None, year: int) -> str:
    """The number after ``last`` (the newest number issued, any year) for an invoice issued in ``year``."""
    if last is None:
        return format_invoice_number(year, 1)
    last_year, sequence = parse_invoice_number(last)
    return format_invoice_number(year, sequence + 1 if last_year == year else 1)


def number_invoices(invoices: Iterable[Invoice], *, last: str | None, issued_on: date) -> list[Invoice]:
    """The invoices numbered consecutively after ``last``, dated ``issued_on`` (the app stores the last)."""
    numbered = []
    for invoice in invoices:
        last = next_invoice_number(last, issued_on.year)
        numbered.append(dataclasses.replace(invoice, number=last, issued_on=issued_on))
    return numbered


def _invoice_line(bl: BilledLine, split: Split) -> InvoiceLine:
    a, line = bl.line.appointment, bl.line
    return InvoiceLine(
        line.ref,
        a.day,
        a.start,
        a.end,
        line.minutes,
        line.hours,
        line.rate,
        line.amount,
        split,
        a.volunteer_name,
        bl.grade,
        a.note,
    )


def _kasse_line(bl: BilledLine) -> InvoiceLine:
    return _invoice_line(bl, Split(bl.split.entlastungsbetrag, bl.split.umwandlung))


def _senior_line(bl: BilledLine) -> InvoiceLine:
    return _invoice_line(bl, Split(private=bl.split.private) if bl.to_pflegekasse else bl.split)


def _kasse_recipient(senior: Senior) -> Recipient:
    kasse = senior.pflegekasse
    return Recipient(RecipientKind.PFLEGEKASSE, kasse.ik, kasse.name, kasse.address, kasse.ik)


def _senior_recipient(senior: Senior) -> Recipient:
    return Recipient(RecipientKind.SENIOR, senior.ref, senior.name, senior.address)


def _by_name(section: InvoiceSection) -> tuple[str, str]:
    return section.senior.name, section.senior.ref
