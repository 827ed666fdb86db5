"""Billing state changes: the monthly run, Storno with rebill, the month lock. Flush only; the edge commits."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from billing.config import BillingConfig
from billing.invoices import Invoice as DraftInvoice
from billing.invoices import RecipientKind, build_storno, format_invoice_number, number_invoices, plan_invoices
from billing.month import Month
from billing.provider import provider_problems
from billing.run import MonthRun, SeniorMonth, SeniorResult, bill_senior, prepare_month

from ..appointments.convert import appointment_volunteer
from ..budget.inputs import billing_config, ledger_inputs
from ..clock import today as local_today
from ..database import insert_unless_present, lock
from ..extensions import db
from ..models import (
    Appointment,
    AppointmentStatus,
    BilledVisit,
    BillingRun,
    Invoice,
    InvoiceCounter,
    LeistungsnachweisDocument,
    Pairing,
    Senior,
    User,
)
from .convert import history_charges_of, senior_data, stored_invoice, totals, visit_data
from .files import StagedFiles, default_documents_dir, stage_documents

log = logging.getLogger(__name__)


class AccountingError(ValueError):
    """A run or Storno cannot be done; the message is German."""


class ProviderIncomplete(AccountingError):
    """Numbered invoices need the provider's data complete and valid; the message says what is missing and where."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        where = f"{current_app.config['BASE_URL'].rstrip('/')}/admin/traeger/"
        super().__init__(
            "Rechnungen mit Nummer können erst erstellt werden, wenn die Trägerdaten vollständig sind: "
            + " ".join(problems)
            + f" Bitte unter „Träger“ ({where}) ergänzen; es wurde nichts abgerechnet."
        )


def ensure_provider_complete(config: BillingConfig) -> None:
    """Refuse to number invoices while the provider's data in ``config`` is missing or invalid."""
    if problems := provider_problems(config.provider):
        raise ProviderIncomplete(problems)


class MonthBilled(ValueError):
    """An appointment of a billed month was about to change; the message is German."""


@dataclass
class RunResult:
    run: BillingRun
    created: bool
    problems: tuple[str, ...] = ()
    staged: StagedFiles | None = None


@dataclass
class StornoResult:
    stornos: list[Invoice]
    invoices: list[Invoice]
    staged: StagedFiles | None = None


def billing_run_of(day: date) -> BillingRun | None:
    """The run of the month containing ``day``, if that month is billed."""
    return db.session.scalar(sa.select(BillingRun).where(BillingRun.month == day.replace(day=1)))


def ensure_not_billed(appointment: Appointment, *, moving_to: date | None = None) -> None:
    """Refuse any change to an appointment of a billed month (or a move into one): correction only by Storno."""
    for day in (appointment.on, moving_to):
        if day is not None and billing_run_of(day) is not None:
            raise MonthBilled(f"Der Monat {day:%m/%Y} ist abgerechnet – Korrektur nur per Storno.")


def collective_default() -> bool:
    """Collective invoices per Pflegekasse (default) or one per senior: ``BILLING_COLLECTIVE``."""
    return current_app.config["BILLING_COLLECTIVE"]


def month_inputs(month: Month, *, senior_ids: Iterable[int] | None = None) -> list[SeniorMonth]:
    """Per senior with visits that took place in ``month``: billing fields, ledger history and visits."""
    query = (
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(
            Appointment.on >= month.first_day,
            Appointment.on <= month.last_day,
            Appointment.status == AppointmentStatus.STATTGEFUNDEN,
        )
        .options(
            joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
            joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.pflegekasse),
            joinedload(Appointment.cover_volunteer),
        )
        .order_by(Appointment.on, Appointment.planned_start, Appointment.id)
    )
    if senior_ids is not None:
        query = query.where(Pairing.senior_id.in_(list(senior_ids)))
    by_senior: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in db.session.scalars(query).unique():
        by_senior[appointment.pairing.senior_id].append(appointment)
    seniors = [appointments[0].pairing.senior for appointments in by_senior.values()]
    ledgers = ledger_inputs(seniors, charges=history_charges_of(by_senior, month))
    inputs = []
    for senior in seniors:
        visits = tuple(visit_data(a) for a in by_senior[senior.id])
        inputs.append(SeniorMonth(senior_data(senior), ledgers[senior.id], visits))
    inputs.sort(key=lambda s: (s.senior.name, s.senior.ref))
    return inputs


