"""'Mein Bereich': the volunteer's page by a signed, revocable link; absence, hours, taking a decline back."""

import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import sqlalchemy as sa

from begleitservice.appointments.links.tokens import make_area_token
from begleitservice.extensions import db
from begleitservice.models import (
    Appointment,
    AppointmentAlert,
    BillingRun,
    CoordinatorEvent,
    CoverOffer,
    OutboxMessage,
    Volunteer,
    VolunteerAbsence,
)
from tests.app.test_scheduling_links import dashboard_section, mail_for_visit
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    link_path,
    run,
    smtp_fixture,
    text_of,
    weekly_pairing,
)
from tests.factories import make_appointment, make_user, make_volunteer

VISIT = date(2026, 12, 7)  # Monday, 10:00–12:00


def area_path(volunteer: Volunteer) -> str:
    return f"/mein-bereich/{make_area_token(volunteer)}"


def planned_world(clock):
    """A weekly Monday pairing with its visits planned from 30 November 2026 (Monday, 8:00)."""
    pairing = weekly_pairing(starts_on=date(2026, 11, 2))
    clock(berlin(2026, 11, 30, 8))
    run("roll_horizon")
    return pairing


def visit_on(day: date) -> Appointment | None:
    return db.session.scalar(sa.select(Appointment).where(Appointment.on == day))


def test_a_link_page_mails_the_link_once_and_it_opens_mein_bereich(client, smtp, clock):
    message, appointment = mail_for_visit(smtp, clock)
    path = link_path(message, "bestaetigen")
    page = client.get(path).get_data(as_text=True)
    assert "Link zu „Mein Bereich“ per E-Mail schicken" in page
    action = re.search(r'action="(/mein-bereich/anfordern/[^"]+)"', page).group(1)

    first = client.post(action)
    assert first.status_code == 200 and "Link verschickt" in first.get_data(as_text=True)
    client.post(action)  # a double click: still one mail
    run("send_outbox")
    mails = [m for m in smtp.messages if m["Subject"] == "Ihr Link zu „Mein Bereich“"]
    assert len(mails) == 1
    volunteer = appointment.pairing.volunteer
    assert mails[0]["To"] == volunteer.email
    url = re.search(r"http\S+/mein-bereich/\S+", text_of(mails[0])).group(0)

    home = client.get(urlsplit(url).path)
    text = home.get_data(as_text=True)
    assert home.status_code == 200
    assert "Mein Bereich" in text and f"Guten Tag, {volunteer.first_name} {volunteer.last_name}!" in text
    assert "Montag, 07.12.2026, 10:00–12:00 Uhr" in text and "bei Hildegard B. (Eving)" in text
    assert "Kontakt zur Koordination" in text and "Abwesenheit melden" in text
    db.session.refresh(appointment)
    assert appointment.status == "geplant"  # the link page's token was not used up by asking for the link


def test_link_sperren_makes_every_earlier_link_invalid(client, coordinator, clock):
    volunteer = make_volunteer()
    clock(berlin(2026, 11, 30, 8))
    path = area_path(volunteer)
    assert client.get(path).status_code == 200

    coordinator.post(f"/volunteers/{volunteer.id}/mein-bereich", data={"aktion": "sperren"})
    refused = client.get(path)
    assert refused.status_code == 410 and "Dieser Link ist gesperrt" in refused.get_data(as_text=True)
    db.session.refresh(volunteer)
    assert client.get(area_path(volunteer)).status_code == 200  # a new link works

    # From the blocked link a fresh one can be asked for: it goes to the volunteer's own address only.
    assert "Neuen Link per E-Mail schicken" in refused.get_data(as_text=True)
    sent = client.post(path + "/neuer-link")
    assert sent.status_code == 200 and "Link verschickt" in sent.get_data(as_text=True)
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "mein_bereich"))
    assert mail.recipient == volunteer.email
    garbage = client.post("/mein-bereich/kein-gueltiger-link-1234567890/neuer-link")
    assert garbage.status_code == 400 and "Neuen Link per E-Mail schicken" not in garbage.get_data(as_text=True)


def test_a_tampered_or_foreign_link_shows_a_german_page(client, clock):
    volunteer = make_volunteer()
    clock(berlin(2026, 11, 30, 8))
    token = make_area_token(volunteer)
    for bad in (token[:-2] + "xx", "kein-gueltiger-link-1234567890"):
        response = client.get(f"/mein-bereich/{bad}")
        assert response.status_code == 400 and "Dieser Link ist nicht gültig" in response.get_data(as_text=True)
    # expired: after MEIN_BEREICH_MAX_AGE_DAYS
    clock(berlin(2027, 7, 1, 8))
    expired = client.get(f"/mein-bereich/{token}")
    assert expired.status_code == 410 and "abgelaufen" in expired.get_data(as_text=True)


