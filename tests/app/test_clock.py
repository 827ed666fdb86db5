"""The app's one clock: NOW and TODAY move all of it, today is Dortmund's date, nothing else reads the time."""

import importlib.util
import re
from datetime import UTC, date, datetime

from begleitservice import clock
from begleitservice.extensions import db
from tests.codescan import lines_matching
from tests.factories import make_senior

READS_THE_TIME = re.compile(r"\bdate\.today\(|\bdatetime\.(now|utcnow|today)\(|\btime\.time\(")


def test_today_is_the_local_date_of_now(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 29, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 11, 30)  # already Monday in Dortmund
    monkeypatch.setitem(app_ctx.config, "TODAY", "2026-12-24")
    assert clock.today() == date(2026, 12, 24)


def test_new_records_are_stamped_by_the_app_clock(app_ctx, monkeypatch):
    moment = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    monkeypatch.setitem(app_ctx.config, "NOW", moment)
    senior = make_senior()
    db.session.commit()
    db.session.expire_all()
    assert senior.created_at == moment and senior.updated_at == moment


def test_only_the_clock_module_reads_the_time():
    assert READS_THE_TIME.search("today = today or date.today()")  # the check can bite
    assert lines_matching(READS_THE_TIME, home="begleitservice/clock.py") == []


def test_no_feature_package_has_a_clock_of_its_own():
    # begleitservice/*.py import the clock as ".clock"; in a feature package that would be a local copy (a shim).
    shims = re.compile(r"\b(appointments|dashboard)\.clock\b|from \.clock import|from \. import [\w, ]*\bclock\b")
    found = [line for line in lines_matching(shims, home="") if line.count("/") > 1]
    assert shims.search("    from .clock import now") and found == []
    assert importlib.util.find_spec("begleitservice.appointments.clock") is None
    assert importlib.util.find_spec("begleitservice.dashboard.clock") is None
