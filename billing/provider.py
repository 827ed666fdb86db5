"""The service as it appears on bills (Leistungserbringer), and what a numbered invoice needs of it.

The app stores the provider's data with the date from which each version applies; this module only knows one
version and says, in German, what is missing or wrong before an invoice may carry it.
"""

from __future__ import annotations

from dataclasses import dataclass

from billing.identifiers import bic_error, format_iban, iban_error, ik_error


@dataclass(frozen=True)
class Provider:
    """Name, address, IK, AnFöVO recognition, bank account and payment terms as printed on bills."""

    name: str = ""
    address: tuple[str, ...] = ()
    ik: str = ""
    recognition: str = ""  # Anerkennung nach AnFöVO NRW: authority and reference
    account_holder: str = ""
    iban: str = ""
    bic: str = ""
    payment_days: int = 14
    note: str = ""  # printed on every invoice, e.g. the VAT exemption

    @property
    def bank(self) -> str:
        """The account as printed on invoices: ``Kontoinhaber … · IBAN DE02 1203 … · BIC …`` (empty without IBAN)."""
        if not self.iban:
            return ""
        parts = [f"Kontoinhaber {self.account_holder}"] if self.account_holder else []
        parts.append(f"IBAN {format_iban(self.iban)}")
        if self.bic:
            parts.append(f"BIC {self.bic}")
        return " · ".join(parts)


def provider_problems(provider: Provider) -> list[str]:
    """What keeps ``provider`` off a numbered invoice, in German (empty when complete and valid)."""
    problems = []
    for label, value in (
        ("Name des Trägers", provider.name),
        ("Anschrift", "".join(provider.address)),
        ("Anerkennung nach AnFöVO", provider.recognition),
        ("Kontoinhaber", provider.account_holder),
    ):
        if not value.strip():
            problems.append(f"{label} fehlt.")
    if not provider.ik:
        problems.append("Institutionskennzeichen (IK) fehlt.")
    elif error := ik_error(provider.ik):
        problems.append(error)
    if not provider.iban:
        problems.append("IBAN fehlt.")
    elif error := iban_error(provider.iban):
        problems.append(error)
    if provider.bic and (error := bic_error(provider.bic)):
        problems.append(error)
    if not 0 <= provider.payment_days <= 365:
        problems.append("Das Zahlungsziel muss zwischen 0 und 365 Tagen liegen.")
    return problems
