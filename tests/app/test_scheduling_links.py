"""Volunteer links from real mails (aiosmtpd): confirm, decline, report hours; used, tampered, expired links."""

import re
from datetime import date, time, timedelta

import sqlalchemy as sa

from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.models import Appointment, AppointmentAlert, UsedLink
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    link_path,
    run,
    smtp_fixture,
    weekly_pairing,
)
from tests.factories import make_user

VISIT = date(2026, 12, 7)  # Monday, 10:00–12:00


def mail_for_visit(smtp, clock):
    """Plan the Monday visits, ask for confirmation 7 days ahead, send: the arrived mail and the appointment."""
    weekly_pairing(starts_on=VISIT)
    clock(berlin(2026, 11, 30, 8))
    run("roll_horizon")
    run("confirmation_requests")
    run("send_outbox")
    (message,) = [m for m in smtp.messages if m["Subject"] == "Bitte bestätigen: Besuch am 07.12.2026"]
    return message, db.session.scalar(sa.select(Appointment).where(Appointment.on == VISIT))


def test_confirm_from_the_mail_once(client, smtp, clock):
    message, appointment = mail_for_visit(smtp, clock)
    path = link_path(message, "bestaetigen")

    page = client.get(path)  # a mail scanner's prefetch: shows the page, changes nothing
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Termin bestätigen" in text and "Montag, 07.12.2026, 10:00–12:00 Uhr" in text and "Ja, ich komme" in text
    db.session.refresh(appointment)
    assert appointment.status == "geplant"

    response = client.post(path, follow_redirects=True)
    assert "Vielen Dank!" in response.get_data(as_text=True)
    assert "Der Termin ist bestätigt." in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status == "bestaetigt"
    confirmed_at = appointment.confirmed_at
    assert confirmed_at == berlin(2026, 11, 30, 8)

    clock(berlin(2026, 11, 30, 9))
    again = client.post(path, follow_redirects=True).get_data(as_text=True)  # second click
    assert "Der Termin ist bestätigt." in again and "benutzt und kann nichts mehr ändern" in again
    db.session.refresh(appointment)
    assert appointment.confirmed_at == confirmed_at
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedLink)) == 1


def test_decline_with_reason_reaches_the_coordinators_at_once(app_ctx, client, coordinator, smtp, clock):
    message, appointment = mail_for_visit(smtp, clock)
    path = link_path(message, "absagen")
    assert "Grund (freiwillig)" in client.get(path).get_data(as_text=True)

    response = client.post(path, data={"reason": "Ich liege mit Grippe im Bett."}, follow_redirects=True)
    assert "Der Termin ist abgesagt." in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert (appointment.status, appointment.decline_reason) == ("abgesagt", "Ich liege mit Grippe im Bett.")

    detail = coordinator.get(f"/termine/{appointment.id}").get_data(as_text=True)
    assert "Ich liege mit Grippe im Bett." in detail and "abgesagt" in detail
    assert "Niemand kann diesen Besuch nach den Regeln übernehmen" in detail
    dashboard = dashboard_section(app_ctx)
    assert "Ich liege mit Grippe im Bett." in dashboard and "07.12.2026" in dashboard

    # A confirm link of the same mail no longer changes a declined visit.
    confirm = client.post(link_path(message, "bestaetigen"), follow_redirects=True).get_data(as_text=True)
    assert "Der Termin ist abgesagt." in confirm
    db.session.refresh(appointment)
    assert appointment.status == "abgesagt"

    coordinator.post(f"/termine/{appointment.id}/erledigt")
    assert dashboard_section(app_ctx) == ""


def dashboard_section(app, slug: str = "absagen") -> str:
    """One group of the start page's inbox as a coordinator sees it ('' when the group has nothing)."""
    user = make_user(role="coordinator")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "richtig-geheim-123"})
    page = client.get("/").get_data(as_text=True)
    match = re.search(rf'<section class="inbox-group" id="{slug}".*?</section>', page, re.S)
    return match.group(0) if match else ""


