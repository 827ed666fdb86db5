"""Volunteers without e-mail: optional address (form, import), no mails queued, the coordinator records their
answers and hours "telefonisch" and prints their plan and hours sheet: one month of such a volunteer."""

import re
from datetime import date

import sqlalchemy as sa

from begleitservice.cli.importexport import import_command
from begleitservice.extensions import db
from begleitservice.models import Appointment, OutboxMessage, Volunteer
from tests.app.test_cli import VOLUNTEER_HEADER
from tests.app.test_cli import run as run_cli
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    run,
    smtp_fixture,
    weekly_pairing,
)
from tests.app.test_volunteers import form_data
from tests.factories import make_volunteer


def test_the_form_saves_volunteers_without_an_address_and_still_refuses_a_taken_one(coordinator):
    for first in ("Erika", "Elfriede"):
        response = coordinator.post(
            "/volunteers/neu", data=form_data(first_name=first, email="", phone=f"0231 {first}")
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Volunteer.email)).all() == [None, None]
    detail = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "keine – bekommt keine Mails; Zusagen, Absagen und Stunden telefonisch eintragen" in detail
    assert "„Mein Bereich“-Link schicken" not in detail

    make_volunteer(email="schon.da@example.org", last_name="Vorhanden")
    taken = coordinator.post("/volunteers/neu", data=form_data(first_name="Eva", email="Schon.Da@example.org"))
    assert "Diese E-Mail-Adresse ist schon bei" in taken.get_data(as_text=True)
    bad = coordinator.post("/volunteers/neu", data=form_data(first_name="Eva", email="eva(at)example.org"))
    assert "Bitte eine gültige E-Mail-Adresse eintragen." in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer)) == 3


def test_the_import_takes_rows_without_an_address(app_ctx, tmp_path):
    path = tmp_path / "ehrenamt.csv"
    path.write_text(
        VOLUNTEER_HEADER + "Jürgen;Kötter;;m;Hörde;nein;;;\nKarin;Klein;;w;Eving;nein;;;\n", encoding="utf-8"
    )
    result = run_cli(app_ctx, import_command, "volunteers", path)
    assert "2 neu angelegt" in result.output
    assert db.session.scalars(sa.select(Volunteer.email)).all() == [None, None]


def _edit(coordinator, appointment: Appointment, **data):
    data.setdefault("seen_status", appointment.status)
    return coordinator.post(
        f"/pairings/{appointment.pairing_id}/termine/{appointment.id}", data=data, follow_redirects=True
    )


def _december() -> list[Appointment]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Appointment)
        .where(Appointment.on.between(date(2026, 12, 1), date(2026, 12, 31)))
        .order_by(Appointment.on)
    ).all()


