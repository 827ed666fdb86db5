"""Seniors pages: list with search and filters, create and edit with German messages, detail per role."""

import html
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import Pflegekasse, Senior, Sozialraum
from begleitservice.seniors.operations import SeniorError, save_senior
from billing.identifiers import ik_check_digit
from tests.factories import (
    VALID_KVNRS,
    district,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_request,
    make_senior,
    make_volunteer,
)

TODAY = datetime.now(ZoneInfo("Europe/Berlin")).date()  # the app's APP_TIMEZONE


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Senior))


def _form(**overrides) -> dict:
    """Valid form input for a senior with Pflegegrad (the Pflegekasse must exist)."""
    data = {
        "first_name": "Gertrud",
        "last_name": "Kowalski",
        "birth_on": "1941-03-09",
        "street": "Nordmarkt 5",
        "postal_code": "44145",
        "city": "Dortmund",
        "district_id": str(district("Innenstadt-Nord").id),
        "sozialraum_id": "",
        "phone": "0231 123456",
        "contact_name": "Anna Kowalski",
        "contact_relation": "Tochter",
        "contact_phone": "0170 555",
        "contact_email": "anna@example.org",
        "pflegegrad": "2",
        "pflegekasse_id": "",
        "kvnr": "a123456780",
        "languages": "Deutsch,  Polnisch , Deutsch",
        "preferred_volunteer_gender": "w",
        "has_dementia": "y",
        "consent_on": "2026-01-10",
        "consent_scope": "Vermittlung und Abrechnung",
        "status": "aktiv",
        "care_notes": "Mag Kreuzworträtsel",
    }
    data.update(overrides)
    return data


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- access --------------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login(client):
    senior = make_senior()
    for url in ("/seniors/", "/seniors/neu", f"/seniors/{senior.id}", f"/seniors/{senior.id}/bearbeiten"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_accounting_may_not_create_or_edit(login):
    kasse = make_pflegekasse()
    senior = make_senior(first_name="Alt")
    accounting = login("accounting")
    assert accounting.get("/seniors/neu").status_code == 403
    assert accounting.get(f"/seniors/{senior.id}/bearbeiten").status_code == 403
    before = _count()
    assert accounting.post("/seniors/neu", data=_form(pflegekasse_id=str(kasse.id))).status_code == 403
    response = accounting.post(f"/seniors/{senior.id}/bearbeiten", data=_form(pflegekasse_id=str(kasse.id)))
    assert response.status_code == 403
    assert _count() == before
    assert db.session.get(Senior, senior.id).first_name == "Alt"


# --- create and edit -------------------------------------------------------------------------------------


def test_coordinator_creates_a_senior_with_normalised_values(coordinator):
    kasse = make_pflegekasse()
    response = coordinator.post("/seniors/neu", data=_form(pflegekasse_id=str(kasse.id)))
    assert response.status_code == 302
    senior = db.session.scalars(sa.select(Senior)).one()
    assert response.location.endswith(f"/seniors/{senior.id}")
    assert (senior.name, senior.birth_on, senior.kvnr) == ("Gertrud Kowalski", date(1941, 3, 9), "A123456780")
    assert senior.languages == "Deutsch, Polnisch"
    assert (senior.pflegegrad, senior.pflegekasse_id, senior.district.name) == (2, kasse.id, "Innenstadt-Nord")
    assert senior.has_dementia and senior.preferred_volunteer_gender == "w"
    assert senior.abtretungen == []  # the Abtretung history lives on the budget page
    assert "„Gertrud Kowalski“ gespeichert." in _page(coordinator.get(response.location))


def test_a_senior_without_pflegegrad_needs_no_kvnr(coordinator):
    data = _form(pflegegrad="", kvnr="", has_dementia="", sozialraum_id="")
    response = coordinator.post("/seniors/neu", data=data)
    assert response.status_code == 302, _page(response)
    senior = db.session.scalars(sa.select(Senior)).one()
    assert senior.pflegegrad is None and senior.kvnr is None and senior.pflegekasse_id is None
    assert senior.has_dementia is False


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"kvnr": "A123456781"}, "kvnr", "Die Prüfziffer der Versichertennummer stimmt nicht"),
        ({"kvnr": "A123456789"}, "kvnr", "Die Prüfziffer der Versichertennummer stimmt nicht"),
        ({"kvnr": "123456789"}, "kvnr", "Die Versichertennummer besteht aus einem Großbuchstaben"),
        ({"kvnr": ""}, "kvnr", "Mit Pflegegrad ist die Versichertennummer Pflicht"),
        ({"pflegekasse_id": ""}, "pflegekasse_id", "Mit Pflegegrad bitte die Pflegekasse wählen"),
        ({"postal_code": "4413"}, "postal_code", "Die PLZ besteht aus fünf Ziffern."),
        ({"postal_code": "44a35"}, "postal_code", "Die PLZ besteht aus fünf Ziffern."),
        (
            {"birth_on": (TODAY + timedelta(days=1)).isoformat()},
            "birth_on",
            "Das Geburtsdatum liegt in der Zukunft.",
        ),
        (
            {"birth_on": date(TODAY.year - 30, 1, 1).isoformat()},
            "birth_on",
            "Bitte das Geburtsdatum prüfen: Daraus ergibt sich ein Alter von 30",
        ),
        ({"consent_scope": ""}, "consent_scope", "Bitte den Umfang der Einwilligung angeben."),
        ({"last_name": ""}, "last_name", "Bitte den Nachnamen angeben."),
        ({"district_id": ""}, "district_id", "Bitte den Stadtbezirk wählen."),
        ({"contact_email": "anna(at)example"}, "contact_email", "Bitte eine gültige E-Mail-Adresse angeben."),
    ],
)
def test_bad_input_shows_a_german_message_at_the_field_and_saves_nothing(
    app_ctx, coordinator, monkeypatch, overrides, field, message
):
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)  # the dates above were computed at import: not past midnight
    kasse = make_pflegekasse()
    before = _count()
    response = coordinator.post("/seniors/neu", data=_form(**({"pflegekasse_id": str(kasse.id)} | overrides)))
    page = _page(response)
    assert response.status_code == 200
    assert f'id="{field}-error">{message}' in page
    assert "Es wurde nichts gespeichert." in page
    assert _count() == before


