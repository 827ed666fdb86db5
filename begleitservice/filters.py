"""Jinja filters for German formats."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal
from flask import Flask

from .models.base import GENDERS, SERVICES, WEEKDAYS, minutes_label


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
        wochentag=lambda i: WEEKDAYS[i],
        dienst=lambda code: SERVICES.get(code, code),
        geschlecht=lambda code: GENDERS.get(code, "keine Vorgabe") if code else "keine Vorgabe",
    )
