"""Bad input on the pages: a German message, nothing changed, never a server error (one test per cause found).

The parsers themselves (begleitservice.inputs) are tested at the end; the fuzz test (test_fuzz.py) throws
generated input at every page, these tests pin each cause it and the issue found.
"""

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from begleitservice import inputs
from begleitservice.extensions import db
from begleitservice.inputs import InputError, parse_int, parse_month, safe_next
from begleitservice.models import BudgetOpening, BudgetOtherUse, Pairing, Pflegekasse
from tests.factories import make_pairing, make_pflegekasse, make_request, make_senior, make_user, make_volunteer

TODAY = date(2026, 11, 10)


@pytest.fixture
def today(app_ctx, monkeypatch):
    """Fix "today" for the app to 10 November 2026."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    return TODAY


def text(response) -> str:
    """The page as text, entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field: str) -> str:
    """The German message shown at a form field."""
    match = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
    assert match, f"no message at {field}"
    return html.unescape(match[1])


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def entlastung_people():
    """A senior with Pflegegrad and a qualified volunteer."""
    senior = make_senior(pflegegrad=2, pflegekasse=make_pflegekasse())
    return senior, make_volunteer(offers_entlastung=True)


def pairing_form(volunteer, senior, **overrides) -> dict:
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
    return data | overrides


# --- query strings and paths ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/seniors/", "/volunteers/", "/requests/", "/pairings/", "/datenschutz/"])
@pytest.mark.parametrize("page", ["99999999999999999999", "²", "0"])
def test_a_broken_page_number_is_a_400_with_a_german_message(coordinator, path, page):
    response = coordinator.get(f"{path}?page={page}")
    assert response.status_code == 400
    assert "Der Parameter „page“ ist ungültig" in text(response)


def test_a_page_beyond_the_last_one_is_just_empty(coordinator):
    make_senior(last_name="Erstseite")
    response = coordinator.get("/seniors/?page=500")
    assert response.status_code == 200 and "Erstseite" not in text(response)


@pytest.mark.parametrize("path", ["/requests/?district=²", "/pairings/?district=²", "/seniors/?pflegekasse=²"])
def test_a_superscript_two_in_a_filter_is_a_400_not_a_500(coordinator, path):
    response = coordinator.get(path)
    assert response.status_code == 400
    assert "„²“ ist keine ganze Zahl." in text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/seniors/99999999999999999999",
        "/pairings/2147483648/bearbeiten",
        "/termine/99999999999999999999",
        "/abrechnung/99999999999999999999/dokumente.zip",
    ],
)
def test_a_huge_id_in_the_path_is_a_404(coordinator, path):
    response = coordinator.get(path)
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in text(response)


