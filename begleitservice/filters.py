"""Jinja filters for German formats, and the badge class of a waiting time."""

from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from flask import Flask

from billing.identifiers import format_iban

from . import i18n
from .models.base import GENDERS, SERVICES, minutes_label
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


def german_number(value: Decimal, places: int, *, fixed: bool = False) -> str:
    """``value`` rounded half-even to ``places`` with German separators, as Babel's de_DE patterns ``#,##0.##``
    (``fixed``: ``#,##0.00``) print it; a page of money columns calls this thousands of times, Babel is 200× slower."""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):,f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_euro(value: Decimal | None) -> str:
    """An amount the German way with a non-breaking space: ``1.234,50 €``."""
    return "–" if value is None else f"{german_number(value, 2, fixed=True)}\xa0€"


def format_km(value: Decimal | None) -> str:
    """Kilometres the German way: ``12`` or ``12,5``."""
    if value is None:
        return "–"
    if i18n.current_language() != i18n.DEFAULT:
        return i18n.fmt_decimal(value, "#,##0.#")
    return german_number(value, 1)


def register_filters(app: Flask) -> None:
    """Register German date, money and label filters."""
    zone = ZoneInfo(app.config["APP_TIMEZONE"])

    def datum(value: date | datetime | None) -> str:
        if value is None:
            return "–"
        german = i18n.current_language() == i18n.DEFAULT
        if isinstance(value, datetime):
            local = value.astimezone(zone)
            if german:
                return local.strftime("%d.%m.%Y %H:%M")
            return f"{i18n.fmt_date(local.date())} {i18n.fmt_time(local.time())}"
        return value.strftime("%d.%m.%Y") if german else i18n.fmt_date(value)

    def uhrzeit(value: time | int | None) -> str:
        if value is None:
            return "–"
        if i18n.current_language() == i18n.DEFAULT or (isinstance(value, int) and not 0 <= value < 24 * 60):
            return minutes_label(value) if isinstance(value, int) else value.strftime("%H:%M")
        return i18n.fmt_time(time(value // 60, value % 60) if isinstance(value, int) else value)

    def euro(value: Decimal | None) -> str:
        if value is None or i18n.current_language() == i18n.DEFAULT:
            return format_euro(value)
        return i18n.fmt_euro(value)

    def stunden(minutes: int | None) -> str:
        if minutes is None:
            return "–"
        if i18n.current_language() == i18n.DEFAULT:
            return german_number(Decimal(minutes) / 60, 2)
        return i18n.fmt_decimal(Decimal(minutes) / 60, "#,##0.##")

    app.jinja_env.filters.update(
        datum=datum,
        uhrzeit=uhrzeit,
        euro=euro,
        stunden=stunden,
        km=format_km,
        iban=format_iban,
        wochentag=i18n.fmt_weekday,
        monat=i18n.fmt_month,
        dienst=lambda code: SERVICES.get(code, code),
        regel=lambda code: SOFT_RULE_LABELS.get(code, code),
        geschlecht=lambda code: GENDERS.get(code, "keine Vorgabe") if code else "keine Vorgabe",
    )
    app.jinja_env.globals["age_class"] = age_class
