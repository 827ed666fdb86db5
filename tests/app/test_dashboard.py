"""The start page: open work for coordinators, billing gaps for accounting."""

from datetime import date, time

import pytest

from tests.factories import make_appointment, make_pairing, make_pflegekasse, make_request, make_senior, make_volunteer

TODAY = date(2026, 11, 10)


@pytest.fixture
def today(app_ctx, monkeypatch):
    """Fix "today" for the app to 10 November 2026 (Führungszeugnis valid 5 years)."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    monkeypatch.setitem(app_ctx.config, "FUEHRUNGSZEUGNIS_MAX_YEARS", 5)
    return TODAY


def test_coordinator_sees_open_requests_oldest_first_top_ten(coordinator, today):
    for day in range(1, 13):
        make_request(senior=make_senior(last_name=f"Wartend{day:02d}"), received_on=date(2026, 9, day))
    make_request(senior=make_senior(last_name="Vermittelt"), received_on=date(2026, 1, 1), status="vermittelt")

    page = coordinator.get("/").get_data(as_text=True)

    assert page.index("Wartend01") < page.index("Wartend02") < page.index("Wartend10")
    assert "Wartend11" not in page and "Vermittelt" not in page
    assert '<div class="stat">12</div><a href="/requests/">offene Anfragen' in page
    assert "70 Tage" in page  # 1 September → 10 November
    assert "Alle 12 offenen Anfragen" in page


def test_coordinator_sees_unconfirmed_and_unreported_appointments(coordinator, today):
    pairing = make_pairing(volunteer=make_volunteer(last_name="Terminfrau"))
    make_appointment(pairing=pairing, on=date(2026, 11, 12))  # geplant, in 2 days
    make_appointment(pairing=pairing, on=date(2026, 11, 13), status="bestaetigt")  # confirmed
    make_appointment(pairing=pairing, on=date(2026, 11, 30))  # too far ahead
    make_appointment(pairing=pairing, on=date(2026, 11, 3), planned_start=time(9, 0), planned_end=time(10, 0))
    make_appointment(pairing=pairing, on=date(2026, 11, 4), status="stattgefunden", actual_minutes=60)
    make_appointment(pairing=pairing, on=date(2026, 11, 5), status="abgesagt")

    page = coordinator.get("/").get_data(as_text=True)

    unconfirmed = page.split("<h2>Unbestätigte Termine")[1].split("<h2>")[0]
    unreported = page.split("<h2>Vergangene Termine ohne gemeldete Stunden")[1].split("<h2>")[0]
    assert "12.11.2026" in unconfirmed
    assert "13.11.2026" not in unconfirmed and "30.11.2026" not in unconfirmed
    assert "03.11.2026" in unreported and "09:00–10:00" in unreported
    assert "04.11.2026" not in unreported and "05.11.2026" not in unreported


def test_coordinator_sees_missing_and_expiring_documents(coordinator, today):
    make_volunteer(last_name="Ohnezeugnis", fuehrungszeugnis_on=None)
    make_volunteer(last_name="Abgelaufen", fuehrungszeugnis_on=date(2021, 10, 1))
    make_volunteer(last_name="Baldfaellig", fuehrungszeugnis_on=date(2021, 12, 20))
    make_volunteer(last_name="Aktuell", fuehrungszeugnis_on=date(2024, 1, 1))
    make_volunteer(last_name="Ausgeschieden", status="ausgeschieden", fuehrungszeugnis_on=None)
    make_senior(last_name="Ohneeinwilligung", pflegegrad=2)
    make_senior(last_name="Miteinwilligung", pflegegrad=2, consent_on=date(2026, 1, 1), consent_scope="Pflegegrad")

    page = coordinator.get("/").get_data(as_text=True)

    assert "Ohnezeugnis</a>:\n    " in page and ">fehlt<" in page
    assert "abgelaufen seit 01.10.2026" in page
    assert "läuft ab am 20.12.2026" in page
    assert "Aktuell" not in page and "Ausgeschieden" not in page
    assert "Ohneeinwilligung" in page and "Miteinwilligung" not in page
    assert "Abrechnung Häusliche Entlastung" not in page


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
    assert "Anfragend" not in page and "offene Anfragen" not in page


def test_admin_sees_care_and_billing_parts(login, today):
    page = login("admin").get("/").get_data(as_text=True)

    assert "Offene Anfragen, älteste zuerst" in page
    assert "Abrechnung Häusliche Entlastung" in page


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
