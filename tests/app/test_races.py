"""Clicks that arrive at the same instant: ten threads, each with its own client, session and connection.

Accepting one proposal, a volunteer taking overlapping stand-in offers, and confirm against decline of one visit
must each end in one consistent state, whatever the order the database lets them in, and never in a 5xx.
"""

from collections import Counter
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from begleitservice.appointments.cover import offer_cover
from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.models import (
    Appointment,
    AppointmentAlert,
    OutboxMessage,
    Pairing,
    Request,
    UsedLink,
)
from begleitservice.models.matching import MatchProposal, MatchRun
from begleitservice.models.scheduling import CoverOffer
from scheduling.model import BERLIN
from tests.factories import make_appointment, make_pairing, make_request, make_senior, make_volunteer

THREADS = 10
MONDAY = 0
VISIT = date(2026, 12, 7)  # a Monday
NOW = datetime(2026, 11, 30, 9, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def moment(app_ctx, monkeypatch):
    """A fixed day and clock for the app (every thread reads the same config)."""
    monkeypatch.setitem(app_ctx.config, "TODAY", NOW.date())
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    return app_ctx


def _no_server_errors(responses) -> None:
    assert [r.status_code for r in responses if r.status_code >= 500] == []


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# --- accepting a proposal ------------------------------------------------------------------------------------------


@pytest.fixture
def proposal(moment):
    """An open proposal: Anna visits Hilde on Mondays 9–11 (a finished run, request "vorgeschlagen")."""
    anna = make_volunteer(first_name="Anna", last_name="Albers")
    request = make_request(senior=make_senior(first_name="Hilde", last_name="Montag"), status="vorgeschlagen")
    run = MatchRun(status="fertig", finished_at=NOW)
    run.proposals.append(MatchProposal(request=request, volunteer=anna, visits=[[MONDAY, 540, 660]], reasons=[]))
    db.session.add(run)
    db.session.commit()
    return run.proposals[0]


def test_ten_clicks_on_accept_create_one_pairing_one_set_of_visits_and_one_mail(proposal, login, collide):
    proposal_id, request_id = proposal.id, proposal.request_id
    coordinators = [login("coordinator"), login("coordinator")]  # two people, each double-clicking
    url = f"/vorschlaege/{proposal_id}/annehmen"
    data = {f"p{proposal_id}-starts_on": VISIT.isoformat()}

    responses = collide(
        [coordinators[i % 2] for i in range(THREADS)],
        [lambda c: c.post(url, data=data, follow_redirects=True)] * THREADS,
    )

    _no_server_errors(responses)
    pages = [r.get_data(as_text=True) for r in responses]
    assert sum("Begleitung Anna Albers ↔ Hilde Montag angelegt." in p for p in pages) == 1
    assert sum("Dieser Vorschlag wurde bereits angenommen." in p for p in pages) == THREADS - 1
    (pairing,) = db.session.scalars(sa.select(Pairing)).all()
    assert pairing.request_id == request_id
    visits = db.session.scalars(sa.select(Appointment.on).order_by(Appointment.on)).all()
    assert visits[0] == VISIT and len(visits) == len(set(visits))  # one set, no duplicates
    assert _count(OutboxMessage, OutboxMessage.kind == "introduction") == 1
    assert db.session.get(MatchProposal, proposal_id).pairing_id == pairing.id
    assert db.session.get(Request, request_id).status == "vermittelt"


def test_accept_and_a_begleitung_by_hand_from_the_same_request_at_once_make_one(proposal, coordinator, collide):
    proposal_id, request = proposal.id, proposal.request
    accept = (f"/vorschlaege/{proposal_id}/annehmen", {f"p{proposal_id}-starts_on": VISIT.isoformat()})
    by_hand = f"/pairings/neu?request_id={request.id}"
    form = {"volunteer_id": make_volunteer(last_name="Hand").id, "senior_id": request.senior_id}
    form |= {"service": "besuchsdienst", "slots": "Mo 14:00-16:00", "interval_weeks": "1"}
    form |= {"starts_on": VISIT.isoformat(), "status": "aktiv"}
    calls = [
        (lambda c: c.post(accept[0], data=accept[1], follow_redirects=True))
        if n % 2
        else (lambda c: c.post(by_hand, data=form, follow_redirects=True))
        for n in range(THREADS)
    ]

    responses = collide(coordinator, calls)

    _no_server_errors(responses)
    pages = [r.get_data(as_text=True) for r in responses]
    assert sum(" angelegt." in p for p in pages) == 1
    refused = ("ist nicht mehr offen", "bereits angenommen", "eine Anfrage wird nur einmal vermittelt")
    assert sum(any(text in p for text in refused) for p in pages) == THREADS - 1
    assert _count(Pairing, Pairing.request_id == request.id) == 1


def test_two_proposals_for_one_volunteer_with_room_for_one_accepted_at_once_make_one(proposal, coordinator, collide):
    anna = proposal.volunteer
    anna.max_seniors = 1
    other = make_request(senior=make_senior(first_name="Grete"), status="vorgeschlagen")
    second = MatchProposal(run=proposal.run, request=other, volunteer=anna, visits=[[MONDAY, 720, 840]], reasons=[])
    db.session.add(second)
    db.session.commit()
    urls = [f"/vorschlaege/{p.id}/annehmen" for p in (proposal, second)]
    data = [{f"p{p.id}-starts_on": VISIT.isoformat()} for p in (proposal, second)]

    responses = collide(coordinator, [lambda c, n=n: c.post(urls[n % 2], data=data[n % 2]) for n in range(THREADS)])

    _no_server_errors(responses)
    assert _count(Pairing, Pairing.volunteer_id == anna.id) == 1
    decisions = Counter(db.session.scalars(sa.select(MatchProposal.decision)))
    assert decisions == {"angenommen": 1, "offen": 1}


# --- a volunteer taking overlapping stand-in offers ------------------------------------------------------------------


@pytest.fixture
def overlapping_offers(moment):
    """Ten declined visits of ten seniors on the same Monday 10–12, each offered to Vera: (vera, offers)."""
    vera = make_volunteer(first_name="Vera", last_name="Vertretung")
    regular = make_volunteer(first_name="Rita", last_name="Regulär")
    offers = []
    for n in range(THREADS):
        pairing = make_pairing(
            volunteer=regular, senior=make_senior(last_name=f"Senior{n}"), starts_on=date(2026, 11, 2)
        )
        appointment = make_appointment(pairing=pairing, on=VISIT, status="abgesagt")
        offers += offer_cover(appointment, [vera], now=NOW)
    db.session.commit()
    return vera, offers


def test_a_volunteer_accepting_ten_overlapping_offers_at_once_gets_exactly_one(overlapping_offers, client, collide):
    vera, offers = overlapping_offers
    urls = [f"/link/vertretung/{make_token('cover', offer.id)}" for offer in offers]

    responses = collide(client, [lambda c, url=url: c.post(url) for url in urls])

    _no_server_errors(responses)
    busy = [r for r in responses if r.status_code == 409]
    assert len(busy) == THREADS - 1
    assert all("Sie haben zu dieser Zeit inzwischen einen anderen Termin" in r.get_data(as_text=True) for r in busy)
    assert _count(Appointment, Appointment.cover_volunteer_id == vera.id) == 1
    assert Counter(db.session.scalars(sa.select(CoverOffer.status))) == {"angenommen": 1, "offen": THREADS - 1}


# --- confirm and decline of one visit --------------------------------------------------------------------------------


@pytest.fixture
def planned_visit(moment):
    """A planned Monday visit a week ahead, with its volunteer: (appointment, volunteer)."""
    volunteer = make_volunteer(first_name="Erika", last_name="Eins")
    pairing = make_pairing(volunteer=volunteer, starts_on=date(2026, 11, 2))
    return make_appointment(pairing=pairing, on=VISIT, status="geplant"), volunteer


def _link_clicks(appointment_id: int, volunteer_id: int) -> list:
    """Five confirm and five decline clicks, each on its own link (as from several mails), interleaved."""
    calls = []
    for n in range(THREADS):
        purpose, path = ("confirm", "bestaetigen") if n % 2 else ("decline", "absagen")
        url = f"/link/{path}/{make_token(purpose, appointment_id, volunteer_id=volunteer_id)}"
        calls.append(lambda c, url=url: c.post(url, data={"reason": "krank"}))
    return calls


def _assert_declined(appointment_id: int) -> None:
    """The decline counts: the visit is "abgesagt" and the coordinators have an open alert."""
    appointment = db.session.get(Appointment, appointment_id)
    assert appointment.status == "abgesagt"
    assert appointment.declined_at is not None and appointment.decline_reason == "krank"
    alert = db.session.scalar(sa.select(AppointmentAlert).where(AppointmentAlert.appointment_id == appointment_id))
    assert (alert.kind, alert.resolved_at) == ("abgesagt", None)


def test_confirm_and_decline_of_one_visit_at_once_never_lose_the_decline(planned_visit, client, collide):
    appointment, volunteer = planned_visit
    ids = [appointment.id]
    for hour in (13, 15):  # two more visits that day: three collisions in all
        ids.append(
            make_appointment(
                pairing=appointment.pairing, on=VISIT, planned_start=time(hour), planned_end=time(hour + 1)
            ).id
        )

    for appointment_id in ids:
        responses = collide(client, _link_clicks(appointment_id, volunteer.id))

        _no_server_errors(responses)
        _assert_declined(appointment_id)
        outcomes = Counter(
            db.session.scalars(sa.select(UsedLink.outcome).where(UsedLink.appointment_id == appointment_id))
        )
        assert outcomes["abgesagt"] == 1 and outcomes["bestätigt"] <= 1


def test_a_coordinator_setting_bestaetigt_while_the_volunteer_declines_keeps_the_decline(
    planned_visit, coordinator, client, collide
):
    appointment, volunteer = planned_visit
    form = f"/pairings/{appointment.pairing_id}/termine/{appointment.id}"
    page = coordinator.get(form).get_data(as_text=True)
    assert 'name="seen_status" type="hidden" value="geplant"' in page
    calls = _link_clicks(appointment.id, volunteer.id)
    for n in range(1, THREADS, 2):  # the confirm clicks are the coordinator's saves instead
        calls[n] = lambda c: c.post(form, data={"status": "bestaetigt", "seen_status": "geplant"})

    responses = collide([coordinator if n % 2 else client for n in range(THREADS)], calls)

    _no_server_errors(responses)
    _assert_declined(appointment.id)
    refused = [r.get_data(as_text=True) for r in responses[1::2] if r.status_code == 200]
    assert all("Der Termin wurde inzwischen geändert" in page for page in refused)
