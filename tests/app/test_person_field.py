"""Person fields by typed name (works without JavaScript too) and the type-ahead suggestions they use."""

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import Pairing, Request, VolunteerStatus
from tests.app.test_pairings import TODAY, _form
from tests.factories import make_senior, make_volunteer


@pytest.fixture
def today(app_ctx, monkeypatch):
    """Fix "today" for the app."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    return TODAY


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_typed_unique_name_is_taken_without_javascript(coordinator, today):
    volunteer = make_volunteer(first_name="Jürgen", last_name="Kowalski")
    senior = make_senior(first_name="Hildegard", last_name="Brinkmann")
    data = _form(volunteer, senior, volunteer_id="", **{"volunteer_id-name": "kowalski"})

    response = coordinator.post("/pairings/neu", data=data, follow_redirects=True)
    assert "Begleitung Jürgen Kowalski ↔ Hildegard Brinkmann angelegt." in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Pairing.volunteer_id)).all() == [volunteer.id]


def test_ambiguous_unknown_and_inactive_names_are_refused_and_nothing_saved(coordinator, today):
    make_volunteer(first_name="Anna", last_name="Müller")
    make_volunteer(first_name="Bernd", last_name="Müller")
    paused = make_volunteer(first_name="Paula", last_name="Pause", status=VolunteerStatus.PAUSIERT)
    senior = make_senior()

    def refused(**fields) -> str:
        data = _form(paused, senior, **{"volunteer_id": "", **fields})
        page = coordinator.post("/pairings/neu", data=data).get_data(as_text=True)
        assert "Es wurde nichts gespeichert." in page and _count(Pairing) == 0
        return page

    assert "Mehrere Personen passen zu „Müller“: bitte eine aus den Vorschlägen wählen." in refused(
        **{"volunteer_id-name": "Müller"}
    )
    assert 'value="Müller"' in refused(**{"volunteer_id-name": "Müller"})  # what was typed stays
    assert "Niemand passt zu „Schmidt“." in refused(**{"volunteer_id-name": "Schmidt"})
    assert "nicht aktiv oder gesperrt" in refused(volunteer_id=str(paused.id))
    assert "Bitte wählen Sie eine:n Ehrenamtliche:n." in refused()
    assert "Steuerzeichen" in refused(**{"volunteer_id-name": "Mül\x00ler"})


def test_request_form_offers_no_list_of_all_seniors_and_keeps_the_chosen_one(coordinator, today):
    senior = make_senior(first_name="Hildegard", last_name="Brinkmann", pflegegrad=2)
    for _ in range(3):
        make_senior(last_name="Zwergenhaus")
    page = coordinator.get(f"/requests/neu?senior_id={senior.id}").get_data(as_text=True)
    assert 'data-suggest="/seniors/suche"' in page and 'value="Brinkmann, Hildegard"' in page
    assert "Zwergenhaus" not in page  # the other seniors are not in the page
    data = {
        "senior_id": "",
        "senior_id-name": "Brinkmann",
        "service": "entlastung",
        "visits_per_week": "1",
        "minutes_per_visit": "120",
        "windows": "Di 10:00-12:00",
        "urgency": "1",
        "received_on": "2026-11-09",
        "source": "Seniorenbüro Eving",
    }
    response = coordinator.post("/requests/neu", data=data, follow_redirects=True)
    assert "Anfrage für Hildegard Brinkmann gespeichert." in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Request.senior_id)).all() == [senior.id]


def test_senior_suggestions_leave_out_restricted_and_ended(coordinator, login):
    make_senior(first_name="Hildegard", last_name="Brinkmann", pflegegrad=2, district_name="Hörde")
    make_senior(first_name="Herta", last_name="Brinkmann", status="beendet")
    make_senior(first_name="Hanna", last_name="Brinkmann", restricted_at=db.func.now())

    found = coordinator.get("/seniors/suche?q=brinkm").get_json()
    assert found == [{"id": found[0]["id"], "value": "Brinkmann, Hildegard", "label": "Hörde · Pflegegrad 2"}]
    assert login("accounting").get("/seniors/suche?q=brinkm").status_code == 200  # accounting may see seniors
