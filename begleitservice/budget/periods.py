"""Dated histories on a senior's budget page: living situation (zu Hause / im Pflegeheim / verstorben) and the
Abtretungserklärungen (given, revoked, given again). Functions flush, never commit; bad input raises BudgetError.

Rules (German messages, nothing changes on error):
- Periods of one history never overlap; an open end (no "bis", not revoked) runs for ever.
- Dates lie in the planning window; a move or an Abtretung may be entered at most FUTURE_DAYS ahead; a death,
  the date on a declaration, and a revocation's effect are facts: not after today (the revocation may take
  effect up to FUTURE_DAYS ahead).
- "verstorben" has no end; nothing can start after it.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from billing.eligibility import Living
from billing.money import format_date

from ..accounting.corrections import note_retroactive_change
from ..clock import today as service_today
from ..extensions import db
from ..inputs import date_error
from ..models import Senior, User
from ..models.budget import AbtretungPeriod, LivingSituation
from .operations import BudgetError

log = logging.getLogger(__name__)

FUTURE_DAYS = 31


def _overlaps(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    return (end is None or other_start <= end) and (other_end is None or start <= other_end)


def _span(start: date, end: date | None) -> str:
    return f"ab {format_date(start)}" if end is None else f"{format_date(start)} bis {format_date(end)}"


def _window_errors(fields: dict[str, date | None], today: date) -> dict[str, str]:
    errors = {name: message for name, day in fields.items() if (message := date_error(day, "plan", today=today))}
    ahead = today + timedelta(days=FUTURE_DAYS)
    for name, day in fields.items():
        if name not in errors and day is not None and day > ahead:
            errors[name] = _(
                "Das Datum %(day)s liegt mehr als %(future_days)s Tage in der Zukunft.",
                day=format_date(day),
                future_days=FUTURE_DAYS,
            )
    return errors


def living_history(senior: Senior) -> list[LivingSituation]:
    """The senior's living-situation periods, oldest first."""
    return list(
        db.session.scalars(
            sa.select(LivingSituation)
            .where(LivingSituation.senior_id == senior.id)
            .order_by(LivingSituation.valid_from, LivingSituation.id)
        )
    )


def add_living_situation(
    senior: Senior,
    *,
    situation: str,
    valid_from: date | None,
    valid_until: date | None = None,
    note: str | None = None,
    user: User | None = None,
    today: date | None = None,
) -> LivingSituation:
    """Record where the senior lived from ``valid_from`` (to ``valid_until``)."""
    today = today or service_today()
    errors: dict[str, str] = {}
    if situation not in {s.value for s in Living}:
        errors["situation"] = _("Bitte zu Hause, im Pflegeheim oder verstorben wählen.")
    if valid_from is None:
        errors["valid_from"] = _("Bitte das Datum angeben, ab dem das gilt.")
    errors |= _window_errors({"valid_from": valid_from, "valid_until": valid_until}, today)
    if errors:
        raise BudgetError(errors)
    if situation == Living.VERSTORBEN:
        if valid_until is not None:
            raise BudgetError({"valid_until": "Beim Sterbedatum gibt es kein „bis“."})
        if valid_from > today:
            raise BudgetError({"valid_from": "Das Sterbedatum liegt in der Zukunft."})
    if valid_until is not None and valid_until < valid_from:
        raise BudgetError({"valid_until": "„Bis“ kann nicht vor „ab“ liegen."})
    for other in living_history(senior):
        if _overlaps(valid_from, valid_until, other.valid_from, other.valid_until):
            raise BudgetError(
                {
                    "valid_from": f"Überschneidet sich mit „{other.label}“ {_span(other.valid_from, other.valid_until)}"
                    " – bitte den Zeitraum dort beenden oder löschen."
                }
            )
    row = LivingSituation(
        senior=senior,
        situation=situation,
        valid_from=valid_from,
        valid_until=valid_until,
        note=(note or "").strip() or None,
        created_by=user,
    )
    db.session.add(row)
    db.session.flush()
    note_retroactive_change(senior, valid_from, f"Wohnsituation „{row.label}“ ab {format_date(valid_from)} eingetragen")
    log.info("senior %s: living situation %s from %s", senior.id, situation, valid_from)
    return row