def test_a_sozialraum_must_lie_in_the_chosen_district(coordinator):
    hafen = db.session.scalar(sa.select(Sozialraum).where(Sozialraum.name == "Hafen"))
    data = _form(pflegegrad="", kvnr="", district_id=str(district("Hombruch").id), sozialraum_id=str(hafen.id))
    page = _page(coordinator.post("/seniors/neu", data=data))
    assert 'id="sozialraum_id-error">Der Sozialraum „Hafen“ liegt im Stadtbezirk Innenstadt-Nord' in page
    assert _count() == 0


def test_a_kvnr_cannot_belong_to_two_seniors(coordinator):
    kasse = make_pflegekasse()
    make_senior(first_name="Erna", last_name="Erste", pflegegrad=1, kvnr="A123456780", pflegekasse=kasse)
    page = _page(coordinator.post("/seniors/neu", data=_form(pflegekasse_id=str(kasse.id))))
    assert 'id="kvnr-error">Diese Versichertennummer ist schon bei Erna Erste eingetragen.' in page
    assert _count() == 1


def test_a_postal_code_outside_dortmund_is_saved_with_a_hint(coordinator):
    data = _form(pflegegrad="", kvnr="", postal_code="58239", city="Schwerte")
    response = coordinator.post("/seniors/neu", data=data, follow_redirects=True)
    assert "Hinweis: Die PLZ 58239 liegt außerhalb Dortmunds" in _page(response)
    assert db.session.scalars(sa.select(Senior.postal_code)).one() == "58239"


def test_coordinator_edits_a_senior(coordinator):
    kasse = make_pflegekasse()
    senior = make_senior(first_name="Gertrud", last_name="Kowalski", care_notes="alt")
    form_page = _page(coordinator.get(f"/seniors/{senior.id}/bearbeiten"))
    assert 'value="Gertrud"' in form_page and "Gertrud Kowalski bearbeiten" in form_page
    data = _form(
        pflegekasse_id=str(kasse.id),
        pflegegrad="3",
        kvnr=VALID_KVNRS[1],
        care_notes="Hört schlecht, bitte laut klingeln",
        status="pausiert",
    )
    response = coordinator.post(f"/seniors/{senior.id}/bearbeiten", data=data)
    assert response.status_code == 302
    db.session.rollback()
    senior = db.session.get(Senior, senior.id)
    assert (senior.pflegegrad, senior.kvnr, senior.status) == (3, VALID_KVNRS[1], "pausiert")
    assert senior.care_notes == "Hört schlecht, bitte laut klingeln"


