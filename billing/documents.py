"""PDFs of the monthly run (Leistungsnachweise, invoices), laid out with Typst as PDF/A-2b.

``render(template, data)`` is the one entry point, for these documents and any other PDF of the app: ``template``
is a Typst module under ``templates/`` (``billing/invoice.typ``) that defines ``layout(d)``; ``data`` is one
JSON-able dict, or a list of them for one file holding many documents (each with its own "Seite n von m"). The
dicts carry text already formatted in German (``leistungsnachweis_data``, ``invoice_data``), so a template only
lays out and a new field is one key here and one line there.

The fonts are the committed DejaVu Sans (``templates/billing/fonts``, system fonts ignored): the same PDF on every
machine, every glyph embedded as PDF/A requires. ``render_all`` renders a month's documents, large runs spread
over processes that live only as long as the call.
"""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from billing.identifiers import format_iban
from billing.invoices import Invoice, InvoiceKind, RecipientKind, Senior
from billing.ledger import Split
from billing.lines import SERVICE_LABELS, Service, is_group_ref, times_agree
from billing.money import format_date, format_eur, format_hours, format_time
from billing.provider import Provider
from billing.run import Leistungsnachweis

log = logging.getLogger(__name__)

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent / "templates"
FONT_DIR = TEMPLATE_ROOT / "billing" / "fonts"
PDF_STANDARD = "a-2b"  # PDF/A-2b: archivable for the 8 years of §147 AO

Document = Leistungsnachweis | Invoice
Progress = Callable[[int, int], None]

TIMES_NOTE = "Beginn und Ende stehen nur dort, wo sie mit den gemeldeten Minuten übereinstimmen."

MAIN = TEMPLATE_ROOT / "billing" / "main.typ"  # imports the module named in the inputs, lays out each document

_local = threading.local()


def compiler():
    """This thread's Typst compiler (it keeps fonts and parsed templates between documents)."""
    compiler = getattr(_local, "compiler", None)
    if compiler is None:
        import typst  # loaded only where documents are rendered

        compiler = _local.compiler = typst.Compiler(
            str(MAIN), root=str(TEMPLATE_ROOT), font_paths=[str(FONT_DIR)], ignore_system_fonts=True
        )
    return compiler


def render(
    template: str,
    data: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    title: str | None = None,
    author: str | None = None,
) -> bytes:
    """A PDF/A-2b of ``data`` (one document's dict or a list of them) laid out by ``template``'s ``layout(d)``.

    ``title`` and ``author`` go into the PDF's metadata (default: the first document's ``title`` and ``author``).
    """
    docs = [data] if isinstance(data, Mapping) else list(data)
    if not docs:
        raise ValueError("nothing to render")
    if not (TEMPLATE_ROOT / template).is_file():
        raise FileNotFoundError(f"no Typst template {template} under {TEMPLATE_ROOT}")
    inputs = {
        "module": f"/{template}",
        "data": json.dumps(docs, ensure_ascii=False),
        "title": title if title is not None else str(docs[0].get("title", "")),
        "author": author if author is not None else str(docs[0].get("author", "")),
    }
    return compiler().compile(sys_inputs=inputs, pdf_standards=[PDF_STANDARD])


# --- the billing documents -------------------------------------------------------------------------------------


def template_of(doc: Document) -> str:
    """The Typst module that lays out ``doc``."""
    if isinstance(doc, Leistungsnachweis):
        return "billing/leistungsnachweis.typ"
    if isinstance(doc, Invoice):
        return "billing/invoice.typ"
    raise TypeError(f"cannot render {type(doc).__name__}")


def document_data(doc: Document) -> dict[str, Any]:
    """The JSON-able dict a template receives for ``doc``."""
    if isinstance(doc, Leistungsnachweis):
        return leistungsnachweis_data(doc)
    if isinstance(doc, Invoice):
        return invoice_data(doc)
    raise TypeError(f"cannot render {type(doc).__name__}")


def render_document(doc: Document) -> bytes:
    """One Leistungsnachweis or invoice as a PDF/A."""
    return render(template_of(doc), document_data(doc))


def render_leistungsnachweis(ln: Leistungsnachweis) -> bytes:
    """The Leistungsnachweis of one senior and month as a PDF/A."""
    return render_document(ln)


def render_invoice(invoice: Invoice) -> bytes:
    """An invoice or Storno as a PDF/A."""
    return render_document(invoice)


def render_combined(
    docs: Sequence[Leistungsnachweis], *, title: str = "Leistungsnachweise zum Unterschreiben"
) -> bytes:
    """Leistungsnachweise in one PDF for printing (each from a new page, with its own page numbers)."""
    if not docs:
        raise ValueError("nothing to render")
    author = docs[0].provider.name
    return render(
        "billing/leistungsnachweis.typ", [leistungsnachweis_data(d) for d in docs], title=title, author=author
    )


