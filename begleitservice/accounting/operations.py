"""Billing state changes: the monthly run, Storno with rebill, the month lock. Flush only; the edge commits."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from billing.config import BillingConfig, MissingValue
from billing.corrections import LateInput, Supplement, nachberechnung_label, prepare_supplements
from billing.invoices import Invoice as DraftInvoice
from billing.invoices import RecipientKind, format_invoice_number, number_invoices
from billing.month import Month
from billing.provider import provider_problems
from billing.run import MonthRun, SeniorMonth, SeniorResult, prepare_month

from ..budget.inputs import billing_config, ledger_inputs
from ..clock import today as local_today
from ..database import insert_unless_present, lock
from ..extensions import db
from ..groups.hours import AttendedSession, attended_sessions
from ..models import (
    Appointment,
    AppointmentStatus,
    BilledVisit,
    BillingRun,
    DementiaGroup,
    Invoice,
    InvoiceCounter,
    LeistungsnachweisDocument,
    Pairing,
    Senior,
    User,
)
from .closing import MonthCheck, check_month, record_left_out
from .convert import billed_lines_of, history_charges_of, senior_data, session_data, totals, visit_data
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


class OpenProblems(AccountingError):
    """The month has open points and closing it was not confirmed; nothing was changed."""

    def __init__(self, check: MonthCheck) -> None:
        self.check = check
        super().__init__(
            f"Der Monat {check.month} ist nicht vollständig: {check.summary()}. Bitte die Punkte klären oder "
            "ausdrücklich bestätigen, dass der Monat trotzdem abgeschlossen wird – es wurde nichts abgerechnet."
        )


class MonthBilled(ValueError):
    """An appointment of a billed month was about to change; the message is German."""


@dataclass
class RunResult:
    run: BillingRun
    created: bool
    problems: tuple[str, ...] = ()  # German texts of the open points confirmed
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
    """Per senior with visits that took place in ``month`` with reported minutes: billing fields, ledger history and
    visits (a visit marked held without minutes is left out: see closing.check_month), and the Demenzgruppe
    sessions each senior attended that are not billed yet."""
    senior_ids = None if senior_ids is None else list(senior_ids)
    query = (
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(
            Appointment.on >= month.first_day,
            Appointment.on <= month.last_day,
            Appointment.status == AppointmentStatus.STATTGEFUNDEN,
            Appointment.actual_minutes.is_not(None),
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
    sessions = _unbilled_sessions(month, senior_ids=senior_ids)
    seniors = {appointments[0].pairing.senior.id: appointments[0].pairing.senior for appointments in by_senior.values()}
    if missing := {a.senior_id for a in sessions} - set(seniors):
        for senior in db.session.scalars(
            sa.select(Senior).where(Senior.id.in_(missing)).options(joinedload(Senior.pflegekasse))
        ):
            seniors[senior.id] = senior
    groups = {
        g.id: g
        for g in db.session.scalars(
            sa.select(DementiaGroup)
            .where(DementiaGroup.id.in_({a.group_id for a in sessions}))
            .options(selectinload(DementiaGroup.prices))
        )
    }
    ledgers = ledger_inputs(list(seniors.values()), charges=history_charges_of(seniors, month))
    sessions_of: dict[int, list[AttendedSession]] = defaultdict(list)
    for attended in sessions:
        sessions_of[attended.senior_id].append(attended)
    inputs = []
    for senior in seniors.values():
        visits = [visit_data(a) for a in by_senior.get(senior.id, [])]
        visits += [session_data(a, groups[a.group_id]) for a in sessions_of[senior.id]]
        inputs.append(SeniorMonth(senior_data(senior), ledgers[senior.id], tuple(visits)))
    inputs.sort(key=lambda s: (s.senior.name, s.senior.ref))
    return inputs


def _unbilled_sessions(month: Month, *, senior_ids: Iterable[int] | None = None) -> list[AttendedSession]:
    """The Demenzgruppe sessions attended in ``month`` that are not on a billed, not cancelled line yet."""
    attended = attended_sessions(month.first_day, month.last_day, senior_ids=senior_ids)
    if not attended:
        return []
    billed = set(
        db.session.execute(
            sa.select(BilledVisit.group_session_id, BilledVisit.senior_id).where(
                BilledVisit.group_session_id.in_({a.session_id for a in attended}), sa.not_(BilledVisit.is_cancelled)
            )
        ).all()
    )
    return [a for a in attended if (a.session_id, a.senior_id) not in billed]


def preview_month(month: Month, *, config: BillingConfig | None = None) -> MonthRun:
    """What a run of ``month`` would bill now (nothing stored, no numbers)."""
    config = config or billing_config()
    try:
        return prepare_month(month, month_inputs(month), config=config, collective=collective_default())
    except MissingValue as error:  # a dated figure is not configured for a day of the month
        raise AccountingError(str(error)) from error


def is_billed(appointment: Appointment) -> bool:
    """Whether the appointment is on a billed, not cancelled line."""
    return appointment.id is not None and db.session.scalar(
        sa.select(sa.exists().where(BilledVisit.appointment_id == appointment.id, sa.not_(BilledVisit.is_cancelled)))
    )


def ensure_reportable(appointment: Appointment) -> Month | None:
    """Minutes may be reported for a visit of a billed month that was not billed (it is billed later as a
    Nachberechnung of its month, which is returned); a billed visit is corrected only by Storno."""
    if billing_run_of(appointment.on) is None:
        return None
    if is_billed(appointment):
        raise MonthBilled(f"Der Monat {appointment.on:%m/%Y} ist abgerechnet – Korrektur nur per Storno.")
    return Month.of(appointment.on)


def nachberechnung_notice(appointment: Appointment) -> str | None:
    """German notice for a held visit of a billed month that is not billed yet: when it will be billed."""
    if appointment.status != AppointmentStatus.STATTGEFUNDEN or billing_run_of(appointment.on) is None:
        return None
    if is_billed(appointment):
        return None
    month = Month.of(appointment.on)
    return (
        f"{month.label} ist bereits abgerechnet: dieser Termin wird in der nächsten Abrechnung als "
        f"„{nachberechnung_label(month)}“ berechnet."
    )


def late_appointments(before: Month) -> dict[int, list[Appointment]]:
    """Per senior id: held Entlastung visits with reported minutes, of billed months before ``before``, that no
    billed line carries (minutes reported after the run), in date order. A visit still without minutes waits."""
    active = sa.select(BilledVisit.id).where(
        BilledVisit.appointment_id == Appointment.id, sa.not_(BilledVisit.is_cancelled)
    )
    billed = {Month.of(d) for d in db.session.scalars(sa.select(BillingRun.month))}
    query = (
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(
            Appointment.on < before.first_day,
            Appointment.status == AppointmentStatus.STATTGEFUNDEN,
            Appointment.actual_minutes.is_not(None),
            Pairing.service == "entlastung",
            ~sa.exists(active),
        )
        .options(
            joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
            joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.pflegekasse),
            joinedload(Appointment.cover_volunteer),
        )
        .order_by(Appointment.on, Appointment.planned_start, Appointment.id)
    )
    found: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in db.session.scalars(query).unique():
        if Month.of(appointment.on) in billed:
            found[appointment.pairing.senior_id].append(appointment)
    return found


def late_inputs(before: Month) -> list[LateInput]:
    """The Nachberechnung inputs of a run of ``before``: per senior the late visits and the billed lines."""
    late = late_appointments(before)
    if not late:
        return []
    seniors = [appointments[0].pairing.senior for appointments in late.values()]
    ledgers = ledger_inputs(seniors)
    billed = billed_lines_of(late)
    return [
        LateInput(
            senior_data(senior),
            ledgers[senior.id],
            tuple(billed.get(senior.id, ())),
            tuple(visit_data(a) for a in late[senior.id]),
        )
        for senior in seniors
    ]


def preview_supplements(month: Month) -> list[Supplement]:
    """The Nachberechnungen a run of ``month`` would bill now (nothing stored)."""
    return prepare_supplements(late_inputs(month), config=billing_config(), collective=collective_default())


def month_check(month: Month, *, today: date | None = None, config: BillingConfig | None = None) -> MonthCheck:
    """The preview of ``month`` with its open points and totals per payer (nothing stored)."""
    return check_month(month, preview_month(month, config=config), today=today or local_today())


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
    accept_open: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Bill ``month``: invoices numbered, visits stored, PDFs staged. A month already billed is returned as is.
    ``progress(done, total)`` follows the documents as they are made.

    A month with open points (closing.check_month) is billed only with ``accept_open``; the visits they leave out
    and the points confirmed are recorded on the run."""
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
    try:
        check = month_check(month, today=today, config=config)  # a missing dated figure: AccountingError
        supplements = prepare_supplements(late_inputs(month), config=config, collective=collective_default())
    except MissingValue as error:
        raise AccountingError(str(error)) from error
    if check.points and not accept_open:
        raise OpenProblems(check)
    prepared = check.preview
    drafts = list(prepared.invoices) + [inv for supplement in supplements for inv in supplement.invoices]
    numbered = number_invoices(drafts, last=allocate_numbers(issued_on.year, len(drafts)), issued_on=issued_on)
    target = Path(out_dir) if out_dir else default_documents_dir(month.iso)
    run = BillingRun(month=month.first_day, run_by=user, documents_dir=str(target.resolve()))
    db.session.add(run)
    record_left_out(run, check)
    db.session.flush()
    rows = _store_invoices(run, numbered)
    results = list(prepared.seniors) + [r for supplement in supplements for r in supplement.seniors]
    docs = _store_visits(run, results, numbered, rows)
    docs += [(rows[inv.number].pdf_file, inv) for inv in numbered]
    db.session.flush()
    staged = stage_documents(target, docs, progress=progress)
    log.info(
        "billed %s: %d invoices (%d Nachberechnung months), %d documents",
        month,
        len(numbered),
        len(supplements),
        len(docs),
    )
    return RunResult(run, created=True, problems=tuple(run.open_problems), staged=staged)


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


