"""One home for reading what people type and send: ids and numbers, months, dates in a sane window, clean text and
safe redirect targets.

Forms (begleitservice.forms), views, the CLI and the import all parse through these functions. Each refuses bad
input with an :class:`InputError` whose message is German and can be shown as it is; the ``query_*`` helpers answer
a broken query string with 400 and that message instead. Nothing here touches the database.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_babel import gettext as _
from werkzeug.routing import BaseConverter, IntegerConverter

from billing.money import format_eur
from billing.month import Month

from .clock import today as service_today

MAX_ID = 2**31 - 1  # the largest value of an integer column on PostgreSQL; ids and counts stay below it
_INT = re.compile(r"-?[0-9]{1,12}")  # ASCII digits only: "²".isdigit() is True, but int("²") fails
_MONTH_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})")
_MONTH_GERMAN = re.compile(r"([0-9]{1,2})/([0-9]{4})")
_DATE_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DATE_GERMAN = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
# Control characters (C0 without tab/newline/return, DEL, C1) and lone surrogates: PostgreSQL refuses NUL, and the
# others only come from crafted requests or broken files.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\r\n]")
DATE_WINDOWS = ("any", "birth", "plan")


class InputError(ValueError):
    """Input that cannot be used; the message is German and names what is expected."""


def shown(value: object, limit: int = 40) -> str:
    """``value`` as a short, printable quote for a message (control characters as \\x.., long text cut)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- numbers and ids --------------------------------------------------------------------------------------------


def parse_int(text: object, *, low: int = 0, high: int = MAX_ID) -> int:
    """A whole number in ASCII digits between ``low`` and ``high``."""
    if isinstance(text, bool):
        raise InputError(f"„{shown(text)}“ ist keine ganze Zahl.")
    if isinstance(text, int):
        number = text
    else:
        value = str(text if text is not None else "").strip()
        if not _INT.fullmatch(value):
            raise InputError(f"„{shown(value)}“ ist keine ganze Zahl.")
        number = int(value)
    if not low <= number <= high:
        raise InputError(f"{number} liegt nicht zwischen {low} und {high}.")
    return number


def optional_id(value: object) -> int | None:
    """An id chosen in a form (select values arrive as text): empty → None, else a number from 0 to MAX_ID.

    Use as a SelectField's ``coerce``: a value that is no id is refused before any query sees it.
    """
    if value is None or value == "" or value == "None":
        return None
    return parse_int(value, low=0, high=MAX_ID)


def query_int(name: str, *, default: int | None = None, low: int = 1, high: int = MAX_ID) -> int | None:
    """The query-string argument ``name`` as a bounded whole number; absent or empty → ``default``; else 400."""
    text = request.args.get(name, "")
    if not text.strip():
        return default
    try:
        return parse_int(text, low=low, high=high)
    except InputError as error:
        abort(400, description=f"Der Parameter „{name}“ ist ungültig: {error}")


def query_page(name: str = "page") -> int:
    """The page number of a paginated list (1 when absent); a page beyond the last one simply shows nothing."""
    return query_int(name, default=1, low=1, high=current_app.config["MAX_PAGE"])


