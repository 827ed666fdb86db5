"""Ehrenamtliche pages: list, create, edit, detail, absences, and who may see them."""

from datetime import date, time

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import Volunteer, VolunteerAbsence
from begleitservice.volunteers.operations import VolunteerData, VolunteerError, save_volunteer
from tests.factories import district, make_appointment, make_pairing, make_senior, make_volunteer

TODAY = date(2026, 11, 21)


@pytest.fixture(autouse=True)
def fixed_today(app, monkeypatch):
    """Pin the service's 'today' so Führungszeugnis ages and upcoming appointments are stable."""
    monkeypatch.setitem(app.config, "TODAY", TODAY)


def form_data(**overrides) -> dict:
    """A complete, valid volunteer form; ``overrides`` replace single fields."""
    data = {
        "first_name": "Erika",
        "last_name": "Neumann",
        "email": "erika.neumann@example.org",
        "phone": "0231 555 1234",
        "home_district_id": str(district("Eving").id),
        "travel_district_ids": [str(district("Hörde").id), str(district("Brackel").id)],
        "services": ["besuchsdienst"],
        "languages": "Deutsch, türkisch",
        "gender": "w",
        "availability": "Mo 09:00-12:00; Mi 14:00-17:00",
        "max_minutes_per_week": "2,5",
        "max_seniors": "3",
        "basisqualifizierung_on": "",
        "basisqualifizierung_ref": "",
        "fuehrungszeugnis_on": "2024-05-01",
        "status": "aktiv",
        "notes": "Mag Hunde.",
    }
    data.update(overrides)
    return data


def volunteer_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer))


def reload(model, object_id):
    """The object as the database has it now (the pages save in their own session)."""
    db.session.expire_all()
    return db.session.get(model, object_id)


# --- list ------------------------------------------------------------------------------------------------


def test_list_shows_workload_services_and_fuehrungszeugnis(coordinator):
    busy = make_volunteer(
        last_name="Aktiv", max_seniors=2, max_minutes_per_week=240, fuehrungszeugnis_on=date(2024, 1, 10)
    )
    make_pairing(volunteer=busy, slots=((0, 600, 120),))
    make_pairing(volunteer=busy, slots=((2, 600, 90),), interval_weeks=2)
    make_pairing(volunteer=busy, slots=((3, 600, 60),), status="beendet")
    make_volunteer(last_name="Alt", fuehrungszeugnis_on=date(2021, 11, 20), offers_demenzgruppe=True)
    make_volunteer(last_name="Ohne", fuehrungszeugnis_on=None)

    page = coordinator.get("/volunteers/").get_data(as_text=True)

    row = page.split("Aktiv, Erika")[1].split("</tr>")[0]
    assert "2 / 2" in row  # two seniors in active pairings, the ended one does not count
    assert "2,75 / 4" in row  # 120 weekly + 90 fortnightly = 165 minutes
    assert "Besuchsdienst" in row and "10.01.2024" in row
    assert "älter als" not in row
    old = page.split("Alt, Erika")[1].split("</tr>")[0]
    assert "älter als 5 Jahre" in old and "Demenzgruppe" in old
    assert "fehlt" in page.split("Ohne, Erika")[1].split("</tr>")[0]


def test_list_hides_former_volunteers_unless_asked(coordinator):
    make_volunteer(last_name="Dabei", status="pausiert")
    make_volunteer(last_name="Weg", status="ausgeschieden")

    default = coordinator.get("/volunteers/").get_data(as_text=True)
    everyone = coordinator.get("/volunteers/?status=alle").get_data(as_text=True)
    former = coordinator.get("/volunteers/?status=ausgeschieden").get_data(as_text=True)

    assert "Dabei" in default and "Weg" not in default
    assert "Dabei" in everyone and "Weg" in everyone
    assert "Weg" in former and "Dabei" not in former


