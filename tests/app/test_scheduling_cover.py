"""Stand-ins (Vertretung) for a declined visit: candidates by matching's rules, offers by real mail, first wins."""

import re
import threading
import time as clock_time
from datetime import date, time
from urllib.parse import urlsplit

import icalendar
import pytest
import sqlalchemy as sa

from begleitservice.appointments import operations
from begleitservice.appointments.cover import accept_cover, offer_cover
from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.models import Appointment, AppointmentAlert, OutboxMessage, VolunteerAbsence
from begleitservice.models.scheduling import CoverOffer
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    link_path,
    run,
    smtp_fixture,
    text_of,
    weekly_pairing,
)
from tests.factories import district, make_appointment, make_pairing, make_senior, make_volunteer

VISIT = date(2026, 12, 7)  # Monday, 10:00–12:00
COVER_LINK = re.compile(r"https?://\S+?/link/vertretung/\S+")
OFFER_SUBJECT = "Können Sie einspringen? Besuch am 07.12.2026"
TAKEN_SUBJECT = "Bereits vergeben: Besuch am 07.12.2026"


def stand_in(last_name: str, **kw):
    """An Entlastung volunteer in Eving who speaks Turkish and has Mondays 9–17 free, unless told otherwise."""
    kw.setdefault("languages", "Deutsch, Türkisch")
    kw.setdefault("offers_entlastung", True)
    return make_volunteer(first_name=kw.pop("first_name", "Vera"), last_name=last_name, **kw)


def cover_path(message) -> str:
    """The path of the 'Vertretung übernehmen' link in a mail's text."""
    (url,) = COVER_LINK.findall(text_of(message))
    return urlsplit(url).path


@pytest.fixture
def declined(client, smtp, clock):
    """A Turkish-speaking senior's Monday visit, declined by its volunteer through the link of the real mail;
    around it stand-ins who fit and volunteers who must not be proposed. Yields (appointment, people)."""
    senior = make_senior(first_name="Hildegard", last_name="Beispiel", pflegegrad=3, languages="Türkisch")
    pairing = weekly_pairing(starts_on=VISIT, senior=senior, volunteer=stand_in("Erstbesuch", first_name="Erika"))
    people = {
        # same district and visited Hildegard twice before (as a stand-in): first
        "knows": stand_in("Yilmaz", first_name="Ayse"),
        # lives in Hörde but also visits Eving: proposed, after Ayse although "Anton" sorts first
        "travels": stand_in("Arslan", first_name="Anton", district_name="Hörde"),
        "busy": stand_in("Beschäftigt"),  # visits someone else on that Monday 11–13
        "absent": stand_in("Verreist"),  # away 5–10 December
        "other_service": stand_in("Besuchsdienst", offers_entlastung=False),
        "no_turkish": stand_in("Nurdeutsch", languages="Deutsch"),
        "evening_only": stand_in("Abends", availability=((0, 17 * 60, 20 * 60),)),  # not free at 10
    }
    people["travels"].travel_districts = [district("Eving")]
    db.session.add(
        VolunteerAbsence(volunteer=people["absent"], starts_on=date(2026, 12, 5), ends_on=date(2026, 12, 10))
    )
    make_pairing(volunteer=people["busy"], slots=((0, 11 * 60, 120),), starts_on=date(2026, 11, 2))
    for on in (date(2026, 11, 2), date(2026, 11, 9)):
        make_appointment(
            pairing=pairing,
            on=on,
            status="stattgefunden",
            actual_minutes=120,
            is_one_off=True,
            cover_volunteer=people["knows"],
        )
    clock(berlin(2026, 11, 30, 8))
    run("roll_horizon")
    run("confirmation_requests")
    run("send_outbox")
    (request,) = [m for m in smtp.to(pairing.volunteer.email) if m["Subject"].startswith("Bitte bestätigen")]
    client.post(link_path(request, "absagen"), data={"reason": "Ich bin krank."})
    appointment = db.session.scalar(
        sa.select(Appointment).where(Appointment.pairing_id == pairing.id, Appointment.on == VISIT)
    )
    assert appointment.status == "abgesagt"
    people["first"] = pairing.volunteer
    return appointment, people


def cover_section(page: str) -> str:
    """The 'Vertretung' card of the appointment page."""
    return page[page.index('id="vertretung"') :]