class BoundedIntConverter(IntegerConverter):
    """The ``<int:...>`` of every route: at most MAX_ID, so a huge id in a path is a 404, not a database error."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


_AMOUNT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,2})?")
MAX_AMOUNT = Decimal("100000")


def parse_amount(text: object, *, high: Decimal = MAX_AMOUNT) -> Decimal:
    """Euros typed the German way (``1.234,50``, ``12,5 €``) or with a decimal point (``12.50``), to the cent.

    A minus sign is read (the form says why a negative amount is wrong); more than ``high`` euros is refused.
    """
    value = str(text if text is not None else "").replace("€", "").replace("\xa0", "").replace(" ", "").strip()
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    if not _AMOUNT.fullmatch(value):
        raise InputError(f"„{shown(text)}“ ist kein Betrag wie 12,50.")
    amount = Decimal(value)
    if abs(amount) > high:
        raise InputError(f"Der Betrag ist zu hoch (höchstens {format_eur(high)}).")
    return amount


_KM = re.compile(r"-?[0-9]{1,6}([.,][0-9]+)?")
MAX_KM = Decimal("500")


def parse_km(text: object) -> Decimal | None:
    """Kilometres driven for one visit: ``12`` or ``12,5`` (one decimal place at most), 0 to 500; empty: None."""
    value = str(text if text is not None else "").replace("km", "").replace("\xa0", "").replace(" ", "").strip()
    if not value:
        return None
    if not _KM.fullmatch(value):
        raise InputError(_("„%(text)s“ ist keine Kilometerzahl wie 12 oder 12,5.", text=shown(text)))
    km = Decimal(value.replace(",", "."))
    if km != km.quantize(Decimal("0.1")):
        raise InputError(_("Bitte die Kilometer ganz oder mit einer Nachkommastelle angeben (z. B. 12,5)."))
    if not 0 <= km <= MAX_KM:
        raise InputError(_("Bitte 0 bis %(max)s km angeben.", max=MAX_KM))
    return km.quantize(Decimal("0.1"))


class TokenConverter(BaseConverter):
    """``<token:...>``: the URL-safe characters of signed links and calendar tokens, so nothing else (a NUL byte,
    which PostgreSQL refuses) reaches a query; anything else is a 404."""

    regex = r"[A-Za-z0-9_.\-]{1,1000}"


# --- months and dates -------------------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def date_window(kind: str, *, today: date | None = None) -> tuple[date, date]:
    """The first and last date allowed for ``kind`` (settings DATE_EARLIEST, DATE_LATEST, PLAN_YEARS_*).

    any:   every date anyone may type (documents, consent, certificates), DATE_EARLIEST..DATE_LATEST;
    birth: birth dates, DATE_EARLIEST..today;
    plan:  what the service plans and bills (Begleitungen, visits, absences, requests, budget facts),
           PLAN_YEARS_BACK before today..PLAN_YEARS_AHEAD after today.
    """
    if kind not in DATE_WINDOWS:
        raise ValueError(f"unknown date window: {kind}")
    config = current_app.config
    earliest, latest = config["DATE_EARLIEST"], config["DATE_LATEST"]
    if kind == "any":
        return earliest, latest
    today = today or service_today()
    if kind == "birth":
        return earliest, min(today, latest)
    back, ahead = add_years(today, -config["PLAN_YEARS_BACK"]), add_years(today, config["PLAN_YEARS_AHEAD"])
    return max(earliest, back), min(latest, ahead)


def german_date(day: date) -> str:
    """``day`` as 03.11.2026 (also for years before 1000, which strftime writes short)."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


def date_error(day: date | None, kind: str = "any", *, today: date | None = None) -> str | None:
    """A German message when ``day`` lies outside the window ``kind``; None when it fits (or is None)."""
    if day is None:
        return None
    first, last = date_window(kind, today=today)
    if first <= day <= last:
        return None
    span = f"{german_date(first)} bis {german_date(last)}"
    return f"Das Datum {german_date(day)} liegt außerhalb des möglichen Zeitraums ({span})."


def check_date(day: date | None, kind: str = "any", *, today: date | None = None) -> date | None:
    """``day`` if it fits the window ``kind`` (or is None); InputError otherwise."""
    if message := date_error(day, kind, today=today):
        raise InputError(message)
    return day


def parse_date(text: object, kind: str = "any", *, today: date | None = None) -> date:
    """A date typed as ``2026-11-03`` or ``03.11.2026`` within the window ``kind``."""
    value = str(text if text is not None else "").strip()
    for pattern, order in ((_DATE_ISO, (0, 1, 2)), (_DATE_GERMAN, (2, 1, 0))):
        if match := pattern.fullmatch(value):
            year, month, day = (int(match.groups()[i]) for i in order)
            try:
                typed = date(year, month, day)
            except ValueError:
                break
            return check_date(typed, kind, today=today)
    raise InputError(f"„{shown(value)}“ ist kein Datum wie 31.12.2026 oder 2026-12-31.")