def test_list_filters_by_district_service_and_language(coordinator):
    home = make_volunteer(last_name="Heim", district_name="Hörde", languages="Deutsch, Türkisch")
    traveller = make_volunteer(last_name="Reise", district_name="Eving", languages="Deutsch, Russisch")
    traveller.travel_districts = [district("Hörde")]
    make_volunteer(last_name="Fern", district_name="Mengede", offers_entlastung=True, offers_besuchsdienst=False)
    db.session.commit()

    hoerde = coordinator.get(f"/volunteers/?district={district('Hörde').id}").get_data(as_text=True)
    entlastung = coordinator.get("/volunteers/?service=entlastung").get_data(as_text=True)
    turkish = coordinator.get("/volunteers/?language=Türkisch").get_data(as_text=True)

    assert home.last_name in hoerde and traveller.last_name in hoerde and "Fern" not in hoerde
    assert "Fern" in entlastung and "Heim" not in entlastung
    assert "Heim" in turkish and "Reise" not in turkish and "Fern" not in turkish


@pytest.mark.parametrize("query", ["erika sucher", "Sucher, Erika", "FINDE-MICH@example", "0231555"])
def test_list_searches_name_email_and_phone(coordinator, query):
    make_volunteer(last_name="Sucher", email="finde-mich@example.org", phone="0231 555 99")
    make_volunteer(last_name="Anders", email="anders@example.org", phone="0172 000")

    page = coordinator.get("/volunteers/", query_string={"q": query}).get_data(as_text=True)

    assert "Sucher, Erika" in page and "Anders" not in page


def test_list_is_paginated(app, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 2)
    for name in ("Adam", "Berg", "Cordes"):
        make_volunteer(last_name=name)

    first = coordinator.get("/volunteers/").get_data(as_text=True)
    second = coordinator.get("/volunteers/?page=2").get_data(as_text=True)

    assert "Seite 1 von 2" in first and "Adam" in first and "Cordes" not in first
    assert "Cordes" in second and "Adam" not in second


