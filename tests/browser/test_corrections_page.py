"""Korrekturplan in the browser: a Storno of September shows the plan over October first; a double click on
„Korrektur ausführen“ corrects once."""

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import run_month
from begleitservice.extensions import db
from begleitservice.models import Invoice
from begleitservice.models.budget import PflegegradPeriod
from billing.month import Month
from tests.factories import (
    VALID_IKS,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_senior,
    make_volunteer,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def autumn(app_ctx, monkeypatch, tmp_path):
    """Anna (Pflegegrad 2, Abtretung): September 90.00 and October 150.00 billed, 131.00 a month."""
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, tzinfo=UTC))
    monkeypatch.setitem(app_ctx.config, "TODAY", date(2026, 11, 20))
    make_provider()
    kasse = make_pflegekasse(name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269")
    anna = make_senior(
        first_name="Anna", last_name="Abel", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 1, 1)
    )
    db.session.add(PflegegradPeriod(senior=anna, grade=2, valid_from=date(2026, 1, 1)))
    pairing = make_pairing(
        volunteer=make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True),
        senior=anna,
        starts_on=date(2026, 9, 1),
    )
    for day, minutes in ((date(2026, 9, 7), 480), (date(2026, 9, 14), 240)):
        make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=minutes)
    for day in (date(2026, 10, 5), date(2026, 10, 19)):
        make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=600)
    for month in (Month(2026, 9), Month(2026, 10)):
        day = month.next().first_day
        result = run_month(month, out_dir=tmp_path / month.iso, today=day, issued_on=day, accept_open=True)
        commit_with_files(result.staged)
    return anna


def test_storno_plan_then_one_correction_for_a_double_click(new_page, autumn):
    page = new_page(role="accounting", name="Bernd Buchhaltung")
    september = db.session.scalar(sa.select(Invoice).where(Invoice.number == "2026-000001"))
    page.goto(f"/abrechnung/{september.run_id}")
    page.get_by_role("row", name="2026-000001").get_by_role("link", name="Stornieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Storno der Rechnung 2026-000001")
    page.get_by_label("Grund des Stornos").fill("Besuch am 07.09. dauerte 12 Stunden")
    page.get_by_label("Minuten am 07.09.2026").fill("720")
    page.get_by_role("button", name="Korrekturplan anzeigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Korrekturplan: Storno der Rechnung 2026-000001")
    expect(page.get_by_role("heading", level=2)).to_have_text(["September 2026", "Oktober 2026"])
    october = page.locator("#monat-2026-10")
    expect(october.get_by_role("row", name="Pflegekasse")).to_contain_text("150,00 € → 142,00 €")
    expect(october.get_by_role("row", name="Versicherte/r")).to_contain_text("0,00 € → 8,00 €")
    page.screenshot(path="/tmp/korrekturplan.png", full_page=True)

    page.get_by_role("button", name="Korrektur ausführen").dblclick()
    # The browser shows the answer to the second click: when it left before the first was answered, its session
    # cookie has no word of the first result, so the page says only that the form was saved already.
    expect(page.get_by_role("status").first).to_contain_text(
        re.compile(r"Korrektur ausgeführt \(September 2026, Oktober 2026\)|Dieses Formular wurde bereits gespeichert"),
        timeout=60_000,
    )
    db.session.expire_all()
    numbers = db.session.scalars(sa.select(Invoice.number).order_by(Invoice.year, Invoice.seq)).all()
    assert numbers == [f"2026-00000{n}" for n in range(1, 8)]  # 2 billed + 5 corrections, not 10
