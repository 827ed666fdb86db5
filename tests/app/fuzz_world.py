"""The world the fuzz test (test_fuzz.py) runs in: a small seeded database, the forms and query strings found on
its pages, the real ids for path arguments, and a snapshot of every table to tell whether a request changed
anything (and to put it back after one that did)."""

from __future__ import annotations

import inspect
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import run_month
from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.models import (
    BillingRun,
    BudgetOpening,
    BudgetOtherUse,
    Invoice,
    OutboxMessage,
    PflegegradPeriod,
    Pflegekasse,
    Senior,
    UmwandlungDeclaration,
    User,
    Volunteer,
    VolunteerAbsence,
)
from begleitservice.models.matching import MatchProposal, MatchRun
from begleitservice.models.scheduling import CoverOffer
from billing.month import Month
from tests.factories import (
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_request,
    make_senior,
    make_user,
    make_volunteer,
)

NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # Friday morning in Dortmund
TODAY = date(2026, 11, 20)
ROLES = ("coordinator", "accounting", "admin")
# A valid value per HTML input type, for empty fields of "new" forms (edit forms show their stored values).
TYPED_VALUES = {
    "date": ["2026-11-24", "2026-12-01"],
    "time": ["10:00", "11:30"],
    "email": ["neu@example.org"],
    "tel": ["0231 123456"],
    "number": ["1", "90"],
    "text": ["Neu"],
}


@dataclass
class FormSpec:
    """A form found on a page: its fields with the values the page offered (current value, options)."""

    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    multiple: set[str] = field(default_factory=set)
    types: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    """What the fuzz test draws from: ids per path argument, tokens, users, forms and query names per endpoint."""

    ids: dict[str, list[int]]
    strings: dict[str, list[str]]
    users: dict[str, int]
    forms: dict[str, FormSpec] = field(default_factory=dict)
    queries: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # any page's values by field name

    def offered(self, spec: FormSpec, name: str) -> list[str]:
        """The values to try for field ``name``: the page's, any other page's for that name, one fitting its type."""
        own = spec.fields.get(name, [])
        if any(own):  # a select's options, an edit form's stored value
            return [v for v in own if v] + [v for v in own if not v][:1]
        others = sorted(self.values.get(name.rsplit("-", 1)[-1], set()))
        return [*others, *TYPED_VALUES.get(spec.types.get(name, ""), []), ""]


