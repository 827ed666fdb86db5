"""Settings from the environment: typed with defaults in config.py only, bad values stop the start with a message."""

import json
import os
import re
import subprocess
import sys
from datetime import date

import pytest

from begleitservice import create_app
from begleitservice.budget.inputs import configured_billing
from begleitservice.config import SettingsError, from_environment
from begleitservice.extensions import db
from begleitservice.matches.instance import engine_settings
from tests.codescan import ROOT, lines_matching

EXAMPLE = ROOT / "docs" / "billing.example.json"


def test_billing_config_file_sets_rates(monkeypatch, tmp_path):
    monkeypatch.setenv("BILLING_CONFIG", str(EXAMPLE))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})
    with app.app_context():
        config = configured_billing()
    assert config.tax_free_cap_kind == "ehrenamt"
    assert str(config.allowance_per_hour.value_on(date(2026, 1, 1))) == "5.00"
    assert str(config.km_rate.value_on(date(2026, 1, 1))) == "0.30"


def test_the_provider_is_no_longer_read_from_the_billing_file(monkeypatch, tmp_path):
    """The provider's data lives in the app (Träger page), dated; a file entry says so instead of being ignored."""
    old = tmp_path / "billing.json"
    old.write_text(json.dumps({"provider": {"ik": "260326822"}}), encoding="utf-8")
    monkeypatch.setenv("BILLING_CONFIG", str(old))
    with pytest.raises(SettingsError, match=r"BILLING_CONFIG=.*Trägerdaten werden in der App gepflegt"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})


def test_a_wrong_billing_setting_stops_the_start(monkeypatch, tmp_path):
    bad = tmp_path / "billing.json"
    bad.write_text(json.dumps({"stundensatz": "8.00"}), encoding="utf-8")
    monkeypatch.setenv("BILLING_CONFIG", str(bad))
    with pytest.raises(SettingsError, match=r"BILLING_CONFIG=.*fehlerhafter Eintrag.*stundensatz"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})


def test_every_setting_has_its_default_without_environment():
    values = from_environment({})
    assert values["TRAVEL_BUFFER_MINUTES"] == 30
    assert values["MATCH_TIME_LIMIT_S"] == 10.0 and values["MATCH_WORKERS"] == 1 and values["MATCH_SEED"] == 0
    assert values["MATCH_SLOT_MINUTES"] == 15 and values["MATCH_ABSENCE_WEEKS"] == 4
    assert values["MATCH_RUN_SYNC"] is False and values["BILLING_COLLECTIVE"] is True
    assert values["BILLING_RENDER_WORKERS"] is None and values["ITEMS_PER_PAGE"] == 50
    assert values["NOW"] is None and values["TODAY"] is None and values["BILLING"] == {}


def test_environment_values_are_typed():
    values = from_environment(
        {"MATCH_TIME_LIMIT_S": "2,5", "MATCH_RUN_SYNC": "ja", "BILLING_COLLECTIVE": "nein", "ITEMS_PER_PAGE": " 20 "}
    )
    assert values["MATCH_TIME_LIMIT_S"] == 2.5
    assert values["MATCH_RUN_SYNC"] is True and values["BILLING_COLLECTIVE"] is False
    assert values["ITEMS_PER_PAGE"] == 20


def test_the_travel_buffer_falls_back_to_its_old_name():
    assert from_environment({"MATCH_TRAVEL_BUFFER_MINUTES": "20"})["TRAVEL_BUFFER_MINUTES"] == 20
    both = {"MATCH_TRAVEL_BUFFER_MINUTES": "20", "TRAVEL_BUFFER_MINUTES": "45"}
    assert from_environment(both)["TRAVEL_BUFFER_MINUTES"] == 45


def test_matching_uses_the_one_travel_buffer(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAVEL_BUFFER_MINUTES", "45")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})
    with app.app_context():
        db.create_all()
        assert engine_settings().travel_buffer_minutes == 45
        assert engine_settings(time_limit_s=1.0).time_limit_s == 1.0


def test_config_passed_to_create_app_overrides_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ITEMS_PER_PAGE", "20")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "ITEMS_PER_PAGE": 2})
    assert app.config["ITEMS_PER_PAGE"] == 2


def test_bad_values_stop_the_start_with_every_variable_named(monkeypatch, tmp_path):
    for name, value in {
        "MATCH_WORKERS": "viele",
        "TRAVEL_BUFFER_MINUTES": "-5",
        "MATCH_TIME_LIMIT_S": "0",
        "MATCH_RUN_SYNC": "vielleicht",
        "APP_TIMEZONE": "Europe/Dortmund",
        "SCHEDULER_WEEKLY_SUMMARY_AT": "montag 7 Uhr",
        "BILLING_CONFIG": str(tmp_path / "fehlt.json"),
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    message = str(raised.value)
    assert message.startswith("Ungültige Einstellungen / invalid settings:")
    assert "MATCH_WORKERS='viele': ganze Zahl ab 1 und höchstens 64 erwartet" in message
    assert "TRAVEL_BUFFER_MINUTES='-5': ganze Zahl ab 0 und höchstens 240 erwartet" in message
    assert "MATCH_TIME_LIMIT_S='0': Zahl größer als 0 erwartet" in message
    assert "MATCH_RUN_SYNC='vielleicht': ja/nein erwartet" in message
    assert "APP_TIMEZONE='Europe/Dortmund': bekannte Zeitzone erwartet" in message
    assert "SCHEDULER_WEEKLY_SUMMARY_AT='montag 7 Uhr': Wochentag und Uhrzeit erwartet" in message
    assert "fehlt.json': lesbare Datei erwartet" in message
    assert len(raised.value.problems) == 7


def test_the_command_line_prints_the_settings_error_without_a_traceback(tmp_path):
    env = {**os.environ, "BEGLEITSERVICE_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    env["MATCH_WORKERS"] = "abc"
    done = subprocess.run(
        [sys.executable, "-c", "from begleitservice.cli import main; main()", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "MATCH_WORKERS='abc': ganze Zahl ab 1" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


# Reading settings anywhere but config.py: the environment, or app config with a fallback that hides a missing key.
FORBIDDEN = re.compile(r"\bos\.environ\b|\bgetenv\(|\bconfig\.get\(|\bconfig\.setdefault\(")


def test_only_config_reads_the_environment_or_config_with_a_default():
    assert FORBIDDEN.search('workers = int(current_app.config.get("MATCH_WORKERS", 1))')  # the check can bite
    assert FORBIDDEN.search('os.environ.get("X")') and not FORBIDDEN.search('current_app.config["X"]')
    assert lines_matching(FORBIDDEN, home="begleitservice/config.py") == []