def preview_month(month: Month, *, config: BillingConfig | None = None) -> MonthRun:
    """What a run of ``month`` would bill now (nothing stored, no numbers)."""
    config = config or billing_config()
    return prepare_month(month, month_inputs(month), config=config, collective=collective_default())


def _unbilled_earlier_months(month: Month) -> list[Month]:
    active = sa.select(BilledVisit.id).where(
        BilledVisit.appointment_id == Appointment.id, sa.not_(BilledVisit.is_cancelled)
    )
    days = db.session.scalars(
        sa.select(Appointment.on)
        .join(Appointment.pairing)
        .where(
            Appointment.on < month.first_day,
            Appointment.status == AppointmentStatus.STATTGEFUNDEN,
            Pairing.service == "entlastung",
            ~sa.exists(active),
        )
    )
    billed = {d for d in db.session.scalars(sa.select(BillingRun.month))}
    return sorted({Month.of(d) for d in days if d.replace(day=1) not in billed})


def _ensure_counter(year: int) -> None:
    """Create the year's counter row unless it exists; a concurrent creator makes this wait, not fail."""
    insert_unless_present(InvoiceCounter, "year", year=year, last_seq=0)


def allocate_numbers(year: int, count: int) -> str | None:
    """Reserve ``count`` numbers of ``year`` (row lock on PostgreSQL); the number before the first one."""
    _ensure_counter(year)
    counter = db.session.scalar(sa.select(InvoiceCounter).where(InvoiceCounter.year == year).with_for_update())
    if counter is None:
        counter = InvoiceCounter(year=year, last_seq=0)
        db.session.add(counter)
        db.session.flush()
    last = format_invoice_number(year, counter.last_seq) if counter.last_seq else None
    counter.last_seq += count
    return last


def run_month(
    month: Month,
    *,
    user: User | None = None,
    out_dir: Path | str | None = None,
    issued_on: date | None = None,
    today: date | None = None,
) -> RunResult:
    """Bill ``month``: invoices numbered, visits stored, PDFs staged. A month already billed is returned as is."""
    today = today or local_today()
    issued_on = issued_on or today
    # One run at a time: a second one started at the same moment waits here, then finds the month billed.
    _ensure_counter(issued_on.year)
    lock(InvoiceCounter, issued_on.year)
    existing = billing_run_of(month.first_day)
    if existing is not None:
        return RunResult(existing, created=False)
    if month.last_day >= today:
        raise AccountingError(f"Der Monat {month} ist noch nicht vorbei und kann noch nicht abgerechnet werden.")
    if earlier := _unbilled_earlier_months(month):
        raise AccountingError(f"Bitte zuerst den Monat {earlier[0]} abrechnen: dort sind Termine nicht abgerechnet.")
    config = billing_config(on=issued_on)
    ensure_provider_complete(config)
    prepared = prepare_month(month, month_inputs(month), config=config, collective=collective_default())
    drafts = list(prepared.invoices)
    numbered = number_invoices(drafts, last=allocate_numbers(issued_on.year, len(drafts)), issued_on=issued_on)
    target = Path(out_dir) if out_dir else default_documents_dir(month.iso)
    run = BillingRun(month=month.first_day, run_by=user, documents_dir=str(target.resolve()))
    db.session.add(run)
    db.session.flush()
    rows = _store_invoices(run, numbered)
    docs = _store_visits(run, prepared.seniors, numbered, rows)
    docs += [(rows[inv.number].pdf_file, inv) for inv in numbered]
    db.session.flush()
    staged = stage_documents(target, docs)
    log.info("billed %s: %d invoices, %d documents", month, len(numbered), len(docs))
    return RunResult(run, created=True, problems=prepared.problems, staged=staged)


def _file_name(invoice: DraftInvoice) -> str:
    prefix = "Storno" if invoice.cancels else "Rechnung"
    return f"{prefix}-{invoice.number}.pdf"


