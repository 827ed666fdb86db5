"""Corrections of billed months: a Storno with rebill of month M, or a fact changed retroactively (Pflegegrad,
living situation, …), recomputes M and every billed month after it for the seniors concerned and issues, in one
transaction, the Stornos and new invoices the months need (billing.corrections decides which).

The plan is shown before it is applied; applying recomputes it under the billing lock (the same lock the
monthly run takes) and refuses when it is no longer the plan that was shown, so a second apply of the same plan
(another tab, another person) changes nothing. Flush only; the view or CLI commits.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from billing.corrections import (
    MonthCorrection,
    SeniorCorrection,
    correction_invoices,
    fingerprint,
    plan_correction,
)
from billing.invoices import Invoice as DraftInvoice
from billing.invoices import RecipientKind, build_storno, number_invoices
from billing.invoices import Senior as SeniorData
from billing.month import Month
from billing.run import Leistungsnachweis, SeniorResult

from ..budget.inputs import billing_config, ledger_inputs
from ..clock import now
from ..clock import today as local_today
from ..database import lock
from ..extensions import db
from ..models import (
    AppointmentStatus,
    BilledVisit,
    BillingRun,
    Invoice,
    InvoiceCounter,
    PendingCorrection,
    Senior,
)
from .convert import billed_lines_of, senior_data, stored_invoice
from .files import StagedFiles, stage_documents
from .operations import (
    AccountingError,
    _ensure_counter,
    _store_invoices,
    _store_visits,
    allocate_numbers,
    collective_default,
    ensure_provider_complete,
)

log = logging.getLogger(__name__)

CHANGED = (
    "Der Korrekturplan hat sich inzwischen geändert (wurde er schon ausgeführt?). "
    "Es wurde nichts geändert; bitte den aktuellen Plan prüfen."
)


@dataclass(frozen=True)
class CorrectionRequest:
    """What to correct: these seniors' billed months from ``start``; for a Storno the invoice and the corrected
    minutes of its visits (appointment id → minutes, None: did not take place)."""

    senior_ids: tuple[int, ...]
    start: Month
    invoice_id: int | None = None
    corrected: Mapping[int, int | None] = field(default_factory=dict)


@dataclass
class CorrectionPlan:
    """The plans of the seniors concerned, and what the page shows."""

    request: CorrectionRequest
    seniors: list[SeniorCorrection]
    names: dict[str, str]  # senior ref → name
    numbers: dict[str, Invoice]  # invoice number → the stored invoice (cancelled ones)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.seniors)

    @property
    def is_empty(self) -> bool:
        return all(plan.is_empty for plan in self.seniors)

    def months(self) -> list[tuple[Month, list[tuple[SeniorCorrection, MonthCorrection]]]]:
        """Per month (oldest first) the seniors' corrections of that month."""
        grouped: dict[Month, list[tuple[SeniorCorrection, MonthCorrection]]] = defaultdict(list)
        for plan in self.seniors:
            for month in plan.months:
                grouped[month.month].append((plan, month))
        return sorted(grouped.items())


@dataclass
class CorrectionResult:
    stornos: list[Invoice]
    invoices: list[Invoice]
    months: list[Month]
    staged: list[StagedFiles]


def storno_request(invoice: Invoice, corrected: Mapping[int, int | None] | None = None) -> CorrectionRequest:
    """The correction a Storno of ``invoice`` asks for: its seniors from its month, with corrected minutes."""
    if invoice.kind != "invoice":
        raise AccountingError("Eine Stornorechnung kann nicht storniert werden.")
    visits = _visits_on(invoice)
    if not visits:
        raise AccountingError(f"Die Rechnung {invoice.number} ist bereits storniert.")
    corrected = dict(corrected or {})
    known = {v.appointment_id for v in visits if v.appointment_id is not None}  # group sessions: no minutes to fix
    for appointment_id, minutes in corrected.items():
        if appointment_id not in known:
            raise AccountingError("Korrigiert werden können nur Termine der stornierten Rechnung.")
        if minutes is not None and not 1 <= minutes <= 720:
            raise AccountingError("Bitte eine Dauer von 1 bis 720 Minuten angeben.")
    seniors = tuple(sorted({v.senior_id for v in visits}))
    return CorrectionRequest(seniors, Month.of(invoice.month), invoice.id, corrected)