def test_a_failed_edit_keeps_the_old_values(coordinator):
    kasse = make_pflegekasse()
    senior = make_senior(pflegegrad=2, kvnr="A123456780", pflegekasse=kasse, street="Altweg 1")
    data = _form(pflegekasse_id=str(kasse.id), street="Neuweg 2", kvnr="A123456781")
    page = _page(coordinator.post(f"/seniors/{senior.id}/bearbeiten", data=data))
    assert "Die Prüfziffer der Versichertennummer stimmt nicht" in page
    db.session.rollback()
    senior = db.session.get(Senior, senior.id)
    assert (senior.street, senior.kvnr) == ("Altweg 1", "A123456780")


def test_pflegegrad_cannot_be_removed_while_entlastung_runs(coordinator):
    kasse = make_pflegekasse()
    senior = make_senior(pflegegrad=2, pflegekasse=kasse)
    make_pairing(senior=senior, volunteer=make_volunteer(offers_entlastung=True))
    data = _form(pflegegrad="", kvnr="", pflegekasse_id="")
    page = _page(coordinator.post(f"/seniors/{senior.id}/bearbeiten", data=data))
    assert 'id="pflegegrad-error">Es laufen noch 1 Begleitung(en)' in page
    db.session.rollback()
    assert db.session.get(Senior, senior.id).pflegegrad == 2


def test_save_senior_takes_plain_values_and_reports_every_error(app_ctx):
    kasse = make_pflegekasse()
    values = dict(
        first_name=" Karl ",
        last_name="Brandt",
        birth_on=date(1939, 7, 1),
        street="Hafenstraße 3",
        postal_code="44147",
        district_id=district("Innenstadt-Nord").id,
        pflegegrad=1,
        pflegekasse_id=kasse.id,
        kvnr="b 98765432" + str(VALID_KVNRS[1][-1]),
    )
    senior = save_senior(Senior(), **values)
    assert (senior.first_name, senior.city, senior.kvnr, senior.languages) == (
        "Karl",
        "Dortmund",
        VALID_KVNRS[1],
        "Deutsch",
    )
    with pytest.raises(SeniorError) as caught:
        save_senior(Senior(), **(values | {"kvnr": None, "postal_code": "123", "first_name": ""}))
    assert set(caught.value.errors) == {"kvnr", "postal_code", "first_name"}


# --- list ------------------------------------------------------------------------------------------------


@pytest.fixture
def some_seniors(app_ctx):
    """Four seniors that differ in every filter."""
    aok, tk = make_pflegekasse(), make_pflegekasse(name="Techniker Krankenkasse", ik="100696012")
    return {
        "anna": make_senior(
            first_name="Anna",
            last_name="Albers",
            pflegegrad=2,
            pflegekasse=aok,
            kvnr="A123456780",
            abtretung_on=date(2025, 1, 1),
            phone="0231 777888",
            postal_code="44339",
        ),
        "bert": make_senior(
            first_name="Bert", last_name="Brink", district_name="Hombruch", postal_code="44225", phone="0231 1"
        ),
        "cora": make_senior(
            first_name="Cora",
            last_name="Conrad",
            pflegegrad=4,
            pflegekasse=tk,
            kvnr=VALID_KVNRS[2],
            abtretung_on=date(2025, 1, 1),
            abtretung_revoked_on=date(2025, 6, 1),
        ),
        "dora": make_senior(first_name="Dora", last_name="Dahl", status="beendet"),
        "aok": aok,
        "tk": tk,
    }


def _names(client, **params) -> list[str]:
    page = _page(client.get("/seniors/", query_string=params))
    return [name for name in ("Albers", "Brink", "Conrad", "Dahl") if f"{name}, " in page]


def test_list_search_and_filters(coordinator, some_seniors):
    s = some_seniors
    assert _names(coordinator) == ["Albers", "Brink", "Conrad"]
    assert _names(coordinator, status="alle") == ["Albers", "Brink", "Conrad", "Dahl"]
    assert _names(coordinator, status="beendet") == ["Dahl"]
    assert _names(coordinator, q="brink") == ["Brink"]
    assert _names(coordinator, q="anna albers") == ["Albers"]
    assert _names(coordinator, q="a12345") == ["Albers"]
    assert _names(coordinator, q="777888") == ["Albers"]
    assert _names(coordinator, q="44225") == ["Brink"]
    assert _names(coordinator, district=district("Hombruch").id) == ["Brink"]
    assert _names(coordinator, pflegegrad="keiner") == ["Brink"]
    assert _names(coordinator, pflegegrad="4") == ["Conrad"]
    assert _names(coordinator, pflegekasse=s["tk"].id) == ["Conrad"]
    assert _names(coordinator, abtretung="vorhanden") == ["Albers"]
    assert _names(coordinator, abtretung="keine") == ["Brink", "Conrad"]