def merge_pdfs(pdfs: Sequence[bytes | Path]) -> bytes:
    """Finished PDFs (bytes or paths) as one file, in order, for printing (no re-rendering; each keeps its own
    "Seite n von m")."""
    import pikepdf

    merged = pikepdf.new()
    sources = []
    try:
        for pdf in pdfs:
            source = pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
            sources.append(source)
            merged.pages.extend(source.pages)
        buffer = io.BytesIO()
        merged.save(buffer)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()


def render_all(
    docs: Sequence[Document],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    parallel_from: int = 80,
) -> list[bytes]:
    """One PDF per document, in order; ``progress(done, total)`` after each one (in the calling thread).

    From ``parallel_from`` documents on they are spread over ``workers`` processes (default: all CPUs; a spawned
    process costs about half a second, so fewer documents render faster here). The processes belong to this call:
    they are killed when it returns or fails, and each dies with its parent (``PR_SET_PDEATHSIG``) should this
    process be killed, so none outlives its run."""
    total = len(docs)
    workers = max(1, min(workers or os.cpu_count() or 1, total))
    if progress:
        progress(0, total)
    pdfs: list[bytes] = []
    if workers == 1 or total < parallel_from:
        for doc in docs:
            pdfs.append(render_document(doc))
            if progress:
                progress(len(pdfs), total)
        return pdfs
    log.info("rendering %d documents on %d processes", total, workers)
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_die_with_parent)
    try:
        for pdf in pool.imap(render_document, docs, chunksize=16):  # the dicts and QR codes made there too
            pdfs.append(pdf)
            if progress:
                progress(len(pdfs), total)
    finally:
        pool.terminate()  # also on success: nothing stays behind
        pool.join()
    return pdfs


def _die_with_parent() -> None:
    """In a render process: get SIGKILL when the parent dies (Linux), so no renderer is ever orphaned."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call
            os._exit(1)
    except OSError:  # not Linux: the pool's terminate() in the parent still applies
        pass


# --- data of the templates ---------------------------------------------------------------------------------------


def _split(split: Split) -> dict[str, str]:
    return {
        "entlastungsbetrag": format_eur(split.entlastungsbetrag),
        "umwandlung": format_eur(split.umwandlung),
        "private": format_eur(split.private),
        "total": format_eur(split.total),
    }


def _senior(senior: Senior, grade_label: str) -> dict[str, Any]:
    kasse = senior.pflegekasse
    return {
        "name": senior.name,
        "birth_date": format_date(senior.birth_date) if senior.birth_date else "–",
        "address": list(senior.address),
        "kvnr": senior.kvnr or "–",
        "pflegekasse": kasse.name if kasse else "–",
        "kasse_ik": kasse.ik if kasse else "–",
        "grade": grade_label or "–",
    }


def _provider(provider: Provider) -> dict[str, Any]:
    return {
        "name": provider.name,
        "address": list(provider.address),
        "ik": provider.ik,
        "recognition": provider.recognition,
        "bank": provider.bank,
        "note": provider.note,
    }


def _times(start, end, minutes: int) -> tuple[str, str]:
    """Start and end as printed: only when they agree with the billed minutes (else a dash)."""
    if times_agree(start, end, minutes):
        return format_time(start), format_time(end)
    return "–", "–"


def leistungsnachweis_data(ln: Leistungsnachweis) -> dict[str, Any]:
    """The Leistungsnachweis as the template receives it: German text, visits in visit order."""
    visits, hidden = [], False
    for number, bl in enumerate(ln.lines, start=1):
        line, a = bl.line, bl.line.appointment
        start, end = _times(a.start, a.end, line.minutes)
        hidden |= start == "–"
        visits.append(
            {
                "ref": line.ref,
                "number": str(number),
                "day": format_date(a.day),
                "start": start,
                "end": end,
                "minutes": str(line.minutes),
                "hours": format_hours(line.hours),
                "grade": str(bl.grade) if bl.grade else "–",
                "volunteer": a.volunteer_name,
                "amount": format_eur(line.amount),
                "payer": bl.split.payer_label(),
                "note": a.note,
            }
        )
    budget = None
    if ln.budget is not None:
        budget = {"available": format_eur(ln.budget.available), "balance": format_eur(ln.budget.balance)}
    digital = [
        {
            "text": f"Digital unterschrieben am {_berlin(s.signed_at)} von {s.signer}",
            "volunteer": f"für die Einsätze von {s.volunteer}",
            "image": list(s.png),
        }
        for s in ln.digital
    ]
    groups = sorted({bl.line.appointment.volunteer_name for bl in ln.lines if _is_group(bl.line)})
    signatures = ["Ort, Datum, Unterschrift Versicherte/r oder Vertretung"]
    signatures += [f"Ort, Datum, Unterschrift Ehrenamtliche/r ({name})" for name in ln.volunteers if name not in groups]
    signatures += [f"Ort, Datum, Unterschrift Gruppenleitung ({name})" for name in groups]
    return {
        "kind": "leistungsnachweis",
        "title": f"Leistungsnachweis {ln.month.label} – {ln.senior.name}",
        "author": ln.provider.name,
        "month": str(ln.month),
        "month_label": ln.month.label,
        "note": ln.note,
        "category": ln.category,
        "senior": _senior(ln.senior, ln.grade_label),
        "provider": _provider(ln.provider),
        "visits": visits,
        "minutes": str(ln.minutes),
        "hours": format_hours(ln.hours),
        "rates": " / ".join(format_eur(rate) for rate in ln.rates),
        "rate_text": _rate_text(ln),
        "offer": " und ".join(
            SERVICE_LABELS[service]
            for service in (Service.ENTLASTUNG, Service.DEMENZGRUPPE)
            if any(_is_group(bl.line) == (service is Service.DEMENZGRUPPE) for bl in ln.lines)
        )
        or SERVICE_LABELS[Service.ENTLASTUNG],
        "total": format_eur(ln.total),
        "split": _split(ln.split),
        "budget": budget,
        "times_note": TIMES_NOTE if hidden else "",
        "signatures": signatures,
        "digital": digital,
    }


def _offer_of(refs) -> str:
    """'Häusliche Entlastung', 'Demenzbetreuungsgruppe' or both, by the lines' refs."""
    kinds = {is_group_ref(ref) for ref in refs}
    offers = [SERVICE_LABELS[Service.ENTLASTUNG]] if False in kinds or not kinds else []
    offers += [SERVICE_LABELS[Service.DEMENZGRUPPE]] if True in kinds else []
    return " und ".join(offers)