def test_report_hours_after_the_visit(client, smtp, clock):
    weekly_pairing(starts_on=VISIT)
    clock(berlin(2026, 11, 30, 8))
    run("roll_horizon")
    clock(berlin(2026, 12, 7, 13))
    run("hours_requests")
    run("send_outbox")
    (message,) = [m for m in smtp.messages if m["Subject"] == "Wie war der Besuch am 07.12.2026?"]
    path = link_path(message, "stunden")
    form = client.get(path).get_data(as_text=True)
    assert "hat stattgefunden" in form and "ist ausgefallen" in form and "2 Std." in form

    response = client.post(path, data={"outcome": "stattgefunden", "minutes": "150"}, follow_redirects=True)
    assert "Der Besuch hat stattgefunden (2 Std. 30 Min.)." in response.get_data(as_text=True)
    appointment = db.session.scalar(sa.select(Appointment).where(Appointment.on == VISIT))
    assert (appointment.status, appointment.actual_minutes) == ("stattgefunden", 150)

    again = client.post(path, data={"outcome": "ausgefallen", "minutes": "15"}, follow_redirects=True)
    assert "benutzt und kann nichts mehr ändern" in again.get_data(as_text=True)
    db.session.refresh(appointment)
    assert (appointment.status, appointment.actual_minutes) == ("stattgefunden", 150)


def test_report_did_not_take_place_and_not_before_the_start(client, clock):
    pairing = weekly_pairing(starts_on=VISIT)
    appointment = Appointment(pairing=pairing, on=VISIT, planned_start=time(10), planned_end=time(12))
    db.session.add(appointment)
    db.session.commit()
    path = f"/link/stunden/{make_token('report', appointment.id)}"

    clock(berlin(2026, 12, 7, 9))
    early = client.post(path, data={"outcome": "ausgefallen", "minutes": "120"}).get_data(as_text=True)
    assert "sobald er begonnen hat" in early
    db.session.refresh(appointment)
    assert appointment.status == "geplant"

    clock(berlin(2026, 12, 7, 12, 30))
    done = client.post(path, data={"outcome": "ausgefallen", "minutes": "120"}, follow_redirects=True)
    assert "Der Besuch ist ausgefallen." in done.get_data(as_text=True)
    db.session.refresh(appointment)
    assert (appointment.status, appointment.actual_minutes) == ("ausgefallen", None)


def test_a_visit_marked_held_without_minutes_still_takes_the_hours(client, clock):
    pairing = weekly_pairing(starts_on=VISIT)
    appointment = Appointment(
        pairing=pairing, on=VISIT, planned_start=time(10), planned_end=time(12), status="stattgefunden"
    )
    db.session.add(appointment)
    db.session.commit()
    clock(berlin(2026, 12, 7, 13))
    path = f"/link/stunden/{make_token('report', appointment.id)}"
    assert "hat stattgefunden" in client.get(path).get_data(as_text=True)
    client.post(path, data={"outcome": "stattgefunden", "minutes": "105"})
    db.session.refresh(appointment)
    assert (appointment.status, appointment.actual_minutes) == ("stattgefunden", 105)


def test_tampered_expired_foreign_and_gone_links_change_nothing(client, smtp, clock):
    message, appointment = mail_for_visit(smtp, clock)
    path = link_path(message, "bestaetigen")
    token = path.rsplit("/", 1)[1]

    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    response = client.post(tampered)
    assert response.status_code == 400 and "Dieser Link ist nicht gültig" in response.get_data(as_text=True)

    foreign = client.post(f"/link/absagen/{token}")  # a confirm token on the decline page
    assert foreign.status_code == 400 and "nicht gültig" in foreign.get_data(as_text=True)

    old = make_token("confirm", appointment.id, issued_at=berlin(2026, 11, 30, 8) - timedelta(days=31))
    expired = client.post(f"/link/bestaetigen/{old}")
    assert expired.status_code == 410 and "Dieser Link ist abgelaufen" in expired.get_data(as_text=True)
    fresh = make_token("confirm", appointment.id, issued_at=berlin(2026, 11, 30, 8) - timedelta(days=1))
    assert "Ja, ich komme" in client.get(f"/link/bestaetigen/{fresh}").get_data(as_text=True)

    assert client.get("/link/stunden/kaputt").status_code == 400
    db.session.refresh(appointment)
    assert appointment.status == "geplant"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedLink)) == 0

    db.session.execute(sa.delete(AppointmentAlert))
    db.session.delete(appointment)
    db.session.commit()
    gone = client.get(path)
    assert gone.status_code == 404 and "Diesen Termin gibt es nicht mehr" in gone.get_data(as_text=True)
