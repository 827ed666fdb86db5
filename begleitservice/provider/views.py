"""Admins keep the provider's data and the dated rates (Träger und Abrechnung); every change is kept as history."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from billing.identifiers import format_iban
from billing.money import format_eur
from billing.provider import provider_problems

from ..auth.access import restrict
from ..budget.inputs import configured_billing
from ..clock import today
from ..extensions import db
from ..models import RATE_KINDS, ProviderVersion
from ..pages import cached
from .forms import ProviderForm, RateForm
from .operations import SettingsError, add_rate, first_open_day, save_provider
from .settings import coordination_contact, provider_on, stored_rates

bp = Blueprint("provider", __name__, url_prefix="/admin/traeger")


@bp.app_template_global("coordination_contact")
def _coordination_contact():
    """The coordination's phone, hours and e-mail for mails and link pages (see provider.settings)."""
    return coordination_contact()


restrict(bp, "admin")


def _changed_fields(history: list[ProviderVersion]) -> dict[int, list[str]]:
    """Per version id the German labels of the fields it changed against the version entered before it."""
    labels = {name: field.label.text for name, field in ProviderForm(formdata=None)._fields.items()}
    fields = [name for name in labels if name not in ("valid_from", "csrf_token")]
    changed, previous = {}, None
    for version in sorted(history, key=lambda v: v.id):
        if previous is None:
            changed[version.id] = ["erste Fassung"]
        else:
            changed[version.id] = [labels[f] for f in fields if getattr(version, f) != getattr(previous, f)] or [
                "nur das Datum"
            ]
        previous = version
    return changed


def _rate_form() -> RateForm:
    form = RateForm(formdata=None)
    form.valid_from.data = max(today(), first_open_day() or today())
    return form


def _page(provider_form: ProviderForm, rate_form: RateForm):
    day = today()
    configured = configured_billing()
    history = db.session.scalars(
        db.select(ProviderVersion).order_by(ProviderVersion.valid_from.desc(), ProviderVersion.id.desc())
    ).all()
    rates = {
        kind: {"configured": getattr(configured, kind).entries, "stored": rows, "label": RATE_KINDS[kind]}
        for kind, rows in stored_rates().items()
    }
    return render_template(
        "provider/settings.html",
        form=provider_form,
        rate_form=rate_form,
        problems=provider_problems(provider_on(day)),
        history=history,
        changed=_changed_fields(history),
        rates=rates,
        first_open_day=first_open_day(),
        today=day,
    )


def _provider_form(*, posted: bool) -> ProviderForm:
    """The posted form, or one filled with the newest version entered, valid from today."""
    if posted:
        return ProviderForm()
    latest = db.session.scalar(
        db.select(ProviderVersion).order_by(ProviderVersion.valid_from.desc(), ProviderVersion.id.desc()).limit(1)
    )
    form = ProviderForm(formdata=None, obj=latest)
    form.valid_from.data = today()
    form.iban.data = format_iban(form.iban.data or "")
    return form


@bp.route("/", methods=["GET", "POST"])
@cached
def settings():
    """Show the provider's data, the rates and their history; save a new version of the provider's data."""
    form = _provider_form(posted=request.method == "POST")
    if form.validate_on_submit():
        try:
            version = save_provider(
                valid_from=form.valid_from.data,
                name=form.name.data,
                address=form.address.data,
                ik=form.ik.data,
                recognition=form.recognition.data,
                account_holder=form.account_holder.data,
                iban=form.iban.data,
                bic=form.bic.data,
                payment_days=form.payment_days.data,
                note=form.note.data,
                user=current_user,
                contact_phone=form.contact_phone.data,
                contact_hours=form.contact_hours.data,
                contact_email=form.contact_email.data,
            )
        except SettingsError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Trägerdaten gespeichert (gültig ab {version.valid_from:%d.%m.%Y}).", "success")
            return redirect(url_for(".settings"))
    return _page(form, _rate_form())


@bp.route("/saetze", methods=["POST"])
def rate():
    """Add a dated rate (Stundensatz, Aufwandsentschädigung, Fahrtkosten je km); earlier ones stay as history."""
    form = RateForm()
    if form.validate_on_submit():
        try:
            saved = add_rate(
                kind=form.kind.data, valid_from=form.valid_from.data, amount=form.amount.data, user=current_user
            )
        except SettingsError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            message = f"{saved.kind_label}: {format_eur(saved.amount)} ab {saved.valid_from:%d.%m.%Y} gespeichert."
            flash(message, "success")
            return redirect(url_for(".settings"))
    return _page(_provider_form(posted=False), form)