def _visits_on(invoice: Invoice) -> list[BilledVisit]:
    on_invoice = sa.or_(BilledVisit.kasse_invoice_id == invoice.id, BilledVisit.senior_invoice_id == invoice.id)
    return list(db.session.scalars(sa.select(BilledVisit).where(on_invoice, sa.not_(BilledVisit.is_cancelled))))


def plan_of(request: CorrectionRequest) -> CorrectionPlan:
    """The correction plan as the data stand now (nothing stored)."""
    invoice = db.session.get(Invoice, request.invoice_id) if request.invoice_id else None
    if invoice is not None and not _visits_on(invoice):
        raise AccountingError(f"Die Rechnung {invoice.number} ist bereits storniert.")
    seniors = db.session.scalars(
        sa.select(Senior).where(Senior.id.in_(request.senior_ids)).order_by(Senior.sort_name, Senior.id)
    ).all()
    ledgers = ledger_inputs(seniors)
    billed = billed_lines_of(request.senior_ids)
    config = billing_config()
    corrected = {str(k): v for k, v in request.corrected.items()}

    def plans(reissue: frozenset[str]) -> list[SeniorCorrection]:
        found = []
        for senior in seniors:
            own = billed.get(senior.id, [])
            refs = {b.ref for b in own}
            found.append(
                plan_correction(
                    senior_data(senior),
                    ledgers[senior.id],
                    own,
                    start=request.start,
                    config=config,
                    corrected={ref: minutes for ref, minutes in corrected.items() if ref in refs},
                    reissue=reissue,
                )
            )
        return found

    found = plans(frozenset())
    if invoice is not None and all(plan.is_empty for plan in found):
        found = plans(frozenset({invoice.number}))  # a Storno without a changed figure: issue it again as it was
    numbers = {n for plan in found for month in plan.months for n in month.cancel}
    rows = db.session.scalars(sa.select(Invoice).where(Invoice.number.in_(sorted(numbers)))).all() if numbers else []
    names = {plan.senior.ref: plan.senior.name for plan in found}
    return CorrectionPlan(request, found, names, {r.number: r for r in rows})


def apply_correction(
    request: CorrectionRequest,
    *,
    reason: str,
    expected: str | None = None,
    issued_on: date | None = None,
) -> CorrectionResult:
    """Apply the plan of ``request`` in this transaction: Stornos, new invoices, billed visits, documents.

    ``expected``: the fingerprint of the plan the user saw; a different plan now is refused (AccountingError)."""
    reason = (reason or "").strip()
    if not reason:
        raise AccountingError("Bitte geben Sie einen Grund für die Korrektur an.")
    issued_on = issued_on or local_today()
    # The billing lock: runs and corrections one after the other, each on what the previous one left.
    _ensure_counter(issued_on.year)
    lock(InvoiceCounter, issued_on.year)
    db.session.expire_all()
    plan = plan_of(request)
    if expected is not None and plan.fingerprint != expected:
        raise AccountingError(CHANGED)
    if plan.is_empty:
        raise AccountingError("Für diese Monate ist keine Korrektur nötig.")
    config = billing_config(on=issued_on)
    ensure_provider_complete(config)
    _correct_minutes(request)
    collective = collective_default()
    runs = _runs_of(month for month, _ in plan.months())
    drafts: list[tuple[str, Month, DraftInvoice]] = []  # ("storno" | "new", month, draft)
    for month, items in plan.months():
        cancels: dict[str, set[str]] = defaultdict(set)
        for senior_plan, correction in items:
            for number in correction.cancel:
                cancels[number].add(senior_plan.senior.ref)
        for number, refs in sorted(cancels.items()):
            original = stored_invoice(plan.numbers[number], provider=config.provider)
            drafts.append(("storno", month, build_storno(original, reason=reason, senior_refs=refs)))
        pairs = [(senior_plan.senior, correction) for senior_plan, correction in items]
        for draft in correction_invoices(month, pairs, provider=config.provider, collective=collective):
            drafts.append(("new", month, draft))
    numbered = number_invoices(
        [d for _, _, d in drafts], last=allocate_numbers(issued_on.year, len(drafts)), issued_on=issued_on
    )
    stornos, fresh = [], []
    docs: dict[str, list] = defaultdict(list)  # documents dir → (file name, document)
    for month, items in plan.months():
        run = runs[month]
        own = [(kind, inv) for (kind, m, _), inv in zip(drafts, numbered, strict=True) if m == month]
        month_stornos = [inv for kind, inv in own if kind == "storno"]
        month_new = [inv for kind, inv in own if kind == "new"]
        storno_rows = {}
        for inv in month_stornos:
            original = plan.numbers[inv.cancels]
            storno_rows |= _store_invoices(original.run, [inv], cancels=plan.numbers)
            docs[original.run.documents_dir].append((storno_rows[inv.number].pdf_file, inv))
        new_rows = _store_invoices(run, month_new) if month_new else {}
        kept = _replace_visits(month, items, storno_rows, month_new, new_rows)
        results = [_result(senior_plan.senior, correction, config.provider) for senior_plan, correction in items]
        docs[run.documents_dir] += _store_visits(run, results, month_new, new_rows, kept=kept)
        docs[run.documents_dir] += [(new_rows[inv.number].pdf_file, inv) for inv in month_new]
        stornos += list(storno_rows.values())
        fresh += list(new_rows.values())
    _resolve_pending(request)
    db.session.flush()
    staged = []
    try:
        for directory, pairs in docs.items():
            staged.append(stage_documents(Path(directory), pairs))
    except BaseException:
        for files in staged:
            files.discard()
        raise
    months = [month for month, _ in plan.months()]
    log.info(
        "correction of seniors %s from %s: %d Stornos, %d new invoices over %d months",
        ",".join(map(str, request.senior_ids)),
        request.start,
        len(stornos),
        len(fresh),
        len(months),
    )
    return CorrectionResult(stornos, fresh, months, staged)


