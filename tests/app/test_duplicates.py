"""Duplicate warnings: a senior or volunteer who may already be stored is saved only with a tick."""

import html
from datetime import date

import pytest
import sqlalchemy as sa

from begleitservice.cli.importexport import import_command
from begleitservice.extensions import db
from begleitservice.models import Senior, Volunteer
from begleitservice.seniors.operations import SeniorError, save_senior
from tests.factories import district, make_senior, make_volunteer

TICK = "Trotzdem speichern – es ist eine andere Person"


def _senior_form(**overrides) -> dict:
    """A valid senior form without Pflegegrad."""
    data = {
        "first_name": "Ayse",
        "last_name": "OZTURK",
        "birth_on": "1941-03-09",
        "street": "Nordmarkt 5",
        "postal_code": "44145",
        "city": "Dortmund",
        "district_id": str(district("Innenstadt-Nord").id),
        "languages": "Deutsch, Türkisch",
        "status": "aktiv",
    }
    return data | overrides


def _volunteer_form(**overrides) -> dict:
    """A valid volunteer form."""
    data = {
        "first_name": "Cagla",
        "last_name": "Sen",
        "email": "cagla.neu@example.org",
        "phone": "0231/555-1234",
        "home_district_id": str(district("Eving").id),
        "services": ["besuchsdienst"],
        "languages": "Deutsch",
        "gender": "w",
        "availability": "Mo 09:00-12:00",
        "max_minutes_per_week": "4",
        "max_seniors": "2",
        "status": "aktiv",
    }
    return data | overrides


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def oeztuerk(app_ctx):
    """A stored senior Ayşe Öztürk, born 9 March 1941."""
    senior = make_senior(first_name="Ayşe", last_name="Öztürk", birth_on=date(1941, 3, 9))
    db.session.commit()
    return senior


# --- seniors -----------------------------------------------------------------------------------------------


def test_new_senior_with_same_name_and_birth_date_is_shown_again_with_a_link(coordinator, oeztuerk):
    response = coordinator.post("/seniors/neu", data=_senior_form())

    page = _page(response)
    assert response.status_code == 200
    assert "Vielleicht ist diese Person schon angelegt." in page
    assert "Mit demselben Namen und Geburtsdatum gibt es schon:" in page
    assert f'<a href="/seniors/{oeztuerk.id}" target="_blank" rel="noopener">Ayşe Öztürk</a>, geb. 09.03.1941' in page
    assert TICK in page and "Es wurde nichts gespeichert." in page
    assert _count(Senior) == 1


def test_the_tick_saves_the_other_person(coordinator, oeztuerk):
    response = coordinator.post("/seniors/neu", data=_senior_form(confirm_other_person="y"))

    assert response.status_code == 302
    assert _count(Senior) == 2
    assert "„Ayse OZTURK“ gespeichert." in _page(coordinator.get(response.headers["Location"]))


def test_another_birth_date_or_name_is_no_duplicate(coordinator, oeztuerk):
    assert coordinator.post("/seniors/neu", data=_senior_form(birth_on="1941-03-10")).status_code == 302
    assert coordinator.post("/seniors/neu", data=_senior_form(first_name="Aysel")).status_code == 302
    assert _count(Senior) == 3


def test_editing_into_a_duplicate_warns_and_changes_nothing(coordinator, oeztuerk):
    other = make_senior(first_name="Ayşe", last_name="Öztürk", birth_on=date(1941, 3, 10))
    db.session.commit()

    response = coordinator.post(f"/seniors/{other.id}/bearbeiten", data=_senior_form())

    assert f'<a href="/seniors/{oeztuerk.id}" target="_blank" rel="noopener">Ayşe Öztürk</a>' in _page(response)
    assert db.session.get(Senior, other.id).birth_on == date(1941, 3, 10)


def test_editing_a_known_duplicate_without_touching_name_or_birth_date_needs_no_tick(coordinator, oeztuerk):
    twin = make_senior(first_name="Ayse", last_name="Ozturk", birth_on=date(1941, 3, 9))
    db.session.commit()

    response = coordinator.post(
        f"/seniors/{twin.id}/bearbeiten", data=_senior_form(first_name="Ayse", last_name="Ozturk", street="Hafen 1")
    )

    assert response.status_code == 302
    assert db.session.get(Senior, twin.id).street == "Hafen 1"


