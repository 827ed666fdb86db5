"""The one home for "the provider's data and the rates on day D": read from the settings history in the database.

``provider_on(day)`` is the provider version in force on ``day`` (an empty Provider before the first one);
``with_settings(config, day=...)`` adds the stored dated rates to the configured ones (a stored rate wins on the
same day) and sets the provider of ``day``. Everything that builds invoices, documents or payouts reads the
billing configuration through ``budget.inputs.billing_config``, which calls this.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from billing.config import BillingConfig, Dated
from billing.provider import Provider

from .. import clock
from ..extensions import db
from ..models import BillingRate, ProviderVersion, RateKind


def provider_version_on(day: date) -> ProviderVersion | None:
    """The stored version in force on ``day``: the latest ``valid_from`` not after it, the latest entered first."""
    return db.session.scalar(
        sa.select(ProviderVersion)
        .where(ProviderVersion.valid_from <= day)
        .order_by(ProviderVersion.valid_from.desc(), ProviderVersion.id.desc())
        .limit(1)
    )


def provider_of(version: ProviderVersion | None) -> Provider:
    """A stored version as the ``billing`` package knows it (empty without a version)."""
    if version is None:
        return Provider()
    return Provider(
        name=version.name,
        address=tuple(line for line in version.address.split("\n") if line.strip()),
        ik=version.ik,
        recognition=version.recognition,
        account_holder=version.account_holder,
        iban=version.iban,
        bic=version.bic,
        payment_days=version.payment_days,
        note=version.note,
    )


def provider_on(day: date) -> Provider:
    """The provider's data as printed on a document dated ``day``."""
    return provider_of(provider_version_on(day))


def stored_rates() -> dict[str, list[BillingRate]]:
    """The stored rates per kind, oldest first (for the same day in the order entered)."""
    rates: dict[str, list[BillingRate]] = {kind.value: [] for kind in RateKind}
    for rate in db.session.scalars(sa.select(BillingRate).order_by(BillingRate.valid_from, BillingRate.id)):
        rates[rate.kind].append(rate)
    return rates


def with_settings(config: BillingConfig, *, day: date) -> BillingConfig:
    """``config`` with the stored dated rates added and the provider in force on ``day``."""
    changes: dict = {"provider": provider_on(day)}
    for kind, rows in stored_rates().items():
        if rows:
            configured = getattr(config, kind)
            entries = dict(configured.entries)
            entries.update((row.valid_from, row.amount) for row in rows)  # later entries win on the same day
            changes[kind] = Dated(tuple(entries.items()), configured.name)
    return dataclasses.replace(config, **changes)


@dataclass(frozen=True)
class Contact:
    """How volunteers and families reach the coordination (from the provider's data in force today)."""

    name: str
    phone: str
    hours: str
    email: str

    @property
    def line(self) -> str:
        """'Telefon 0231 … (Mo–Do 9–12 Uhr) · koordination@…' or '' when nothing is entered."""
        parts = []
        if self.phone:
            parts.append(f"Telefon {self.phone}" + (f" ({self.hours})" if self.hours else ""))
        if self.email:
            parts.append(self.email)
        return " · ".join(parts)


def coordination_contact(day: date | None = None) -> Contact:
    """The coordination's contact data for mails and link pages."""
    version = provider_version_on(day or clock.today())
    if version is None:
        return Contact("", "", "", "")
    return Contact(version.name, version.contact_phone, version.contact_hours, version.contact_email)
