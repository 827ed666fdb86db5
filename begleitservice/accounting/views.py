"""Abrechnung: billed months, run a month, documents, Storno, payout list, exports (coordinators only look)."""

import io
import zipfile
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from billing.completeness import KIND_LABELS, LEAVES_OUT
from billing.corrections import nachberechnung_label
from billing.documents import merge_pdfs
from billing.month import Month
from billing.provider import provider_problems

from ..auth.access import require_role, restrict
from ..budget.inputs import billing_config
from ..extensions import db
from ..inputs import InputError, parse_int, parse_month, query_month, query_page
from ..models import (
    APPOINTMENT_STATUSES,
    Appointment,
    BilledVisit,
    BillingJob,
    BillingJobStatus,
    BillingRun,
    Invoice,
    LeftOutVisit,
    Pairing,
    Senior,
    Volunteer,
)
from ..pages import cached
from ..paging import ListPage
from ..submissions import remember, repeated
from . import jobs
from .allowances import cap_warnings, payout_page
from .corrections import (
    CHANGED,
    apply_correction,
    pending_request,
    plan_of,
    recipient_kind_label,
    storno_request,
)
from .exports import KINDS, TITLES, export_name, write_export
from .files import commit_with_files
from .forms import ApplyCorrectionForm, RunForm, StornoForm
from .jobs import is_lost, progress_of, running_job, start_job
from .operations import AccountingError, local_today, month_check, preview_supplements

bp = Blueprint("accounting", __name__, url_prefix="/abrechnung")
restrict(bp, "accounting", "admin", "coordinator")
MAY_BILL = ("accounting", "admin")


@bp.app_context_processor
def _dashboard_helpers():
    return {"allowance_cap_warnings": lambda: cap_warnings(local_today())}


def _last_month() -> Month:
    today = local_today()
    return Month(today.year - 1, 12) if today.month == 1 else Month(today.year, today.month - 1)


@bp.route("/")
@cached
def index():
    """The billed months with their totals, and the month to bill next."""
    runs = db.session.scalars(
        sa.select(BillingRun).options(selectinload(BillingRun.invoices)).order_by(BillingRun.month.desc())
    ).all()
    return render_template(
        "accounting/index.html", runs=runs, next_month=_last_month(), may_bill=current_user.role in MAY_BILL
    )


@bp.route("/lauf", methods=["GET", "POST"])
@cached
def run():
    """Preview a month (GET) and bill it after confirmation (POST)."""
    form = RunForm()
    if request.method == "POST":
        require_role(*MAY_BILL)
        if not form.validate_on_submit():
            abort(400)
        try:
            month = parse_month(form.month.data)
        except InputError as error:
            abort(400, description=str(error))
        if (repeat := repeated(form)) is not None:
            return repeat
        if (running := running_job(month)) is not None:  # someone started this month a moment ago
            db.session.rollback()
            return redirect(url_for(".job", job_id=running.id), code=303)
        job = start_job(month, user=current_user, accept_open=form.accept_open.data)
        remember(form, url_for(".job", job_id=job.id))
        db.session.commit()
        jobs.launch(job.id)
        return redirect(url_for(".job", job_id=job.id), code=303)
    month = query_month(default=_last_month())
    existing = db.session.scalar(sa.select(BillingRun).where(BillingRun.month == month.first_day))
    if existing is not None:
        return redirect(url_for(".detail", run_id=existing.id))
    if (running := running_job(month)) is not None:
        return redirect(url_for(".job", job_id=running.id))
    form.month.data = month.iso
    try:
        check = month_check(month)
    except AccountingError as error:
        abort(409, description=str(error))
    per_page = current_app.config["ITEMS_PER_PAGE"]
    kinds = Counter(point.problem.kind for point in check.points)
    return render_template(
        "accounting/run.html",
        month=month,
        check=check,
        point_kinds=[(KIND_LABELS[kind], kinds[kind], kind in LEAVES_OUT) for kind in KIND_LABELS if kinds[kind]],
        points=ListPage(check.points, query_page("punkte"), per_page),
        invoices=ListPage(check.preview.invoices, query_page("rechnungen"), per_page),
        supplements=preview_supplements(month),
        form=form,
        may_bill=current_user.role in MAY_BILL,
        provider_problems=provider_problems(billing_config().provider),
    )