@pytest.mark.parametrize(
    "path", ["/kalender/" + "a%00" * 12 + ".ics", "/link/bestaetigen/a%00b", "/link/vertretung/%0D%0A"]
)
def test_a_link_token_with_a_nul_byte_is_a_404_on_every_database(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in text(response)


@pytest.mark.parametrize("path", ["/requests/neu?senior_id=99999999999999999999", "/pairings/neu?request_id=²"])
def test_a_broken_id_in_the_query_is_a_400(coordinator, path):
    assert coordinator.get(path).status_code == 400


@pytest.mark.parametrize(
    "month, message",
    [
        ("abc", "„abc“ ist kein Monat: bitte als JJJJ-MM oder MM/JJJJ angeben"),
        ("02/0000", "Der Monat 02/0000 liegt außerhalb des möglichen Zeitraums (01/1900 bis 12/2100)."),
        ("2026-13", "der Monat ist 01 bis 12"),
    ],
)
@pytest.mark.parametrize("path", ["/abrechnung/lauf", "/abrechnung/auszahlungen", "/abrechnung/export/hours"])
def test_a_broken_month_is_a_400_with_a_german_message(login, path, month, message):
    response = login("accounting").get(f"{path}?monat={month}")
    assert response.status_code == 400
    assert message in text(response)


def test_the_week_view_refuses_a_date_outside_the_window(coordinator):
    response = coordinator.get("/termine/?von=9999-12-31")
    assert response.status_code == 400
    assert "Das Datum 31.12.9999 liegt außerhalb des möglichen Zeitraums (01.01.1900 bis 31.12.2100)." in text(response)


def test_a_nul_byte_in_a_search_is_a_400_on_every_database(coordinator):
    response = coordinator.get("/seniors/?q=a%00b")
    assert response.status_code == 400
    assert "unzulässige Steuerzeichen" in text(response)


# --- forms ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["1800-01-01", "9999-12-31", "0001-01-01"])
def test_a_pairing_outside_the_date_window_is_refused_and_not_saved(coordinator, login, today, day):
    senior, volunteer = entlastung_people()

    response = coordinator.post("/pairings/neu", data=pairing_form(volunteer, senior, starts_on=day))

    assert response.status_code == 200
    shown = inputs.german_date(date.fromisoformat(day))
    assert field_error(response, "starts_on") == (
        f"Das Datum {shown} liegt außerhalb des möglichen Zeitraums (10.11.2021 bis 10.11.2029)."
    )
    assert count(Pairing) == 0
    # the pages that broke for everyone after such a pairing was saved
    accounting = login("accounting")
    assert accounting.get("/abrechnung/lauf?monat=2026-10").status_code == 200
    assert accounting.get("/abrechnung/export/hours?monat=2026-10").status_code == 200
    assert coordinator.get(f"/seniors/{senior.id}/budget").status_code == 200


def test_ending_a_pairing_with_a_service_the_database_refuses_is_a_message(coordinator, today):
    """Found by the fuzz test: the placing rules skip an ended Begleitung, the database trigger does not."""
    senior, volunteer = entlastung_people()
    pairing = make_pairing(senior=senior, volunteer=volunteer, service="entlastung", starts_on=date(2026, 11, 2))

    response = coordinator.post(
        f"/pairings/{pairing.id}/bearbeiten",
        data=pairing_form(volunteer, senior, service="besuchsdienst", status="beendet", starts_on="2026-11-02"),
    )

    assert response.status_code == 200
    assert field_error(response, "service").startswith("Der Besuchsdienst ist nur für Menschen ohne Pflegegrad")
    db.session.refresh(pairing)
    assert (pairing.service, pairing.status) == ("entlastung", "aktiv")


def test_moving_a_paused_pairing_to_a_senior_without_pflegegrad_is_a_message(coordinator, today):
    """Found by the fuzz test: volunteer and service unchanged, the Pflegegrad rule was skipped for a new senior."""
    senior, volunteer = entlastung_people()
    pairing = make_pairing(senior=senior, volunteer=volunteer, service="entlastung", starts_on=date(2026, 11, 2))
    other = make_senior(first_name="Carl")

    response = coordinator.post(
        f"/pairings/{pairing.id}/bearbeiten",
        data=pairing_form(volunteer, other, service="entlastung", status="pausiert", starts_on="2026-11-02"),
    )

    assert response.status_code == 200
    assert field_error(response, "service").startswith("Häusliche Entlastung setzt einen Pflegegrad (1–5) voraus")
    db.session.refresh(pairing)
    assert (pairing.senior_id, pairing.status) == (senior.id, "aktiv")


def test_the_pairing_operation_refuses_an_absurd_date_too(app_ctx, today):
    from begleitservice.pairings.operations import PairingError, create_pairing

    senior, volunteer = entlastung_people()
    with pytest.raises(PairingError, match="außerhalb des möglichen Zeitraums") as caught:
        create_pairing(
            volunteer=volunteer, senior=senior, service="entlastung", slots=[(1, 600, 720)], starts_on=date(1800, 1, 1)
        )
    assert caught.value.field == "starts_on"
    db.session.rollback()
    assert count(Pairing) == 0


def test_an_absence_in_the_year_9999_is_refused(coordinator, today):
    volunteer = make_volunteer()
    response = coordinator.post(
        f"/volunteers/{volunteer.id}/abwesenheiten", data={"starts_on": "2026-12-01", "ends_on": "9999-12-31"}
    )
    assert "liegt außerhalb des möglichen Zeitraums" in field_error(response, "ends_on")
    db.session.refresh(volunteer)
    assert volunteer.absences == []


@pytest.mark.parametrize("value", ["a\x00b", "Zeile\x1b[31m"])
def test_a_control_character_in_a_text_field_is_refused_and_nothing_saved(coordinator, value):
    response = coordinator.post(
        "/pflegekassen/neu", data={"name": value, "ik": "260326822", "postal_code": "", "email": ""}
    )
    assert response.status_code == 200
    assert field_error(response, "name") == (
        "Der Text enthält unzulässige Steuerzeichen (z. B. ein Nullbyte); bitte neu eingeben."
    )
    assert count(Pflegekasse) == 0


def test_a_line_break_in_a_one_line_field_is_refused(coordinator):
    volunteer = make_volunteer(first_name="Erika")
    response = coordinator.post(
        f"/volunteers/{volunteer.id}/abwesenheiten",
        data={"starts_on": "2026-12-01", "ends_on": "2026-12-02", "reason": "Urlaub\r\nX-Header: 1"},
    )
    assert field_error(response, "reason") == "Bitte ohne Zeilenumbruch eingeben."


def test_a_huge_id_chosen_in_a_select_gets_a_message_not_a_500(coordinator, today):
    senior, volunteer = entlastung_people()
    response = coordinator.post("/pairings/neu", data=pairing_form(volunteer, senior, senior_id="99999999999999999999"))
    assert response.status_code == 200
    assert field_error(response, "senior_id") == "Ungültige Auswahl: bitte die Person aus den Vorschlägen wählen."
    assert count(Pairing) == 0


def test_a_request_without_languages_is_saved(coordinator, today):
    """The column is NOT NULL: an emptied "Benötigte Sprachen" field used to end in a server error."""
    item = make_request(languages="Türkisch")
    data = {
        "senior_id": item.senior_id,
        "service": item.service,
        "visits_per_week": "1",
        "minutes_per_visit": "120",
        "windows": "Mo 09:00-12:00",
        "languages": "",
        "volunteer_gender": "",
        "urgency": "1",
        "received_on": "2026-10-01",
        "source": "Sonstige",
        "notes": "",
    }
    response = coordinator.post(f"/requests/{item.id}/bearbeiten", data=data)
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.languages == ""


@pytest.mark.parametrize(
    "amount, message",
    [
        ("1e999999", "„1e999999“ ist kein Betrag wie 12,50."),
        ("NaN", "„NaN“ ist kein Betrag wie 12,50."),
        ("99999999999", "Der Betrag ist zu hoch (höchstens 100.000,00"),
    ],
)
def test_an_impossible_amount_is_refused(coordinator, today, amount, message):
    senior = make_senior(pflegegrad=2, pflegekasse=make_pflegekasse())
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/anfangsbestand",
        data={"opening-as_of": "2026-01-10", "opening-current_year": amount, "opening-source": "AOK"},
    )
    assert response.status_code == 200
    assert field_error(response, "opening-current_year").startswith(message)
    assert count(BudgetOpening) == 0


