"""Budget facts the coordinator enters (opening balance, other use, Umwandlung) and the planning check.

Functions take model objects, flush and never commit; bad input raises BudgetError with German messages.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from billing.budget import check_budget
from billing.config import MissingValue
from billing.ledger import Ledger, LedgerInput, compute_ledger
from billing.money import ZERO, cents, format_eur
from billing.month import Month

from ..accounting.corrections import note_retroactive_change
from ..clock import today as service_today
from ..extensions import db
from ..inputs import date_error, month_error
from ..models import Pairing, PairingStatus, Senior, User
from ..models.budget import AbtretungPeriod, BudgetOpening, BudgetOtherUse, LivingSituation, UmwandlungDeclaration
from .charges import OwnCharges, own_charges, own_charges_of
from .inputs import ENTLASTUNG, billing_config, ledger_input, ledger_inputs

log = logging.getLogger(__name__)
K = TypeVar("K", bound=Hashable)

WEEKS_PER_MONTH = Fraction(52, 12)
ENTRY_MODELS = {
    "anfangsbestand": BudgetOpening,
    "nutzung": BudgetOtherUse,
    "umwandlung": UmwandlungDeclaration,
    "wohnsituation": LivingSituation,
    "abtretung": AbtretungPeriod,
}


class BudgetError(ValueError):
    """A budget fact cannot be saved; ``errors`` maps field names to German messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def senior_ledger(senior: Senior, *, until: Month) -> tuple[Ledger, LedgerInput, OwnCharges]:
    """The senior's ledger up to ``until`` with this service's billed and expected charges."""
    own = own_charges(senior)
    data = ledger_input(senior, charges=own.charges)
    return compute_ledger(data, config=billing_config(), until=until), data, own


def add_opening(
    senior: Senior, *, as_of: date, current_year: Decimal, carried: Decimal | None, source: str, user: User | None
) -> BudgetOpening:
    """Record an opening balance (Stand) reported by the Pflegekasse or the family."""
    carried = ZERO if carried is None else carried
    errors = {}
    if message := date_error(as_of, "plan"):
        errors["as_of"] = message
    if current_year is None:
        errors["current_year"] = _("Bitte den Stand des laufenden Jahres angeben.")
    if carried < 0:
        errors["carried"] = _("Der Übertrag aus dem Vorjahr kann nicht negativ sein.")
    if not (source or "").strip():
        errors["source"] = _(
            "Bitte angeben, wer den Stand mitgeteilt hat und wann (z. B. Pflegekasse, Schreiben vom …)."
        )
    if errors:
        raise BudgetError(errors)
    opening = BudgetOpening(
        senior=senior,
        as_of=as_of,
        current_year=cents(current_year),
        carried=cents(carried),
        source=source.strip(),
        created_by=user,
    )
    db.session.add(opening)
    db.session.flush()
    note_retroactive_change(senior, as_of, f"Anfangsbestand zum {as_of:%d.%m.%Y} eingetragen")
    log.info("senior %s: opening balance as of %s", senior.id, as_of)
    return opening


def add_other_use(senior: Senior, *, month: date, amount: Decimal, note: str, user: User | None) -> BudgetOtherUse:
    """Record use of the Entlastungsbetrag by another provider, as the senior reported it."""
    errors = {}
    if message := month_error(Month.of(month), "plan"):
        errors["month"] = message
    if amount is None or amount <= 0:
        errors["amount"] = _("Der Betrag muss größer als 0 € sein.")
    if not (note or "").strip():
        errors["note"] = _("Bitte angeben, wofür und laut wem (z. B. Tagespflege, laut Tochter).")
    if errors:
        raise BudgetError(errors)
    use = BudgetOtherUse(
        senior=senior, month=month.replace(day=1), amount=cents(amount), note=note.strip(), created_by=user
    )
    db.session.add(use)
    db.session.flush()
    note_retroactive_change(senior, use.month, f"Sonstige Nutzung im {Month.of(use.month).label} eingetragen")
    log.info("senior %s: other use in %s", senior.id, use.month)
    return use


def umwandlung_cap(senior: Senior, month: date) -> tuple[int | None, Decimal]:
    """The senior's highest Pflegegrad in ``month`` and the Umwandlung cap it allows (the most any visit of the
    month may get; the ledger caps each visit by the grade of its own day)."""
    grade = ledger_input(senior).grade_in(Month.of(month))
    try:
        return grade, billing_config().umwandlung_cap(grade, month.replace(day=1))
    except MissingValue as error:
        raise BudgetError({"amount": str(error)}) from error