def test_declined_visit_lists_the_stand_ins_who_may_take_it_ranked(coordinator, declined):
    appointment, people = declined
    page = coordinator.get(f"/termine/{appointment.id}").get_data(as_text=True)
    section = cover_section(page)
    assert section.index("Ayse Yilmaz") < section.index("Anton Arslan")
    assert "Im selben Stadtbezirk (Eving)" in section and "Kennt Hildegard B. (2 Besuche)" in section
    assert "Diese Woche noch keine Termine" in section
    for key in ("busy", "absent", "other_service", "no_turkish", "evening_only", "first"):
        assert people[key].last_name not in section, key
    assert "Angebot senden" in section


def test_offer_to_two_first_accept_wins_second_is_told(app_ctx, client, coordinator, declined, smtp, clock):
    appointment, people = declined
    ayse, anton = people["knows"], people["travels"]
    response = coordinator.post(
        f"/termine/{appointment.id}/vertretung", data={"volunteers": [ayse.id, anton.id]}, follow_redirects=True
    )
    assert "Angebot an 2 Person(en) verschickt." in response.get_data(as_text=True)
    run("send_outbox")
    (to_ayse,) = [m for m in smtp.to(ayse.email) if m["Subject"] == OFFER_SUBJECT]
    (to_anton,) = [m for m in smtp.to(anton.email) if m["Subject"] == OFFER_SUBJECT]
    assert "Hildegard B. (Eving)" in text_of(to_ayse) and "Montag, 07.12.2026, 10:00–12:00 Uhr" in text_of(to_ayse)
    for forbidden in ("Pflegegrad", "Demenz", "Beispiel", "Evinger Straße", "krank"):
        assert forbidden not in text_of(to_ayse)

    ayse_path, anton_path = cover_path(to_ayse), cover_path(to_anton)
    assert "Ich übernehme den Termin" in client.get(ayse_path).get_data(as_text=True)  # GET changes nothing
    db.session.refresh(appointment)
    assert appointment.cover_volunteer_id is None

    accepted = client.post(ayse_path, follow_redirects=True).get_data(as_text=True)
    assert "Vielen Dank!" in accepted and "Sie übernehmen diesen Termin." in accepted
    db.session.expire_all()
    assert (appointment.status, appointment.cover_volunteer_id) == ("bestaetigt", ayse.id)
    assert appointment.pairing.volunteer_id == people["first"].id  # the Begleitung itself stays
    alert = db.session.scalar(sa.select(AppointmentAlert).where(AppointmentAlert.appointment_id == appointment.id))
    assert alert.resolved_at is not None

    run("send_outbox")
    (taken,) = [m for m in smtp.to(anton.email) if m["Subject"] == TAKEN_SUBJECT]
    assert "bereits vergeben" in text_of(taken)
    assert [m["Subject"] for m in smtp.to(ayse.email)].count(TAKEN_SUBJECT) == 0
    for attempt in (client.get(anton_path), client.post(anton_path, follow_redirects=True)):
        assert "Dieser Termin ist bereits vergeben – vielen Dank!" in attempt.get_data(as_text=True)
    db.session.expire_all()
    assert appointment.cover_volunteer_id == ayse.id
    states = dict(db.session.execute(sa.select(CoverOffer.volunteer_id, CoverOffer.status)).all())
    assert states == {ayse.id: "angenommen", anton.id: "vergeben"}
    again = client.post(ayse_path, follow_redirects=True).get_data(as_text=True)  # second click shows the state
    assert "Sie übernehmen diesen Termin." in again

    page = coordinator.get(f"/termine/{appointment.id}").get_data(as_text=True)
    assert "Ayse Yilmaz</strong> übernimmt diesen Besuch" in page
    assert "anderweitig vergeben" in page and "Angebot senden" not in page


