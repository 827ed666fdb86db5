"""Languages: which one a request speaks, the volunteer pages' language switch, and locale-aware formats.

The coordinator UI is German; its strings are marked for translation all the same. What a volunteer reads (mails,
link pages, Mein Bereich, the printed plan) speaks the volunteer's language: the field on the volunteer, or on a
volunteer page the language chosen with the switch (``?lang=tr``, remembered in a cookie).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.dates import get_day_names
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit
from flask import Blueprint, Flask, abort, g, has_request_context, request, url_for
from flask_babel import force_locale, get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from scheduling.formatting import (
    MONTH_NAMES,
    WEEKDAY_NAMES,
    format_appointment,
    format_date,
    format_date_long,
    format_datetime,
    format_duration,
)
from scheduling.formatting import format_time as de_time
from scheduling.model import BERLIN

log = logging.getLogger(__name__)

DEFAULT = "de"
#: code → the language's own name (what the switch shows), in the order of the switch
LANGUAGES = {
    "de": "Deutsch",
    "tr": "Türkçe",
    "en": "English",
    "ru": "Русский",
    "pl": "Polski",
    "ar": "العربية",
}
#: code → German name, for the coordinator's volunteer form
LANGUAGE_LABELS = {
    "de": "Deutsch",
    "tr": "Türkisch",
    "en": "Englisch",
    "ru": "Russisch",
    "pl": "Polnisch",
    "ar": "Arabisch",
}
RIGHT_TO_LEFT = frozenset({"ar"})
COOKIE = "sprache"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: dates and times: English readers in Germany get the British forms (24-hour clock, day before month)
FORMAT_LOCALES = {"en": "en_GB"}

#: languages whose CLDR short time has AM/PM marks, shown with the 24-hour clock of the service's letters and plans
TWENTY_FOUR_HOURS = frozenset({"ar"})

#: names of the blueprints whose pages a volunteer reads (they speak the volunteer's language)
VOLUNTEER_BLUEPRINTS: set[str] = set()


def volunteer_pages(bp: Blueprint) -> Blueprint:
    """Mark a blueprint as read by volunteers: its pages follow the volunteer's language and offer the switch."""
    VOLUNTEER_BLUEPRINTS.add(bp.name)
    return bp


def is_volunteer_page() -> bool:
    """Whether this request is for a page a volunteer reads."""
    return has_request_context() and (request.blueprint or "").split(".")[0] in VOLUNTEER_BLUEPRINTS


def select_locale() -> str:
    """Flask-Babel's locale selector: German, except on volunteer pages (switch, cookie, the volunteer's field)."""
    if not is_volunteer_page():
        return DEFAULT
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return g.get("volunteer_language") or DEFAULT


def use_volunteer_language(code: str | None) -> None:
    """A volunteer page knows whose page it is: speak their language (unless they switched on this device)."""
    g.volunteer_language = code if code in LANGUAGES else DEFAULT
    refresh()


@contextmanager
def language_of(code: str | None):
    """Render mails and printed pages for one volunteer in their language (German if unknown)."""
    with force_locale(code if code in LANGUAGES else DEFAULT):
        yield


