"""Fahrtkosten: kilometres reported with the hours (volunteer link and coordinator page), validated, paid on the
payout list and export apart from the allowance, at the dated rate per km, and never counted against the cap."""

import html
import re
from datetime import date, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from begleitservice.accounting.allowances import payouts
from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.models import Appointment, BillingRate, UsedLink
from billing.month import Month
from tests.app.test_scheduling_support import berlin, clock_fixture  # noqa: F401 (fixture)
from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer

NOVEMBER = Month(2026, 11)
D = Decimal


@pytest.fixture
def people(app_ctx, monkeypatch):
    """Erika visits Hilde (Entlastung, Mondays 10–12); Fritz stands in; Gerd visits Berta (Besuchsdienst)."""
    monkeypatch.setitem(app_ctx.config, "TODAY", date(2026, 12, 1))
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    fritz = make_volunteer(first_name="Fritz", last_name="Fuchs", offers_entlastung=True)
    gerd = make_volunteer(first_name="Gerd", last_name="Gans")
    hilde = make_senior(first_name="Hilde", last_name="Haas", pflegegrad=2)
    berta = make_senior(first_name="Berta", last_name="Brandt")
    entlastung = make_pairing(volunteer=erika, senior=hilde, starts_on=date(2026, 11, 2))
    besuch = make_pairing(volunteer=gerd, senior=berta, starts_on=date(2026, 11, 2), service="besuchsdienst")
    return {"erika": erika, "fritz": fritz, "gerd": gerd, "entlastung": entlastung, "besuch": besuch}


def visit(pairing, day: int, **kw) -> Appointment:
    return make_appointment(pairing=pairing, on=date(2026, 11, day), planned_start=time(10), planned_end=time(12), **kw)


def error_text(response) -> str:
    found = re.findall(r'class="error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return " ".join(html.unescape(m) for m in found)


def report_path(appointment: Appointment) -> str:
    return f"/link/stunden/{make_token('report', appointment.id, issued_at=berlin(2026, 11, 2, 12, 30))}"


def test_the_volunteer_reports_kilometres_with_the_hours(client, clock, people):
    appointment = visit(people["entlastung"], 2)
    clock(berlin(2026, 11, 2, 13))
    path = report_path(appointment)
    assert "Gefahrene Kilometer (freiwillig)" in client.get(path).get_data(as_text=True)

    done = client.post(path, data={"outcome": "stattgefunden", "minutes": "120", "km": "12,5"}, follow_redirects=True)
    assert "Gefahrene Kilometer: 12,5 km" in done.get_data(as_text=True)
    db.session.refresh(appointment)
    assert (appointment.status, appointment.actual_minutes, appointment.km) == ("stattgefunden", 120, D("12.5"))
    assert db.session.scalar(sa.select(UsedLink.outcome)) == "stattgefunden, 2 Std., 12,5 km"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"km": "12,55"}, "Bitte die Kilometer ganz oder mit einer Nachkommastelle angeben (z. B. 12,5)."),
        ({"km": "501"}, "Bitte 0 bis 500 km angeben."),
        ({"km": "-3"}, "Bitte 0 bis 500 km angeben."),
        ({"km": "zwölf"}, "„zwölf“ ist keine Kilometerzahl wie 12 oder 12,5."),
        ({"km": "8", "outcome": "ausgefallen"}, "Kilometer bitte nur angeben, wenn der Besuch stattgefunden hat."),
    ],
)
def test_wrong_kilometres_on_the_link_are_a_german_message_and_change_nothing(client, clock, people, data, message):
    appointment = visit(people["entlastung"], 2)
    clock(berlin(2026, 11, 2, 13))
    response = client.post(report_path(appointment), data={"outcome": "stattgefunden", "minutes": "120", **data})
    assert response.status_code == 200 and message in error_text(response)
    db.session.rollback()
    db.session.refresh(appointment)
    assert (appointment.status, appointment.actual_minutes, appointment.km) == ("geplant", None, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedLink)) == 0


