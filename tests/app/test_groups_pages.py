"""Demenzgruppen pages: list, new group, detail with enrolment, session page with attendance and cancelling,
calendar and staffing proposal. Bad input gets a German message and changes nothing; double submits save once."""

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.groups import operations as ops
from begleitservice.models import (
    DementiaGroup,
    GroupAttendance,
    GroupParticipant,
    GroupRosterEntry,
    GroupSession,
    GroupStaffingAnswer,
    OutboxMessage,
)
from tests.factories import district, make_group, make_senior, make_volunteer

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def moment(app_ctx, monkeypatch):
    """The app's clock on Friday, 20 November 2026."""
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    monkeypatch.setitem(app_ctx.config, "TODAY", NOW.date())
    return app_ctx


def _group_with_session(on=date(2026, 11, 18), participants=2):
    group = make_group()
    people = []
    for _ in range(participants):
        p = ops.enrol(group, make_senior(pflegegrad=2, kvnr=None))
        ops.admit(p, starts_on=date(2026, 11, 4))
        people.append(p)
    (session,), _ = ops.generate_sessions(group, first=on, last=on)
    db.session.commit()
    return group, session, people


def _group_form(**over):
    data = {
        "name": "Demenzgruppe Hörde Mittwoch",
        "place": "Begegnungsstätte Hörde",
        "street": "Hörder Bahnhofstraße 1",
        "postal_code": "44263",
        "district_id": str(district("Hörde").id),
        "sozialraum_id": "0",
        "weekday": "2",
        "start_minute": "840",
        "end_minute": "1020",
        "starts_on": "2026-12-02",
        "capacity": "10",
        "participants_per_volunteer": "3",
        "min_volunteers": "2",
        "lead_name": "Petra Fachkraft",
        "price_unit": "sitzung",
        "price_amount": "22,50",
        "submission": "token-1-abcdefghijklmnopq",
    }
    return data | over


def test_list_shows_groups_and_navigation(moment, coordinator):
    group = make_group(name="Demenzgruppe Eving")
    page = coordinator.get("/gruppen/").get_data(as_text=True)
    assert "Demenzgruppen" in page and group.name in page and "0 von 10" in page


def test_new_group_is_saved_once(moment, coordinator):
    response = coordinator.post("/gruppen/neu", data=_group_form())
    assert response.status_code == 302
    again = coordinator.post("/gruppen/neu", data=_group_form())
    assert again.status_code == 303
    group = db.session.scalar(sa.select(DementiaGroup))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DementiaGroup)) == 1
    assert str(group.prices[0].amount) == "22.50"
    page = coordinator.get(f"/gruppen/{group.id}").get_data(as_text=True)
    assert "Mittwoch 14:00–17:00" in page and "1 Ehrenamtliche:r je 3 Teilnehmende, mindestens 2" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("end_minute", "780", "Das Ende muss nach dem Beginn liegen."),
        ("postal_code", "44a63", "Die PLZ hat 5 Ziffern."),
        ("capacity", "0", "Zwischen 1 und 40 Plätze."),
        ("price_amount", "zehn", "„zehn“ ist kein Betrag wie 12,50."),
    ],
)
def test_bad_group_input_german_message_nothing_saved(moment, coordinator, field, value, message):
    response = coordinator.post("/gruppen/neu", data=_group_form(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DementiaGroup)) == 0


def test_enrolment_page_waiting_list_and_double_submit(moment, coordinator):
    group = make_group(capacity=1)
    first, second = make_senior(pflegegrad=2, kvnr=None), make_senior(pflegegrad=3, kvnr=None)
    for senior, token in ((first, "a" * 24), (second, "b" * 24), (second, "b" * 24)):
        coordinator.post(f"/gruppen/{group.id}/anmelden", data={"senior_id": str(senior.id), "submission": token})
    rows = db.session.scalars(sa.select(GroupParticipant).order_by(GroupParticipant.id)).all()
    assert [r.status for r in rows] == ["angeboten", "wartend"]
    page = coordinator.get(f"/gruppen/{group.id}").get_data(as_text=True)
    assert "Platz angeboten" in page and "Warteliste (1)" in page


def test_enrolling_the_same_senior_twice_is_refused(moment, coordinator):
    group = make_group()
    senior = make_senior(pflegegrad=2, kvnr=None)
    coordinator.post(f"/gruppen/{group.id}/anmelden", data={"senior_id": str(senior.id), "submission": "a" * 24})
    response = coordinator.post(
        f"/gruppen/{group.id}/anmelden", data={"senior_id": str(senior.id), "submission": "b" * 24}
    )
    assert response.status_code == 422
    assert "steht schon auf der Liste" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupParticipant)) == 1


