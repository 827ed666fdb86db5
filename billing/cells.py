"""Spreadsheet cells that stay data: text a spreadsheet would run as a formula gets a leading apostrophe.

OWASP "CSV injection": Excel and LibreOffice treat a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (``=HYPERLINK(…)`` in a volunteer's name becomes a live link in the payout list).
Every CSV and XLSX export passes each value through :func:`neutralise`; numbers, dates and amounts are no text and
stay as they are, so a negative amount remains a number. The importer removes the apostrophe again
(:func:`restore`), so an export read back gives the same names.
"""

from typing import Any

# The full-width forms are read as formulas by Excel in East Asian locales.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    """``value`` for a spreadsheet cell: text that could start a formula gets a leading ``'``; anything else as is."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text as it was before :func:`neutralise` (for reading an export back in)."""
    if text.startswith("'") and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text
