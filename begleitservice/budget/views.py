"""The Entlastungsbetrag ledger of a senior: month by month with the basis of every figure, and its facts."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from billing.config import MissingValue
from billing.ledger import Ledger
from billing.month import Month

from ..accounting.corrections import correction_notice
from ..auth.access import STAFF, restrict
from ..clock import today
from ..extensions import db
from ..models import Senior
from ..models.budget import AbtretungPeriod, BudgetOpening, BudgetOtherUse, UmwandlungDeclaration
from ..submissions import remember, repeated
from .forms import AbtretungForm, LivingForm, OpeningForm, OtherUseForm, RevokeForm, UmwandlungForm
from .grades import periods_of
from .inputs import ledger_input
from .operations import BudgetError, add_opening, add_other_use, declare_umwandlung, delete_entry, senior_ledger
from .periods import abtretung_history, add_abtretung, add_living_situation, living_history, revoke_abtretung

bp = Blueprint("budget", __name__)
restrict(bp, *STAFF)  # billing facts: coordination, admin and accounting


def _forms(**given):
    forms = {
        "opening_form": OpeningForm(prefix="opening"),
        "use_form": OtherUseForm(prefix="use"),
        "umw_form": UmwandlungForm(prefix="umw"),
        "living_form": LivingForm(prefix="living"),
        "abtretung_form": AbtretungForm(prefix="abtretung"),
    }
    return forms | given


@bp.route("/seniors/<int:senior_id>/budget")
def detail(senior_id: int):
    """Show a senior's Entlastungsbetrag ledger for the previous and the current year, and the entry forms."""
    return _page(db.get_or_404(Senior, senior_id))


def _page(senior: Senior, *, revoke: tuple[int, RevokeForm] | None = None, **forms):
    day = today()
    year = day.year
    try:
        ledger, data, own = senior_ledger(senior, until=Month(year, 12))
        config_error = None
    except MissingValue as error:  # a dated figure is missing: say which and where, show the facts
        config_error, ledger, data, own = str(error), Ledger((), {}), ledger_input(senior), None
    grades = periods_of(senior)
    abtretungen = abtretung_history(senior)
    rows = [row for row in ledger.months if row.month.year >= year - 1]
    expected_refs = own.expected_refs if own else frozenset()
    expected_months = {s.month for ref, s in ledger.splits.items() if ref in expected_refs}
    facts = {
        model: db.session.scalars(
            sa.select(model).where(model.senior_id == senior.id).order_by(*_order(model), model.id)
        ).all()
        for model in (BudgetOpening, BudgetOtherUse, UmwandlungDeclaration)
    }
    return render_template(
        "budget/detail.html",
        senior=senior,
        rows=rows,
        current=ledger.get(Month.of(day)),
        this_month=Month.of(day),
        expected_months=expected_months,
        charges_by_month=_charges_by_month(ledger, expected_refs),
        config_error=config_error,
        today=day,
        living=living_history(senior),
        abtretungen=abtretungen,
        revoke_forms={a.id: RevokeForm(prefix=f"revoke{a.id}") for a in abtretungen} | dict([revoke] if revoke else []),
        service_start=data.service_start,
        ledger_first=ledger.months[0].month.first_day if ledger.months else None,
        grades=grades,
        grade_fallback=() if grades else data.grades,
        openings=facts[BudgetOpening],
        other_uses=facts[BudgetOtherUse],
        declarations=facts[UmwandlungDeclaration],
        correction=correction_notice(senior),
        **_forms(**forms),
    )


def _order(model):
    return (model.as_of.desc(),) if model is BudgetOpening else (model.month.desc(),)


def _charges_by_month(ledger, expected_refs):
    grouped = {}
    for split in ledger.splits.values():
        grouped.setdefault(split.month, []).append((split, split.ref in expected_refs))
    return grouped