def test_attendance_page_records_marks(moment, coordinator):
    _, session, (a, b) = _group_with_session()
    page = coordinator.get(f"/gruppen/termin/{session.id}").get_data(as_text=True)
    assert a.senior.last_name in page and "unentschuldigt" in page
    data = {f"teilnehmer-{a.senior_id}": "anwesend", f"teilnehmer-{b.senior_id}": "entschuldigt"}
    assert coordinator.post(f"/gruppen/termin/{session.id}/anwesenheit", data=data).status_code == 302
    marks = dict(db.session.execute(sa.select(GroupAttendance.senior_id, GroupAttendance.status)).all())
    assert marks == {a.senior_id: "anwesend", b.senior_id: "entschuldigt"}


def test_attendance_incomplete_or_bad_changes_nothing(moment, coordinator):
    _, session, (a, b) = _group_with_session()
    response = coordinator.post(
        f"/gruppen/termin/{session.id}/anwesenheit", data={f"teilnehmer-{a.senior_id}": "anwesend"}
    )
    assert response.status_code == 422
    assert "Bitte für jede Person anwesend, entschuldigt oder unentschuldigt wählen." in response.get_data(as_text=True)
    data = {f"teilnehmer-{a.senior_id}": "da", f"teilnehmer-{b.senior_id}": "anwesend"}
    assert coordinator.post(f"/gruppen/termin/{session.id}/anwesenheit", data=data).status_code == 422
    assert (
        coordinator.post(f"/gruppen/termin/{session.id}/anwesenheit", data={"teilnehmer-x": "anwesend"}).status_code
        == 400
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupAttendance)) == 0


def test_attendance_in_the_future_is_refused(moment, coordinator):
    _, session, (a, b) = _group_with_session(on=date(2026, 11, 25))
    data = {f"teilnehmer-{a.senior_id}": "anwesend", f"teilnehmer-{b.senior_id}": "anwesend"}
    response = coordinator.post(f"/gruppen/termin/{session.id}/anwesenheit", data=data)
    assert response.status_code == 422
    assert "erst am Tag des Termins" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupAttendance)) == 0


def test_attendance_double_submit_at_once_saves_one_row_each(moment, coordinator, collide):
    _, session, (a, b) = _group_with_session()
    data = {f"teilnehmer-{a.senior_id}": "anwesend", f"teilnehmer-{b.senior_id}": "unentschuldigt"}
    url = f"/gruppen/termin/{session.id}/anwesenheit"
    responses = collide(coordinator, [lambda c: c.post(url, data=data)] * 2)
    assert [r.status_code for r in responses] == [302, 302]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupAttendance)) == 2


def test_enrol_double_submit_at_once_one_place(moment, coordinator, collide):
    group = make_group()
    senior = make_senior(pflegegrad=2, kvnr=None)
    url, data = f"/gruppen/{group.id}/anmelden", {"senior_id": str(senior.id), "submission": "s" * 24}
    responses = collide(coordinator, [lambda c: c.post(url, data=data)] * 2)
    assert sorted(r.status_code for r in responses) == [302, 303]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupParticipant)) == 1


def test_cancel_needs_a_reason_then_mails_go_out(moment, coordinator):
    _, session, _ = _group_with_session(on=date(2026, 11, 25))
    volunteer = make_volunteer(offers_demenzgruppe=True)
    ops.add_to_roster(session, volunteer)
    db.session.commit()
    response = coordinator.post(f"/gruppen/termin/{session.id}/absagen", data={"reason": ""})
    assert response.status_code == 422
    assert "Bitte einen Grund für die Absage angeben." in response.get_data(as_text=True)
    assert db.session.get(GroupSession, session.id).status == "geplant"
    coordinator.post(f"/gruppen/termin/{session.id}/absagen", data={"reason": "Wasserschaden"})
    db.session.expire_all()
    assert db.session.get(GroupSession, session.id).status == "abgesagt"
    assert db.session.scalar(sa.select(OutboxMessage.recipient)) == volunteer.email


def test_roster_refuses_volunteer_without_group_service(moment, coordinator):
    _, session, _ = _group_with_session(on=date(2026, 11, 25))
    volunteer = make_volunteer(offers_demenzgruppe=False)
    response = coordinator.post(f"/gruppen/termin/{session.id}/einteilen", data={"volunteer_id": str(volunteer.id)})
    assert response.status_code == 422
    assert "bietet „Demenzgruppe“ nicht an" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupRosterEntry)) == 0


def test_calendar_shows_sessions_and_holidays(moment, coordinator):
    group = make_group(weekday=4)  # Fridays: 25 December 2026 is 1. Weihnachtstag
    ops.generate_sessions(group, first=date(2026, 12, 1), last=date(2026, 12, 31))
    db.session.commit()
    page = coordinator.get(f"/gruppen/{group.id}/kalender?monat=2026-12").get_data(as_text=True)
    assert "Dezember 2026" in page and "Feiertag: Erster Weihnachtstag" in page and "14:00–17:00" in page
    assert coordinator.get(f"/gruppen/{group.id}/kalender?monat=2026-13").status_code == 400