def test_reporting_an_absence_updates_the_schedule_and_tells_the_coordination(app_ctx, client, clock):
    pairing = planned_world(clock)
    coordinator = make_user(role="coordinator", name="Clara Koordinatorin")
    confirmed = visit_on(date(2026, 12, 14))
    confirmed.status, confirmed.confirmed_at = "bestaetigt", berlin(2026, 11, 29, 9)
    db.session.commit()
    assert visit_on(VISIT) is not None

    response = client.post(
        area_path(pairing.volunteer) + "/abwesenheit",
        data={"starts_on": "2026-12-07", "ends_on": "2026-12-14", "kind": "krankheit", "submission": "a1"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Ihre Abwesenheit vom 07.12.2026 bis 14.12.2026 ist eingetragen." in text
    assert "1 Besuch in dieser Zeit ist abgesagt" in text
    assert "Krankheit: 07.12.2026 bis 14.12.2026" in text
    db.session.expire_all()
    assert visit_on(VISIT) is None  # the planned visit left the schedule (as for a coordinator's entry)
    kept = visit_on(date(2026, 12, 14))
    assert kept.status == "abgesagt" and kept.decline_reason == "Krankheit (in „Mein Bereich“ gemeldet)"
    assert visit_on(date(2026, 12, 21)).status == "geplant"
    absence = db.session.scalar(sa.select(VolunteerAbsence))
    assert absence.reported_at == berlin(2026, 11, 30, 8) and absence.reason == "Krankheit"

    event = db.session.scalar(sa.select(CoordinatorEvent).where(CoordinatorEvent.kind == "abwesenheit"))
    assert event.summary == f"{pairing.volunteer.name}: Krankheit vom 07.12.2026 bis 14.12.2026, 1 Besuch(e) abgesagt"
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "koordination_abwesenheit"))
    assert mail.recipient == coordinator.email and mail.subject == f"Abwesenheit gemeldet: {pairing.volunteer.name}"
    assert "Zur Ehrenamtlichen:" in mail.body_text and f"/volunteers/{pairing.volunteer.id}" in mail.body_text

    reported = dashboard_section(app_ctx, "abwesenheiten")
    assert pairing.volunteer.name in reported and "Krankheit" in reported and "07.12.2026" in reported
    assert "14.12.2026" in dashboard_section(app_ctx, "absagen")


def test_the_same_absence_form_sent_twice_is_saved_once(client, clock):
    pairing = planned_world(clock)
    page = client.get(area_path(pairing.volunteer)).get_data(as_text=True)
    token = re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)
    data = {"starts_on": "2026-12-07", "ends_on": "2026-12-08", "kind": "urlaub", "submission": token}
    client.post(area_path(pairing.volunteer) + "/abwesenheit", data=data)
    again = client.post(area_path(pairing.volunteer) + "/abwesenheit", data=data, follow_redirects=True)
    assert "Dieses Formular wurde bereits gespeichert." in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VolunteerAbsence)) == 1


def test_a_wrong_absence_changes_nothing_and_says_why(client, clock):
    pairing = planned_world(clock)
    path = area_path(pairing.volunteer) + "/abwesenheit"
    cases = [
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-07", "kind": "urlaub"}, "Das Datum „bis“ darf nicht vor"),
        ({"starts_on": "2026-11-20", "ends_on": "2026-12-07", "kind": "urlaub"}, "erst ab heute gemeldet"),
        ({"starts_on": "", "ends_on": "2026-12-07", "kind": "urlaub"}, "Bitte das Datum „von“ eintragen."),
        ({"starts_on": "2026-12-07", "ends_on": "2026-12-08", "kind": "kur"}, "Not a valid choice"),
    ]
    for data, message in cases[:3]:
        response = client.post(path, data=data)
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert message in text and "Die Abwesenheit wurde nicht eingetragen." in text
    response = client.post(path, data=cases[3][0])
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VolunteerAbsence)) == 0
    assert visit_on(VISIT).status == "geplant"


def held_visit(clock, *, on=date(2026, 11, 23), minutes=120):
    pairing = weekly_pairing(starts_on=date(2026, 11, 2))
    clock(berlin(2026, 11, 30, 8))
    visit = make_appointment(pairing=pairing, on=on, status="stattgefunden", actual_minutes=minutes)
    return pairing.volunteer, visit


def test_correcting_hours_and_km_within_the_days(client, clock):
    volunteer, visit = held_visit(clock)
    home = client.get(area_path(volunteer)).get_data(as_text=True)
    assert "Stattgefunden: 2 Std." in home and "Stunden oder Kilometer korrigieren" in home
    assert "Ändern möglich bis 07.12.2026" in home

    response = client.post(
        area_path(volunteer) + f"/stunden/{visit.id}",
        data={f"b{visit.id}-outcome": "stattgefunden", f"b{visit.id}-minutes": "90", f"b{visit.id}-km": "12,5"},
        follow_redirects=True,
    )
    assert "Gespeichert: Besuch am 23.11.2026 – 1 Std. 30 Min." in response.get_data(as_text=True)
    db.session.refresh(visit)
    assert (visit.actual_minutes, visit.km) == (90, Decimal("12.5"))