def test_the_stand_in_gets_the_calendar_entry_reminder_and_hours_request(app_ctx, client, declined, smtp, clock):
    appointment, people = declined
    ayse, erika = people["knows"], people["first"]
    (offer,) = offer_cover(appointment, [ayse], now=berlin(2026, 11, 30, 9))
    assert accept_cover(offer, now=berlin(2026, 11, 30, 9))
    db.session.commit()

    ayse_feed, erika_feed = (operations.issue_calendar_token(v) for v in (ayse, erika))
    db.session.commit()
    mine = icalendar.Calendar.from_ical(client.get(f"/kalender/{ayse_feed}.ics").data).walk("VEVENT")
    assert [(e.decoded("dtstart").date(), str(e["status"])) for e in mine] == [(VISIT, "CONFIRMED")]
    theirs = icalendar.Calendar.from_ical(client.get(f"/kalender/{erika_feed}.ics").data).walk("VEVENT")
    assert VISIT not in {e.decoded("dtstart").date() for e in theirs}

    clock(berlin(2026, 12, 6, 9))
    run("reminders")
    clock(berlin(2026, 12, 7, 13))
    run("hours_requests")
    run("send_outbox")
    subjects = [m["Subject"] for m in smtp.to(ayse.email)]
    assert "Erinnerung: Besuch am 07.12.2026" in subjects and "Wie war der Besuch am 07.12.2026?" in subjects
    assert not [m for m in smtp.to(erika.email) if "07.12.2026" in m["Subject"] and "bestätigen" not in m["Subject"]]
    reminder = next(m for m in smtp.to(ayse.email) if m["Subject"].startswith("Erinnerung"))
    assert "Guten Tag Ayse Yilmaz" in text_of(reminder)


def test_stand_in_declines_too_and_the_search_starts_again(app_ctx, coordinator, declined):
    appointment, people = declined
    (offer,) = offer_cover(appointment, [people["knows"]], now=berlin(2026, 11, 30, 9))
    accept_cover(offer, now=berlin(2026, 11, 30, 9))
    db.session.commit()
    operations.decline(appointment, now=berlin(2026, 12, 1, 9), reason="Doch verhindert")
    db.session.commit()
    assert (appointment.status, appointment.cover_volunteer_id) == ("abgesagt", None)
    alert = db.session.scalar(sa.select(AppointmentAlert).where(AppointmentAlert.appointment_id == appointment.id))
    assert alert.resolved_at is None
    section = cover_section(coordinator.get(f"/termine/{appointment.id}").get_data(as_text=True))
    assert "Angebot senden" in section and "zurückgezogen" in section


def test_offer_without_a_choice_or_for_someone_not_proposed_saves_nothing(coordinator, declined):
    appointment, people = declined
    empty = coordinator.post(f"/termine/{appointment.id}/vertretung", data={})
    assert empty.status_code == 422
    assert "Bitte mindestens eine Person auswählen." in empty.get_data(as_text=True)
    foreign = coordinator.post(f"/termine/{appointment.id}/vertretung", data={"volunteers": [people["busy"].id]})
    assert foreign.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverOffer)) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "cover_offer")
        )
        == 0
    )


def test_withdrawn_offers_tell_the_volunteers_and_their_links_do_nothing(client, coordinator, declined, smtp):
    appointment, people = declined
    coordinator.post(f"/termine/{appointment.id}/vertretung", data={"volunteers": [people["travels"].id]})
    run("send_outbox")
    (offer_mail,) = [m for m in smtp.to(people["travels"].email) if m["Subject"] == OFFER_SUBJECT]
    coordinator.post(f"/termine/{appointment.id}/vertretung/zurueckziehen")
    run("send_outbox")
    (told,) = [m for m in smtp.to(people["travels"].email) if m["Subject"] == TAKEN_SUBJECT]
    assert "keine Vertretung mehr" in text_of(told)
    page = client.post(cover_path(offer_mail), follow_redirects=True).get_data(as_text=True)
    assert "Das Angebot wurde zurückgezogen" in page
    db.session.expire_all()
    assert (appointment.status, appointment.cover_volunteer_id) == ("abgesagt", None)


def test_tampered_or_foreign_links_show_a_friendly_page_and_change_nothing(client, declined):
    appointment, people = declined
    (offer,) = offer_cover(appointment, [people["knows"]], now=berlin(2026, 11, 30, 9))
    db.session.commit()
    token = make_token("cover", offer.id)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for path in (f"/link/vertretung/{tampered}", f"/link/vertretung/{make_token('decline', offer.id)}"):
        response = client.post(path)
        assert response.status_code == 400
        assert "Dieser Link ist nicht gültig" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (appointment.cover_volunteer_id, offer.status) == (None, "offen")


def _accept_in_thread(app, offer_id: int, *, before_commit=None, start=None) -> bool:
    """Accept one offer in its own app context (own session and connection), as a second request would."""
    with app.app_context():
        if start is not None:
            start.wait()
        offer = db.session.get(CoverOffer, offer_id)
        won = accept_cover(offer, now=berlin(2026, 11, 30, 9))
        if before_commit is not None:
            before_commit()
        db.session.commit()
        db.session.remove()
        return won