def test_staffing_proposal_page_proposes_and_accepts(moment, coordinator):
    group = make_group()
    ops.generate_sessions(group, first=date(2026, 12, 1), last=date(2026, 12, 31))
    volunteers = [
        make_volunteer(offers_demenzgruppe=True, district_name="Hörde", max_group_sessions_per_month=5)
        for i in range(3)
    ]
    db.session.commit()
    page = coordinator.get("/gruppen/einsatzplan?monat=2026-12&berechnen=1").get_data(as_text=True)
    assert "bewiesen bester Vorschlag" in page
    values = [v for v in re.findall(r'name="platz" value="([0-9:]+)"', page)]
    assert len(values) == 2 * 5, re.findall(
        r"<li>[^<]*</li>", page
    )  # five Wednesdays in December 2026 (none a holiday), two volunteers each
    assert len({v.split(":")[1] for v in values}) == 2  # the same two all month
    coordinator.post("/gruppen/einsatzplan?monat=2026-12", data={"platz": values[:4]})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupRosterEntry)) == 4
    elsewhere = make_volunteer(offers_demenzgruppe=True, district_name="Eving")  # goes to no group in Hörde
    page = coordinator.get("/gruppen/einsatzplan?monat=2026-12&berechnen=1").get_data(as_text=True)
    assert elsewhere.name not in page and volunteers[0].name in page


def test_staffing_accept_with_nothing_ticked_changes_nothing(moment, coordinator):
    response = coordinator.post("/gruppen/einsatzplan?monat=2026-12", data={})
    assert response.status_code == 302
    assert "kein Platz ausgewählt" in coordinator.get(response.location).get_data(as_text=True)
    assert coordinator.post("/gruppen/einsatzplan?monat=2026-12", data={"platz": "x:y"}).status_code == 400


def test_answers_are_recorded_and_heeded_by_the_proposal(moment, coordinator):
    group = make_group()
    (session,), _ = ops.generate_sessions(group, first=date(2026, 12, 2), last=date(2026, 12, 2))
    yes, no = (make_volunteer(offers_demenzgruppe=True, district_name="Hörde") for _ in range(2))
    outsider = make_volunteer(offers_demenzgruppe=True, district_name="Eving", availability=())
    db.session.commit()
    url = f"/gruppen/termin/{session.id}/rueckmeldung"
    for person, answer in ((no, "nein"), (outsider, "ja")):
        response = coordinator.post(url, data={"antwort-volunteer_id": str(person.id), "antwort-answer": answer})
        assert response.status_code == 302
    bad = coordinator.post(url, data={"antwort-volunteer_id": str(no.id), "antwort-answer": "vielleicht"})
    assert bad.status_code == 422 and "Keine gültige Auswahl." in bad.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(GroupStaffingAnswer.answer).where(GroupStaffingAnswer.volunteer_id == no.id))
        == "nein"
    )
    page = coordinator.get(f"/gruppen/termin/{session.id}").get_data(as_text=True)
    assert f"{no.name}: kann nicht" in page and f"{outsider.name}: kann" in page
    proposal = coordinator.get("/gruppen/einsatzplan?monat=2026-12&berechnen=1").get_data(as_text=True)
    # "kann" brings in the volunteer from another district without availability; "kann nicht" keeps the other out
    assert outsider.name in proposal and yes.name in proposal and no.name not in proposal


def test_group_is_edited_and_bad_capacity_changes_nothing(moment, coordinator):
    group = make_group(name="Café Vergissmeinnicht", capacity=10)
    _group_with_session()  # another group, so names can clash
    for _ in range(3):
        ops.admit(ops.enrol(group, make_senior(pflegegrad=2, kvnr=None)), starts_on=date(2026, 11, 4))
    db.session.commit()
    form = coordinator.get(f"/gruppen/{group.id}/bearbeiten").get_data(as_text=True)
    assert 'value="Café Vergissmeinnicht"' in form and "price_amount" not in form
    data = _group_form(name="Café Vergissmeinnicht", capacity="2", weekday="3")
    response = coordinator.post(f"/gruppen/{group.id}/bearbeiten", data=data)
    assert response.status_code == 422 and "Es sind schon 3 Plätze vergeben." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (group.capacity, group.weekday) == (10, 2)
    response = coordinator.post(f"/gruppen/{group.id}/bearbeiten", data=data | {"capacity": "12"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (group.capacity, group.weekday) == (12, 3)


def test_monthly_maximum_of_group_sessions_on_the_volunteer_form(moment, coordinator):
    from begleitservice.models import Volunteer
    from tests.app.test_volunteers import form_data

    response = coordinator.post("/volunteers/neu", data=form_data(max_group_sessions_per_month="40"))
    page = response.get_data(as_text=True)  # the volunteer form answers 200 with the messages (as it always did)
    assert 'id="max_group_sessions_per_month-error">Bitte eine Zahl von 0 bis 31 eintragen.' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer)) == 0
    coordinator.post("/volunteers/neu", data=form_data(max_group_sessions_per_month="6"))
    volunteer = db.session.scalar(sa.select(Volunteer))
    assert volunteer.max_group_sessions_per_month == 6
    assert 'value="6"' in coordinator.get(f"/volunteers/{volunteer.id}/bearbeiten").get_data(as_text=True)