def _save(senior: Senior, form, name: str, operation, message: str):
    """Validate ``form``, run ``operation`` and commit; on errors show the page again with the messages."""
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        values = {
            field.short_name: field.data for field in form if field.short_name not in ("csrf_token", "submission")
        }
        try:
            operation(senior, **values, user=current_user._get_current_object())
        except BudgetError as error:
            db.session.rollback()
            for field, text in error.errors.items():
                getattr(form, field).errors.append(text)
        else:
            remember(form, url := url_for(".detail", senior_id=senior.id))
            db.session.commit()
            flash(message, "success")
            return redirect(url)
    return _page(senior, **{name: form})


@bp.post("/seniors/<int:senior_id>/budget/anfangsbestand")
def add_opening_view(senior_id: int):
    """Record an opening balance reported by the Pflegekasse or the family."""
    senior = db.get_or_404(Senior, senior_id)
    return _save(senior, OpeningForm(prefix="opening"), "opening_form", add_opening, "Anfangsbestand gespeichert.")


@bp.post("/seniors/<int:senior_id>/budget/nutzung")
def add_other_use_view(senior_id: int):
    """Record use of the Entlastungsbetrag by another provider."""
    senior = db.get_or_404(Senior, senior_id)
    return _save(senior, OtherUseForm(prefix="use"), "use_form", add_other_use, "Sonstige Nutzung gespeichert.")


@bp.post("/seniors/<int:senior_id>/budget/umwandlung")
def declare_umwandlung_view(senior_id: int):
    """Record the Umwandlung the senior declared for a month."""
    senior = db.get_or_404(Senior, senior_id)
    return _save(
        senior, UmwandlungForm(prefix="umw"), "umw_form", declare_umwandlung, "Umwandlungserklärung gespeichert."
    )


@bp.post("/seniors/<int:senior_id>/budget/wohnsituation")
def add_living_view(senior_id: int):
    """Record where the senior lived (at home, in a care home, deceased) and from when."""
    senior = db.get_or_404(Senior, senior_id)
    return _save(senior, LivingForm(prefix="living"), "living_form", add_living_situation, "Wohnsituation gespeichert.")


@bp.post("/seniors/<int:senior_id>/budget/abtretung")
def add_abtretung_view(senior_id: int):
    """Record an Abtretungserklärung (also one given again after a revocation)."""
    senior = db.get_or_404(Senior, senior_id)
    return _save(
        senior, AbtretungForm(prefix="abtretung"), "abtretung_form", add_abtretung, "Abtretungserklärung gespeichert."
    )


@bp.post("/seniors/<int:senior_id>/budget/abtretung/<int:period_id>/widerruf")
def revoke_abtretung_view(senior_id: int, period_id: int):
    """Record the revocation of an Abtretungserklärung."""
    senior = db.get_or_404(Senior, senior_id)
    period = db.get_or_404(AbtretungPeriod, period_id)
    if period.senior_id != senior.id:
        abort(404)
    form = RevokeForm(prefix=f"revoke{period.id}")
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        try:
            revoke_abtretung(senior, period, revoked_on=form.revoked_on.data)
        except BudgetError as error:
            db.session.rollback()
            form.revoked_on.errors.extend(error.errors.values())
        else:
            remember(form, url := url_for(".detail", senior_id=senior.id, _anchor="abtretung"))
            db.session.commit()
            flash(_("Widerruf gespeichert."), "success")
            return redirect(url)
    return _page(senior, revoke=(period.id, form))


@bp.post("/seniors/<int:senior_id>/budget/<kind>/<int:entry_id>/loeschen")
def delete(senior_id: int, kind: str, entry_id: int):
    """Delete one budget fact of the senior."""
    senior = db.get_or_404(Senior, senior_id)
    if delete_entry(senior, kind, entry_id):
        db.session.commit()
        flash(_("Eintrag gelöscht."), "success")
    else:
        flash(_("Diesen Eintrag gibt es nicht (mehr)."), "error")
    return redirect(url_for(".detail", senior_id=senior.id))