def parse_month(text: object) -> Month:
    """A month typed as ``2026-11`` (JJJJ-MM) or ``11/2026`` (MM/JJJJ), within DATE_EARLIEST..DATE_LATEST."""
    value = str(text if text is not None else "").strip()
    if match := _MONTH_ISO.fullmatch(value):
        year, month = int(match[1]), int(match[2])
    elif match := _MONTH_GERMAN.fullmatch(value):
        month, year = int(match[1]), int(match[2])
    else:
        raise InputError(f"„{shown(value)}“ ist kein Monat: bitte als JJJJ-MM oder MM/JJJJ angeben, z. B. 2026-10.")
    if not 1 <= month <= 12:
        raise InputError(f"„{shown(value)}“ ist kein Monat: der Monat ist 01 bis 12.")
    first, last = date_window("any")
    if not Month.of(first) <= Month(year, month) <= Month.of(last):
        span = f"{Month.of(first)} bis {Month.of(last)}"
        raise InputError(f"Der Monat {month:02d}/{year:04d} liegt außerhalb des möglichen Zeitraums ({span}).")
    return Month(year, month)


def month_error(month: Month, kind: str = "plan", *, today: date | None = None) -> str | None:
    """A German message when ``month`` lies outside the window ``kind`` (months overlapping it count)."""
    first, last = date_window(kind, today=today)
    if Month.of(first) <= month <= Month.of(last):
        return None
    return f"Der Monat {month} liegt außerhalb des möglichen Zeitraums ({Month.of(first)} bis {Month.of(last)})."


def query_month(name: str = "monat", *, default: Month | None = None) -> Month:
    """The query-string month ``name``; absent or empty → ``default`` (or 400 without one); broken → 400."""
    text = request.args.get(name, "")
    if not text.strip():
        if default is None:
            abort(400, description=f"Bitte den Monat angeben (Parameter „{name}“, JJJJ-MM).")
        return default
    try:
        return parse_month(text)
    except InputError as error:
        abort(400, description=str(error))


def query_date(name: str, *, default: date) -> date:
    """The query-string date ``name`` (JJJJ-MM-TT) within DATE_EARLIEST..DATE_LATEST; absent → ``default``; else 400."""
    text = request.args.get(name, "")
    if not text.strip():
        return default
    try:
        return parse_date(text, "any")
    except InputError as error:
        abort(400, description=str(error))


# --- text and redirect targets ----------------------------------------------------------------------------------


def text_error(value: str | None, *, multiline: bool = True) -> str | None:
    """A German message when ``value`` holds control characters (or, for one line, a line break); else None."""
    if not value:
        return None
    if _CONTROL.search(value):
        return "Der Text enthält unzulässige Steuerzeichen (z. B. ein Nullbyte); bitte neu eingeben."
    if not multiline and _LINE_BREAK.search(value):
        return "Bitte ohne Zeilenumbruch eingeben."
    return None


def clean_text(value: object, *, multiline: bool = True, max_length: int | None = None) -> str:
    """``value`` as stripped text; InputError for control characters or more than ``max_length`` characters."""
    text = "" if value is None else str(value).strip()
    if message := text_error(text, multiline=multiline):
        raise InputError(message)
    if max_length is not None and len(text) > max_length:
        raise InputError(f"Höchstens {max_length} Zeichen erlaubt (hier {len(text)}).")
    return text


def query_text(name: str, *, max_length: int | None = None) -> str:
    """The query-string text ``name`` (a search, a filter), stripped; control characters (or more than
    ``max_length`` characters) → 400. A long search is cut by models.names.search_terms, not refused."""
    try:
        return clean_text(request.args.get(name, ""), multiline=False, max_length=max_length)
    except InputError as error:
        abort(400, description=f"Der Parameter „{name}“ ist ungültig: {error}")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site to go on to (after login); None for anything else.

    Refused: absolute URLs, ``//host``, backslashes (browsers read them as slashes), control characters and
    whitespace (CR/LF would split the Location header; browsers drop tabs and so turn ``/\\t/host`` into ``//host``).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or _CONTROL.search(target) or any(c.isspace() for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
