"""Every create form saves once: the same rendered form sent twice (double click, back and send again, ten clicks
at once) creates one record, and the repeat lands on what the first one created with a German notice."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import (
    BillingRun,
    ContactEntry,
    Pairing,
    Pflegekasse,
    Request,
    Senior,
    User,
    Volunteer,
    VolunteerAbsence,
)
from begleitservice.models.budget import BudgetOpening, BudgetOtherUse, UmwandlungDeclaration
from begleitservice.models.pairing import Appointment
from tests.factories import (
    VALID_IKS,
    district,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_senior,
    make_volunteer,
)

REPEATED = "Dieses Formular wurde bereits gespeichert."
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def moment(app_ctx, monkeypatch, tmp_path):
    """The app's clock on 20 November 2026; billing documents go to a temporary folder."""
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    monkeypatch.setitem(app_ctx.config, "TODAY", NOW.date())
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    return app_ctx


@dataclass
class Case:
    """A create form: the page that shows it, where it is sent, valid input, what it creates, who may use it."""

    page: str
    action: str
    data: dict
    model: type
    role: str = "coordinator"
    field: str = "submission"  # the token's name (with the form's prefix)


def _senior_case():
    data = {
        "first_name": "Gertrud",
        "last_name": "Kowalski",
        "birth_on": "1941-03-09",
        "street": "Nordmarkt 5",
        "postal_code": "44145",
        "city": "Dortmund",
        "district_id": str(district("Innenstadt-Nord").id),
        "languages": "Deutsch",
        "status": "aktiv",
        "consent_on": "2026-01-10",
        "consent_scope": "Vermittlung",
    }
    return Case("/seniors/neu", "/seniors/neu", data, Senior)


def _volunteer_case():
    data = {
        "first_name": "Erika",
        "last_name": "Neumann",
        "email": "erika.neumann@example.org",
        "home_district_id": str(district("Eving").id),
        "services": ["besuchsdienst"],
        "languages": "Deutsch",
        "gender": "w",
        "availability": "Mo 09:00-12:00",
        "max_minutes_per_week": "4",
        "max_seniors": "2",
        "status": "aktiv",
    }
    return Case("/volunteers/neu", "/volunteers/neu", data, Volunteer)


def _request_case():
    senior = make_senior()
    data = {
        "senior_id": senior.id,
        "service": "besuchsdienst",
        "visits_per_week": "1",
        "minutes_per_visit": "120",
        "windows": "Mo 09:00-12:00",
        "languages": "Deutsch",
        "urgency": "2",
        "received_on": "2026-11-02",
        "source": "Sonstige",
    }
    return Case("/requests/neu", "/requests/neu", data, Request)


def _pairing_case():
    volunteer, senior = make_volunteer(), make_senior()
    data = {
        "volunteer_id": volunteer.id,
        "senior_id": senior.id,
        "service": "besuchsdienst",
        "slots": "Mo 10:00-12:00",
        "interval_weeks": "1",
        "starts_on": "2026-11-23",
        "status": "aktiv",
    }
    return Case("/pairings/neu", "/pairings/neu", data, Pairing)


def _pflegekasse_case():
    data = {"name": "BARMER", "ik": VALID_IKS[1]}
    return Case("/pflegekassen/neu", "/pflegekassen/neu", data, Pflegekasse)


def _user_case():
    data = {"name": "Neue Kollegin", "email": "neu@example.org", "role": "coordinator"}
    data |= {"password": "ein-langes-passwort-2026", "is_active": "y"}
    return Case("/admin/benutzer/neu", "/admin/benutzer/neu", data, User, role="admin")


def _absence_case():
    volunteer = make_volunteer()
    data = {"starts_on": "2026-12-01", "ends_on": "2026-12-05", "reason": "Urlaub"}
    return Case(f"/volunteers/{volunteer.id}", f"/volunteers/{volunteer.id}/abwesenheiten", data, VolunteerAbsence)


def _one_off_case():
    pairing = make_pairing(starts_on=date(2026, 11, 2))
    data = {"on": "2026-11-26", "start": "15:00", "end": "16:00", "note": "Arzttermin begleiten"}
    return Case(f"/pairings/{pairing.id}", f"/pairings/{pairing.id}/termine/neu", data, Appointment)


def _replacement_case():
    pairing = make_pairing(starts_on=date(2026, 11, 2))
    url = f"/termine/begleitung/{pairing.id}"
    return Case(url, url, {"on": "2026-11-27", "start": "10:00", "end": "12:00", "replaces_on": ""}, Appointment)


def _budget_senior() -> Senior:
    return make_senior(pflegegrad=2, pflegekasse=make_pflegekasse())


