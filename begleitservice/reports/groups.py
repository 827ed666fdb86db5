"""The Demenzbetreuungsgruppen in the reports: one home for how group sessions count.

Group sessions (several seniors and volunteers per session) are kept by the groups feature; until its models are
in this tree there is nothing to count and every figure here is empty, so the reports show 0,00 hours for the
groups beyond any Begleitung recorded with the offer "Demenzgruppe".
"""

from __future__ import annotations

from .periods import Period


def placed_expression():
    """SQL truth of "this request got a group place" (correlated with Request), or None without groups."""
    return None


def figures(period: Period, by: str) -> dict:
    """Per area key (and "Gesamt"): Figures with minutes, seniors and volunteers of attended group sessions."""
    return {}