def declare_umwandlung(
    senior: Senior, *, month: date, amount: Decimal, note: str | None, user: User | None
) -> UmwandlungDeclaration:
    """Record (or replace) the Umwandlung the senior declared available for ``month``, up to the cap."""
    month = month.replace(day=1)
    if message := month_error(Month.of(month), "plan"):
        raise BudgetError({"month": message})
    grade, cap = umwandlung_cap(senior, month)
    if amount is None or amount < 0:
        raise BudgetError({"amount": "Der Betrag kann nicht negativ sein."})
    if amount > cap:
        if not cap:
            reason = f"Pflegegrad {grade}" if grade else "keinem Pflegegrad"
            raise BudgetError({"amount": f"Bei {reason} gibt es keinen Umwandlungsanspruch (nur Pflegegrad 2–5)."})
        raise BudgetError(
            {
                "amount": f"Höchstens {format_eur(cap)} im Monat bei Pflegegrad {grade} "
                f"(40 % der Pflegesachleistung, §45a Abs. 4 SGB XI)."
            }
        )
    declaration = db.session.scalar(
        sa.select(UmwandlungDeclaration).where(
            UmwandlungDeclaration.senior_id == senior.id, UmwandlungDeclaration.month == month
        )
    )
    if declaration is None:
        declaration = UmwandlungDeclaration(senior=senior, month=month)
        db.session.add(declaration)
    declaration.amount = cents(amount)
    declaration.note = (note or "").strip() or None
    declaration.created_by = user
    db.session.flush()
    note_retroactive_change(senior, month, f"Umwandlung für {Month.of(month).label} erklärt: {format_eur(amount)}")
    log.info("senior %s: Umwandlung declared for %s", senior.id, month)
    return declaration


def delete_entry(senior: Senior, kind: str, entry_id: int) -> bool:
    """Delete one budget fact of the senior (``kind`` as in ENTRY_MODELS); False if there is none."""
    model = ENTRY_MODELS.get(kind)
    entry = db.session.get(model, entry_id) if model else None
    if entry is None or entry.senior_id != senior.id:
        return False
    day = _entry_day(entry)
    db.session.delete(entry)
    db.session.flush()
    note_retroactive_change(senior, day, f"Eintrag vom {day:%d.%m.%Y} gelöscht ({kind})")
    db.session.expire(senior, ["abtretungen"])
    log.info("senior %s: %s %s deleted", senior.id, kind, entry_id)
    return True


def _entry_day(entry) -> date:
    """The day from which a budget fact counts (for the correction of billed months)."""
    for name in ("as_of", "month", "valid_from", "given_on"):
        if (day := getattr(entry, name, None)) is not None:
            return day
    raise TypeError(type(entry).__name__)


def planned_monthly_minutes(senior: Senior, extra_weekly_minutes: int = 0) -> int:
    """Planned minutes per month of the senior's active Entlastung pairings plus ``extra_weekly_minutes``."""
    return round((_weekly_of([senior.id])[senior.id] + extra_weekly_minutes) * WEEKS_PER_MONTH)


def _weekly_of(senior_ids: Sequence[int]) -> dict[int, Fraction]:
    """Planned minutes per week of each senior's active Entlastung pairings (one query)."""
    pairings = db.session.scalars(
        sa.select(Pairing)
        .where(Pairing.senior_id.in_(senior_ids), Pairing.service == ENTLASTUNG, Pairing.status == PairingStatus.AKTIV)
        .options(selectinload(Pairing.slots))
    )
    weekly = {sid: Fraction(0) for sid in senior_ids}
    for pairing in pairings:
        weekly[pairing.senior_id] += Fraction(
            sum(slot.duration_minutes for slot in pairing.slots), pairing.interval_weeks
        )
    return weekly


def budget_warning(senior: Senior, extra_weekly_minutes: int, *, today: date | None = None) -> str | None:
    """German warning if the budget won't cover the planned hours (all active Entlastung pairings + extra)."""
    return budget_warnings({senior.id: (senior, extra_weekly_minutes)}, today=today).get(senior.id)


def budget_warnings(planned: Mapping[K, tuple[Senior, int]], *, today: date | None = None) -> dict[K, str]:
    """``budget_warning`` for many cases at once (key → senior and extra weekly minutes), in a few queries.

    Each case is judged on its own (e.g. one per proposal): the senior's running pairings plus its extra minutes.
    """
    cases = {key: (senior, minutes) for key, (senior, minutes) in planned.items() if senior.pflegegrad is not None}
    seniors = {senior.id: senior for senior, _minutes in cases.values()}
    if not seniors:
        return {}
    running = _weekly_of(list(seniors))
    charges = own_charges_of(list(seniors))
    inputs = ledger_inputs(list(seniors.values()), charges={sid: c.charges for sid, c in charges.items()})
    from_month, config = Month.of(today or service_today()), billing_config()
    warnings = {}
    for key, (senior, minutes) in cases.items():
        monthly = round((running[senior.id] + minutes) * WEEKS_PER_MONTH)
        if monthly <= 0:
            continue
        try:
            result = check_budget(
                inputs[senior.id], planned_minutes_per_month=monthly, from_month=from_month, config=config
            )
        except MissingValue as error:  # a dated figure is missing: the warning says which, for which day
            warnings[key] = f"Budget nicht prüfbar: {error}"
            continue
        if not result.covered:
            warnings[key] = result.message
    return warnings