def storno_and_rebill(
    invoice: Invoice,
    *,
    reason: str,
    corrections: Mapping[int, int | None] | None = None,
    expected: str | None = None,
    issued_on: date | None = None,
) -> CorrectionResult:
    """Cancel ``invoice`` with the corrected minutes of its visits and apply the whole correction plan (that
    month and every later billed month of its seniors, where a figure changes)."""
    if not (reason or "").strip():
        raise AccountingError("Bitte geben Sie einen Grund für das Storno an.")
    return apply_correction(storno_request(invoice, corrections), reason=reason, expected=expected, issued_on=issued_on)


def _runs_of(months: Iterable[Month]) -> dict[Month, BillingRun]:
    wanted = [m.first_day for m in months]
    return {Month.of(r.month): r for r in db.session.scalars(sa.select(BillingRun).where(BillingRun.month.in_(wanted)))}


def _correct_minutes(request: CorrectionRequest) -> None:
    """The corrected minutes onto the appointments (None: did not take place)."""
    if not request.corrected:
        return
    visits = db.session.scalars(
        sa.select(BilledVisit).where(
            BilledVisit.appointment_id.in_(list(request.corrected)), sa.not_(BilledVisit.is_cancelled)
        )
    )
    for visit in visits:
        minutes = request.corrected[visit.appointment_id]
        appointment = visit.appointment
        appointment.status = AppointmentStatus.STATTGEFUNDEN if minutes else AppointmentStatus.AUSGEFALLEN
        appointment.actual_minutes = minutes or None
        if not minutes:
            appointment.km = None  # did not take place: no Fahrtkosten


def _replace_visits(
    month: Month,
    items: list[tuple[SeniorCorrection, MonthCorrection]],
    storno_rows: Mapping[str, Invoice],
    month_new: list[DraftInvoice],
    new_rows: Mapping[str, Invoice],
) -> dict[str, tuple[Invoice | None, Invoice | None]]:
    """Cancel the seniors' billed visits of ``month``; per line ref the invoices that stay valid for it."""
    kept: dict[str, tuple[Invoice | None, Invoice | None]] = {}
    for senior_plan, correction in items:
        senior_id = int(senior_plan.senior.ref)
        visits = db.session.scalars(
            sa.select(BilledVisit).where(
                BilledVisit.senior_id == senior_id,
                BilledVisit.on >= month.first_day,
                BilledVisit.on <= month.last_day,
                sa.not_(BilledVisit.is_cancelled),
            )
        ).all()
        by = _cancelling_invoice(correction, storno_rows, month_new, new_rows)
        for visit in visits:
            keep = set(correction.keep)
            kasse = visit.kasse_invoice if visit.kasse_invoice and visit.kasse_invoice.number in keep else None
            own = visit.senior_invoice if visit.senior_invoice and visit.senior_invoice.number in keep else None
            kept[visit.line_ref] = (kasse, own)
            visit.is_cancelled, visit.cancelled_by_id = True, by.id
    db.session.flush()
    return kept