@pytest.mark.usefixtures("built_pages")
def test_list_query_count_does_not_grow_with_volunteers(app, coordinator):
    def statements_for_list() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.app_context():  # a session of its own, as in production (nothing loaded yet)
                assert coordinator.get("/volunteers/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    make_pairing(volunteer=make_volunteer())
    few = statements_for_list()
    for _ in range(5):
        make_pairing(volunteer=make_volunteer(district_name="Brackel"))

    assert statements_for_list() == few


# --- create and edit -------------------------------------------------------------------------------------


def test_create_saves_everything_and_shows_the_detail_page(coordinator):
    response = coordinator.post("/volunteers/neu", data=form_data(email="Erika.Neumann@Example.org"))

    assert response.status_code == 302
    volunteer = db.session.scalar(sa.select(Volunteer))
    assert response.headers["Location"].endswith(f"/volunteers/{volunteer.id}")
    assert volunteer.email == "erika.neumann@example.org"
    assert volunteer.home_district.name == "Eving"
    assert [d.name for d in volunteer.travel_districts] == ["Brackel", "Hörde"]
    assert volunteer.services == ["besuchsdienst"]
    assert volunteer.languages == "Deutsch, Türkisch"
    assert volunteer.max_minutes_per_week == 150
    assert volunteer.max_seniors == 3
    assert [str(a) for a in volunteer.availability] == ["Montag 09:00–12:00", "Mittwoch 14:00–17:00"]
    assert volunteer.fuehrungszeugnis_on == date(2024, 5, 1)
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Erika Neumann angelegt." in page and "Mag Hunde." in page


def test_create_with_entlastung_and_basisqualifizierung(coordinator):
    response = coordinator.post(
        "/volunteers/neu",
        data=form_data(
            services=["entlastung", "demenzgruppe"],
            basisqualifizierung_on="2025-03-01",
            basisqualifizierung_ref="AnFöVO-2025-17",
            max_minutes_per_week="4:30",
        ),
    )

    assert response.status_code == 302
    volunteer = db.session.scalar(sa.select(Volunteer))
    assert volunteer.services == ["entlastung", "demenzgruppe"]
    assert volunteer.basisqualifizierung_ref == "AnFöVO-2025-17"
    assert volunteer.max_minutes_per_week == 270


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"email": "erika(at)example.org"}, "email", "Bitte eine gültige E-Mail-Adresse eintragen."),
        ({"email": "Schon.Da@Example.org"}, "email", "Diese E-Mail-Adresse ist schon bei Erika Vorhanden eingetragen."),
        (
            {"services": ["besuchsdienst", "entlastung"]},
            "basisqualifizierung_on",
            "Für die Häusliche Entlastung ist die Basisqualifizierung nötig",
        ),
        ({"availability": "Mo 12:00-09:00"}, "availability", "das Ende muss nach dem Beginn liegen"),
        ({"availability": "Montags früh"}, "availability", "ist keine Zeitangabe wie"),
        ({"max_seniors": "-1"}, "max_seniors", "Bitte eine Zahl von 0 bis 20 eintragen."),
        ({"max_minutes_per_week": "viel"}, "max_minutes_per_week", "ist keine Stundenzahl"),
        ({"max_minutes_per_week": "41"}, "max_minutes_per_week", "höchstens 40 Stunden"),
        ({"home_district_id": ""}, "home_district_id", "Bitte den Wohnbezirk wählen."),
        ({"fuehrungszeugnis_on": "2027-01-01"}, "fuehrungszeugnis_on", "liegt in der Zukunft"),
    ],
)
def test_create_refuses_bad_input_with_a_german_message_next_to_the_field(coordinator, overrides, field, message):
    make_volunteer(first_name="Erika", last_name="Vorhanden", email="schon.da@example.org")

    response = coordinator.post("/volunteers/neu", data=form_data(**overrides))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error">' in page
    assert message in page.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert "Es wurde nichts gespeichert." in page
    assert volunteer_count() == 1


def test_edit_replaces_the_availability(coordinator):
    volunteer = make_volunteer(availability=((0, 9 * 60, 17 * 60),), email="edit@example.org")

    form = coordinator.get(f"/volunteers/{volunteer.id}/bearbeiten").get_data(as_text=True)
    response = coordinator.post(
        f"/volunteers/{volunteer.id}/bearbeiten",
        data=form_data(email="edit@example.org", availability="Di 10:00-12:00\nDo 14:00-16:30"),
    )

    assert "Mo 09:00-17:00" in form
    assert response.status_code == 302
    volunteer = reload(Volunteer, volunteer.id)
    assert [(a.weekday, a.start_minute, a.end_minute) for a in volunteer.availability] == [
        (1, 600, 720),
        (3, 840, 990),
    ]


def test_edit_with_bad_input_changes_nothing(coordinator):
    volunteer = make_volunteer(last_name="Bleibt", email="bleibt@example.org", max_seniors=2)
    make_volunteer(email="andere@example.org")

    response = coordinator.post(
        f"/volunteers/{volunteer.id}/bearbeiten",
        data=form_data(last_name="Geändert", email="ANDERE@example.org", max_seniors="5"),
    )

    assert "Diese E-Mail-Adresse ist schon bei" in response.get_data(as_text=True)
    volunteer = reload(Volunteer, volunteer.id)
    assert (volunteer.last_name, volunteer.email, volunteer.max_seniors) == ("Bleibt", "bleibt@example.org", 2)


def test_edit_warns_when_a_paused_volunteer_still_has_active_pairings(coordinator):
    volunteer = make_volunteer(email="pause@example.org")
    make_pairing(volunteer=volunteer)

    response = coordinator.post(
        f"/volunteers/{volunteer.id}/bearbeiten",
        data=form_data(email="pause@example.org", status="pausiert"),
        follow_redirects=True,
    )

    assert "begleitet noch 1 Senior:in(nen)" in response.get_data(as_text=True)
    assert reload(Volunteer, volunteer.id).status == "pausiert"


