"""Is a month complete enough to close? The problems to fix (or to accept explicitly) before the run.

Visits of the Häusliche Entlastung (what the run bills), after the month is over:
- held without minutes: left out of the run (it bills reported minutes only); once the minutes are reported
  after the lock they are billed as a Nachberechnung of their month.
- still planned or confirmed: nobody said whether it took place; left out like the above.
- minutes far from the planned duration (more than ``deviation_percent`` of it, either way): billed as
  reported, listed so that a typing error is caught before the invoice goes out.
Seniors with billed visits: visits without a claim on their day (billed privately), reported other use beyond
the balance (ask the Pflegekasse), KVNR missing or invalid, no Pflegekasse although the Entlastungsbetrag or
the Umwandlung is claimed or an Abtretungserklärung is on file (the money cannot be claimed), an invalid IK of
the Pflegekasse. Check digits: billing.identifiers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from billing.eligibility import Eligibility
from billing.identifiers import ik_error, kvnr_error
from billing.invoices import BilledLine, Senior
from billing.ledger import Ledger
from billing.money import format_date, format_eur, format_time, minutes_between


class ProblemKind(StrEnum):
    """What is wrong; the first two leave a visit out of the run."""

    HELD_WITHOUT_MINUTES = "ohne_minuten"
    NOT_CLOSED = "nicht_abgeschlossen"
    MINUTES_DEVIATE = "abweichung"
    NOT_ELIGIBLE = "kein_anspruch"
    BALANCE = "kontostand"
    KVNR = "kvnr"
    PFLEGEKASSE = "pflegekasse"
    IK = "ik"


LEAVES_OUT = (ProblemKind.HELD_WITHOUT_MINUTES, ProblemKind.NOT_CLOSED)
KIND_LABELS = {  # German, for the counts per kind on the preview
    ProblemKind.NOT_CLOSED: "Termin weder als stattgefunden noch als abgesagt erfasst",
    ProblemKind.HELD_WITHOUT_MINUTES: "Termin stattgefunden, ohne Minuten",
    ProblemKind.MINUTES_DEVIATE: "Minuten weichen von der Planung ab",
    ProblemKind.NOT_ELIGIBLE: "kein Anspruch auf den Entlastungsbetrag",
    ProblemKind.BALANCE: "sonstige Nutzung übersteigt das Guthaben",
    ProblemKind.KVNR: "Versichertennummer fehlt oder ist ungültig",
    ProblemKind.PFLEGEKASSE: "Pflegekasse fehlt",
    ProblemKind.IK: "Institutionskennzeichen der Pflegekasse fehlt oder ist ungültig",
}
LEFT_OUT_LABELS = {
    ProblemKind.HELD_WITHOUT_MINUTES: "stattgefunden, ohne Minuten",
    ProblemKind.NOT_CLOSED: "weder bestätigt als stattgefunden noch abgesagt",
}


@dataclass(frozen=True)
class Visit:
    """An Entlastung visit of the month that was not called off, as the app stores it."""

    ref: str
    senior_ref: str
    senior_name: str
    volunteer_name: str
    day: date
    start: time
    end: time
    status_label: str  # German, as the pages show it
    held: bool
    minutes: int | None = None

    @property
    def planned_minutes(self) -> int:
        return minutes_between(self.start, self.end)


@dataclass(frozen=True)
class Problem:
    """One open point with its German text; ``visit_ref`` for a visit, else it concerns the senior (or her
    Pflegekasse when ``kind`` is IK)."""

    kind: ProblemKind
    text: str
    senior_ref: str
    visit_ref: str | None = None

    @property
    def leaves_out(self) -> bool:
        return self.kind in LEAVES_OUT

    def __str__(self) -> str:
        return self.text


def _when(visit: Visit) -> str:
    return f"Termin am {format_date(visit.day)} {format_time(visit.start)}–{format_time(visit.end)}"


def visit_problem(visit: Visit, *, deviation_percent: int) -> Problem | None:
    """The problem of one visit of a month that is over, or None."""

    def who() -> str:
        return f"{visit.senior_name}: {_when(visit)} ({visit.volunteer_name})"

    if not visit.held:
        text = (
            f"{who()} ist noch „{visit.status_label}“ – bitte als stattgefunden (mit Minuten), abgesagt oder "
            "ausgefallen erfassen; sonst wird er nicht abgerechnet."
        )
        return Problem(ProblemKind.NOT_CLOSED, text, visit.senior_ref, visit.ref)
    if visit.minutes is None:
        text = f"{who()} hat stattgefunden, aber die Minuten fehlen – ohne Minuten wird er nicht abgerechnet."
        return Problem(ProblemKind.HELD_WITHOUT_MINUTES, text, visit.senior_ref, visit.ref)
    planned = visit.planned_minutes
    if planned and abs(visit.minutes - planned) * 100 > deviation_percent * planned:
        text = f"{who()}: {visit.minutes} Minuten gemeldet, geplant waren {planned} – bitte prüfen."
        return Problem(ProblemKind.MINUTES_DEVIATE, text, visit.senior_ref, visit.ref)
    return None


def visit_problems(visits: Iterable[Visit], *, deviation_percent: int) -> list[Problem]:
    """The problems of the month's visits, in date order."""
    ordered = sorted(visits, key=lambda v: (v.day, v.start, v.senior_name, v.ref))
    return [p for v in ordered if (p := visit_problem(v, deviation_percent=deviation_percent)) is not None]