def _is_group(line) -> bool:
    return line.appointment.service is Service.DEMENZGRUPPE


def _rate_text(ln: Leistungsnachweis) -> str:
    """'Stundensatz 7,50 €', 'je Gruppentermin 22,50 €' or both, as the lines were priced."""
    priced = [bl.line for bl in ln.lines if bl.line.rate is not None]
    hourly = sorted({line.rate for line in priced if not _is_group(line) or not line.appointment.per_session})
    per_session = sorted({line.rate for line in priced if _is_group(line) and line.appointment.per_session})
    parts = []
    if hourly:
        parts.append("Stundensatz " + " / ".join(format_eur(rate) for rate in hourly))
    if per_session:
        parts.append("je Gruppentermin " + " / ".join(format_eur(rate) for rate in per_session))
    return ", ".join(parts)


def _berlin(moment) -> str:
    """'03.11.2026, 10:00 Uhr' of an aware timestamp, in Dortmund's time."""
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return f"{format_date(local.date())}, {local:%H:%M} Uhr"


def payment_due(invoice: Invoice):
    """The day the invoice is due (None while it is a draft)."""
    if invoice.issued_on is None:
        return None
    return invoice.issued_on + timedelta(days=invoice.provider.payment_days)


def payment_reference(invoice: Invoice) -> str:
    """What the payer writes in the transfer: the invoice number."""
    return f"Rechnung {invoice.number}"


def _epc_qr(invoice: Invoice):
    if (
        invoice.recipient.kind is not RecipientKind.SENIOR
        or invoice.kind is not InvoiceKind.INVOICE
        or invoice.number is None
        or invoice.total <= 0
        or not invoice.provider.iban
    ):
        return None
    import segno.helpers

    return segno.helpers.make_epc_qr(
        name=invoice.provider.account_holder or invoice.provider.name,
        iban=invoice.provider.iban,
        amount=invoice.total,
        text=payment_reference(invoice),
        bic=invoice.provider.bic or None,
    )


def _qr_svg(invoice: Invoice) -> str | None:
    qr = _epc_qr(invoice)
    if qr is None:
        return None
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", border=2, xmldecl=False)
    return buffer.getvalue().decode()


def _invoice_line(line) -> dict[str, str]:
    start, end = _times(line.start, line.end, line.minutes)
    return {
        "ref": line.ref,
        "day": format_date(line.day),
        "start": start,
        "end": end,
        "minutes": str(line.minutes),
        "hours": format_hours(line.hours),
        "rate": format_eur(line.rate),
        "grade": str(line.grade) if line.grade else "–",
        "volunteer": line.volunteer_name,
        "amount": format_eur(line.amount),
        "charged": format_eur(line.charged),
        "note": line.note,
    }


