"""Saving provider and rate settings: each change is a new history row (who, when, from which day); flush only."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from billing.identifiers import bic_error, compact_iban, iban_error, ik_error
from billing.money import format_eur

from ..extensions import db
from ..inputs import InputError, clean_text, date_error, german_date
from ..models import RATE_KINDS, BillingRate, BillingRun, ProviderVersion, User

MAX_RATE = Decimal("1000")


class SettingsError(ValueError):
    """A setting cannot be saved; the message is German and names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _text(field: str, value: str | None, *, max_length: int, multiline: bool = False) -> str:
    try:
        return clean_text(value or "", multiline=multiline, max_length=max_length).strip()
    except InputError as error:
        raise SettingsError(field, str(error)) from error


def _valid_from(day: date | None) -> date:
    if day is None:
        raise SettingsError("valid_from", "Bitte angeben, ab wann die Angaben gelten.")
    if message := date_error(day, "plan"):
        raise SettingsError("valid_from", message)
    return day


PHONE = re.compile(r"\+?[0-9][0-9 ()/-]{3,38}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")


def save_provider(
    *,
    valid_from: date | None,
    name: str,
    address: str,
    ik: str,
    recognition: str,
    account_holder: str,
    iban: str,
    bic: str,
    payment_days: int | None,
    note: str,
    user: User | None,
    contact_phone: str = "",
    contact_hours: str = "",
    contact_email: str = "",
) -> ProviderVersion:
    """Record a new version of the provider's data from ``valid_from`` on; a wrong IK, IBAN or BIC saves nothing.

    Fields may stay empty (the run names what is missing); what is given must be valid.
    """
    valid_from = _valid_from(valid_from)
    values = {
        "name": _text("name", name, max_length=200),
        "address": "\n".join(
            line.strip() for line in _text("address", address, max_length=300, multiline=True).splitlines()
        ).strip(),
        "ik": _text("ik", ik, max_length=20).replace(" ", ""),
        "recognition": _text("recognition", recognition, max_length=300),
        "account_holder": _text("account_holder", account_holder, max_length=200),
        "iban": compact_iban(_text("iban", iban, max_length=50)),
        "bic": "".join(_text("bic", bic, max_length=20).split()).upper(),
        "note": _text("note", note, max_length=500, multiline=True),
        "contact_phone": _text("contact_phone", contact_phone, max_length=40),
        "contact_hours": _text("contact_hours", contact_hours, max_length=200),
        "contact_email": _text("contact_email", contact_email, max_length=254).lower(),
    }
    if values["contact_phone"] and not PHONE.fullmatch(values["contact_phone"]):
        raise SettingsError(
            "contact_phone", "Bitte eine Telefonnummer aus Ziffern, Leerzeichen, +, /, - und () angeben."
        )
    if values["contact_email"] and not EMAIL.fullmatch(values["contact_email"]):
        raise SettingsError(
            "contact_email", "Bitte eine gültige E-Mail-Adresse angeben, z. B. koordination@example.org."
        )
    if values["ik"] and (message := ik_error(values["ik"])):
        raise SettingsError("ik", message)
    if values["iban"] and (message := iban_error(values["iban"])):
        raise SettingsError("iban", message)
    if values["bic"] and (message := bic_error(values["bic"])):
        raise SettingsError("bic", message)
    if payment_days is None or not 0 <= payment_days <= 365:
        raise SettingsError("payment_days", "Bitte ein Zahlungsziel von 0 bis 365 Tagen angeben.")
    version = ProviderVersion(valid_from=valid_from, payment_days=payment_days, changed_by=user, **values)
    db.session.add(version)
    db.session.flush()
    return version


def first_open_day() -> date | None:
    """The first day after the last billed month (rates may change only from there), or None if none is billed."""
    last = db.session.scalar(sa.select(sa.func.max(BillingRun.month)))
    if last is None:
        return None
    return (last.replace(day=28) + timedelta(days=4)).replace(day=1)


def add_rate(*, kind: str, valid_from: date | None, amount: Decimal | None, user: User | None) -> BillingRate:
    """Record a rate from ``valid_from`` on; a billed month keeps the rates it was billed and paid with."""
    if kind not in RATE_KINDS:
        raise SettingsError("kind", "Bitte eine Art des Satzes wählen.")
    valid_from = _valid_from(valid_from)
    if (first := first_open_day()) is not None and valid_from < first:
        raise SettingsError(
            "valid_from",
            f"Bis {german_date(first - timedelta(days=1))} ist abgerechnet; ein neuer Satz kann frühestens ab "
            f"{german_date(first)} gelten.",
        )
    if amount is None or not Decimal("0") < amount <= MAX_RATE:
        raise SettingsError("amount", f"Bitte einen Betrag über 0 und höchstens {format_eur(MAX_RATE)} angeben.")
    if amount != amount.quantize(Decimal("0.01")):
        raise SettingsError("amount", "Bitte den Betrag auf den Cent genau angeben (z. B. 0,30).")
    rate = BillingRate(kind=kind, valid_from=valid_from, amount=amount, changed_by=user)
    db.session.add(rate)
    db.session.flush()
    return rate
