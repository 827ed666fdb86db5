"""Settings from the environment: billing figures from the BILLING_CONFIG file reach the invoices' provider."""

import json
from datetime import date
from pathlib import Path

import pytest

from begleitservice import create_app
from begleitservice.budget.inputs import billing_config

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "billing.example.json"


def test_billing_config_file_sets_provider_and_rates(monkeypatch, tmp_path):
    monkeypatch.setenv("BILLING_CONFIG", str(EXAMPLE))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})
    with app.app_context():
        config = billing_config()
    assert config.provider.recognition == "Anerkennung nach AnFöVO NRW, Az. 00-00-00"
    assert config.tax_free_cap_kind == "ehrenamt"
    assert str(config.allowance_per_hour.value_on(date(2026, 1, 1))) == "5.00"


def test_a_wrong_billing_setting_stops_the_start(monkeypatch, tmp_path):
    bad = tmp_path / "billing.json"
    bad.write_text(json.dumps({"stundensatz": "8.00"}), encoding="utf-8")
    monkeypatch.setenv("BILLING_CONFIG", str(bad))
    with pytest.raises(KeyError, match="stundensatz"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})
