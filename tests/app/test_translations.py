"""The catalogues: every string a volunteer reads is translated into each language, placeholders intact, and the
compiled .mo files the app reads are those of the .po sources (`make translations` rebuilds both)."""

import inspect
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from begleitservice import i18n
from begleitservice.appointments import forms as appointment_forms
from begleitservice.appointments.links import views as link_views
from begleitservice.area import forms as area_forms
from begleitservice.area import operations as area_operations
from begleitservice.area import views as area_views
from begleitservice.groups import operations as group_operations
from begleitservice.groups import staffing as group_staffing
from begleitservice.inputs import parse_km
from begleitservice.mail import notices
from begleitservice.models.volunteer import PAGE_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "translations"
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}

#: templates a volunteer reads (globs below templates/)
VOLUNTEER_TEMPLATES = (
    "appointments/_link_*.html",
    "appointments/link_*.html",
    "email/_*.*",
    "printing/_duty_plan_sheet.html",
    "area/*.html",
    "email/area_link.*",
    "email/group_session_cancelled.*",
    "email/group_sessions_request.*",
    *(
        f"email/{name}.{kind}"
        for name in (
            "introduction",
            "confirmation_request",
            "reminder",
            "hours_request",
            "cover_offer",
            "cover_taken",
            "certificate_reminder",
        )
        for kind in ("txt", "html")
    ),
)
#: Python code whose strings a volunteer reads: whole modules or single functions and classes
VOLUNTEER_CODE = (
    link_views,
    area_forms,
    area_operations,
    area_views,
    i18n,
    notices.introduction,
    notices.confirmation_request,
    notices.reminder,
    notices.hours_request,
    notices.cover_offer,
    notices.cover_taken,
    notices.certificate_reminder,
    appointment_forms.DeclineForm,
    appointment_forms.ReportForm,
    parse_km,
    group_operations.cancel_session,
    group_staffing.ask_volunteers,
)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def _catalogue(code: str):
    with (CATALOGUES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


def _template_messages() -> set:
    found = set()
    for pattern in VOLUNTEER_TEMPLATES:
        for path in sorted((ROOT / "templates").glob(pattern)):
            for _line, message, _comments, _context in extract_from_file("jinja2", path, keywords=KEYWORDS):
                found.add(message)
    assert found, "no marked strings found in the volunteer templates"
    return found


def _code_messages() -> set:
    found = set()
    for thing in VOLUNTEER_CODE:
        path = inspect.getsourcefile(thing)
        lines, first = inspect.getsourcelines(thing)
        first = max(first, 1)
        last = first + len(lines) - 1
        for line, message, _comments, _context in extract_from_file("python", path, keywords=KEYWORDS):
            if first <= line <= last or inspect.ismodule(thing):
                found.add(message)
    return found


def volunteer_messages() -> list:
    """Every msgid (or singular/plural pair) a volunteer may read."""
    return sorted(_template_messages() | _code_messages(), key=str)


def test_languages_match_the_stored_choices():
    """The switch, the volunteer field's CHECK and the catalogues speak of the same six languages."""
    assert tuple(i18n.LANGUAGES) == PAGE_LANGUAGES
    assert sorted(p.name for p in CATALOGUES.iterdir() if p.is_dir()) == sorted(TRANSLATED)


def problems_in(catalogue) -> list[str]:
    """What is wrong with a catalogue for volunteers: missing, empty or fuzzy entries, changed placeholders."""
    problems = []
    for message in volunteer_messages():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        if entry is None:
            problems.append(f"not in the catalogue (run `make translations`): {key!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(s and s.strip() for s in strings):
            problems.append(f"untranslated or fuzzy: {key!r}")
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(message) if isinstance(message, tuple) else message))
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            # a plural form may leave out the number ("every week"), never add or rename a placeholder
            if found - wanted or (wanted - found) - {"%(num)s", "%(num)d"}:
                problems.append(f"placeholders differ: {key!r} → {text!r}")
    return problems


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_volunteer_string_is_translated_with_its_placeholders(code):
    """No volunteer-facing string is missing, empty or fuzzy, and each keeps the placeholders of the German."""
    assert problems_in(_catalogue(code)) == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalogue_is_that_of_the_source(code):
    """The committed .mo holds exactly the translations of the .po (compile with `make translations`)."""
    compiled = BytesIO()
    write_mo(compiled, _catalogue(code))
    compiled.seek(0)
    with (CATALOGUES / code / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        committed = read_mo(handle)
    expected = read_mo(compiled)
    assert _entries(committed) == _entries(expected)


def _entries(catalogue) -> dict:
    freeze = lambda value: tuple(value) if isinstance(value, list | tuple) else value  # noqa: E731
    return {freeze(m.id): freeze(m.string) for m in catalogue if m.id}


def test_catalogue_check_reports_what_a_translator_got_wrong():
    """The check can fail: an empty, a fuzzy and a translation that lost its placeholder are each reported."""
    catalogue = _catalogue("tr")
    catalogue["Ja, ich komme"].string = ""
    catalogue["Besuch melden"].flags.add("fuzzy")
    catalogue["Grund: %(reason)s"].string = "Neden: %(sebep)s"
    assert problems_in(catalogue) == [
        "untranslated or fuzzy: 'Besuch melden'",
        "placeholders differ: 'Grund: %(reason)s' → 'Neden: %(sebep)s'",
        "untranslated or fuzzy: 'Ja, ich komme'",
    ]


UNIT_WORDS = {"km"}  # a unit after a number reads the same in every language here


def unmarked_text(source: str) -> list[str]:
    """Text a reader sees in a template that is not inside ``_()``: text between tags and the title, placeholder,
    aria-label and alt attributes (Jinja code, scripts, styles and comments left out)."""
    text = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}", "\x00", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", " ", text, flags=re.S | re.I)
    attributes = re.findall(r'\s(?:title|placeholder|aria-label|alt)="([^"\x00]*[A-Za-zÄÖÜäöüß]{2,}[^"\x00]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text)
    runs = [run.strip() for run in re.split(r"[\x00\n]", text)]
    return [run for run in runs + attributes if re.search(r"[A-Za-zÄÖÜäöüß]{2,}", run) and run not in UNIT_WORDS]


def test_every_template_text_is_marked_for_translation():
    """The coordinator UI stays German, but each of its texts is marked, so another language is a catalogue away."""
    found = [
        f"{path.relative_to(ROOT)}: {run!r}"
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in (".html", ".txt") and "fonts" not in path.parts
        for run in unmarked_text(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_unmarked_text_is_found():
    """The check above can fail: plain text and a title attribute are reported, marked text is not."""
    source = "<p title=\"Hilfe zeigen\">Hallo {{ name }}</p><p>{{ _('Schon markiert') }}</p>{{ 5 }} km"
    assert unmarked_text(source) == ["Hallo", "Hilfe zeigen"]


def test_no_template_hides_gettext():
    """``_`` is gettext in every template: ``{% set _ = … %}`` would break every string after it."""
    hiding = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.*")
        if path.suffix in (".html", ".txt") and re.search(r"{%-?\s*set\s+_\s*=", path.read_text(encoding="utf-8"))
    ]
    assert hiding == []