def test_the_operation_refuses_a_duplicate_without_allow_duplicate(app_ctx, oeztuerk):
    values = {k: v for k, v in _senior_form().items() if k not in ("birth_on", "district_id")}
    values |= {"birth_on": date(1941, 3, 9), "district_id": district("Eving").id, "last_name": "Oeztuerk"}

    with pytest.raises(SeniorError) as raised:
        save_senior(Senior(), today=date(2026, 11, 1), **values)

    assert raised.value.duplicates == [oeztuerk]
    assert "Mit demselben Namen und Geburtsdatum ist schon angelegt: Ayşe Öztürk" in str(raised.value)
    assert save_senior(Senior(), today=date(2026, 11, 1), allow_duplicate=True, **values).id is not None


# --- volunteers --------------------------------------------------------------------------------------------


@pytest.fixture
def sen(app_ctx):
    """A stored volunteer Çağla Şen with e-mail and phone."""
    volunteer = make_volunteer(first_name="Çağla", last_name="Şen", email="cagla@example.org", phone="0231 555 12 34")
    db.session.commit()
    return volunteer


def test_volunteer_with_same_name_and_phone_is_shown_again_with_a_link(coordinator, sen):
    response = coordinator.post("/volunteers/neu", data=_volunteer_form())

    page = _page(response)
    assert "Mit demselben Namen und derselben Telefonnummer gibt es schon:" in page
    assert (
        f'<a href="/volunteers/{sen.id}" target="_blank" rel="noopener">Çağla Şen</a>, '
        "cagla@example.org, Tel. 0231 555 12 34" in page
    )
    assert TICK in page
    assert _count(Volunteer) == 1


def test_volunteer_tick_saves_the_other_person(coordinator, sen):
    response = coordinator.post("/volunteers/neu", data=_volunteer_form(confirm_other_person="y"))

    assert response.status_code == 302
    assert _count(Volunteer) == 2


def test_volunteer_with_same_name_but_other_phone_is_saved(coordinator, sen):
    assert coordinator.post("/volunteers/neu", data=_volunteer_form(phone="0231 555 99")).status_code == 302
    assert _count(Volunteer) == 2


@pytest.mark.parametrize("email", ["CAGLA@example.org", "Cagla@Example.ORG", "cagla@EXAMPLE.org"])
def test_same_email_in_any_case_gets_a_message_and_a_link_not_an_error_page(coordinator, sen, email):
    response = coordinator.post(
        "/volunteers/neu",
        data=_volunteer_form(first_name="Petra", last_name="Neu", phone="", email=email, confirm_other_person="y"),
    )

    page = _page(response)
    assert response.status_code == 200
    assert "Diese E-Mail-Adresse ist schon bei Çağla Şen eingetragen." in page
    assert f'<a href="/volunteers/{sen.id}" target="_blank" rel="noopener">Çağla Şen</a>' in page
    assert TICK not in page  # a shared address cannot be ticked away: the visit links go to it
    assert _count(Volunteer) == 1


def test_editing_email_to_another_volunteers_in_other_case_is_refused(coordinator, sen):
    other = make_volunteer(first_name="Petra", last_name="Neu", email="petra@example.org")
    db.session.commit()

    response = coordinator.post(
        f"/volunteers/{other.id}/bearbeiten",
        data=_volunteer_form(first_name="Petra", last_name="Neu", phone="", email="CAGLA@EXAMPLE.ORG"),
    )

    assert response.status_code == 200
    assert "Diese E-Mail-Adresse ist schon bei Çağla Şen eingetragen." in _page(response)
    assert db.session.get(Volunteer, other.id).email == "petra@example.org"


# --- CSV import --------------------------------------------------------------------------------------------

SENIOR_CSV = "Vorname;Nachname;Geburtsdatum;Straße;PLZ;Stadtbezirk\n"
VOLUNTEER_CSV = "Vorname;Nachname;E-Mail;Telefon;Geschlecht;Stadtbezirk\n"


