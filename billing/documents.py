"""PDFs of the monthly run: Leistungsnachweise and invoices, from Jinja2 templates through WeasyPrint.

A ``Renderer`` loads the templates, the stylesheet and the fonts once. ``render_many`` lays out many
documents in one WeasyPrint pass and cuts the result into one PDF per document (much faster than one pass per
document, see bench/billing_bench.py); ``render_combined`` returns them as one PDF for printing.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from itertools import pairwise, repeat
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from billing.invoices import Invoice
from billing.money import format_date, format_eur, format_hours, format_time
from billing.run import Leistungsnachweis

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "billing" / "pdf"

Document = Leistungsnachweis | Invoice


class Renderer:
    """Renders billing documents; create one per thread and reuse it (``renderer()`` does)."""

    def __init__(self, template_dir: Path | str | None = None) -> None:
        self.template_dir = Path(template_dir or DEFAULT_TEMPLATE_DIR)
        self.env = Environment(
            loader=FileSystemLoader(self.template_dir),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(eur=format_eur, date_de=format_date, time_de=format_time, hours_de=format_hours)
        from weasyprint import CSS  # the PDF engine loads only when documents are rendered
        from weasyprint.text.fonts import FontConfiguration

        self.fonts = FontConfiguration()
        self.css = CSS(filename=str(self.template_dir / "billing.css"), font_config=self.fonts)

    def html(self, docs: Sequence[Document], *, title: str = "Abrechnung") -> str:
        """The HTML of ``docs``, one section per document with the anchor ``doc-<index>``."""
        entries = [(_kind(doc), doc, index, _payment_due(doc)) for index, doc in enumerate(docs)]
        return self.env.get_template("document.html").render(docs=entries, title=title)

    def _layout(self, docs: Sequence[Document]):
        from weasyprint import HTML

        html = HTML(string=self.html(docs), base_url=str(self.template_dir))
        return html.render(stylesheets=[self.css], font_config=self.fonts)

    def render(self, doc: Document) -> bytes:
        """One document as a PDF."""
        return self._layout([doc]).write_pdf()

    def render_combined(self, docs: Sequence[Document]) -> bytes:
        """All ``docs`` in one PDF, each starting on a new page (for printing a whole month)."""
        return self._layout(docs).write_pdf()

    def render_many(self, docs: Sequence[Document]) -> list[bytes]:
        """One PDF per document, laid out in a single pass and cut at each document's first page."""
        if not docs:
            return []
        document = self._layout(docs)
        starts = {}
        for page_index, page in enumerate(document.pages):
            for anchor in page.anchors:
                if anchor.startswith("doc-"):
                    starts.setdefault(int(anchor[4:]), page_index)
        if len(starts) != len(docs):
            raise RuntimeError("could not find the first page of every document")
        bounds = [starts[i] for i in range(len(docs))] + [len(document.pages)]
        return [document.copy(document.pages[a:b]).write_pdf() for a, b in pairwise(bounds)]


_local = threading.local()


def renderer(template_dir: str | None = None) -> Renderer:
    """This thread's renderer for a template directory (Pango's font state is not safe across threads)."""
    renderers = _local.__dict__.setdefault("renderers", {})
    if template_dir not in renderers:
        renderers[template_dir] = Renderer(template_dir)
    return renderers[template_dir]


def render_leistungsnachweis(ln: Leistungsnachweis, *, template_dir: str | None = None) -> bytes:
    """The Leistungsnachweis of one senior and month as a PDF."""
    return renderer(template_dir).render(ln)


def render_invoice(invoice: Invoice, *, template_dir: str | None = None) -> bytes:
    """An invoice or Storno as a PDF."""
    return renderer(template_dir).render(invoice)


def render_all(
    docs: Sequence[Document], *, workers: int | None = None, chunk: int = 100, template_dir: str | None = None
) -> list[bytes]:
    """One PDF per document, in order: chunks of ``chunk`` documents laid out in one pass each, spread over
    ``workers`` processes (default: all CPUs; 1 renders in this process)."""
    chunks = [list(docs[i : i + chunk]) for i in range(0, len(docs), chunk)]
    workers = min(workers or os.cpu_count() or 1, len(chunks))
    if workers <= 1:
        return [pdf for part in chunks for pdf in _render_chunk(template_dir, part)]
    log.info("rendering %d documents in %d chunks on %d processes", len(docs), len(chunks), workers)
    context = multiprocessing.get_context("spawn")  # no fork of a threaded web app
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return [pdf for part in pool.map(_render_chunk, repeat(template_dir), chunks) for pdf in part]


def _render_chunk(template_dir: str | None, docs: list[Document]) -> list[bytes]:
    return renderer(template_dir).render_many(docs)


def _kind(doc: Document) -> str:
    if isinstance(doc, Leistungsnachweis):
        return "leistungsnachweis"
    if isinstance(doc, Invoice):
        return "invoice"
    raise TypeError(f"cannot render {type(doc).__name__}")


def _payment_due(doc: Document):
    if isinstance(doc, Invoice) and doc.issued_on is not None:
        return doc.issued_on + timedelta(days=doc.provider.payment_days)
    return None