def senior_problems(
    senior: Senior, billed: Sequence[BilledLine], ledger: Ledger, *, eligibility: Eligibility
) -> list[Problem]:
    """What keeps the billing data of a senior with billed visits from being complete; what they say about
    coverage is read from the billed splits."""
    if not billed:
        return []
    who, ref, found = f"{senior.name} ({senior.ref})", senior.ref, []
    without = [ledger.splits[bl.line.ref] for bl in billed if not ledger.splits[bl.line.ref].eligible]
    if without:
        days = "; ".join(eligibility.why_not(cs.day or cs.month.last_day) for cs in without)
        scope = (
            "alle Besuche werden"
            if len(without) == len(billed)
            else f"{len(without)} von {len(billed)} Besuchen werden"
        )
        text = f"{who}: kein Anspruch auf den Entlastungsbetrag am Besuchstag ({days}) – {scope} privat berechnet."
        found.append(Problem(ProblemKind.NOT_ELIGIBLE, text, ref))
    row = ledger.get(billed[0].line.month)
    if row is not None and row.needs_balance_check:
        text = (
            f"{who}: gemeldete sonstige Nutzung übersteigt das Guthaben um {format_eur(row.other_use_excess)} – "
            "Kontostand bei der Pflegekasse erfragen."
        )
        found.append(Problem(ProblemKind.BALANCE, text, ref))
    claims = len(without) < len(billed) or any(bl.split.entlastungsbetrag or bl.split.umwandlung for bl in billed)
    if claims:
        error = kvnr_error(senior.kvnr) if senior.kvnr else "keine Versichertennummer (KVNR) erfasst."
        if error:
            found.append(Problem(ProblemKind.KVNR, f"{who}: {error}", ref))
    if senior.pflegekasse is None:
        if senior.abtretungen:
            text = f"{who}: Abtretungserklärung liegt vor, aber keine Pflegekasse ist erfasst."
            found.append(Problem(ProblemKind.PFLEGEKASSE, text, ref))
        elif claims:
            text = f"{who}: keine Pflegekasse erfasst – der Entlastungsbetrag kann nicht erstattet werden."
            found.append(Problem(ProblemKind.PFLEGEKASSE, text, ref))
    elif error := ik_error(senior.pflegekasse.ik):
        found.append(Problem(ProblemKind.IK, f"{who}: {senior.pflegekasse.name}: {error}", ref))
    return found
