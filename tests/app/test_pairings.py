"""Begleitungen: creating (also from a request), the service rules, appointments and their hours."""

from datetime import date, time

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import Appointment, Pairing
from tests.factories import make_appointment, make_pairing, make_request, make_senior, make_volunteer

TODAY = date(2026, 11, 10)


@pytest.fixture
def today(app_ctx, monkeypatch):
    """Fix "today" for the app to 10 November 2026."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    return TODAY


def _form(volunteer, senior, **overrides):
    data = {
        "volunteer_id": volunteer.id,
        "senior_id": senior.id,
        "service": "entlastung" if senior.pflegegrad else "besuchsdienst",
        "slots": "Di 10:00-12:00",
        "interval_weeks": "1",
        "starts_on": "2026-11-17",
        "ends_on": "",
        "status": "aktiv",
    }
    data.update(overrides)
    return data


def _pairings():
    return db.session.scalars(sa.select(Pairing)).all()


def test_list_shows_active_pairings_and_filters(coordinator, today):
    make_pairing(senior=make_senior(last_name="Aktivmann"), volunteer=make_volunteer(last_name="Helferin"))
    make_pairing(senior=make_senior(last_name="Endemann", district_name="Hörde"), status="beendet")

    assert "Aktivmann" in (page := coordinator.get("/pairings/").get_data(as_text=True))
    assert "Endemann" not in page
    assert "Endemann" in coordinator.get("/pairings/?status=alle").get_data(as_text=True)
    assert "Aktivmann" in coordinator.get("/pairings/?q=helfer").get_data(as_text=True)
    assert "Aktivmann" not in coordinator.get("/pairings/?q=ende&status=alle").get_data(as_text=True)


def test_create_from_request_prefills_and_marks_request_vermittelt(coordinator, today):
    senior = make_senior(pflegegrad=2)
    request = make_request(senior=senior, windows=((1, 600, 780),), minutes_per_visit=90)
    volunteer = make_volunteer(offers_entlastung=True)

    form = coordinator.get(f"/pairings/neu?request_id={request.id}").get_data(as_text=True)
    assert f'<option selected value="{senior.id}">' in form
    assert "Di 10:00-11:30" in form

    response = coordinator.post(
        f"/pairings/neu?request_id={request.id}", data=_form(volunteer, senior, slots="Di 10:00-11:30; Fr 14:00-15:00")
    )

    assert response.status_code == 302
    (pairing,) = _pairings()
    assert pairing.request_id == request.id and pairing.service == "entlastung"
    assert [(s.weekday, s.start_minute, s.duration_minutes) for s in pairing.slots] == [(1, 600, 90), (4, 840, 60)]
    db.session.expire_all()
    assert request.status == "vermittelt"
    assert [c.status for c in request.status_changes] == ["vermittelt"]
    assert volunteer.name in coordinator.get(f"/requests/{request.id}").get_data(as_text=True)


def test_entlastung_with_unqualified_volunteer_is_refused(coordinator, today):
    senior = make_senior(pflegegrad=3)
    volunteer = make_volunteer()  # no Basisqualifizierung
    request = make_request(senior=senior)

    response = coordinator.post(f"/pairings/neu?request_id={request.id}", data=_form(volunteer, senior))

    assert response.status_code == 200
    assert "hat keine Basisqualifizierung" in response.get_data(as_text=True)
    assert _pairings() == []
    db.session.expire_all()
    assert request.status == "offen"


def test_besuchsdienst_for_senior_with_pflegegrad_is_refused(coordinator, today):
    senior = make_senior(pflegegrad=1)

    response = coordinator.post("/pairings/neu", data=_form(make_volunteer(), senior, service="besuchsdienst"))

    assert "Der Besuchsdienst ist nur für Menschen ohne Pflegegrad" in response.get_data(as_text=True)
    assert _pairings() == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("slots", "", "Bitte geben Sie mindestens einen wöchentlichen Termin an."),
        ("slots", "Di 10:00-10:05", "zwischen 15 Minuten und 10 Stunden"),
        ("ends_on", "2026-11-01", "Das Ende darf nicht vor dem Beginn liegen."),
    ],
)
def test_bad_pairing_input_saves_nothing(coordinator, today, field, value, message):
    response = coordinator.post("/pairings/neu", data=_form(make_volunteer(), make_senior(), **{field: value}))

    assert message in response.get_data(as_text=True)
    assert _pairings() == []


def test_edit_changes_slots_and_rhythm(coordinator, today):
    pairing = make_pairing()

    response = coordinator.post(
        f"/pairings/{pairing.id}/bearbeiten",
        data=_form(
            pairing.volunteer, pairing.senior, slots="Do 15:00-16:00", interval_weeks="2", starts_on="2026-01-05"
        ),
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert pairing.interval_weeks == 2
    assert [(s.weekday, s.start_minute, s.duration_minutes) for s in pairing.slots] == [(3, 900, 60)]


def test_detail_shows_past_and_upcoming_appointments(coordinator, today):
    pairing = make_pairing()
    make_appointment(pairing=pairing, on=date(2026, 11, 2), status="stattgefunden", actual_minutes=90)
    make_appointment(pairing=pairing, on=date(2026, 11, 16))

    page = coordinator.get(f"/pairings/{pairing.id}").get_data(as_text=True)

    assert "Kommende Termine (1)" in page and "16.11.2026" in page
    assert "Vergangene Termine (1)" in page and "02.11.2026" in page and "1,5" in page


def test_record_appointment_as_held_with_minutes(coordinator, today):
    appointment = make_appointment(on=date(2026, 11, 2))

    response = coordinator.post(
        f"/pairings/{appointment.pairing_id}/termine/{appointment.id}",
        data={"status": "stattgefunden", "actual_minutes": "105"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert (appointment.status, appointment.actual_minutes) == ("stattgefunden", 105)


def test_record_what_was_done_with_the_hours(coordinator, today):
    appointment = make_appointment(on=date(2026, 11, 2))
    form = coordinator.get(f"/pairings/{appointment.pairing_id}/termine/{appointment.id}").get_data(as_text=True)
    assert "Tätigkeit" in form and "steht auf dem Leistungsnachweis" in form

    response = coordinator.post(
        f"/pairings/{appointment.pairing_id}/termine/{appointment.id}",
        data={"status": "stattgefunden", "actual_minutes": "105", "activity": "  Spaziergang,   Einkauf "},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert (appointment.actual_minutes, appointment.activity) == (105, "Spaziergang, Einkauf")


@pytest.mark.parametrize(
    "status, activity, message",
    [
        ("abgesagt", "Spaziergang", "Eine Tätigkeit gibt es nur bei Status „stattgefunden“; bitte leer lassen."),
        ("stattgefunden", "x" * 201, "Bitte höchstens 200 Zeichen."),
    ],
)
def test_a_wrong_activity_is_refused_and_saves_nothing(coordinator, today, status, activity, message):
    appointment = make_appointment(on=date(2026, 11, 2))

    response = coordinator.post(
        f"/pairings/{appointment.pairing_id}/termine/{appointment.id}",
        data={"status": status, "actual_minutes": "60" if status == "stattgefunden" else "", "activity": activity},
    )

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (appointment.status, appointment.activity) == ("geplant", None)


@pytest.mark.parametrize(
    "status, minutes, message",
    [
        ("abgesagt", "60", "Tatsächliche Minuten gibt es nur bei Status „stattgefunden“"),
        ("stattgefunden", "721", "Bitte eine Dauer von 1 bis 720 Minuten angeben."),
        ("stattgefunden", "0", "Bitte eine Dauer von 1 bis 720 Minuten angeben."),
    ],
)
def test_bad_appointment_result_is_refused(coordinator, today, status, minutes, message):
    appointment = make_appointment(on=date(2026, 11, 2))

    response = coordinator.post(
        f"/pairings/{appointment.pairing_id}/termine/{appointment.id}",
        data={"status": status, "actual_minutes": minutes},
    )

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (appointment.status, appointment.actual_minutes) == ("geplant", None)


def test_add_one_off_appointment(coordinator, today):
    pairing = make_pairing()

    response = coordinator.post(
        f"/pairings/{pairing.id}/termine/neu",
        data={"on": "2026-11-20", "start": "09:30", "end": "11:00", "note": "Arztbesuch"},
    )

    assert response.status_code == 302
    appointment = db.session.scalars(sa.select(Appointment)).one()
    assert (appointment.on, appointment.planned_start, appointment.planned_end) == (
        date(2026, 11, 20),
        time(9, 30),
        time(11, 0),
    )
    assert appointment.is_one_off and appointment.status == "geplant"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"on": "2026-11-20", "start": "11:00", "end": "10:00"}, "Das Ende muss nach dem Beginn liegen."),
        ({"on": "", "start": "11:00", "end": "12:00"}, "Bitte geben Sie ein Datum an."),
        ({"on": "2026-11-02", "start": "10:00", "end": "11:00"}, "schon einen Termin"),
    ],
)
def test_bad_one_off_appointment_is_refused(coordinator, today, data, message):
    pairing = make_pairing()
    make_appointment(pairing=pairing, on=date(2026, 11, 2))

    response = coordinator.post(f"/pairings/{pairing.id}/termine/neu", data=data)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1


def test_accounting_gets_403(login):
    accounting = login("accounting")
    pairing = make_pairing()

    assert accounting.get("/pairings/").status_code == 403
    assert accounting.get(f"/pairings/{pairing.id}").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/pairings/")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_second_running_pairing_from_one_request_is_refused_until_the_first_has_ended(coordinator, today):
    senior = make_senior()
    request = make_request(senior=senior, windows=((1, 600, 780),))
    first = make_pairing(volunteer=make_volunteer(last_name="Erste"), senior=senior, request=request)
    second = make_volunteer(last_name="Zweite")

    page = coordinator.post(f"/pairings/neu?request_id={request.id}", data=_form(second, senior)).get_data(as_text=True)

    assert f"Aus dieser Anfrage ist schon die Begleitung {first.volunteer.name} ↔ {senior.name}" in page
    assert [p.id for p in _pairings()] == [first.id]
    first.status = "beendet"
    db.session.commit()
    assert coordinator.post(f"/pairings/neu?request_id={request.id}", data=_form(second, senior)).status_code == 302
    db.session.expire_all()
    assert [p.status for p in _pairings()] == ["beendet", "aktiv"]
    reopen = coordinator.post(f"/pairings/{first.id}/bearbeiten", data=_form(first.volunteer, senior))
    assert "eine Anfrage wird nur einmal vermittelt" in reopen.get_data(as_text=True)
    db.session.expire_all()
    assert first.status == "beendet"


def test_edit_sent_without_fields_is_no_server_error(coordinator, today):
    """A POST with an empty body (a broken client, a fuzzer) reads the stored slots, not a 500."""
    pairing = make_pairing(starts_on=date(2026, 11, 2))
    response = coordinator.post(f"/pairings/{pairing.id}/bearbeiten", data={})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert [(s.weekday, s.start_minute) for s in db.session.get(Pairing, pairing.id).slots] == [(0, 600)]


def test_ending_records_the_reason_for_the_reports(coordinator, today):
    pairing = make_pairing(starts_on=date(2026, 1, 5))
    form = _form(pairing.volunteer, pairing.senior, starts_on="2026-01-05", ends_on="2026-11-09", status="beendet")

    assert "Grund des Endes" in coordinator.get(f"/pairings/{pairing.id}/bearbeiten").get_data(as_text=True)
    response = coordinator.post(f"/pairings/{pairing.id}/bearbeiten", data={**form, "end_reason": "umzug"})

    assert response.status_code == 302
    db.session.expire_all()
    assert (pairing.status, pairing.end_reason) == ("beendet", "umzug")
    assert "(Grund: Umzug oder Pflegeheim)" in coordinator.get(f"/pairings/{pairing.id}").get_data(as_text=True)
    coordinator.post(f"/pairings/{pairing.id}/bearbeiten", data={**form, "status": "aktiv", "end_reason": "umzug"})
    db.session.expire_all()
    assert (pairing.status, pairing.end_reason) == ("aktiv", None)  # only an ended Begleitung keeps a reason