def seed() -> World:
    """A small service: two seniors (one with Pflegegrad), two volunteers, pairings with past, coming and declined
    visits, a stand-in offer, an open request with a proposal, budget facts, a failed mail and a billed month."""
    users = {role: make_user(role=role).id for role in ROLES}
    kasse = make_pflegekasse(street="Kopenhagener Str. 1", postal_code="44269", city="Dortmund")
    anna = make_senior(first_name="Anna", last_name="Öztürk", pflegegrad=2, pflegekasse=kasse)
    carl = make_senior(first_name="Carl", last_name="Çelik")
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True, calendar_token="k" * 40)
    fritz = make_volunteer(first_name="Fritz", last_name="Fuchs", offers_entlastung=True, availability=[(0, 480, 1200)])
    db.session.add(PflegegradPeriod(senior=anna, grade=2, valid_from=date(2025, 1, 1)))
    p_anna = make_pairing(volunteer=erika, senior=anna, starts_on=date(2026, 9, 7))
    p_carl = make_pairing(volunteer=fritz, senior=carl, starts_on=date(2026, 9, 7), slots=((2, 600, 90),))
    held = make_appointment(pairing=p_anna, on=date(2026, 10, 5), status="stattgefunden", actual_minutes=120)
    make_appointment(pairing=p_carl, on=date(2026, 10, 7), status="stattgefunden", actual_minutes=90)
    coming = make_appointment(pairing=p_anna, on=date(2026, 11, 23))
    declined = make_appointment(
        pairing=p_anna, on=date(2026, 11, 30), status="abgesagt", declined_at=NOW, decline_reason="krank"
    )
    offer = CoverOffer(appointment=declined, volunteer=fritz, offered_at=NOW)
    request = make_request(senior=carl, received_on=date(2026, 11, 2))
    run = MatchRun(status="fertig", finished_at=NOW, requests_count=1, volunteers_count=2, served=1)
    proposal = MatchProposal(run=run, request=request, volunteer=erika, visits=[[1, 600, 720]], reasons=["passt"])
    absence = VolunteerAbsence(volunteer=fritz, starts_on=date(2026, 12, 21), ends_on=date(2027, 1, 3), reason="Urlaub")
    opening = BudgetOpening(senior=anna, as_of=date(2026, 1, 10), current_year=Decimal("131"), source="AOK")
    other = BudgetOtherUse(senior=anna, month=date(2026, 2, 1), amount=Decimal("20"), note="Tagespflege")
    declared = UmwandlungDeclaration(senior=anna, month=date(2026, 3, 1), amount=Decimal("50"))
    mail = OutboxMessage(
        kind="reminder", recipient="erika@example.org", subject="Erinnerung", body_text="Hallo", status="failed"
    )
    db.session.add_all([offer, run, proposal, absence, opening, other, declared, mail])
    db.session.commit()
    make_provider()
    billed = run_month(Month(2026, 10), today=TODAY, issued_on=TODAY)
    commit_with_files(billed.staged)
    tokens = [make_token(p, a.id, issued_at=NOW) for p in ("confirm", "decline", "report") for a in (coming, held)]
    tokens.append(make_token("cover", offer.id, volunteer_id=fritz.id, issued_at=NOW))
    invoice = db.session.scalars(sa.select(Invoice)).first()
    document_names = [inv.pdf_file for inv in billed.run.invoices] + [d.file_name for d in billed.run.documents]

    def all_ids(model) -> list[int]:
        return list(db.session.scalars(sa.select(model.id)))

    ids = {
        "senior_id": all_ids(Senior),
        "volunteer_id": all_ids(Volunteer),
        "pairing_id": [p_anna.id, p_carl.id],
        "appointment_id": [held.id, coming.id, declined.id],
        "request_id": [request.id],
        "proposal_id": [proposal.id],
        "match_run_id": [run.id],
        "billing_run_id": all_ids(BillingRun),
        "invoice_id": [invoice.id] if invoice else [],
        "kasse_id": all_ids(Pflegekasse),
        "user_id": all_ids(User),
        "message_id": [mail.id],
        "absence_id": [absence.id],
        "entry_id": [opening.id, other.id, declared.id],
    }
    strings = {
        "token": tokens,
        "kind": ["anfangsbestand", "nutzung", "umwandlung", "hours", "invoices", "allowances"],
        "name": document_names,
    }
    return World(ids=ids, strings=strings, users=users)


def id_key(endpoint: str, argument: str) -> str:
    """Which id list fills a path argument (``run_id`` means a billing run on the accounting pages)."""
    if argument == "run_id":
        return "billing_run_id" if endpoint.startswith("accounting.") else "match_run_id"
    return argument