def _store_invoices(run: BillingRun, numbered: list[DraftInvoice], *, cancels: Mapping[str, Invoice] | None = None):
    rows: dict[str, Invoice] = {}
    kasse_of = dict(
        db.session.execute(
            sa.select(Senior.id, Senior.pflegekasse_id).where(
                Senior.id.in_(sorted({int(inv.sections[0].senior.ref) for inv in numbered}))
            )
        ).all()
    )
    for inv in numbered:
        year, seq = int(inv.number[:4]), int(inv.number[5:])
        to_kasse = inv.recipient.kind is RecipientKind.PFLEGEKASSE
        first_senior = int(inv.sections[0].senior.ref)
        row = Invoice(
            run=run,
            number=inv.number,
            year=year,
            seq=seq,
            month=inv.month.first_day,
            kind="storno" if inv.cancels else "invoice",
            recipient_kind="pflegekasse" if to_kasse else "senior",
            recipient_name=inv.recipient.name,
            recipient_address="\n".join(inv.recipient.address),
            recipient_ik=inv.recipient.ik,
            pflegekasse_id=kasse_of[first_senior] if to_kasse else None,
            senior_id=None if to_kasse else first_senior,
            issued_on=inv.issued_on,
            sections=len(inv.sections),
            cancels=(cancels or {}).get(inv.cancels) if inv.cancels else None,
            note=inv.note,
            pdf_file=_file_name(inv),
            **totals(inv.split),
        )
        db.session.add(row)
        rows[inv.number] = row
    db.session.flush()
    return rows


def _store_visits(run, results: Iterable[SeniorResult], numbered: list[DraftInvoice], rows: dict[str, Invoice]):
    """BilledVisit rows and Leistungsnachweis records; the (file name, document) pairs to render."""
    kasse_of, senior_of = {}, {}
    for inv in numbered:
        target = kasse_of if inv.recipient.kind is RecipientKind.PFLEGEKASSE else senior_of
        for ref in inv.line_refs:
            target[ref] = rows[inv.number]
    results = [r for r in results if r.leistungsnachweis is not None]
    appointments = _appointments_by_id([int(b.line.ref) for r in results for b in r.billed])
    earlier = dict(
        db.session.execute(
            sa.select(LeistungsnachweisDocument.senior_id, sa.func.count())
            .where(LeistungsnachweisDocument.run_id == run.id)
            .group_by(LeistungsnachweisDocument.senior_id)
        ).all()
    )
    docs = []
    for result in results:
        senior_id = int(result.senior.ref)
        for billed in result.billed:
            line, split = billed.line, billed.split
            appointment = appointments[int(line.ref)]
            db.session.add(
                BilledVisit(
                    run=run,
                    appointment=appointment,
                    senior_id=senior_id,
                    volunteer=appointment_volunteer(appointment),
                    kasse_invoice=kasse_of.get(line.ref),
                    senior_invoice=senior_of.get(line.ref),
                    on=line.day,
                    start=line.appointment.start,
                    end=line.appointment.end,
                    minutes=line.minutes,
                    grade=billed.grade,
                    rate=line.rate,
                    amount=line.amount,
                    entlastungsbetrag=split.entlastungsbetrag,
                    umwandlung=split.umwandlung,
                    private=split.private,
                )
            )
        before = earlier.get(senior_id, 0)
        earlier[senior_id] = before + 1
        suffix = f"-{before + 1}" if before else ""
        name = f"Leistungsnachweis-{result.leistungsnachweis.month.iso}-{senior_id}{suffix}.pdf"
        db.session.add(LeistungsnachweisDocument(run=run, senior_id=senior_id, file_name=name))
        docs.append((name, result.leistungsnachweis))
    return docs


def _appointments_by_id(ids: list[int]) -> dict[int, Appointment]:
    """The appointments with these ids and the volunteers who did them, in a few queries."""
    found = {}
    for i in range(0, len(ids), 500):
        query = (
            sa.select(Appointment)
            .where(Appointment.id.in_(ids[i : i + 500]))
            .options(
                joinedload(Appointment.pairing).joinedload(Pairing.volunteer), joinedload(Appointment.cover_volunteer)
            )
        )
        found.update((a.id, a) for a in db.session.scalars(query).unique())
    return found


