"""The start page: billing gaps for accounting (the coordinators' inbox is tested in test_inbox.py)."""

from datetime import date

import pytest

from tests.factories import make_appointment, make_pairing, make_pflegekasse, make_request, make_senior, make_volunteer

TODAY = date(2026, 11, 10)


@pytest.fixture
def today(app_ctx, monkeypatch):
    """Fix "today" for the app to 10 November 2026 (Führungszeugnis valid 5 years)."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    monkeypatch.setitem(app_ctx.config, "FUEHRUNGSZEUGNIS_MAX_YEARS", 5)
    return TODAY


def test_accounting_sees_billing_dashboard_only(login, today):
    accounting = login("accounting")
    kasse = make_pflegekasse()
    senior = make_senior(pflegegrad=2, pflegekasse=kasse)
    make_senior(last_name="Ohnekasse", pflegegrad=3)
    make_senior(last_name="Ohnenummer", pflegegrad=1, pflegekasse=kasse, kvnr=None)
    make_senior(last_name="Besuchsdienst")  # no Pflegegrad: nothing to bill
    make_request(senior=make_senior(last_name="Anfragend"))
    entlastung = make_pairing(senior=senior, volunteer=make_volunteer(offers_entlastung=True))
    for day, minutes in ((6, 120), (13, 90), (20, None)):
        make_appointment(pairing=entlastung, on=date(2026, 10, day), status="stattgefunden", actual_minutes=minutes)
    make_appointment(pairing=entlastung, on=date(2026, 11, 3), status="stattgefunden", actual_minutes=60)
    besuch = make_pairing()
    make_appointment(pairing=besuch, on=date(2026, 10, 7), status="stattgefunden")

    page = accounting.get("/").get_data(as_text=True)

    assert "01.10.2026 – 31.10.2026" in page
    assert '<div class="stat">2</div>stattgefundene Termine mit Minuten (3,5 Std.)' in page
    assert '<div class="stat">1</div>stattgefundene Termine ohne Minuten' in page
    assert "Ohnekasse" in page and "Ohnenummer" in page
    assert "Besuchsdienst, " not in page and senior.last_name not in page
    assert "Anfragend" not in page and "inbox-counts" not in page


def test_admin_sees_care_and_billing_parts(login, today):
    page = login("admin").get("/").get_data(as_text=True)

    assert "Anfragen, die lange warten" in page
    assert "Abrechnung Häusliche Entlastung" in page


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
