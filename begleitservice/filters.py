"""Jinja filters for German formats, and the badge class of a waiting time."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal
from flask import Flask

from billing.identifiers import format_iban

from .models.base import GENDERS, SERVICES, WEEKDAYS, minutes_label
from .rules import SOFT_RULE_LABELS

AGE_WARN_DAYS = 30
AGE_BAD_DAYS = 60


def age_class(days: int) -> str:
    """The badge class for a waiting time: ok, warn (> 30 days) or bad (> 60 days)."""
    if days > AGE_BAD_DAYS:
        return "bad"
    if days > AGE_WARN_DAYS:
        return "warn"
    return "ok"


def format_km(value: Decimal | None) -> str:
    """Kilometres the German way: ``12`` or ``12,5``."""
    if value is None:
        return "–"
    return format_decimal(value, "#,##0.#", locale="de_DE")


def register_filters(app: Flask) -> None:
    """Register German date, money and label filters."""
    zone = ZoneInfo(app.config["APP_TIMEZONE"])

    def datum(value: date | datetime | None) -> str:
        if value is None:
            return "–"
        if isinstance(value, datetime):
            return value.astimezone(zone).strftime("%d.%m.%Y %H:%M")
        return value.strftime("%d.%m.%Y")

    def uhrzeit(value: time | int | None) -> str:
        if value is None:
            return "–"
        return minutes_label(value) if isinstance(value, int) else value.strftime("%H:%M")

    def euro(value: Decimal | None) -> str:
        return "–" if value is None else format_currency(value, "EUR", locale="de_DE")

    def stunden(minutes: int | None) -> str:
        return "–" if minutes is None else format_decimal(Decimal(minutes) / 60, "#,##0.##", locale="de_DE")

    app.jinja_env.filters.update(
        datum=datum,
        uhrzeit=uhrzeit,
        euro=euro,
        stunden=stunden,
        km=format_km,
        iban=format_iban,
        wochentag=lambda i: WEEKDAYS[i],
        dienst=lambda code: SERVICES.get(code, code),
        regel=lambda code: SOFT_RULE_LABELS.get(code, code),
        geschlecht=lambda code: GENDERS.get(code, "keine Vorgabe") if code else "keine Vorgabe",
    )
    app.jinja_env.globals["age_class"] = age_class