def test_two_volunteers_accepting_at_once_exactly_one_wins(app_ctx, declined):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    appointment, people = declined
    offers = offer_cover(appointment, [people["knows"], people["travels"]], now=berlin(2026, 11, 30, 9))
    offer_ids = [o.id for o in offers]
    db.session.commit()
    first_updated = threading.Event()
    results: dict[str, bool] = {}

    def first():
        # The first winner holds its transaction open while the second one tries.
        def hold():
            first_updated.set()
            clock_time.sleep(0.5)

        results["first"] = _accept_in_thread(app_ctx, offer_ids[0], before_commit=hold)

    def second():
        first_updated.wait(5)
        results["second"] = _accept_in_thread(app_ctx, offer_ids[1])

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {"first": True, "second": False}
    db.session.expire_all()
    assert appointment.cover_volunteer_id == people["knows"].id
    states = sorted(db.session.scalars(sa.select(CoverOffer.status)))
    assert states == ["angenommen", "vergeben"]

    # and with both clicks released at the same instant, still exactly one
    other = make_appointment(
        pairing=appointment.pairing,
        on=date(2026, 12, 28),
        status="abgesagt",
        planned_start=time(15),
        planned_end=time(16),
    )
    offers = offer_cover(other, [people["knows"], people["travels"]], now=berlin(2026, 11, 30, 9))
    offer_ids = [o.id for o in offers]
    db.session.commit()
    start = threading.Barrier(2)
    outcomes: list[bool] = []
    threads = [
        threading.Thread(target=lambda i=i: outcomes.append(_accept_in_thread(app_ctx, i, start=start)))
        for i in offer_ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes) == [False, True]


def test_the_first_volunteers_old_links_no_longer_act_once_a_stand_in_took_over(app_ctx, client, declined, smtp):
    appointment, people = declined
    erika = people["first"]
    (request,) = [m for m in smtp.to(erika.email) if m["Subject"].startswith("Bitte bestätigen")]
    (offer,) = offer_cover(appointment, [people["knows"]], now=berlin(2026, 11, 30, 9))
    assert accept_cover(offer, now=berlin(2026, 11, 30, 9))
    db.session.commit()

    page = client.post(link_path(request, "bestaetigen"))
    assert "Diesen Termin übernimmt jetzt jemand anderes" in page.get_data(as_text=True)
    db.session.expire_all()
    assert (appointment.status, appointment.cover_volunteer_id) == ("bestaetigt", people["knows"].id)


def test_a_stand_in_no_longer_free_when_accepting_gets_a_friendly_page_and_nothing_changes(client, declined):
    appointment, people = declined
    ayse, anton = people["knows"], people["travels"]
    offers = offer_cover(appointment, [ayse, anton], now=berlin(2026, 11, 30, 9))
    # Since the offer, Ayse took on another visit that Monday 11–13, and Anton went away that day.
    elsewhere = make_pairing(volunteer=ayse, slots=((0, 11 * 60, 120),), starts_on=date(2026, 12, 7))
    other = make_appointment(
        pairing=elsewhere, on=VISIT, status="geplant", planned_start=time(11), planned_end=time(13)
    )
    db.session.add(VolunteerAbsence(volunteer=anton, starts_on=VISIT, ends_on=VISIT))
    db.session.commit()

    busy = client.post(f"/link/vertretung/{make_token('cover', offers[0].id)}")
    assert busy.status_code == 409
    text = busy.get_data(as_text=True)
    assert "Sie haben zu dieser Zeit inzwischen einen anderen Termin" in text
    assert "Montag, 07.12.2026, 10:00–12:00 Uhr" in text and "Es wurde nichts geändert." in text
    away = client.post(f"/link/vertretung/{make_token('cover', offers[1].id)}")
    assert away.status_code == 409
    assert "Sie sind an diesem Tag als abwesend eingetragen." in away.get_data(as_text=True)

    db.session.expire_all()
    assert (appointment.status, appointment.cover_volunteer_id) == ("abgesagt", None)
    assert sorted(db.session.scalars(sa.select(CoverOffer.status))) == ["offen", "offen"]

    # Once the other visit is called off, Ayse is free again and the same link takes the visit.
    other.status = "abgesagt"
    db.session.commit()
    taken = client.post(f"/link/vertretung/{make_token('cover', offers[0].id)}", follow_redirects=True)
    assert "Sie übernehmen diesen Termin." in taken.get_data(as_text=True)
    db.session.expire_all()
    assert appointment.cover_volunteer_id == ayse.id
