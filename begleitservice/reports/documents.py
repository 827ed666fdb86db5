"""The annual report as a PDF for the city's committees, with the document engine of the billing documents."""

from __future__ import annotations

import click


def annual_pdf(report, previous, sozialraeume, missing) -> bytes:
    """The PDF of the annual report (tables, charts, the previous year beside it)."""
    raise click.ClickException("Die PDF-Ausgabe des Berichts ist noch nicht verfügbar: bitte csv oder xlsx wählen.")
