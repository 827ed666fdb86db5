"""Mein Bereich under double clicks and people acting at the same instant (one thread and connection each)."""

import re
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa

from begleitservice.appointments.cover import offer_cover
from begleitservice.appointments.links.tokens import link_url
from begleitservice.extensions import db
from begleitservice.models import Appointment, CoverOffer, MonthSignature, VolunteerAbsence
from tests.app.test_mein_bereich import area_path, planned_world
from tests.app.test_scheduling_links import mail_for_visit
from tests.app.test_scheduling_support import berlin, clock_fixture, link_path, smtp_fixture  # noqa: F401
from tests.app.test_signatures import GOOD, drawn_png, month_held, sign_path  # noqa: F401 (fixture)
from tests.factories import make_volunteer


def test_taking_a_decline_back_while_a_stand_in_accepts_leaves_one_of_them(client, smtp, clock, collide):
    message, appointment = mail_for_visit(smtp, clock)
    client.post(link_path(message, "absagen"))
    stand_in = make_volunteer(first_name="Vera")
    (offer,) = offer_cover(appointment, [stand_in], now=berlin(2026, 11, 30, 8))
    db.session.commit()
    cover = urlsplit(link_url("cover", offer.id, volunteer_id=stand_in.id)).path
    undo = area_path(appointment.pairing.volunteer) + f"/absage-zuruecknehmen/{appointment.id}"

    collide(client, [lambda c: c.post(undo), lambda c: c.post(cover)])
    visit = db.session.get(Appointment, appointment.id)
    offer = db.session.get(CoverOffer, offer.id)
    assert visit.status == "bestaetigt"
    if visit.cover_volunteer_id is None:  # the volunteer came back first
        assert offer.status == "zurueckgezogen"
    else:  # the stand-in was first: the decline stays, the visit is theirs
        assert (visit.cover_volunteer_id, offer.status) == (stand_in.id, "angenommen")


def test_the_absence_form_sent_twice_at_once_is_saved_once(client, clock, collide):
    pairing = planned_world(clock)
    page = client.get(area_path(pairing.volunteer)).get_data(as_text=True)
    token = re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)
    data = {"starts_on": "2026-12-07", "ends_on": "2026-12-08", "kind": "urlaub", "submission": token}
    path = area_path(pairing.volunteer) + "/abwesenheit"
    collide(client, [lambda c: c.post(path, data=data)] * 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VolunteerAbsence)) == 1


def test_two_signatures_of_one_month_at_once_store_one(client, month_held, collide):  # noqa: F811
    pairing, _visits = month_held
    path = sign_path(pairing)
    responses = collide(
        client,
        [
            lambda c: c.post(path, data={**GOOD, "signature": drawn_png()}),
            lambda c: c.post(path, data={**GOOD, "signer_name": "Petra Beispiel", "signature": drawn_png()}),
        ],
    )
    assert sorted(r.status_code for r in responses) == [303, 422]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthSignature)) == 1
    assert date(2026, 11, 1) == db.session.scalar(sa.select(MonthSignature.month))