def storno_and_rebill(
    invoice: Invoice,
    *,
    reason: str,
    corrections: Mapping[int, int | None] | None = None,
    senior_ids: Iterable[int] | None = None,
    issued_on: date | None = None,
) -> StornoResult:
    """Cancel ``invoice`` (or the sections of ``senior_ids``) and every other invoice part of those seniors in
    that month, apply the corrected minutes (None: did not take place), and bill those seniors anew."""
    reason = (reason or "").strip()
    if not reason:
        raise AccountingError("Bitte geben Sie einen Grund für das Storno an.")
    if invoice.kind != "invoice":
        raise AccountingError("Eine Stornorechnung kann nicht storniert werden.")
    lock(BillingRun, invoice.run_id)  # two Stornos in one month at once: the second sees what the first cancelled
    on_invoice = sa.or_(BilledVisit.kasse_invoice_id == invoice.id, BilledVisit.senior_invoice_id == invoice.id)
    active = sa.not_(BilledVisit.is_cancelled)
    seniors = set(db.session.scalars(sa.select(BilledVisit.senior_id).where(on_invoice, active)))
    if senior_ids is not None:
        seniors &= set(senior_ids)
    if not seniors:
        raise AccountingError(f"Die Rechnung {invoice.number} ist bereits storniert.")
    run, month = invoice.run, Month.of(invoice.month)
    visits = db.session.scalars(
        sa.select(BilledVisit).where(BilledVisit.run_id == run.id, BilledVisit.senior_id.in_(seniors), active)
    ).all()
    affected = {v.kasse_invoice_id for v in visits} | {v.senior_invoice_id for v in visits}
    affected = sorted(i for i in affected - {None})
    issued_on = issued_on or local_today()
    config = billing_config(on=issued_on)
    ensure_provider_complete(config)
    originals = {i: db.session.get(Invoice, i) for i in affected}
    refs = {str(s) for s in seniors}
    drafts = [
        build_storno(stored_invoice(originals[i], provider=config.provider), reason=reason, senior_refs=refs)
        for i in affected
    ]
    _correct(visits, corrections or {})
    last = allocate_numbers(issued_on.year, len(drafts))
    stornos = number_invoices(drafts, last=last, issued_on=issued_on)
    by_number = {inv.number: inv for inv in originals.values()}
    storno_rows = _store_invoices(run, stornos, cancels=by_number)
    main = next(r for r in storno_rows.values() if r.cancels_id == invoice.id)
    for visit in visits:
        visit.is_cancelled, visit.cancelled_by_id = True, main.id
    db.session.flush()

    results = [bill_senior(month, data, config=config)[0] for data in month_inputs(month, senior_ids=seniors)]
    plan = plan_invoices(
        month,
        [(r.senior, r.grade, r.billed) for r in results if r.billed],
        provider=config.provider,
        collective=collective_default(),
    )
    fresh = number_invoices(plan, last=allocate_numbers(issued_on.year, len(plan)), issued_on=issued_on)
    fresh_rows = _store_invoices(run, fresh)
    docs = _store_visits(run, results, fresh, fresh_rows)
    docs += [(storno_rows[s.number].pdf_file, s) for s in stornos]
    docs += [(fresh_rows[f.number].pdf_file, f) for f in fresh]
    db.session.flush()
    staged = stage_documents(Path(run.documents_dir), docs)
    log.info("storno of %s: %d stornos, %d new invoices", invoice.number, len(stornos), len(fresh))
    return StornoResult(list(storno_rows.values()), list(fresh_rows.values()), staged)


def _correct(visits: list[BilledVisit], corrections: Mapping[int, int | None]) -> None:
    """Apply corrected minutes to the appointments of ``visits`` (the lock is lifted by the Storno)."""
    known = {v.appointment_id: v.appointment for v in visits}
    for appointment_id, minutes in corrections.items():
        appointment = known.get(appointment_id)
        if appointment is None:
            raise AccountingError("Korrigiert werden können nur Termine der stornierten Rechnung.")
        if minutes is not None and not 1 <= minutes <= 720:
            raise AccountingError("Bitte eine Dauer von 1 bis 720 Minuten angeben.")
        appointment.status = AppointmentStatus.STATTGEFUNDEN if minutes else AppointmentStatus.AUSGEFALLEN
        appointment.actual_minutes = minutes or None
        if not minutes:
            appointment.km = None  # did not take place: no Fahrtkosten
