"""Property-based fuzzing (Hypothesis) of every route, form and query string, for every role.

Routes come from ``app.url_map`` (a new route is fuzzed without touching this file), path ids are real ids of a small
seeded database (tests/app/fuzz_world.py), form fields and query names are those the pages offer. Values are drawn
from what the page offered and from known troublemakers (huge and Unicode numbers, impossible months and dates,
NUL and control characters, CR/LF, foreign redirect targets, long text). The properties:

- no answer is a server error (5xx);
- an answer that refuses the input (4xx, or a POST that shows its form again) changed nothing in the database.

CI runs a fixed number of examples per route and role with a fixed seed per route. For a longer hunt:
``FUZZ_EXAMPLES=60 FUZZ_SEED=7 pytest -s -p no:xdist tests/app/test_fuzz.py`` (the cases tried are printed).
"""

from __future__ import annotations

import os
import traceback
import zlib

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from werkzeug.routing.converters import NumberConverter

from begleitservice.extensions import db
from begleitservice.inputs import MAX_ID
from tests.app import fuzz_world
from tests.app.fuzz_values import EXTRA_NAMES, NASTY, anything, bad_value, kind_of
from tests.app.fuzz_world import NOW, TODAY, World

# Examples per route: FUZZ_EXAMPLES / 3 per parameter (form field, query name, path argument) and one more;
# admins (who may do everything) get them all, the other roles a share (their routes are mostly the same code).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
ROLE_SHARE = {"admin": 1.0, "coordinator": 0.5, "accounting": 0.5, None: 0.25}
SEED = os.environ.get("FUZZ_SEED", "0")
ROLES = (*fuzz_world.ROLES, None)  # None: not logged in
PASSWORD = "richtig-geheim-123"  # tests.factories.make_user's default


def _path_value(data, world: World, endpoint: str, argument: str, converter, *, bad: bool) -> object:
    if isinstance(converter, NumberConverter):
        real = world.ids.get(fuzz_world.id_key(endpoint, argument)) or [1]
        odd = st.sampled_from([0, 1, 999_999, MAX_ID, MAX_ID + 1, 10**20])
        return data.draw(odd if bad else st.sampled_from(real))
    real = world.strings.get(argument) or ["x"]
    return data.draw(st.one_of(st.sampled_from(NASTY), st.text(min_size=1)) if bad else st.sampled_from(real))


class Writes:
    """Whether a transaction with INSERT/UPDATE/DELETE was committed while ``active`` (a cheap change detector)."""

    def __init__(self, engine):
        self.active = self.pending = self.committed = False
        sa.event.listen(engine, "after_cursor_execute", self._execute)
        sa.event.listen(engine, "commit", self._commit)
        sa.event.listen(engine, "rollback", self._rollback)
        self.engine = engine

    def _execute(self, conn, cursor, statement, *args):
        if self.active and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.pending = True

    def _commit(self, conn):
        self.committed |= self.active and self.pending
        self.pending = False

    def _rollback(self, conn):
        self.pending = False

    def close(self):
        sa.event.remove(self.engine, "after_cursor_execute", self._execute)
        sa.event.remove(self.engine, "commit", self._commit)
        sa.event.remove(self.engine, "rollback", self._rollback)


@pytest.fixture
def world(app_ctx, monkeypatch, tmp_path):
    """The seeded world on a fixed clock, with matching runs done in the request and documents under tmp_path."""
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    monkeypatch.setitem(app_ctx.config, "MATCH_RUN_SYNC", True)
    monkeypatch.setitem(app_ctx.config, "MATCH_TIME_LIMIT_S", 1.0)
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    world = fuzz_world.seed()
    emails = list(db.session.scalars(sa.text('SELECT email FROM "user"')))
    world.strings["email"], world.strings["password"] = emails, [PASSWORD]
    return world


