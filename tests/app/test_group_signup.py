"""Volunteers are asked by mail for a month's Demenzgruppen sessions and answer "kann" / "kann nicht" on
"Gruppentermine im <Monat>" in "Mein Bereich"; the staffing proposal heeds the answers. Bad input and bad links
change nothing; a double submit saves once."""

import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from begleitservice.appointments.links.tokens import make_area_token
from begleitservice.extensions import db
from begleitservice.groups import operations as ops
from begleitservice.models import GroupSession, GroupStaffingAnswer, OutboxMessage
from tests.factories import make_group, make_volunteer

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)  # Friday


@pytest.fixture
def moment(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    monkeypatch.setitem(app_ctx.config, "TODAY", NOW.date())
    return app_ctx


@pytest.fixture
def world(moment):
    """A Wednesday group in Hörde with sessions 18 Nov (past), 25 Nov, 2 Dec and 9 Dec (called off); three Hörde
    volunteers (one reads Turkish), one in Eving who serves no group, one in Hörde without the group service."""
    group = make_group(name="Café Vergissmeinnicht")
    ops.generate_sessions(group, first=date(2026, 11, 18), last=date(2026, 12, 9))
    sessions = {s.on: s for s in db.session.scalars(sa.select(GroupSession))}
    ops.cancel_session(sessions[date(2026, 12, 9)], reason="Raum belegt")
    people = [
        make_volunteer(offers_demenzgruppe=True, district_name="Hörde", max_group_sessions_per_month=5)
        for _ in range(3)
    ]
    people[2].language = "tr"
    elsewhere = make_volunteer(offers_demenzgruppe=True, district_name="Eving")
    no_groups = make_volunteer(district_name="Hörde")
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    return group, sessions, people, elsewhere, no_groups


def _token(volunteer) -> str:
    """A "Mein Bereich" token issued at the test's moment (as the mail would carry it)."""
    return make_area_token(volunteer, issued_at=NOW)


def _token_field(page: str) -> str:
    return re.search(r'name="submission"[^>]*value="([^"]+)"', page).group(1)


def _stored():
    return dict(db.session.execute(sa.select(GroupStaffingAnswer.volunteer_id, GroupStaffingAnswer.answer)).all())


def test_asking_by_mail_answering_and_the_proposal_heeds_kann_nicht(world, coordinator, client):
    _group, sessions, (yes1, yes2, no), _elsewhere, _no_groups = world
    page = coordinator.get("/gruppen/einsatzplan?monat=2026-12").get_data(as_text=True)
    assert "Ehrenamtliche per Mail fragen" in page
    response = coordinator.post("/gruppen/einsatzplan/fragen?monat=2026-12", data={"csrf_token": ""})
    assert response.status_code == 302
    assert "3 Ehrenamtliche werden per Mail gefragt" in coordinator.get(response.location).get_data(as_text=True)
    coordinator.post("/gruppen/einsatzplan/fragen?monat=2026-12")  # pressed again the same day: no second mail
    mails = {m.recipient: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert set(mails) == {yes1.email, yes2.email, no.email}
    assert mails[yes1.email].subject == "Demenzgruppen: Können Sie im Dezember 2026?"
    assert "Können Sie" not in mails[no.email].subject and "Aralık" in mails[no.email].subject  # Turkish

    url = re.search(r"http\S+/gruppentermine/2026/12", mails[no.email].body_text).group(0)
    path = urlsplit(url).path
    page = client.get(path + "?lang=de").get_data(as_text=True)
    assert "Gruppentermine im Dezember 2026" in page and "Café Vergissmeinnicht" in page
    assert "Mittwoch, 02.12.2026" in page and "09.12.2026" not in page  # the called-off session is not offered
    saved = client.post(
        path, data={"submission": _token_field(page), f"termin-{sessions[date(2026, 12, 2)].id}": "nein"}
    )
    assert saved.status_code == 303
    after = client.get(saved.location + "?lang=de").get_data(as_text=True)
    assert "Ihre Antwort: kann nicht" in after
    assert _stored() == {no.id: "nein"}

    proposal = coordinator.get("/gruppen/einsatzplan?monat=2026-12&berechnen=1").get_data(as_text=True)
    assert yes1.name in proposal and yes2.name in proposal and no.name not in proposal


def test_past_sessions_are_not_offered_and_others_cannot_be_answered(world, client):
    _group, sessions, (yes1, *_), elsewhere, no_groups = world
    path = f"/mein-bereich/{_token(yes1)}/gruppentermine/2026/11"
    page = client.get(path).get_data(as_text=True)
    assert "Mittwoch, 25.11.2026" in page and "18.11.2026" not in page
    for field, value in (
        (f"termin-{sessions[date(2026, 11, 18)].id}", "ja"),  # past
        (f"termin-{sessions[date(2026, 12, 9)].id}", "ja"),  # another month, called off
        (f"termin-{sessions[date(2026, 11, 25)].id}", "vielleicht"),
        ("termin-abc", "ja"),
    ):
        response = client.post(
            path,
            data={"submission": _token_field(page), f"termin-{sessions[date(2026, 11, 25)].id}": "ja", field: value},
        )
        assert response.status_code == 422
        assert "Es wurde nichts gespeichert" in response.get_data(as_text=True)
    empty = client.post(path, data={"submission": _token_field(page)})
    assert empty.status_code == 422 and "mindestens einem Termin" in empty.get_data(as_text=True)
    assert _stored() == {}
    # volunteers outside the groups' districts, or without the group service, are offered nothing
    for person in (elsewhere, no_groups):
        other = client.get(f"/mein-bereich/{_token(person)}/gruppentermine/2026/11").get_data(as_text=True)
        assert "keine Gruppentermine" in other and "25.11.2026" not in other
    assert client.get(f"/mein-bereich/{_token(yes1)}/gruppentermine/2026/13").status_code == 404


def test_a_double_submit_saves_once(world, client):
    _group, sessions, (yes1, *_), *_rest = world
    path = f"/mein-bereich/{_token(yes1)}/gruppentermine/2026/12"
    token = _token_field(client.get(path).get_data(as_text=True))
    field = f"termin-{sessions[date(2026, 12, 2)].id}"
    assert client.post(path, data={"submission": token, field: "ja"}).status_code == 303
    again = client.post(path, data={"submission": token, field: "nein"})  # back and send again, changed
    assert again.status_code == 303
    assert "bereits gespeichert" in client.get(again.location).get_data(as_text=True)
    assert _stored() == {yes1.id: "ja"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupStaffingAnswer)) == 1


def test_bad_blocked_and_expired_links_change_nothing(world, client, coordinator, monkeypatch):
    _group, sessions, (yes1, *_), *_rest = world
    token = _token(yes1)
    field = f"termin-{sessions[date(2026, 12, 2)].id}"
    bad = client.post(f"/mein-bereich/{token[:-2]}xx/gruppentermine/2026/12", data={field: "ja"})
    assert bad.status_code == 400 and "Dieser Link ist nicht gültig" in bad.get_data(as_text=True)
    path = f"/mein-bereich/{token}/gruppentermine/2026/12"
    form = _token_field(client.get(path).get_data(as_text=True))
    coordinator.post(f"/volunteers/{yes1.id}/mein-bereich", data={"aktion": "sperren"})
    blocked = client.post(path, data={"submission": form, field: "ja"})
    assert blocked.status_code == 410 and "Dieser Link ist gesperrt" in blocked.get_data(as_text=True)
    db.session.refresh(yes1)
    fresh = _token(yes1)
    monkeypatch.setitem(client.application.config, "NOW", datetime(2027, 7, 1, 9, tzinfo=UTC))
    expired = client.get(f"/mein-bereich/{fresh}/gruppentermine/2026/12")
    assert expired.status_code == 410 and "abgelaufen" in expired.get_data(as_text=True)
    assert _stored() == {}


def test_mein_bereich_leads_to_the_group_sessions(world, client):
    _group, _sessions, (yes1, *_), _elsewhere, no_groups = world
    page = client.get(f"/mein-bereich/{_token(yes1)}").get_data(as_text=True)
    assert "Gruppentermine im November 2026" in page and "Gruppentermine im Dezember 2026" in page
    assert "Gruppentermine" not in client.get(f"/mein-bereich/{_token(no_groups)}").get_data(as_text=True)


def test_answers_at_the_same_instant_store_one_each(world, client, coordinator, collide):
    """The same form twice at once saves once; two tabs, and the coordinator with the volunteer, at the same
    instant leave one answer per volunteer and session (the last one wins), never an error."""
    _group, sessions, (yes1, yes2, _no), *_rest = world
    path = f"/mein-bereich/{_token(yes1)}/gruppentermine/2026/12"
    field = f"termin-{sessions[date(2026, 12, 2)].id}"
    token = _token_field(client.get(path).get_data(as_text=True))
    responses = collide(client, [lambda c: c.post(path, data={"submission": token, field: "ja"})] * 2)
    assert [r.status_code for r in responses] == [303, 303]
    assert _stored() == {yes1.id: "ja"}

    tabs = [_token_field(client.get(path).get_data(as_text=True)) for _ in range(2)]
    responses = collide(
        client,
        [
            lambda c, t=t, v=v: c.post(path, data={"submission": t, field: v})
            for t, v in zip(tabs, ("nein", "ja"), strict=True)
        ],
    )
    assert [r.status_code for r in responses] == [303, 303]

    other = f"/mein-bereich/{_token(yes2)}/gruppentermine/2026/12"
    form = _token_field(client.get(other).get_data(as_text=True))
    coordinator_form = coordinator.get(f"/gruppen/termin/{sessions[date(2026, 12, 2)].id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', coordinator_form)
    answer_url = f"/gruppen/termin/{sessions[date(2026, 12, 2)].id}/rueckmeldung"
    coordinator_data = {"antwort-volunteer_id": str(yes2.id), "antwort-answer": "nein"}
    if csrf:
        coordinator_data["antwort-csrf_token"] = csrf.group(1)
    responses = collide(
        [client, coordinator],
        [
            lambda c: c.post(other, data={"submission": form, field: "ja"}),
            lambda c: c.post(answer_url, data=coordinator_data),
        ],
    )
    assert [r.status_code for r in responses] == [303, 302]
    stored = db.session.execute(sa.select(GroupStaffingAnswer.volunteer_id, GroupStaffingAnswer.answer)).all()
    assert len(stored) == 2 and {v for v, _a in stored} == {yes1.id, yes2.id}


def test_asking_for_a_past_or_impossible_month_sends_nothing(world, coordinator):
    response = coordinator.post("/gruppen/einsatzplan/fragen?monat=2026-10")
    assert "Dieser Monat ist vorbei" in coordinator.get(response.location).get_data(as_text=True)
    assert coordinator.post("/gruppen/einsatzplan/fragen?monat=2026-13").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