def abtretung_history(senior: Senior) -> list[AbtretungPeriod]:
    """The senior's Abtretungserklärungen, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AbtretungPeriod)
            .where(AbtretungPeriod.senior_id == senior.id)
            .order_by(AbtretungPeriod.given_on, AbtretungPeriod.id)
        )
    )


def _abtretung_errors(
    senior: Senior,
    given_on: date | None,
    document_on: date | None,
    revoked_on: date | None,
    *,
    today: date,
    skip: AbtretungPeriod | None = None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if given_on is None:
        errors["given_on"] = _("Bitte angeben, ab wann die Abtretung gilt.")
    if document_on is None:
        errors["document_on"] = _("Bitte das Datum der Erklärung angeben.")
    errors |= _window_errors({"given_on": given_on, "document_on": document_on, "revoked_on": revoked_on}, today)
    if errors:
        return errors
    if document_on > today:
        return {"document_on": "Das Datum der Erklärung liegt in der Zukunft."}
    if revoked_on is not None and revoked_on < given_on:
        return {"revoked_on": "Der Widerruf kann nicht vor der Erteilung der Abtretung liegen."}
    for other in abtretung_history(senior):
        if other is not skip and _overlaps(given_on, revoked_on, other.given_on, other.revoked_on):
            end = other.revoked_on
            span = _span(other.given_on, None if end is None else end - timedelta(days=1))
            return {
                "given_on": f"Überschneidet sich mit der Abtretung {span}"
                + (" – bitte diese zuerst widerrufen." if end is None else ".")
            }
    return {}


def add_abtretung(
    senior: Senior,
    *,
    given_on: date | None,
    document_on: date | None,
    revoked_on: date | None = None,
    note: str | None = None,
    user: User | None = None,
    today: date | None = None,
) -> AbtretungPeriod:
    """Record an Abtretungserklärung valid from ``given_on`` (up to the day before ``revoked_on``)."""
    today = today or service_today()
    if errors := _abtretung_errors(senior, given_on, document_on, revoked_on, today=today):
        raise BudgetError(errors)
    period = AbtretungPeriod(
        senior=senior,
        given_on=given_on,
        document_on=document_on,
        revoked_on=revoked_on,
        note=(note or "").strip() or None,
        created_by=user,
    )
    db.session.add(period)
    db.session.flush()
    note_retroactive_change(senior, given_on, f"Abtretung ab {format_date(given_on)} eingetragen")
    log.info("senior %s: Abtretung from %s", senior.id, given_on)
    return period


def revoke_abtretung(
    senior: Senior, period: AbtretungPeriod, *, revoked_on: date | None, today: date | None = None
) -> AbtretungPeriod:
    """Record the revocation of ``period`` from ``revoked_on`` (visits on that day go to the senior)."""
    today = today or service_today()
    if revoked_on is None:
        raise BudgetError({"revoked_on": "Bitte das Datum des Widerrufs angeben."})
    errors = _abtretung_errors(senior, period.given_on, period.document_on, revoked_on, today=today, skip=period)
    if errors:
        raise BudgetError({"revoked_on": next(iter(errors.values()))})
    period.revoked_on = revoked_on
    db.session.flush()
    note_retroactive_change(senior, revoked_on, f"Abtretung zum {format_date(revoked_on)} widerrufen")
    log.info("senior %s: Abtretung %s revoked from %s", senior.id, period.id, revoked_on)
    return period


def import_abtretung_error(senior: Senior | None, given_on: date | None, revoked_on: date | None) -> str | None:
    """German message if the import columns "Abtretung am"/"widerrufen am" do not fit the senior's history."""
    if given_on is None:
        return "Ein Widerruf braucht das Datum, an dem die Abtretung erteilt wurde." if revoked_on else None
    if revoked_on is not None and revoked_on < given_on:
        return "Der Widerruf muss am oder nach dem Datum der Abtretung liegen."
    latest = senior.latest_abtretung if senior is not None and senior.id is not None else None
    if latest is None or latest.given_on == given_on:
        return None
    if latest.revoked_on is None or given_on < latest.revoked_on:
        return (
            f"Die Abtretung ab {format_date(latest.given_on)} gilt noch; eine neue kann erst nach ihrem Widerruf "
            "beginnen (auf der Seite Entlastungsbetrag)."
        )
    return None


def apply_imported_abtretung(senior: Senior, given_on: date | None, revoked_on: date | None) -> None:
    """The import's two columns describe the latest Abtretung: update it, or add one given again after it."""
    if given_on is None:
        return  # an empty column leaves the history as it is
    latest = senior.latest_abtretung
    if latest is not None and latest.given_on == given_on:
        latest.revoked_on = revoked_on
    else:
        senior.abtretungen.append(
            AbtretungPeriod(given_on=given_on, document_on=given_on, revoked_on=revoked_on, note="Import")
        )
    if senior.id is not None:  # a changed route may reach billed months
        note_retroactive_change(senior, given_on, f"Abtretung ab {format_date(given_on)} importiert")