def test_the_coordinator_enters_kilometres_of_a_cover_trip(coordinator, people):
    appointment = visit(people["entlastung"], 9, cover_volunteer=people["fritz"])
    url = f"/pairings/{people['entlastung'].id}/termine/{appointment.id}"
    wrong = coordinator.post(url, data={"status": "stattgefunden", "actual_minutes": "90", "km": "7,25"})
    assert "Bitte die Kilometer ganz oder mit einer Nachkommastelle angeben (z. B. 12,5)." in error_text(wrong)
    not_held = coordinator.post(url, data={"status": "ausgefallen", "km": "7"})
    assert "Kilometer gibt es nur bei Status „stattgefunden“; bitte leer lassen." in error_text(not_held)
    db.session.rollback()
    db.session.refresh(appointment)
    assert (appointment.status, appointment.km) == ("geplant", None)

    coordinator.post(url, data={"status": "stattgefunden", "actual_minutes": "90", "km": "12,3"})
    db.session.refresh(appointment)
    assert (appointment.actual_minutes, appointment.km) == (90, D("12.3"))
    page = coordinator.get(f"/termine/{appointment.id}").get_data(as_text=True)
    assert "12,3 km" in page
    # The coordinator marks it as not held after all: the kilometres go with it.
    undone = coordinator.post(url, data={"status": "ausgefallen", "actual_minutes": "", "km": ""})
    assert undone.status_code == 302, error_text(undone)
    db.session.refresh(appointment)
    assert (appointment.status, appointment.km) == ("ausgefallen", None)


def test_the_payout_list_pays_fahrtkosten_apart_with_exact_cents(login, people):
    erika, fritz, gerd = people["erika"], people["fritz"], people["gerd"]
    db.session.add(BillingRate(kind="km_rate", valid_from=date(2026, 11, 9), amount=D("0.35")))
    visit(people["entlastung"], 2, status="stattgefunden", actual_minutes=120, km=D("12.5"))  # 0.30/km: 3.75
    visit(people["entlastung"], 9, status="stattgefunden", actual_minutes=90, km=D("12.3"), cover_volunteer=fritz)
    visit(people["besuch"], 10, status="stattgefunden", actual_minutes=60, km=D("3.3"))  # 1.155 → 1.16
    visit(people["entlastung"], 16, status="stattgefunden", actual_minutes=120)  # no km reported
    db.session.commit()

    rows = {row.volunteer_name: row for row in payouts(NOVEMBER)}
    got = {name: (r.visits, r.amount, r.km, r.travel, r.total, r.year_total) for name, r in rows.items()}
    assert got == {
        erika.name: (2, D("20.00"), D("12.5"), D("3.75"), D("23.75"), D("20.00")),
        fritz.name: (1, D("7.50"), D("12.3"), D("4.31"), D("11.81"), D("7.50")),  # 4.305 half up
        gerd.name: (0, D("0.00"), D("3.3"), D("1.16"), D("1.16"), D("0.00")),  # Besuchsdienst: no allowance
    }

    accounting = login("accounting")
    page = accounting.get("/abrechnung/auszahlungen?monat=2026-11").get_data(as_text=True).replace("\xa0", " ")
    assert "Fahrtkosten sind Auslagenersatz" in page
    assert "<td>12,5</td><td>3,75 €</td><td><strong>23,75 €</strong></td>" in page
    csv = accounting.get("/abrechnung/export/allowances?monat=2026-11&format=csv").get_data().decode("utf-8-sig")
    header, *lines = csv.splitlines()
    assert header.split(";")[4:8] == ["Aufwandsentschädigung", "Kilometer", "Fahrtkosten", "Auszahlung gesamt"]
    fritz_line = next(line for line in lines if line.startswith(fritz.name)).split(";")
    assert fritz_line[4:9] == ["7,50", "12,3", "4,31", "11,81", "0,00"]