def _import(app, kind: str, path, *options):
    result = app.test_cli_runner().invoke(import_command, [kind, str(path), *options])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    return result.output


def test_import_leaves_out_a_senior_who_may_be_stored_and_says_so(app_ctx, oeztuerk, tmp_path):
    path = tmp_path / "senioren.csv"
    path.write_text(
        SENIOR_CSV + "AYSE;Oeztuerk;09.03.1941;Hafen 1;44147;Innenstadt-Nord\n"
        "Hilde;Gut;17.05.1938;Evinger Straße 1;44339;Eving\n",
        encoding="utf-8",
    )

    output = _import(app_ctx, "seniors", path)

    assert (
        f"Warnung: Zeile 2: Mit demselben Namen und Geburtsdatum ist schon angelegt: Ayşe Öztürk (Nr. {oeztuerk.id}),"
        " geb. 09.03.1941. Nicht angelegt." in output
    )
    assert "Senior:innen: 1 neu angelegt, 0 aktualisiert, 1 mögliche Doppelung nicht angelegt" in output
    assert sorted(db.session.scalars(sa.select(Senior.last_name))) == ["Gut", "Öztürk"]


def test_import_with_allow_duplicates_creates_the_other_person(app_ctx, oeztuerk, tmp_path):
    path = tmp_path / "senioren.csv"
    path.write_text(SENIOR_CSV + "AYSE;Oeztuerk;09.03.1941;Hafen 1;44147;Innenstadt-Nord\n", encoding="utf-8")

    output = _import(app_ctx, "seniors", path, "--allow-duplicates")

    assert "Wird trotzdem angelegt (--allow-duplicates)." in output
    assert "1 neu angelegt" in output
    assert sorted(db.session.scalars(sa.select(Senior.last_name))) == ["Oeztuerk", "Öztürk"]


def test_import_flags_the_same_new_person_twice_in_one_file(app_ctx, tmp_path):
    path = tmp_path / "senioren.csv"
    path.write_text(
        SENIOR_CSV + "Şükrü;Güneş;02.01.1944;Hafen 1;44147;Innenstadt-Nord\n"
        "Sukru;Gunes;02.01.1944;Hafen 1;44147;Innenstadt-Nord\n",
        encoding="utf-8",
    )

    dry = _import(app_ctx, "seniors", path, "--dry-run")
    output = _import(app_ctx, "seniors", path)

    assert "(1 neu, 0 zu aktualisieren, 1 mögliche Doppelung nicht angelegt" in dry
    assert "Warnung: Zeile 3: Mit demselben Namen und Geburtsdatum steht schon Zeile 2 in der Datei." in output
    assert list(db.session.scalars(sa.select(Senior.last_name))) == ["Güneş"]


def test_import_leaves_out_a_volunteer_with_same_name_and_phone(app_ctx, sen, tmp_path):
    path = tmp_path / "ehrenamt.csv"
    path.write_text(
        VOLUNTEER_CSV + "Cagla;SEN;cagla.privat@example.org;0231/5551234;w;Eving\n"
        "Cagla;Sen;cagla.zwei@example.org;0231 999;w;Eving\n"
        "Çağla;Şen;CAGLA@EXAMPLE.ORG;0231 555 12 34;w;Hörde\n",
        encoding="utf-8",
    )

    output = _import(app_ctx, "volunteers", path)

    assert (
        "Warnung: Zeile 2: Mit demselben Namen und derselben Telefonnummer ist schon eingetragen: "
        f"Çağla Şen (Nr. {sen.id})" in output
    )
    assert "Ehrenamtliche: 1 neu angelegt, 1 aktualisiert, 1 mögliche Doppelung nicht angelegt" in output
    emails = sorted(db.session.scalars(sa.select(Volunteer.email)))
    assert emails == ["cagla.zwei@example.org", "cagla@example.org"]
    assert db.session.get(Volunteer, sen.id).home_district.name == "Hörde"  # the same address in capitals updates


def test_import_help_explains_duplicates(app_ctx):
    output = app_ctx.test_cli_runner().invoke(import_command, ["--help"]).output

    assert "--allow-duplicates" in output and "wird NICHT angelegt" in output