@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_no_input_gives_a_server_error_or_changes_anything_when_refused(app_ctx, world, role, record_property):
    """Every route, form and query string with generated values: never a 5xx, nothing changed on a refusal."""
    app = app_ctx
    client = app.test_client()
    adapter = app.url_map.bind("localhost")
    targets = sorted(
        (rule.endpoint, method, rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )
    _login(client, world, role)
    pages = [adapter.build(e, _real_args(world, e, rule)) for e, m, rule in targets if m == "GET"]
    fuzz_world.discover(app, client, world, pages)
    baseline = fuzz_world.snapshot()
    writes = Writes(db.engine)
    tried = []

    def attempt(target, data):
        endpoint, method, _rule = target
        path, query, form = _draw_request(data, world, adapter, target)
        tried.append(endpoint)
        if os.environ.get("FUZZ_DEBUG"):
            print(method, path, query, form)
        _login(client, world, role)
        writes.committed = writes.pending = False
        writes.active = True
        try:
            response = client.open(path, method=method, query_string=query, data=form)
        except Exception:
            db.session.rollback()
            raise AssertionError(
                f"{method} {path} ({role}) query={query!r} form={form!r} raised:\n{traceback.format_exc()}"
            ) from None
        finally:
            writes.active = False
        status = response.status_code
        assert status < 500, f"{method} {path} ({role}) query={query!r} form={form!r} → {status}"
        refused = status >= 400 or (method == "POST" and status < 300)
        if writes.committed:
            changed = fuzz_world.changed_tables(baseline, fuzz_world.snapshot())
            if changed:
                fuzz_world.restore(baseline)
            assert not (refused and changed), (
                f"{method} {path} ({role}) query={query!r} form={form!r} → {status} but changed {changed}"
            )

    failures = []
    try:
        for target in targets:
            endpoint, method, rule = target
            spec = world.forms.get(endpoint) if method == "POST" else None
            count = len(rule.arguments) + len(spec.fields if spec else ()) + len(world.queries.get(endpoint, ()))
            examples = max(1, round(EXAMPLES / 3 * (1 + count) * ROLE_SHARE[role]))
            run = given(data=st.data())(_bound(attempt, target))
            run = settings(
                max_examples=examples,
                deadline=None,
                database=None,
                print_blob=False,
                phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: the report names the request
                suppress_health_check=list(HealthCheck),
            )(run)
            run = seed(zlib.crc32(f"{endpoint} {method}".encode()) ^ int(SEED))(run)  # fixed, but per route
            try:
                run()
            except Exception as error:
                failures.append(_failure_text(error))
    finally:
        writes.close()
        print(f"\nfuzz {role or 'anonymous'}: {len(tried)} cases over {len(set(tried))} endpoints")
        record_property("fuzz_cases", len(tried))
    assert not failures, f"{len(failures)} route(s) failed:\n\n" + "\n\n".join(failures)


def _draw_request(data, world: World, adapter, target) -> tuple[str, dict, dict]:
    """Path, query string and form data for one request to ``target``: mostly one parameter gets a troublemaker of
    its kind and the others what the pages offered; one time in ten every parameter goes wild."""
    endpoint, method, rule = target
    spec = world.forms.get(endpoint) if method == "POST" else None
    fields = {name: world.offered(spec, name) for name in spec.fields} if spec else {}
    if endpoint == "auth.login":  # real accounts, so a login can succeed and follow ?next=
        fields = {name: [*world.strings.get(name, []), *offered] for name, offered in fields.items()}
    queries = world.queries.get(endpoint, {})
    params = [("path", a) for a in sorted(rule.arguments)]
    params += [("form", n) for n in sorted(fields)] + [("query", n) for n in sorted(queries)]
    chaos = data.draw(st.integers(0, 9), label="chaos") == 0
    focus = data.draw(st.sampled_from(params), label="focus") if params and not chaos else None
    args = {
        a: _path_value(data, world, endpoint, a, rule._converters[a], bad=chaos or focus == ("path", a))
        for a in sorted(rule.arguments)
    }
    form, query = {}, {}
    for name, offered in sorted(fields.items()):
        kind = kind_of(name, spec.types.get(name, ""), offered)
        if chaos or focus == ("form", name):
            if data.draw(st.integers(0, 7), label="omit") == 0:
                continue
            count = data.draw(st.integers(1, 3)) if name in spec.multiple else 1
            form[name] = [data.draw(anything if chaos else bad_value(kind)) for _ in range(count)]
        elif offered:
            count = data.draw(st.integers(0, 2)) if name in spec.multiple else 1
            form[name] = [data.draw(st.sampled_from(offered)) for _ in range(count)]
    for name, offered in sorted(queries.items()):
        if chaos or focus == ("query", name):
            query[name] = data.draw(anything if chaos else bad_value(kind_of(name, "", offered)))
        elif offered and data.draw(st.booleans(), label="ask"):
            query[name] = data.draw(st.sampled_from(offered))
    if data.draw(st.integers(0, 4), label="extra") == 0:
        extra = data.draw(st.sampled_from(EXTRA_NAMES))
        (form if method == "POST" else query)[extra] = data.draw(bad_value(kind_of(extra)))
    return adapter.build(endpoint, args, method=method), query, form


def _failure_text(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "\n\n".join(_failure_text(e) for e in error.exceptions)
    return str(error).split("\nFalsifying example")[0]


def _bound(attempt, target):
    def fuzz_route(data):
        attempt(target, data)

    return fuzz_route


def _login(client, world: World, role: str | None) -> None:
    """Start a fresh session for ``role`` (no flashes left over; a logout or a changed account does not last)."""
    with client.session_transaction() as session:
        session.clear()
        if role is not None:
            session["_user_id"] = str(world.users[role])
            session["_fresh"] = True


def _real_args(world: World, endpoint: str, rule) -> dict:
    values = {}
    for argument in rule.arguments:
        if argument in world.strings:
            values[argument] = world.strings[argument][0]
        else:
            values[argument] = (world.ids.get(fuzz_world.id_key(endpoint, argument)) or [1])[0]
    return values