def _opening_case():
    senior = _budget_senior()
    data = {"opening-as_of": "2026-01-01", "opening-current_year": "131,00", "opening-source": "Pflegekasse"}
    url = f"/seniors/{senior.id}/budget"
    return Case(url, f"{url}/anfangsbestand", data, BudgetOpening, field="opening-submission")


def _other_use_case():
    senior = _budget_senior()
    data = {"use-month": "10/2026", "use-amount": "40,00", "use-note": "Haushaltshilfe, laut Sohn"}
    url = f"/seniors/{senior.id}/budget"
    return Case(url, f"{url}/nutzung", data, BudgetOtherUse, field="use-submission")


def _umwandlung_case():
    senior = _budget_senior()
    url = f"/seniors/{senior.id}/budget"
    data = {"umw-month": "11/2026", "umw-amount": "100,00"}
    return Case(url, f"{url}/umwandlung", data, UmwandlungDeclaration, field="umw-submission")


def _contact_case():
    url = f"/kontakte/senioren/{make_senior().id}"
    data = {"on": "2026-11-19", "channel": "telefon", "with_whom": "Tochter", "note": "Termin abgestimmt"}
    return Case(url, url, data, ContactEntry)


def _billing_run_case():
    make_provider()
    return Case("/abrechnung/lauf?monat=2026-10", "/abrechnung/lauf", {"month": "2026-10"}, BillingRun, "accounting")


CASES = {
    "senior": _senior_case,
    "volunteer": _volunteer_case,
    "request": _request_case,
    "pairing": _pairing_case,
    "pflegekasse": _pflegekasse_case,
    "user": _user_case,
    "absence": _absence_case,
    "contact": _contact_case,
    "one_off": _one_off_case,
    "replacement": _replacement_case,
    "budget_opening": _opening_case,
    "budget_other_use": _other_use_case,
    "umwandlung": _umwandlung_case,
    "billing_run": _billing_run_case,
}


def token_of(page: str, field: str) -> str:
    """The one-time token of the form named by ``field`` on a rendered page."""
    (token,) = re.findall(rf'name="{re.escape(field)}" type="hidden" value="([^"]+)"', page)
    return token


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _render(client, case: Case) -> dict:
    """Open the form page as a browser would; the data to send, with the page's token."""
    page = client.get(case.page)
    assert page.status_code == 200
    return case.data | {case.field: token_of(page.get_data(as_text=True), case.field)}


@pytest.mark.parametrize("name", CASES)
def test_the_same_form_sent_again_saves_nothing_and_shows_the_first_result(name, moment, login):
    case = CASES[name]()
    client = login(case.role)
    before = _count(case.model)
    data = _render(client, case)

    first = client.post(case.action, data=data)
    assert first.status_code in (302, 303), first.get_data(as_text=True)
    assert _count(case.model) == before + 1

    again = client.post(case.action, data=data)  # back button and send again, or a double click
    assert (again.status_code, again.location) == (303, first.location)
    assert REPEATED in client.get(again.location, follow_redirects=True).get_data(as_text=True)
    assert _count(case.model) == before + 1


def test_a_form_opened_afresh_saves_again(moment, coordinator):
    case = _request_case()
    for _ in range(2):
        assert coordinator.post(case.action, data=_render(coordinator, case)).status_code == 302
    assert _count(Request) == 2


def test_a_form_sent_back_with_errors_keeps_its_token_and_saves_once_corrected(moment, coordinator):
    case = _senior_case()
    data = _render(coordinator, case)
    wrong = coordinator.post(case.action, data=data | {"birth_on": ""})
    assert wrong.status_code == 200 and _count(Senior) == 0
    assert token_of(wrong.get_data(as_text=True), "submission") == data["submission"]

    assert coordinator.post(case.action, data=data).status_code == 302
    assert coordinator.post(case.action, data=data).status_code == 303
    assert _count(Senior) == 1


def test_a_missing_or_forged_token_is_replaced_not_refused(moment, coordinator):
    case = _senior_case()
    for token in (None, "x' OR 1=1 --", "a" * 500):
        data = case.data | {"confirm_other_person": "y"} | ({} if token is None else {"submission": token})
        assert coordinator.post(case.action, data=data).status_code == 302
    assert _count(Senior) == 3


@pytest.mark.parametrize("name", ["senior", "pairing", "absence"])
def test_ten_clicks_at_once_on_one_form_save_once(name, moment, login, collide):
    case = CASES[name]()
    client = login(case.role)
    before = _count(case.model)
    data = _render(client, case)

    responses = collide(client, [lambda c: c.post(case.action, data=data)] * 10)

    assert sorted(r.status_code for r in responses) == [302] + [303] * 9
    assert len({r.location for r in responses}) == 1  # all on the page of the one created
    assert _count(case.model) == before + 1