# --- what the pages offer ---------------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    """Collect forms (action, method, fields with their values and options) and links of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, FormSpec]] = []
        self.links: list[str] = []
        self._form: FormSpec | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = FormSpec(method=(a.get("method") or "get").upper())
            self.forms.append((a.get("action") or "", self._form.method, self._form))
        elif self._form is None or not a.get("name"):
            if tag == "option" and self._form is not None and self._select:
                self._form.fields[self._select].append(a.get("value", ""))
            return
        elif tag == "input" and a.get("type") not in ("submit", "button"):
            self._form.fields.setdefault(a["name"], []).append(a.get("value") or "")
            self._form.types[a["name"]] = a.get("type", "text")
            if a.get("type") == "checkbox":
                self._form.multiple.add(a["name"])
        elif tag == "select":
            self._select = a["name"]
            self._form.fields.setdefault(a["name"], [])
            if "multiple" in a:
                self._form.multiple.add(a["name"])
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields.setdefault(a["name"], [""])

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            values = self._form.fields[self._textarea]
            values[-1] = (values[-1] + data).removeprefix("\r\n").removeprefix("\n")  # as browsers do

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def discover(app, client, world: World, page_paths: list[str]) -> None:
    """Note the query names the views read, then read ``page_paths`` with ``client`` and note every form (by the
    endpoint it posts to) and every query name and value of their links and search forms."""
    adapter = app.url_map.bind("localhost")
    for endpoint, names in source_query_names(app).items():
        for name in names:
            world.queries[endpoint].setdefault(name, [])
    for path in page_paths:
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _FormParser()
        parser.feed(response.get_data(as_text=True))
        for action, method, spec in parser.forms:
            target = urlsplit(action or path)
            endpoint = _endpoint(adapter, target.path or urlsplit(path).path, method)
            if endpoint is None:
                continue
            if method == "GET":
                for name, values in spec.fields.items():
                    world.queries[endpoint].setdefault(name, []).extend(values)
                continue
            known = world.forms.setdefault(endpoint, FormSpec(method=method))
            for name, values in spec.fields.items():
                known.fields.setdefault(name, []).extend(v for v in values if v not in known.fields[name])
                world.values[name.rsplit("-", 1)[-1]].update(v for v in values if v)
            known.multiple |= spec.multiple
            known.types |= spec.types
        for href in parser.links:
            target = urlsplit(href)
            if target.netloc or not target.query:
                continue
            if (endpoint := _endpoint(adapter, target.path or urlsplit(path).path, "GET")) is not None:
                for name, value in parse_qsl(target.query, keep_blank_values=True):
                    world.queries[endpoint].setdefault(name, []).append(value)


_ARG_PATTERNS = (
    re.compile(r"""args\.get\(\s*["'](\w+)["']"""),
    re.compile(r"""query_\w+\(\s*["'](\w+)["']"""),
    re.compile(r"""for \w+ in \(((?:\s*["']\w+["'],?)+)\)"""),
)


def source_query_names(app) -> dict[str, set[str]]:
    """The query-string names each endpoint's view module reads (``args.get("x")``, ``query_int("x")``, …)."""
    names: dict[str, set[str]] = {}
    for endpoint, view in app.view_functions.items():
        module = sys.modules.get(view.__module__)
        if module is None or endpoint == "static":
            continue
        source = inspect.getsource(module)
        found = set()
        for pattern in _ARG_PATTERNS:
            for match in pattern.finditer(source):
                found |= set(re.findall(r"\w+", match[1]))
        names[endpoint] = found
    return names


def _endpoint(adapter, path: str, method: str) -> str | None:
    try:
        endpoint, _args = adapter.match(path, method=method)
    except HTTPException:
        return None
    return endpoint


# --- the database as values -------------------------------------------------------------------------------------


# The audit trail records attempts too (a failed login, a page opened): a row there is not a saved input.
NOT_DATA = {"audit_event"}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every data table, in primary-key order."""
    db.session.rollback()
    result = {}
    for table in db.metadata.sorted_tables:
        if table.name in NOT_DATA:
            continue
        query = sa.select(table).order_by(*table.primary_key.columns)
        result[table.name] = [tuple(row) for row in db.session.execute(query)]
    db.session.rollback()
    return result


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    """The names of the tables whose rows differ."""
    return [name for name in before if before[name] != after[name]]


def restore(saved: dict[str, list[tuple]]) -> None:
    """Put every table back as in ``saved`` (ids too; PostgreSQL's sequences keep counting, so no clash)."""
    db.session.rollback()
    db.session.remove()
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
        for table in tables:
            if rows := saved.get(table.name):
                names = [c.name for c in table.columns]
                conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
