"""Abrechnung: accounting bills October 2026 on the page and downloads an invoice; a coordinator only looks."""

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

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
def october(app_ctx, monkeypatch, tmp_path):
    """October 2026 complete (today 20 Nov): Anna with an Abtretung from 15 Oct, Berta without, held visits."""
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    monkeypatch.setitem(app_ctx.config, "TODAY", date(2026, 11, 20))
    make_provider()  # the run refuses numbered invoices without complete provider data
    kasse = make_pflegekasse(
        name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269", city="Dortmund"
    )
    anna = make_senior(
        first_name="Anna", last_name="Abel", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 10, 15)
    )
    berta = make_senior(first_name="Berta", last_name="Brandt", pflegegrad=3, pflegekasse=kasse)
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    p_anna = make_pairing(volunteer=erika, senior=anna, starts_on=date(2026, 10, 1))
    p_berta = make_pairing(volunteer=erika, senior=berta, starts_on=date(2026, 10, 1), slots=((1, 10 * 60, 120),))
    for day, minutes in ((5, 120), (12, 90), (19, 120), (26, 60)):
        make_appointment(pairing=p_anna, on=date(2026, 10, day), status="stattgefunden", actual_minutes=minutes)
    make_appointment(pairing=p_berta, on=date(2026, 10, 6), status="stattgefunden", actual_minutes=120)
    return tmp_path


def _open_accounting(page):
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Abrechnung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abrechnung")


def test_accounting_bills_the_month_and_downloads_an_invoice(new_page, october):
    coordinator = new_page(role="coordinator")
    _open_accounting(coordinator)
    coordinator.get_by_role("link", name="Oktober 2026 ansehen").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Abrechnung Oktober 2026 – Vorschau")
    # the Kasse's row in the invoices to be issued and in the totals per payer
    expect(coordinator.get_by_role("row", name="AOK NordWest").filter(has_text="22,50 €")).to_have_count(2)
    expect(coordinator.get_by_role("button", name="Oktober 2026 jetzt abrechnen")).to_have_count(0)

    page = new_page(role="accounting", name="Bernd Buchhaltung")
    _open_accounting(page)
    expect(page.get_by_role("cell", name="Noch kein Monat abgerechnet.")).to_be_visible()
    page.get_by_role("link", name="Oktober 2026 abrechnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abrechnung Oktober 2026 – Vorschau")
    expect(page.get_by_text("Nach der Abrechnung ist der Monat 10/2026 gesperrt")).to_be_visible()
    expect(page.get_by_role("row", name="Anna Abel")).to_contain_text("26,25 €")
    page.get_by_role("button", name="Oktober 2026 jetzt abrechnen").click()

    expect(page.get_by_role("status")).to_have_text("Der Monat 10/2026 ist abgerechnet.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Abrechnung Oktober 2026")
    expect(page.locator("dl.facts")).to_contain_text("abgerechnet – gesperrt")
    expect(page.locator("dl.facts")).to_contain_text("von Bernd Buchhaltung")
    invoices = page.locator("table", has=page.get_by_role("columnheader", name="Nummer"))
    expect(invoices.locator("tbody tr td:first-child")).to_have_text(["2026-000001", "2026-000002", "2026-000003"])
    expect(invoices.get_by_role("row", name="2026-000001")).to_contain_text("AOK NordWest (IK 260326822)")
    expect(invoices.get_by_role("row", name="2026-000002")).to_contain_text("Anna Abel")
    expect(invoices.get_by_role("row", name="2026-000003")).to_contain_text("Berta Brandt")

    with page.expect_download() as info:
        invoices.get_by_role("link", name="2026-000002").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Anna Abel" in text and "2026-000002" in text and "26,25 €" in text

    _open_accounting(page)
    month = page.get_by_role("row", name="10/2026")
    expect(month.get_by_role("cell").nth(2)).to_have_text("3")
    expect(page.get_by_role("link", name="Oktober 2026 ansehen")).to_be_visible()

    _open_accounting(coordinator)
    coordinator.get_by_role("link", name="10/2026").click()
    expect(coordinator.get_by_role("link", name="2026-000001")).to_be_visible()
    expect(coordinator.get_by_role("link", name="Stornieren")).to_have_count(0)
