"""Vermittlungsanfragen: the list of open work, recording a request, status moves with history."""

from datetime import date

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import Request, RequestStatusChange
from begleitservice.reference import SENIORENBUEROS
from tests.factories import district, make_request, make_senior

TODAY = date(2026, 11, 10)


@pytest.fixture
def today(app_ctx, monkeypatch):
    """Fix "today" for the app to 10 November 2026."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    return TODAY


def _form(senior, **overrides):
    data = {
        "senior_id": senior.id,
        "service": "besuchsdienst",
        "visits_per_week": "1",
        "minutes_per_visit": "120",
        "windows": "Mo 09:00-12:00; Mi 14:00-17:00",
        "languages": "Deutsch, Türkisch",
        "volunteer_gender": "w",
        "urgency": "2",
        "received_on": "2026-11-02",
        "source": SENIORENBUEROS[0],
        "notes": "Mag Spaziergänge.",
    }
    data.update(overrides)
    return data


def _requests():
    return db.session.scalars(sa.select(Request)).all()


def test_list_shows_open_requests_oldest_first_with_waiting_days(coordinator, today):
    young = make_request(senior=make_senior(last_name="Jungmann"), received_on=date(2026, 11, 1))
    old = make_request(senior=make_senior(last_name="Altmann"), received_on=date(2026, 8, 1))
    middle = make_request(senior=make_senior(last_name="Mittel"), received_on=date(2026, 10, 1))
    make_request(senior=make_senior(last_name="Erledigt"), received_on=date(2026, 1, 1), status="vermittelt")

    page = coordinator.get("/requests/").get_data(as_text=True)

    assert page.index("Altmann") < page.index("Mittel") < page.index("Jungmann")
    assert "Erledigt" not in page
    assert f'badge bad">{old.waiting_days(TODAY)} Tage' in page  # 101 days
    assert f'badge warn">{middle.waiting_days(TODAY)} Tage' in page  # 40 days
    assert f'badge ok">{young.waiting_days(TODAY)} Tage' in page  # 9 days


def test_list_filters_by_status_service_district_urgency_and_name(coordinator, today):
    make_request(senior=make_senior(last_name="Besuch", district_name="Eving"))
    make_request(senior=make_senior(last_name="Pflege", pflegegrad=2, district_name="Hörde"), urgency=3)
    make_request(senior=make_senior(last_name="Fertig"), status="abgeschlossen")

    def names(query):
        page = coordinator.get(f"/requests/?{query}").get_data(as_text=True)
        return {name for name in ("Besuch,", "Pflege,", "Fertig,") if name in page}

    assert names("") == {"Besuch,", "Pflege,"}
    assert names("status=alle") == {"Besuch,", "Pflege,", "Fertig,"}
    assert names("status=abgeschlossen") == {"Fertig,"}
    assert names("service=entlastung") == {"Pflege,"}
    assert names(f"district={district('Eving').id}") == {"Besuch,"}
    assert names("urgency=3") == {"Pflege,"}
    assert names("q=pfle") == {"Pflege,"}


def test_create_request_saves_it_open_with_history(coordinator, today):
    senior = make_senior()

    response = coordinator.post("/requests/neu", data=_form(senior))

    assert response.status_code == 302
    (item,) = _requests()
    assert (item.status, item.service, item.urgency, item.languages) == (
        "offen",
        "besuchsdienst",
        2,
        "Deutsch, Türkisch",
    )
    assert [(w.weekday, w.start_minute, w.end_minute) for w in item.windows] == [(0, 540, 720), (2, 840, 1020)]
    assert [c.status for c in item.status_changes] == ["offen"]
    assert item.status_changes[0].changed_by is not None
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Montag 09:00–12:00" in page and "Mag Spaziergänge." in page


def test_create_preselects_the_senior_from_the_senior_page(coordinator, today):
    senior = make_senior(pflegegrad=3)

    page = coordinator.get(f"/requests/neu?senior_id={senior.id}").get_data(as_text=True)

    assert f'<option selected value="{senior.id}">' in page
    assert '<option selected value="entlastung">' in page


@pytest.mark.parametrize(
    "pflegegrad, service, message",
    [
        (2, "besuchsdienst", "Der Besuchsdienst ist nur für Menschen ohne Pflegegrad"),
        (None, "entlastung", "Häusliche Entlastung setzt einen Pflegegrad (1–5) voraus"),
    ],
)
def test_service_not_fitting_the_pflegegrad_is_refused(coordinator, today, pflegegrad, service, message):
    senior = make_senior(pflegegrad=pflegegrad)

    response = coordinator.post("/requests/neu", data=_form(senior, service=service))

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _requests() == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("windows", "", "Bitte geben Sie mindestens ein Zeitfenster an."),
        ("windows", "Montag früh", "ist keine Zeitangabe"),
        ("received_on", "2026-11-11", "Das Eingangsdatum darf nicht in der Zukunft liegen."),
        ("visits_per_week", "8", "8"),
        ("source", "", "Bitte wählen Sie, woher die Anfrage kam."),
    ],
)
def test_bad_input_is_refused_with_a_german_message(coordinator, today, field, value, message):
    senior = make_senior()

    response = coordinator.post("/requests/neu", data=_form(senior, **{field: value}))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Es wurde nichts gespeichert." in page
    assert message in page
    assert _requests() == []


def test_edit_keeps_status_and_replaces_windows(coordinator, today):
    item = make_request()

    response = coordinator.post(
        f"/requests/{item.id}/bearbeiten", data=_form(item.senior, windows="Fr 10:00-11:30", urgency="3")
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert (item.status, item.urgency) == ("offen", 3)
    assert [(w.weekday, w.start_minute, w.end_minute) for w in item.windows] == [(4, 600, 690)]


def test_status_change_writes_history_with_who_and_note(login, today):
    client = login("coordinator")
    item = make_request()

    response = client.post(f"/requests/{item.id}/status", data={"status": "vorgeschlagen", "note": "Frau K. gefragt"})

    assert response.status_code == 302
    db.session.expire_all()
    assert item.status == "vorgeschlagen"
    change = db.session.scalars(sa.select(RequestStatusChange).where(RequestStatusChange.request_id == item.id)).one()
    assert (change.status, change.note) == ("vorgeschlagen", "Frau K. gefragt")
    page = client.get(f"/requests/{item.id}").get_data(as_text=True)
    assert change.changed_by.name in page and "Frau K. gefragt" in page


def test_invalid_status_change_is_refused_in_german(coordinator, today):
    item = make_request()

    response = coordinator.post(f"/requests/{item.id}/status", data={"status": "abgeschlossen"})

    assert response.status_code == 200
    assert "kann nicht auf „abgeschlossen“ gesetzt werden" in response.get_data(as_text=True)
    db.session.expire_all()
    assert item.status == "offen"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RequestStatusChange)) == 0


def test_accounting_gets_403(login):
    accounting = login("accounting")
    item = make_request()

    assert accounting.get("/requests/").status_code == 403
    assert accounting.get("/requests/neu").status_code == 403
    assert accounting.get(f"/requests/{item.id}").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/requests/")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