def test_save_volunteer_takes_plain_values_for_imports(app_ctx):
    volunteer = save_volunteer(
        Volunteer(),
        VolunteerData(
            first_name="Kemal",
            last_name="Yılmaz",
            email="kemal@example.org",
            home_district="Scharnhorst",
            travel_districts=["Brackel", "Scharnhorst"],
            gender="m",
            services=["besuchsdienst"],
            languages=["Türkisch", "Deutsch"],
            availability=[(4, 600, 720)],
        ),
        today=TODAY,
    )
    db.session.commit()

    assert volunteer.home_district.name == "Scharnhorst"
    assert [d.name for d in volunteer.travel_districts] == ["Brackel"]
    assert volunteer.languages == "Türkisch, Deutsch"
    assert [str(a) for a in volunteer.availability] == ["Freitag 10:00–12:00"]
    with pytest.raises(VolunteerError) as error:
        save_volunteer(Volunteer(), VolunteerData("A", "B", "KEMAL@example.org", "Atlantis", "x"), today=TODAY)
    assert set(error.value.errors) == {"email", "home_district", "gender"}


# --- detail and absences ---------------------------------------------------------------------------------


def test_detail_shows_pairings_and_appointments(coordinator):
    volunteer = make_volunteer(last_name="Begleiterin")
    senior = make_senior(last_name="Besucht")
    pairing = make_pairing(volunteer=volunteer, senior=senior, slots=((0, 10 * 60, 120),))
    make_appointment(pairing=pairing, on=date(2026, 11, 23))
    make_appointment(
        pairing=pairing, on=date(2026, 11, 16), status="stattgefunden", actual_minutes=90, planned_start=time(10)
    )
    make_appointment(pairing=pairing, on=date(2026, 11, 9), status="abgesagt")

    page = coordinator.get(f"/volunteers/{volunteer.id}").get_data(as_text=True)

    upcoming, recent = page.split("Nächste Termine")[1].split("Letzte Termine")
    assert "Hildegard Besucht" in page.split("<h2>Begleitungen</h2>")[1]
    assert "Montag 10:00–12:00" in page
    assert f'href="/seniors/{senior.id}"' in page
    assert f'href="/pairings/{pairing.id}"' in page
    assert "23.11.2026" in upcoming and "16.11.2026" not in upcoming
    assert "16.11.2026" in recent and "stattgefunden" in recent and "1,5" in recent
    assert "09.11.2026" in recent and "abgesagt" in recent
    assert recent.index("16.11.2026") < recent.index("09.11.2026")


def test_add_and_delete_an_absence(coordinator):
    volunteer = make_volunteer()

    response = coordinator.post(
        f"/volunteers/{volunteer.id}/abwesenheiten",
        data={"starts_on": "2026-12-20", "ends_on": "2027-01-03", "reason": "Urlaub"},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "Abwesenheit eingetragen." in page and "20.12.2026" in page and "03.01.2027" in page
    absence = db.session.scalar(sa.select(VolunteerAbsence))
    assert (absence.volunteer_id, absence.reason) == (volunteer.id, "Urlaub")

    response = coordinator.post(
        f"/volunteers/{volunteer.id}/abwesenheiten/{absence.id}/loeschen", follow_redirects=True
    )

    assert "Abwesenheit gelöscht." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VolunteerAbsence)) == 0


def test_absence_ending_before_it_starts_is_refused(coordinator):
    volunteer = make_volunteer()

    response = coordinator.post(
        f"/volunteers/{volunteer.id}/abwesenheiten",
        data={"starts_on": "2026-12-20", "ends_on": "2026-12-19", "reason": "Urlaub"},
    )

    page = response.get_data(as_text=True)
    assert "Das Datum „bis“ darf nicht vor „von“ liegen." in page.split('id="ends_on-error">')[1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VolunteerAbsence)) == 0