def _payment_text(invoice: Invoice) -> list[str]:
    total, due, split = format_eur(invoice.total), payment_due(invoice), invoice.split
    until = f" bis zum {format_date(due)}" if due else ""
    if invoice.kind is InvoiceKind.STORNO:
        return [f"Diese Stornorechnung hebt die Rechnung {invoice.cancels} vollständig auf."]
    account = " auf das unten genannte Konto" if invoice.provider.iban else ""
    if invoice.recipient.kind is RecipientKind.PFLEGEKASSE:
        funds = "dem Entlastungsbetrag (§45b SGB XI)"
        if split.umwandlung:
            funds += " und dem Umwandlungsanspruch (§45a Abs. 4 SGB XI)"
        return [
            f"Wir bitten um Erstattung von {total} aus {funds}{until}{account}. "
            "Die unterschriebenen Leistungsnachweise liegen bei."
        ]
    texts = [f"Bitte überweisen Sie {total}{until}{account} und geben Sie die Rechnungsnummer als Verwendungszweck an."]
    if split.insured:
        parts = f"Den Anteil aus Entlastungsbetrag ({format_eur(split.entlastungsbetrag)})"
        if split.umwandlung:
            parts += f" und Umwandlungsanspruch ({format_eur(split.umwandlung)})"
        texts.append(
            f"{parts} können Sie mit dieser Rechnung und dem Leistungsnachweis bei Ihrer Pflegekasse zur "
            "Erstattung einreichen."
        )
    return texts


def _bank(invoice: Invoice) -> dict[str, str] | None:
    provider, due = invoice.provider, payment_due(invoice)
    if invoice.kind is not InvoiceKind.INVOICE or not provider.iban or invoice.total <= 0:
        return None
    return {
        "holder": provider.account_holder or provider.name,
        "iban": format_iban(provider.iban),
        "bic": provider.bic or "–",
        "amount": format_eur(invoice.total),
        "reference": payment_reference(invoice) if invoice.number else "Rechnungsnummer",
        "due": format_date(due) if due else "–",
    }


def invoice_data(invoice: Invoice) -> dict[str, Any]:
    """The invoice or Storno as the template receives it: German text, one section per senior."""
    number = invoice.number or "ENTWURF"
    sections = []
    for section in invoice.sections:
        abtretung = ""
        if invoice.recipient.kind is RecipientKind.PFLEGEKASSE and section.abtretung:
            abtretung = (
                f"Abrechnung aufgrund der Abtretungserklärung vom {format_date(section.abtretung.dated)} (§ 398 BGB)."
            )
        elsewhere = ""
        if section.billed_elsewhere:
            elsewhere = (
                f"Nicht in dieser Rechnung: {format_eur(section.billed_elsewhere)} (privat, gesondert berechnet)."
            )
        minutes = sum(line.minutes for line in section.lines)
        sections.append(
            {
                "senior": _senior(section.senior, section.grade_label),
                "abtretung": abtretung,
                "billed_elsewhere": elsewhere,
                "lines": [_invoice_line(line) for line in section.lines],
                "minutes": str(minutes),
                "hours": format_hours(sum((line.hours for line in section.lines), Decimal("0.00"))),
                "charged": format_eur(section.charged),
                "split": _split(section.split),
            }
        )
    hidden = any(
        not times_agree(line.start, line.end, line.minutes) for section in invoice.sections for line in section.lines
    )
    recipient = invoice.recipient
    return {
        "kind": "invoice",
        "title": f"{invoice.kind.value} {number} – {recipient.name}",
        "author": invoice.provider.name,
        "kind_label": invoice.kind.value,
        "number": number,
        "is_draft": invoice.number is None,
        "issued_on": format_date(invoice.issued_on) if invoice.issued_on else "–",
        "month_label": invoice.month.label,
        "provider": _provider(invoice.provider),
        "recipient": {"name": recipient.name, "address": list(recipient.address), "ik": recipient.ik or ""},
        "is_kasse": recipient.kind is RecipientKind.PFLEGEKASSE,
        "collective": invoice.is_collective,
        "category": invoice.category,
        "offer": _offer_of(line.ref for section in invoice.sections for line in section.lines),
        "note": invoice.note,
        "cancels": invoice.cancels or "",
        "sections": sections,
        "split": _split(invoice.split),
        "times_note": TIMES_NOTE if hidden else "",
        "payment_text": _payment_text(invoice),
        "bank": _bank(invoice),
        "qr_svg": _qr_svg(invoice),
    }