def _group_session_of(ref: str) -> int | None:
    """The Demenzgruppe session id of a line ref ``g<session>-<senior>``, or None for an appointment's ref."""
    return int(ref[1:].partition("-")[0]) if ref.startswith("g") else None


def _store_visits(
    run,
    results: Iterable[SeniorResult],
    numbered: list[DraftInvoice],
    rows: dict[str, Invoice],
    *,
    kept: Mapping[str, tuple[Invoice | None, Invoice | None]] | None = None,
):
    """BilledVisit rows and Leistungsnachweis records; the (file name, document) pairs to render.

    ``kept``: per line ref, the (Pflegekasse, senior) invoices that stay valid for lines on no new invoice."""
    kasse_of = {ref: pair[0] for ref, pair in (kept or {}).items() if pair[0] is not None}
    senior_of = {ref: pair[1] for ref, pair in (kept or {}).items() if pair[1] is not None}
    for inv in numbered:
        target = kasse_of if inv.recipient.kind is RecipientKind.PFLEGEKASSE else senior_of
        for ref in inv.line_refs:
            target[ref] = rows[inv.number]
    results = [r for r in results if r.leistungsnachweis is not None]
    taken = set(
        db.session.scalars(
            sa.select(LeistungsnachweisDocument.file_name).where(LeistungsnachweisDocument.run_id == run.id)
        )
    )
    docs = []
    for result in results:
        senior_id = int(result.senior.ref)
        for billed in result.billed:
            line, split = billed.line, billed.split
            group_session = _group_session_of(line.ref)
            db.session.add(
                BilledVisit(
                    run=run,
                    appointment_id=None if group_session else int(line.ref),
                    group_session_id=group_session,
                    senior_id=senior_id,
                    # who did it: the stand-in if any; a group session has no volunteer of its own
                    volunteer_id=None if group_session else int(line.appointment.volunteer_ref),
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
        kind = "Leistungsnachweis-Nachberechnung" if result.leistungsnachweis.note else "Leistungsnachweis"
        base = f"{kind}-{result.leistungsnachweis.month.iso}-{senior_id}"
        name, count = f"{base}.pdf", 1
        while name in taken:  # a rebill after a Storno: the next free number
            count += 1
            name = f"{base}-{count}.pdf"
        taken.add(name)
        db.session.add(LeistungsnachweisDocument(run=run, senior_id=senior_id, file_name=name))
        docs.append((name, result.leistungsnachweis))
    return docs