def _cancelling_invoice(
    correction: MonthCorrection,
    storno_rows: Mapping[str, Invoice],
    month_new: list[DraftInvoice],
    new_rows: Mapping[str, Invoice],
) -> Invoice:
    """The Storno of the senior's month (else its first new invoice): recorded on the replaced visits."""
    cancelled = set(correction.cancel)
    for row in storno_rows.values():
        if row.cancels is not None and row.cancels.number in cancelled:
            return row
    return next(new_rows[inv.number] for inv in month_new if set(inv.line_refs) & correction.refs)


def _result(senior: SeniorData, correction: MonthCorrection, provider) -> SeniorResult:
    note = Leistungsnachweis(correction.month, senior, correction.grade, correction.lines, provider, correction.budget)
    lines = tuple(bl.line for bl in correction.lines)
    return SeniorResult(senior, correction.grade, lines, correction.lines, None, note)


def _resolve_pending(request: CorrectionRequest) -> None:
    """Retroactive changes from ``start`` on of these seniors are dealt with by this correction."""
    db.session.execute(
        sa.update(PendingCorrection)
        .where(
            PendingCorrection.senior_id.in_(request.senior_ids),
            PendingCorrection.from_month >= request.start.first_day,
            PendingCorrection.resolved_at.is_(None),
        )
        .values(resolved_at=now())
    )


def note_retroactive_change(senior: Senior, since: date, reason: str) -> Month | None:
    """Record that a fact of ``senior`` changed from ``since`` on; if billed months are affected, the budget
    page offers the correction plan. The month it starts from, or None when nothing billed is affected.

    The hook for every retroactive change of what the ledger rests on (Pflegegrad, living situation, …)."""
    start = Month.of(since)
    billed = db.session.scalar(
        sa.select(sa.func.min(BilledVisit.on)).where(
            BilledVisit.senior_id == senior.id,
            BilledVisit.on >= start.first_day,
            sa.not_(BilledVisit.is_cancelled),
        )
    )
    if billed is None:
        return None
    db.session.add(PendingCorrection(senior=senior, from_month=start.first_day, reason=reason[:300]))
    db.session.flush()
    log.info("senior %s: retroactive change from %s reaches billed months", senior.id, start)
    return start


def pending_request(senior: Senior) -> tuple[CorrectionRequest, list[str]] | None:
    """The correction request of the senior's unresolved retroactive changes (from the earliest), with their
    reasons; None if there are none."""
    rows = db.session.scalars(
        sa.select(PendingCorrection)
        .where(PendingCorrection.senior_id == senior.id, PendingCorrection.resolved_at.is_(None))
        .order_by(PendingCorrection.from_month, PendingCorrection.id)
    ).all()
    if not rows:
        return None
    return CorrectionRequest((senior.id,), Month.of(rows[0].from_month)), [r.reason for r in rows]


@dataclass(frozen=True)
class CorrectionNotice:
    """What the budget page says after a retroactive change: the billed months it affects and why."""

    months: tuple[Month, ...]
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        months = ", ".join(m.label for m in self.months)
        return f"Die rückwirkende Änderung betrifft bereits abgerechnete Monate: {months}."


def correction_notice(senior: Senior) -> CorrectionNotice | None:
    """The notice for the senior's open retroactive changes, if they change any billed month (else None)."""
    pending = pending_request(senior)
    if pending is None:
        return None
    request, reasons = pending
    try:
        plan = plan_of(request)
    except AccountingError:
        return None
    if plan.is_empty:
        return None
    return CorrectionNotice(tuple(month for month, _ in plan.months()), tuple(reasons))


def recipient_kind_label(kind: RecipientKind) -> str:
    return "Pflegekasse" if kind is RecipientKind.PFLEGEKASSE else "Versicherte/r"