def test_a_month_of_a_volunteer_without_email_with_the_coordinator_acting_for_them(coordinator, smtp, clock):
    volunteer = make_volunteer(
        first_name="Erika", last_name="Ohnemail", email=None, phone="0231 777", offers_entlastung=True
    )
    pairing = weekly_pairing(volunteer=volunteer, starts_on=date(2026, 12, 7))
    clock(berlin(2026, 11, 30, 8))
    for job in ("roll_horizon", "confirmation_requests", "reminders", "send_outbox"):
        run(job)
    december = _december()
    assert [a.on.day for a in december] == [7, 14, 21, 28]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # no mail, none failing

    # The coordinator phones: 7 and 14 December confirmed, 21 December declined.
    form = coordinator.get(f"/pairings/{pairing.id}/termine/{december[0].id}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="by_phone"', form)  # ticked: they have no e-mail
    for visit in december[:2]:
        page = _edit(coordinator, visit, status="bestaetigt", by_phone="y").get_data(as_text=True)
        assert f"Termin am {visit.on:%d.%m.%Y} gespeichert." in page
    _edit(coordinator, december[2], status="abgesagt", by_phone="y")
    first, second, third, fourth = _december()
    assert (first.status, first.by_phone, first.confirmed_at) == ("bestaetigt", True, berlin(2026, 11, 30, 8))
    assert (third.status, third.by_phone, third.declined_at) == ("abgesagt", True, berlin(2026, 11, 30, 8))
    assert fourth.by_phone is False

    # After the visits: the hours request job sends nothing; the coordinator enters the hours by phone.
    clock(berlin(2027, 1, 4, 9))
    run("hours_requests")
    run("send_outbox")
    assert smtp.messages == [] and db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    _edit(coordinator, first, status="stattgefunden", actual_minutes="90", km="12,5", by_phone="y")
    _edit(coordinator, second, status="stattgefunden", actual_minutes="120", by_phone="y")
    _edit(coordinator, fourth, status="ausgefallen", by_phone="y")
    first, second, third, fourth = _december()
    assert (first.actual_minutes, first.by_phone) == (90, True)

    pairing_page = coordinator.get(f"/pairings/{pairing.id}").get_data(as_text=True)
    assert pairing_page.count('<span class="badge">telefonisch</span>') == 4
    detail = coordinator.get(f"/termine/{first.id}").get_data(as_text=True)
    assert "telefonisch" in detail

    plan = coordinator.get(f"/druck/einsatzplan/{volunteer.id}?monat=2026-12").get_data(as_text=True)
    assert "Einsatzplan Dezember 2026" in plan and "07.12.2026" in plan and "14.12.2026" in plan
    sheet = coordinator.get(f"/druck/stundenzettel/{volunteer.id}?monat=2026-12").get_data(as_text=True)
    assert "Stundenzettel Dezember 2026" in sheet and "Erika Ohnemail" in sheet
    assert "21.12.2026" not in sheet  # declined: not on the hours sheet
    assert sheet.count("<td>telefonisch</td>") == 3
    assert '<td class="num">3,5</td><td class="num">12,5</td>' in sheet  # 90 + 120 minutes, 12.5 km
    assert "Datum, Unterschrift Erika Ohnemail" in sheet


def test_a_stand_in_without_email_says_yes_on_the_phone(coordinator, smtp, clock):
    from begleitservice.appointments.cover import offer_cover
    from begleitservice.models import CoverOffer

    pairing = weekly_pairing(starts_on=date(2026, 12, 7))
    clock(berlin(2026, 11, 30, 8))
    run("roll_horizon")
    visit = _december()[0]
    coordinator.post(
        f"/pairings/{pairing.id}/termine/{visit.id}", data={"status": "abgesagt", "seen_status": "geplant"}
    )
    stand_in = make_volunteer(first_name="Vera", last_name="Ohnemail", email=None, phone="0231 888")
    stand_in.offers_entlastung, stand_in.basisqualifizierung_on = True, date(2024, 3, 1)
    db.session.commit()
    (offer,) = offer_cover(db.session.get(Appointment, visit.id), [stand_in], now=berlin(2026, 11, 30, 8))
    db.session.commit()
    cover_mails = sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "cover_offer")
    assert db.session.scalar(cover_mails) == 0  # no mail to Vera

    detail = coordinator.get(f"/termine/{visit.id}").get_data(as_text=True)
    assert "ohne E-Mail – bitte anrufen (0231 888)" in detail
    page = coordinator.post(f"/termine/{visit.id}/vertretung/{offer.id}/telefonisch", follow_redirects=True)
    assert "Vera Ohnemail übernimmt den Besuch (telefonisch)." in page.get_data(as_text=True)
    db.session.expire_all()
    visit = db.session.get(Appointment, visit.id)
    assert (visit.status, visit.cover_volunteer_id, visit.by_phone) == ("bestaetigt", stand_in.id, True)
    assert db.session.get(CoverOffer, offer.id).status == "angenommen"

    again = coordinator.post(f"/termine/{visit.id}/vertretung/{offer.id}/telefonisch", follow_redirects=True)
    assert "schon vergeben" in again.get_data(as_text=True)