@bp.route("/lauf/<int:job_id>")
def job(job_id: int):
    """A run started on the page: its progress while it runs (the page refreshes itself), then its outcome."""
    billing_job = db.get_or_404(BillingJob, job_id)
    month = Month.of(billing_job.month)
    if billing_job.status == BillingJobStatus.FERTIG and billing_job.run_id is not None:
        if billing_job.created:
            flash(_("Der Monat %(month)s ist abgerechnet.", month=month), "success")
            if left := len(billing_job.run.left_out):
                flash(
                    _(("%(left)s Termin(e) wurden nicht abgerechnet – siehe „Nicht abgerechnet“."), left=left),
                    "warning",
                )
        else:
            flash(_("Dieser Monat war bereits abgerechnet; es wurde nichts geändert."), "info")
        return redirect(url_for(".detail", run_id=billing_job.run_id))
    if billing_job.status == BillingJobStatus.FEHLER:
        flash(billing_job.message, "error")
        return redirect(url_for(".run", monat=month.iso))
    return render_template(
        "accounting/job.html",
        job=billing_job,
        month=month,
        progress=progress_of(billing_job),
        lost=is_lost(billing_job),
    )


@bp.route("/<int:run_id>")
def detail(run_id: int):
    """A billed month: invoices, Storno invoices, Leistungsnachweise, exports."""
    billing_run = db.get_or_404(BillingRun, run_id)
    invoices = db.session.scalars(
        sa.select(Invoice)
        .where(Invoice.run_id == run_id)
        .options(selectinload(Invoice.stornos), selectinload(Invoice.cancels))
        .order_by(Invoice.year, Invoice.seq)
    ).all()
    documents = sorted(billing_run.documents, key=lambda d: (d.senior.sort_name, d.id))
    month = Month.of(billing_run.month)
    supplements = sorted({Month.of(inv.month) for inv in invoices if inv.month != billing_run.month})
    left_out = db.session.scalars(
        sa.select(LeftOutVisit)
        .where(LeftOutVisit.run_id == run_id)
        .join(LeftOutVisit.appointment)
        .options(joinedload(LeftOutVisit.appointment).joinedload(Appointment.pairing).joinedload(Pairing.senior))
        .order_by(Appointment.on, Appointment.planned_start)
    ).all()
    return render_template(
        "accounting/detail.html",
        run=billing_run,
        month=month,
        supplements=supplements,
        nachberechnung=nachberechnung_label,
        month_of=Month.of,
        invoices=invoices,
        documents=documents,
        left_out=left_out,
        status_labels=APPOINTMENT_STATUSES,
        kinds=KINDS,
        titles=TITLES,
        may_bill=current_user.role in MAY_BILL,
    )


def _run_files(billing_run: BillingRun) -> list[str]:
    names = [inv.pdf_file for inv in billing_run.invoices] + [doc.file_name for doc in billing_run.documents]
    return sorted(names)


@bp.route("/<int:run_id>/dokumente/<path:name>")
def document(run_id: int, name: str):
    """Download one PDF of a billed month."""
    billing_run = db.get_or_404(BillingRun, run_id)
    if name not in _run_files(billing_run):
        abort(404)
    path = Path(billing_run.documents_dir) / name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.route("/<int:run_id>/dokumente.zip")