def test_an_absence_can_only_be_deleted_through_its_own_volunteer(coordinator):
    owner, other = make_volunteer(), make_volunteer()
    owner.absences.append(VolunteerAbsence(starts_on=TODAY, ends_on=TODAY))
    db.session.commit()
    absence_id = owner.absences[0].id

    response = coordinator.post(f"/volunteers/{other.id}/abwesenheiten/{absence_id}/loeschen")

    assert response.status_code == 404
    assert reload(VolunteerAbsence, absence_id) is not None


# --- access ----------------------------------------------------------------------------------------------


def _pages(volunteer_id: int, absence_id: int):
    return [
        ("get", "/volunteers/"),
        ("get", "/volunteers/neu"),
        ("post", "/volunteers/neu"),
        ("get", f"/volunteers/{volunteer_id}"),
        ("get", f"/volunteers/{volunteer_id}/bearbeiten"),
        ("post", f"/volunteers/{volunteer_id}/bearbeiten"),
        ("post", f"/volunteers/{volunteer_id}/abwesenheiten"),
        ("post", f"/volunteers/{volunteer_id}/abwesenheiten/{absence_id}/loeschen"),
    ]


def test_accounting_may_not_open_any_volunteer_page(login):
    volunteer = make_volunteer()
    volunteer.absences.append(VolunteerAbsence(starts_on=TODAY, ends_on=TODAY))
    db.session.commit()
    client = login("accounting")

    for method, url in _pages(volunteer.id, volunteer.absences[0].id):
        assert getattr(client, method)(url).status_code == 403, url
    assert volunteer_count() == 1 and reload(VolunteerAbsence, volunteer.absences[0].id) is not None


def test_anonymous_users_are_sent_to_the_login(client):
    volunteer = make_volunteer()

    for method, url in _pages(volunteer.id, 1):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_admin_may_use_the_volunteer_pages(login):
    assert "Ehrenamtliche" in login("admin").get("/volunteers/").get_data(as_text=True)


def test_detail_lists_the_visits_covered_as_a_stand_in_marked_vertretung(coordinator):
    volunteer = make_volunteer(first_name="Vera", last_name="Vertretung")
    own = make_pairing(volunteer=volunteer, senior=make_senior(last_name="Eigen"))
    make_appointment(pairing=own, on=date(2026, 11, 30))
    other = make_pairing(volunteer=make_volunteer(first_name="Erika", last_name="Erstbesuch"))
    other.senior.last_name = "Vertreten"
    make_appointment(pairing=other, on=date(2026, 11, 24), status="bestaetigt", cover_volunteer=volunteer)
    make_appointment(
        pairing=other, on=date(2026, 11, 17), status="stattgefunden", actual_minutes=120, cover_volunteer=volunteer
    )
    make_appointment(pairing=other, on=date(2026, 11, 10), status="stattgefunden")  # Erika's own visit
    db.session.commit()

    page = coordinator.get(f"/volunteers/{volunteer.id}").get_data(as_text=True)

    upcoming, recent = page.split("Nächste Termine")[1].split("Letzte Termine")
    assert "24.11.2026" in upcoming and "Hildegard Vertreten" in upcoming and "Vertretung</span>" in upcoming
    assert "30.11.2026" in upcoming and "Hildegard Eigen" in upcoming
    assert upcoming.count("Vertretung</span>") == 1  # her own visit is not marked
    assert "17.11.2026" in recent and "Vertretung</span>" in recent and "<td>2</td>" in recent
    assert "10.11.2026" not in recent  # the first volunteer's own visits are not hers

    erika = coordinator.get(f"/volunteers/{other.volunteer_id}").get_data(as_text=True)
    assert "vertreten durch Vera Vertretung" in erika.split("Nächste Termine")[1]