def test_hours_cannot_be_corrected_late_or_in_a_billed_month_or_with_bad_input(client, clock):
    volunteer, visit = held_visit(clock, on=date(2026, 11, 2))  # 28 days ago: beyond the 14 days
    fields = {f"b{visit.id}-outcome": "stattgefunden", f"b{visit.id}-minutes": "60"}
    home = client.get(area_path(volunteer)).get_data(as_text=True)
    assert "Änderungen bitte über die Koordination." in home
    late = client.post(area_path(volunteer) + f"/stunden/{visit.id}", data=fields, follow_redirects=True)
    assert "nur bis 14 Tage nach dem Besuch" in late.get_data(as_text=True)

    recent = make_appointment(pairing=visit.pairing, on=date(2026, 11, 23), status="stattgefunden", actual_minutes=120)
    bad = client.post(
        area_path(volunteer) + f"/stunden/{recent.id}",
        data={f"b{recent.id}-outcome": "stattgefunden", f"b{recent.id}-minutes": "60", f"b{recent.id}-km": "viel"},
    )
    assert bad.status_code == 422 and "Die Stunden wurden nicht gespeichert." in bad.get_data(as_text=True)
    db.session.add(BillingRun(month=date(2026, 11, 1), documents_dir="/nicht/benutzt"))
    db.session.commit()
    billed = client.post(
        area_path(volunteer) + f"/stunden/{recent.id}",
        data={f"b{recent.id}-outcome": "stattgefunden", f"b{recent.id}-minutes": "60"},
        follow_redirects=True,
    )
    assert "ist abgerechnet" in billed.get_data(as_text=True)
    db.session.expire_all()
    assert visit.actual_minutes == 120 and recent.actual_minutes == 120 and recent.km is None

    other = make_volunteer()
    fields = {f"b{recent.id}-outcome": "stattgefunden", f"b{recent.id}-minutes": "60"}
    foreign = client.post(area_path(other) + f"/stunden/{recent.id}", data=fields, follow_redirects=True)
    assert "gehört nicht (mehr) zu Ihnen" in foreign.get_data(as_text=True)


def test_a_decline_is_taken_back_before_a_stand_in_is_found(app_ctx, client, smtp, clock):
    message, appointment = mail_for_visit(smtp, clock)
    client.post(link_path(message, "absagen"), data={"reason": "Arzttermin"})
    stand_in = make_volunteer(first_name="Vera")
    offer = CoverOffer(appointment_id=appointment.id, volunteer_id=stand_in.id, offered_at=berlin(2026, 11, 30, 8))
    db.session.add(offer)
    db.session.commit()
    volunteer = appointment.pairing.volunteer
    home = client.get(area_path(volunteer)).get_data(as_text=True)
    assert "Abgesagt</strong> (Arzttermin) – noch keine Vertretung gefunden." in home

    path = area_path(volunteer) + f"/absage-zuruecknehmen/{appointment.id}"
    response = client.post(path, follow_redirects=True)
    assert "Ihre Absage ist zurückgenommen: Sie besuchen Hildegard B. wie geplant." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (appointment.status, appointment.decline_reason) == ("bestaetigt", None)
    assert db.session.scalar(sa.select(CoverOffer.status)) == "zurueckgezogen"
    assert db.session.scalar(sa.select(AppointmentAlert.resolved_at)) is not None
    assert dashboard_section(app_ctx, "absagen") == ""

    again = client.post(path, follow_redirects=True)  # a second click changes nothing
    assert "Diese Absage kann nicht mehr zurückgenommen werden." in again.get_data(as_text=True)
    assert appointment.status == "bestaetigt"


def test_a_decline_cannot_be_taken_back_once_a_stand_in_said_yes(client, smtp, clock):
    message, appointment = mail_for_visit(smtp, clock)
    client.post(link_path(message, "absagen"))
    appointment.cover_volunteer_id = make_volunteer(first_name="Vera").id
    db.session.commit()
    response = client.post(
        area_path(appointment.pairing.volunteer) + f"/absage-zuruecknehmen/{appointment.id}", follow_redirects=True
    )
    assert "Für diesen Besuch hat schon eine Vertretung zugesagt." in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status == "abgesagt"


def test_the_calendar_can_be_subscribed_with_webcal_and_qr(client, clock):
    volunteer = make_volunteer()
    clock(berlin(2026, 11, 30, 8))
    path = area_path(volunteer)
    client.post(path + "/kalender")
    db.session.refresh(volunteer)
    page = client.get(path).get_data(as_text=True)
    assert re.search(rf'href="webcal://[^"/]+/kalender/{volunteer.calendar_token}\.ics"', page)
    qr = client.get(path + "/kalender.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_the_coordinator_sends_the_link_from_the_volunteer_page(coordinator, smtp, clock):
    volunteer = make_volunteer()
    clock(berlin(2026, 11, 30, 8))
    page = coordinator.get(f"/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "„Mein Bereich“-Link schicken" in page
    response = coordinator.post(
        f"/volunteers/{volunteer.id}/mein-bereich", data={"aktion": "schicken"}, follow_redirects=True
    )
    assert f"Link zu „Mein Bereich“ an {volunteer.email} verschickt." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "mein_bereich")) == (
        volunteer.email
    )