def archive(run_id: int):
    """All PDFs of a billed month as one ZIP file."""
    billing_run = db.get_or_404(BillingRun, run_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for name in _run_files(billing_run):
            path = Path(billing_run.documents_dir) / name
            if path.is_file():
                archive_file.write(path, name)
    buffer.seek(0)
    month = Month.of(billing_run.month)
    return send_file(
        buffer, mimetype="application/zip", as_attachment=True, download_name=f"Abrechnung-{month.iso}.zip"
    )


@bp.route("/<int:run_id>/leistungsnachweise-zum-unterschreiben.pdf")
def signing_print(run_id: int):
    """All Leistungsnachweise of a billed month in one PDF for printing and signing: grouped by volunteer (who
    made the first visit), in visit order."""
    billing_run = db.get_or_404(BillingRun, run_id)
    first_visit = {
        senior_id: (last_name, first_name, day)
        for senior_id, last_name, first_name, day in db.session.execute(
            sa.select(BilledVisit.senior_id, Volunteer.last_name, Volunteer.first_name, BilledVisit.on)
            .join(Volunteer, Volunteer.id == BilledVisit.volunteer_id)
            .where(BilledVisit.run_id == run_id)
            .order_by(BilledVisit.on.desc(), BilledVisit.start.desc(), BilledVisit.id.desc())
        )
    }  # the last row per senior wins: the earliest visit
    documents = sorted(
        billing_run.documents,
        key=lambda d: (*first_visit.get(d.senior_id, ("", "", billing_run.month)), d.senior.sort_name, d.id),
    )
    paths = [Path(billing_run.documents_dir) / d.file_name for d in documents]
    paths = [path for path in paths if path.is_file()]
    if not paths:
        abort(404)
    month = Month.of(billing_run.month)
    return send_file(
        io.BytesIO(merge_pdfs(paths)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"Leistungsnachweise-{month.iso}-zum-Unterschreiben.pdf",
    )


@bp.route("/rechnungen/<int:invoice_id>/storno", methods=["GET", "POST"])
def storno(invoice_id: int):
    """Cancel an invoice with a reason and corrected minutes: first the correction plan, nothing changes yet."""
    require_role(*MAY_BILL)
    invoice = db.get_or_404(Invoice, invoice_id)
    if invoice.kind != "invoice":
        abort(404)
    visits = _visits_of(invoice)
    form = StornoForm()
    errors: dict[int, str] = {}
    if form.validate_on_submit():
        corrections = _corrections(visits, errors)
        if not errors:
            try:
                request_ = storno_request(invoice, corrections)
                plan = plan_of(request_)
            except AccountingError as error:
                form.reason.errors.append(str(error))
            else:
                apply_form = ApplyCorrectionForm(formdata=None, reason=form.reason.data, plan=plan.fingerprint)
                action = url_for(".storno_apply", invoice_id=invoice.id)
                return _plan_page(plan, apply_form, action, invoice=invoice, corrections=corrections)
    return render_template("accounting/storno.html", invoice=invoice, visits=visits, form=form, errors=errors)


@bp.post("/rechnungen/<int:invoice_id>/storno/ausfuehren")
def storno_apply(invoice_id: int):
    """„Korrektur ausführen“ for a Storno: apply exactly the plan shown, once."""
    require_role(*MAY_BILL)
    invoice = db.get_or_404(Invoice, invoice_id)
    if invoice.kind != "invoice":
        abort(404)
    errors: dict[int, str] = {}
    corrections = _corrections(_visits_of(invoice), errors)
    if errors:
        abort(400, description="; ".join(errors.values()))
    return _apply(
        lambda: storno_request(invoice, corrections),
        url_for(".storno_apply", invoice_id=invoice.id),
        invoice=invoice,
        corrections=corrections,
    )


@bp.route("/korrektur/personen/<int:senior_id>")
def senior_plan(senior_id: int):
    """The correction plan of a senior's billed months after a retroactive change (Pflegegrad, …)."""
    senior = db.get_or_404(Senior, senior_id)
    pending = pending_request(senior)
    if pending is None:
        return render_template("accounting/plan.html", plan=None, senior=senior)
    request_, reasons = pending
    plan = plan_of(request_)
    apply_form = ApplyCorrectionForm(formdata=None, reason="; ".join(reasons)[:300], plan=plan.fingerprint)
    return _plan_page(plan, apply_form, url_for(".senior_apply", senior_id=senior.id), senior=senior)


@bp.post("/korrektur/personen/<int:senior_id>")
def senior_apply(senior_id: int):
    """„Korrektur ausführen“ for a retroactive change: apply exactly the plan shown, once."""
    require_role(*MAY_BILL)
    senior = db.get_or_404(Senior, senior_id)
    pending = pending_request(senior)
    if pending is None:
        flash(_("Für diese Person ist keine Korrektur offen."), "info")
        return redirect(url_for("budget.detail", senior_id=senior.id))
    return _apply(lambda: pending[0], url_for(".senior_apply", senior_id=senior.id), senior=senior)


def _plan_page(plan, form: ApplyCorrectionForm, action: str, *, status: int = 200, **context):
    return (
        render_template(
            "accounting/plan.html",
            plan=plan,
            form=form,
            action=action,
            kind_label=recipient_kind_label,
            may_bill=current_user.role in MAY_BILL,
            **context,
        ),
        status,
    )


def _apply(make_request, action: str, **context):
    """Apply the plan the form names (its fingerprint) in one unit of work; a repeat of the same form or a plan
    that changed since it was shown changes nothing."""
    form = ApplyCorrectionForm()
    if not form.validate_on_submit():
        try:
            plan = plan_of(make_request())
        except AccountingError as error:
            flash(str(error), "error")
            return redirect(url_for(".index"))
        form.plan.data = plan.fingerprint
        return _plan_page(plan, form, action, status=400, **context)
    if (repeat := repeated(form)) is not None:
        return repeat
    try:
        request_ = make_request()
        result = apply_correction(request_, reason=form.reason.data, expected=form.plan.data)
        target = url_for(".detail", run_id=_run_id(result))
        remember(form, target)
        commit_with_files(result.staged)
    except AccountingError as error:
        db.session.rollback()
        if str(error) != CHANGED:
            flash(str(error), "error")
            return redirect(url_for(".index"))
        flash(str(error), "error")
        try:
            plan = plan_of(request_)
        except AccountingError:
            return redirect(url_for(".index"))
        fresh = ApplyCorrectionForm(formdata=None, reason=form.reason.data, plan=plan.fingerprint)
        return _plan_page(plan, fresh, action, status=409, **context)
    stornos = ", ".join(i.number for i in result.stornos) or "keine"
    numbers = ", ".join(i.number for i in result.invoices) or "keine"
    months = ", ".join(m.label for m in result.months)
    flash(
        _(
            ("Korrektur ausgeführt (%(months)s): Storno %(stornos)s; neue Rechnung(en): %(numbers)s."),
            months=months,
            stornos=stornos,
            numbers=numbers,
        ),
        "success",
    )
    return redirect(target)


def _run_id(result) -> int:
    rows = result.invoices or result.stornos
    return min(rows, key=lambda r: r.month).run_id


def _visits_of(invoice: Invoice) -> list[BilledVisit]:
    return db.session.scalars(
        sa.select(BilledVisit)
        .where(
            sa.or_(BilledVisit.kasse_invoice_id == invoice.id, BilledVisit.senior_invoice_id == invoice.id),
            sa.not_(BilledVisit.is_cancelled),
        )
        .options(selectinload(BilledVisit.senior), selectinload(BilledVisit.volunteer))
        .order_by(BilledVisit.on, BilledVisit.start)
    ).all()


def _corrections(visits: list[BilledVisit], errors: dict[int, str]) -> dict[int, int | None]:
    corrections = {}
    for visit in visits:
        if visit.appointment_id is None:  # a Demenzgruppe session: billed per attendance, no minutes to correct
            continue
        raw = request.form.get(f"minutes-{visit.appointment_id}", "").strip()
        if raw == "" or raw == str(visit.minutes):
            continue
        try:
            minutes = parse_int(raw, low=0, high=720)
        except InputError:
            errors[visit.appointment_id] = "Bitte eine Dauer von 0 bis 720 Minuten angeben."
            continue
        corrections[visit.appointment_id] = minutes or None
    return corrections


@bp.route("/auszahlungen")
@cached
def payout_list():
    """The monthly payout list of volunteer allowances with the yearly sum against the tax-free cap."""
    month = query_month(default=_last_month())
    page, rows = payout_page(month, page=query_page(), per_page=current_app.config["ITEMS_PER_PAGE"])
    return render_template("accounting/payouts.html", month=month, rows=rows, page=page)


@bp.route("/export/<kind>")
def export(kind: str):
    """Download an export of a month: hours, invoices or allowances, as CSV or XLSX."""
    if kind not in KINDS:
        abort(404)
    month = query_month(default=_last_month())
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    buffer = io.BytesIO()
    write_export(kind, month, buffer, xlsx=fmt == "xlsx")
    buffer.seek(0)
    mimetype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=export_name(kind, month, fmt))