@pytest.mark.parametrize("month", ["0001-01", "02/0000", "12/2099"])
def test_a_budget_month_outside_the_window_is_refused(coordinator, today, month):
    senior = make_senior(pflegegrad=2, pflegekasse=make_pflegekasse())
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/nutzung", data={"use-month": month, "use-amount": "20", "use-note": "Tagespflege"}
    )
    assert response.status_code == 200
    assert "Monat" in field_error(response, "use-month")
    assert count(BudgetOtherUse) == 0
    assert coordinator.get(f"/seniors/{senior.id}/budget").status_code == 200


def test_an_enormous_number_of_hours_is_refused_at_once(coordinator):
    volunteer = make_volunteer()
    response = coordinator.get(f"/volunteers/{volunteer.id}/bearbeiten")
    assert response.status_code == 200
    data = {
        "first_name": "Erika",
        "last_name": "Muster",
        "email": volunteer.email,
        "home_district_id": str(volunteer.home_district_id),
        "gender": "w",
        "max_minutes_per_week": "1e999999999",
        "max_seniors": "2",
        "status": "aktiv",
    }
    response = coordinator.post(f"/volunteers/{volunteer.id}/bearbeiten", data=data)
    assert field_error(response, "max_minutes_per_week") == "„1e999999999“ sind mehr Stunden, als eine Woche hat."


def test_a_superscript_in_a_storno_correction_is_a_message(login, app_ctx, tmp_path, monkeypatch):
    from begleitservice.accounting.files import commit_with_files
    from begleitservice.accounting.operations import run_month
    from begleitservice.models import BilledVisit, Invoice
    from billing.month import Month
    from tests.factories import make_appointment, make_provider

    senior, volunteer = entlastung_people()
    pairing = make_pairing(senior=senior, volunteer=volunteer, starts_on=date(2026, 10, 1))
    make_appointment(pairing=pairing, on=date(2026, 10, 5), status="stattgefunden", actual_minutes=120)
    make_provider()
    result = run_month(Month(2026, 10), out_dir=tmp_path, today=date(2026, 11, 20), issued_on=date(2026, 11, 20))
    commit_with_files(result.staged)
    invoice = db.session.scalars(sa.select(Invoice)).first()
    visit = db.session.scalars(sa.select(BilledVisit)).first()

    response = login("accounting").post(
        f"/abrechnung/rechnungen/{invoice.id}/storno",
        data={"reason": "Korrektur", f"minutes-{visit.appointment_id}": "²"},
    )

    assert response.status_code == 200
    assert "Bitte eine Dauer von 0 bis 720 Minuten angeben." in text(response)
    assert count(Invoice) == 1