def current_language() -> str:
    """The language code of the current request or ``force_locale`` block; German outside both."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def text_direction() -> str:
    """``rtl`` for Arabic, else ``ltr``: for ``<html dir>``."""
    return "rtl" if current_language() in RIGHT_TO_LEFT else "ltr"


def format_locale() -> str:
    """The Babel locale for dates, times and numbers of the current language."""
    code = current_language()
    return FORMAT_LOCALES.get(code, code)


# Formats of the current language. German keeps the service's own forms exactly ('Dienstag, 03.11.2026, 10:00 Uhr').


def fmt_date(day: date) -> str:
    """'03.11.2026', '3 Kas 2026', '3 Nov 2026'."""

    if current_language() == DEFAULT:
        return format_date(day)

    return babel_date(day, "medium", locale=format_locale())


def fmt_date_long(day: date) -> str:
    """'Dienstag, 03.11.2026', 'Tuesday 3 November 2026'."""

    if current_language() == DEFAULT:
        return format_date_long(day)

    return babel_date(day, "full", locale=format_locale())


def fmt_time(at: time) -> str:
    """'10:00' (with the locale's own marks, e.g. Arabic ص/م)."""

    if current_language() == DEFAULT:
        return de_time(at)

    return babel_time(at, "HH:mm" if current_language() in TWENTY_FOUR_HOURS else "short", locale=format_locale())


def _comma() -> str:
    return "، " if current_language() == "ar" else ", "


def fmt_appointment(day: date, start: time, end: time) -> str:
    """'Dienstag, 03.11.2026, 10:00–12:00 Uhr' in German; date, start and end in the locale's forms otherwise."""

    if current_language() == DEFAULT:
        return format_appointment(day, start, end)
    return f"{fmt_date_long(day)}{_comma()}{fmt_time(start)}–{fmt_time(end)}"


def fmt_datetime(moment: datetime) -> str:
    """'03.11.2026, 10:00 Uhr' in German, else the locale's date and time (shown in Europe/Berlin)."""

    if current_language() == DEFAULT:
        return format_datetime(moment)
    local = moment.astimezone(BERLIN)
    return f"{fmt_date(local.date())}{_comma()}{fmt_time(local.time())}"


def fmt_duration(minutes: int) -> str:
    """'1 Std. 30 Min.' in German (the service's short form); spelt out elsewhere, which older readers find
    clearer: '1 saat 30 dakika', '1 hour 30 minutes', 'ساعة و30 دقيقة' (CLDR's long units)."""
    if current_language() == DEFAULT:
        return format_duration(minutes)
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="long", locale=format_locale()))
    if rest or not hours:
        parts.append(format_unit(rest, "duration-minute", length="long", locale=format_locale()))
    return (" و" if current_language() == "ar" else " ").join(parts)


#: the German names the holidays package gives the NRW public holidays, marked so the catalogues translate them
HOLIDAY_NAMES = {
    "Neujahr": _l("Neujahr"),
    "Karfreitag": _l("Karfreitag"),
    "Ostermontag": _l("Ostermontag"),
    "Erster Mai": _l("Erster Mai"),
    "Christi Himmelfahrt": _l("Christi Himmelfahrt"),
    "Pfingstmontag": _l("Pfingstmontag"),
    "Fronleichnam": _l("Fronleichnam"),
    "Tag der Deutschen Einheit": _l("Tag der Deutschen Einheit"),
    "Allerheiligen": _l("Allerheiligen"),
    "Erster Weihnachtstag": _l("Erster Weihnachtstag"),
    "Zweiter Weihnachtstag": _l("Zweiter Weihnachtstag"),
}


def holiday(name: str) -> str:
    """A public holiday's German name in the current language (unknown names as they are)."""
    return str(HOLIDAY_NAMES[name]) if name in HOLIDAY_NAMES else name


def fmt_weekday(index: int) -> str:
    """'Montag', 'Pazartesi', 'Monday' for a weekday number (0 = Monday)."""
    if current_language() == DEFAULT:
        return WEEKDAY_NAMES[index]
    return get_day_names("wide", locale=format_locale())[index]


def fmt_month(day: date) -> str:
    """'November 2026', 'Kasım 2026', 'ноябрь 2026 г.' for the month of ``day``."""
    if current_language() == DEFAULT:
        return f"{MONTH_NAMES[day.month - 1]} {day.year}"
    return babel_date(day, "LLLL y", locale=format_locale())


def fmt_rule(rule) -> str:
    """A visit rule: 'wöchentlich montags 10:00–12:00 Uhr, ab 01.04.2026' in German, else e.g.
    'every week, Monday 10:00–12:00, from 1 Apr 2026' from the catalogue and the locale's day names."""
    if current_language() == DEFAULT:
        return rule.describe()
    days = get_day_names("wide", locale=format_locale())  # 0 = Monday, as date.weekday()
    slots = format_list(
        [
            f"{days[s.weekday]} {fmt_time(s.start_time)}–{fmt_time(s.end_time)}"
            for s in sorted(rule.slots, key=lambda s: (s.weekday, s.start_time))
        ],
        locale=format_locale(),
    )
    interval = ngettext("jede Woche", "alle %(num)s Wochen", rule.interval_weeks)
    if rule.ends_on is not None:
        return _(
            "%(interval)s, %(slots)s, vom %(first)s bis %(last)s",
            interval=interval,
            slots=slots,
            first=fmt_date(rule.starts_on),
            last=fmt_date(rule.ends_on),
        )
    return _("%(interval)s, %(slots)s, ab %(first)s", interval=interval, slots=slots, first=fmt_date(rule.starts_on))


def fmt_decimal(value: Decimal | int | float, pattern: str | None = None) -> str:
    """A number in the current language: '12,5' or '12.5'."""

    return format_decimal(value, pattern, locale=format_locale() if current_language() != DEFAULT else "de_DE")


def fmt_euro(value: Decimal) -> str:
    """An amount in euros in the current language: '7,50 €', '€7.50'."""

    return format_currency(value, "EUR", locale=format_locale() if current_language() != DEFAULT else "de_DE")


def isolate(value) -> Markup | str:
    """In a right-to-left page, a name or place in Latin letters inside a sentence: ``<bdi>`` keeps its own
    direction (so 'Hildegard B.' does not turn into '.Hildegard B'); left-to-right pages get the value unchanged."""
    if text_direction() != "rtl" or value is None:
        return value
    return Markup("<bdi>%s</bdi>") % value


def _check_switch() -> None:
    """An unknown ``?lang=`` on a volunteer page is refused with a German (and English) message."""
    g.pop("_flask_babel", None)  # chosen afresh for each request, even in an app context shared with earlier ones
    if not is_volunteer_page():
        return
    asked = request.args.get("lang")
    if asked is not None and asked not in LANGUAGES:
        abort(400, "Diese Sprache gibt es hier nicht. / This language is not available.")


def _remember_switch(response):
    """Keep the language chosen with the switch for the next volunteer pages on this device."""
    asked = request.args.get("lang") if is_volunteer_page() else None
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE, asked, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure
        )
    return response


def _forget_language(_exc) -> None:
    """The language belongs to one request, also where requests share an app context (tests, CLI test clients)."""
    g.pop("_flask_babel", None)
    g.pop("volunteer_language", None)


def language_links() -> list[dict]:
    """The switch: each language with its own name, a link to this page in it, and whether it is the current one."""
    if not has_request_context() or request.endpoint is None:
        return []

    args = {**(request.view_args or {}), **request.args.to_dict()}
    current = current_language()
    return [
        {
            "code": code,
            "name": name,
            "url": url_for(request.endpoint, **{**args, "lang": code}),
            "current": code == current,
            "dir": "rtl" if code in RIGHT_TO_LEFT else "ltr",
        }
        for code, name in LANGUAGES.items()
    ]


def init_app(app: Flask) -> None:
    """The switch's checks and cookie, and the template helpers (``lang``, ``dir``, the switch, formats)."""
    app.before_request(_check_switch)
    app.after_request(_remember_switch)
    app.teardown_request(_forget_language)
    app.jinja_env.filters["bdi"] = isolate
    app.jinja_env.filters["feiertag"] = holiday
    app.jinja_env.globals.update(
        current_language=current_language,
        text_direction=text_direction,
        language_links=language_links,
        comma=_comma,
        LANGUAGES=LANGUAGES,
        LANGUAGE_LABELS=LANGUAGE_LABELS,
    )