def test_list_is_paginated(app_ctx, coordinator, some_seniors, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "ITEMS_PER_PAGE", 2)
    assert _names(coordinator) == ["Albers", "Brink"]
    assert "Seite 1 von 2 (3 Einträge)" in _page(coordinator.get("/seniors/"))
    assert _names(coordinator, page=2) == ["Conrad"]


def test_accounting_sees_billing_columns_only(login, some_seniors):
    make_pairing(senior=some_seniors["bert"])
    coordinator_page = _page(login("coordinator").get("/seniors/"))
    accounting_page = _page(login("accounting").get("/seniors/"))
    for page in (coordinator_page, accounting_page):
        assert all(text in page for text in ("Albers, Anna", "A123456780", "AOK NordWest", "17.05.1938"))
    assert "Demenz" in coordinator_page and "Aktive Begleitungen" in coordinator_page
    assert "Demenz" not in accounting_page and "Aktive Begleitungen" not in accounting_page
    assert "Hombruch</td>" in coordinator_page and "Hombruch</td>" not in accounting_page
    assert "Neue Senior:in" not in accounting_page


@pytest.mark.usefixtures("built_pages")
def test_list_queries_do_not_grow_with_the_number_of_seniors(app_ctx, coordinator, some_seniors):
    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app_ctx.app_context():  # a fresh session, as each real request has
                assert coordinator.get("/seniors/", query_string={"status": "alle"}).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements()
    for name in ("Aplerbeck", "Brackel", "Eving", "Hörde", "Mengede", "Scharnhorst"):
        make_pairing(senior=make_senior(district_name=name, pflegekasse=make_pflegekasse(ik=_new_ik())))
    assert statements() == few


def _new_ik() -> str:
    """A valid IK that no Pflegekasse has yet."""
    used = set(db.session.scalars(sa.select(Pflegekasse.ik)))
    return next(ik for n in range(10_000_000, 10_000_100) if (ik := f"{n}{ik_check_digit(str(n))}") not in used)


# --- detail ----------------------------------------------------------------------------------------------


@pytest.fixture
def cared_for(app_ctx):
    """A senior with dementia, care notes, a request, a pairing and past and upcoming appointments."""
    kasse = make_pflegekasse()
    senior = make_senior(
        first_name="Helga",
        last_name="Hansen",
        pflegegrad=3,
        pflegekasse=kasse,
        has_dementia=True,
        care_notes="Schlüssel beim Nachbarn",
        contact_name="Peter Hansen",
        abtretung_on=date(2025, 1, 1),
        consent_on=date(2025, 1, 1),
        consent_scope="Vermittlung und Abrechnung",
    )
    volunteer = make_volunteer(first_name="Volker", last_name="Voss", offers_entlastung=True)
    pairing = make_pairing(senior=senior, volunteer=volunteer)
    make_request(senior=senior)
    make_appointment(
        pairing=pairing,
        on=TODAY - timedelta(days=3),
        status="stattgefunden",
        actual_minutes=90,
        note="Arztbesuch begleitet",
    )
    make_appointment(pairing=pairing, on=TODAY + timedelta(days=4), planned_start=time(14, 0), planned_end=time(16))
    return senior


def test_coordinator_sees_everything_on_the_detail_page(coordinator, cared_for):
    page = _page(coordinator.get(f"/seniors/{cared_for.id}"))
    for text in (
        "Helga Hansen",
        "Schlüssel beim Nachbarn",
        "Demenz",
        "Peter Hansen",
        "Volker Voss",
        "Montag 10:00–12:00",
        "Arztbesuch begleitet",
        "1,5",
        (TODAY + timedelta(days=4)).strftime("%d.%m.%Y"),
        "14:00–16:00",
        "Anfragen (1)",
        "Begleitungen (1)",
        "Bearbeiten",
    ):
        assert text in page, text


def test_accounting_sees_billing_facts_and_minutes_but_no_care_data(login, cared_for):
    page = _page(login("accounting").get(f"/seniors/{cared_for.id}"))
    for text in ("Helga Hansen", cared_for.kvnr, "AOK NordWest", "Pflegekasse (Abtretung)", "1,5", "Volker Voss"):
        assert text in page, text
    for text in ("Schlüssel beim Nachbarn", "Demenz", "Peter Hansen", "Arztbesuch begleitet", "Anfragen", "Bearbeiten"):
        assert text not in page, text
    assert (TODAY + timedelta(days=4)).strftime("%d.%m.%Y") not in page


def test_unknown_senior_is_404(coordinator):
    assert coordinator.get("/seniors/999999").status_code == 404