# --- after login ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["\r\nSet-Cookie: x=1", "//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example"]
)
def test_login_goes_only_to_a_local_page(client, target):
    user = make_user()
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": "richtig-geheim-123"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_goes_on_to_the_page_asked_for(client):
    user = make_user()
    response = client.post(
        "/login?next=/seniors/%3Fq%3Dabc", data={"email": user.email, "password": "richtig-geheim-123"}
    )
    assert response.headers["Location"] == "/seniors/?q=abc"


# --- the error page ---------------------------------------------------------------------------------------


@pytest.fixture
def error_pages(app_ctx, monkeypatch):
    """Render server errors as the production app does, instead of raising them into the test."""
    monkeypatch.setitem(app_ctx.config, "PROPAGATE_EXCEPTIONS", False)


def test_an_error_after_the_commit_does_not_claim_that_nothing_was_saved(coordinator, error_pages, monkeypatch, today):
    import begleitservice.pairings.views as views

    def broken(*args, **kwargs):
        raise RuntimeError("after the commit")

    monkeypatch.setattr(views, "budget_warning", broken)
    senior, volunteer = entlastung_people()

    response = coordinator.post("/pairings/neu", data=pairing_form(volunteer, senior))

    assert response.status_code == 500
    assert "nachdem Ihre Änderung gespeichert wurde" in text(response)
    assert "Es wurde nichts gespeichert" not in text(response)
    assert count(Pairing) == 1


def test_an_error_before_the_commit_says_nothing_was_saved_and_rolls_back(coordinator, error_pages, monkeypatch, today):
    """The page after a failed statement is rendered on a rolled-back session (PostgreSQL: no aborted transaction)."""
    import begleitservice.pairings.views as views

    real = views.create_pairing

    def failing(**kwargs):
        real(**kwargs)  # flushed, not committed
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(views, "create_pairing", failing)
    senior, volunteer = entlastung_people()

    response = coordinator.post("/pairings/neu", data=pairing_form(volunteer, senior))

    assert response.status_code == 500
    page = text(response)
    assert "Ein unerwarteter Fehler ist aufgetreten. Es wurde nichts gespeichert." in page
    assert "Abmelden" in page or "(Koordination)" in page  # the navigation could read the user
    assert count(Pairing) == 0


# --- the parsers ------------------------------------------------------------------------------------------


def test_parse_int_reads_ascii_digits_only():
    assert parse_int(" 42 ") == 42
    for bad in ["²", "١٢", "1e3", "", "9" * 20, "4.0"]:
        with pytest.raises(InputError):
            parse_int(bad)
    with pytest.raises(InputError, match="21 liegt nicht zwischen 0 und 20"):
        parse_int("21", high=20)


def test_parse_month_reads_both_german_and_iso_months(app_ctx):
    assert parse_month("2026-10") == parse_month("10/2026") == parse_month(" 10/2026 ")
    for bad in ["abc", "02/0000", "2026-13", "0000-01", "10000-01", "2026-10-01", "1/2/3"]:
        with pytest.raises(InputError):
            parse_month(bad)


def test_date_windows_follow_the_settings(app_ctx, monkeypatch, today):
    assert inputs.date_window("plan") == (date(2021, 11, 10), date(2029, 11, 10))
    assert inputs.date_window("birth") == (date(1900, 1, 1), TODAY)
    monkeypatch.setitem(app_ctx.config, "PLAN_YEARS_AHEAD", 1)
    assert inputs.date_window("plan")[1] == date(2027, 11, 10)
    assert inputs.date_error(date(2028, 1, 1), "plan") is not None


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/seniors/?q=a", "/seniors/?q=a"),
        ("/", "/"),
        ("", None),
        ("seniors", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("/\t/evil.example", None),
        ("/a\r\nb", None),
        ("/ /evil.example", None),
        ("https://evil.example/", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected
