"""Demenzgruppen operations: waiting list and places, sessions around holidays and closing weeks, roster rules,
attendance and the hours it yields, cancelling with mails."""

from datetime import date, time

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.groups import hours
from begleitservice.groups import operations as ops
from begleitservice.models import GroupClosure, GroupSession, OutboxMessage, ParticipantStatus
from begleitservice.rules import GROUP_SESSION_RULES, Visit, check_visit
from tests.factories import make_appointment, make_group, make_pairing, make_senior, make_volunteer


def _enrolled(group, n, *, starts_on=date(2026, 1, 7)):
    people = []
    for _ in range(n):
        participant = ops.enrol(group, make_senior(pflegegrad=2, has_dementia=True, kvnr=None))
        ops.admit(participant, starts_on=starts_on)
        people.append(participant)
    db.session.commit()
    return people


def test_waiting_list_in_order_and_place_offered_when_one_frees_up(app_ctx):
    group = make_group(capacity=2)
    first, _second = _enrolled(group, 2)
    waiting = [ops.enrol(group, make_senior(pflegegrad=3, kvnr=None)) for _ in range(2)]
    db.session.commit()
    assert [p.status for p in waiting] == [ParticipantStatus.WARTEND] * 2
    assert ops.waiting_list(group) == waiting
    offered = ops.end_participation(first, ends_on=date(2026, 3, 4))
    db.session.commit()
    assert offered == [waiting[0]]
    assert waiting[0].status == ParticipantStatus.ANGEBOTEN
    assert waiting[0].status_label == "Platz angeboten"
    assert ops.waiting_list(group) == [waiting[1]]


def test_full_group_refuses_admission_from_the_waiting_list(app_ctx):
    group = make_group(capacity=1)
    _enrolled(group, 1)
    late = ops.enrol(group, make_senior(pflegegrad=2, kvnr=None))
    with pytest.raises(ops.GroupError, match="ist voll"):
        ops.admit(late, starts_on=date(2026, 2, 4))


def test_senior_cannot_be_enrolled_twice(app_ctx):
    group = make_group()
    senior = make_senior(pflegegrad=2)
    ops.enrol(group, senior)
    db.session.commit()
    with pytest.raises(ops.GroupError, match="steht schon auf der Liste"):
        ops.enrol(group, senior)


def test_sessions_skip_nrw_holidays_and_closing_weeks(app_ctx):
    # Thursday group: Christi Himmelfahrt 2026-05-14 and Fronleichnam 2026-06-04 are holidays in NRW
    group = make_group(weekday=3, starts_on=date(2026, 5, 1))
    group.closures.append(GroupClosure(starts_on=date(2026, 5, 25), ends_on=date(2026, 5, 29), reason="Pfingstferien"))
    db.session.commit()
    created, plan = ops.generate_sessions(group, first=date(2026, 5, 1), last=date(2026, 6, 30))
    db.session.commit()
    days = [s.on for s in created]
    assert date(2026, 5, 14) not in days and date(2026, 6, 4) not in days and date(2026, 5, 28) not in days
    assert days == [date(2026, 5, 7), date(2026, 5, 21), date(2026, 6, 11), date(2026, 6, 18), date(2026, 6, 25)]
    reasons = {s.on: s.reason for s in plan.skipped}
    assert reasons[date(2026, 5, 14)] == "Feiertag: Christi Himmelfahrt"
    assert reasons[date(2026, 5, 28)].startswith("Schließzeit der Gruppe (Pfingstferien")
    again, _ = ops.generate_sessions(group, first=date(2026, 5, 1), last=date(2026, 6, 30))
    assert again == []


def test_staffing_rule_follows_enrolment(app_ctx):
    group = make_group()
    _enrolled(group, 7)
    assert ops.needed_volunteers(group, date(2026, 2, 4)) == 3
    assert ops.needed_volunteers(group, date(2026, 1, 6)) == 2  # before anyone takes part: the minimum


def test_group_session_and_home_visit_never_at_once(app_ctx):
    volunteer = make_volunteer(offers_demenzgruppe=True)
    group = make_group()
    (session,), _ = ops.generate_sessions(group, first=date(2026, 11, 4), last=date(2026, 11, 4))
    ops.add_to_roster(session, volunteer)
    db.session.commit()
    # a one-off home visit at 17:15 the same day is too close (30 minutes travel buffer)
    pairing = make_pairing(volunteer=volunteer)
    visit = Visit(
        volunteer=volunteer,
        senior=pairing.senior,
        service="besuchsdienst",
        on=session.on,
        start=17 * 60 + 15,
        end=18 * 60,
        pairing_id=pairing.id,
    )
    messages = [v.message for v in check_visit(visit)]
    assert any("schon in der Demenzgruppe" in m for m in messages)
    # and the other way round: a visit at 13:00–14:00 keeps a second volunteer off the session
    other = make_volunteer(offers_demenzgruppe=True)
    make_appointment(
        pairing=make_pairing(volunteer=other), on=session.on, planned_start=time(13, 0), planned_end=time(14, 0)
    )
    with pytest.raises(ops.GroupError, match="Zeitkonflikt"):
        ops.add_to_roster(session, other)


def test_roster_needs_the_group_service(app_ctx):
    volunteer = make_volunteer(offers_demenzgruppe=False)
    group = make_group()
    (session,), _ = ops.generate_sessions(group, first=date(2026, 11, 4), last=date(2026, 11, 4))
    visit = Visit(
        volunteer=volunteer,
        senior=None,
        service="demenzgruppe",
        on=session.on,
        start=840,
        end=1020,
        group_session_id=session.id,
    )
    assert [v.rule for v in check_visit(visit, rules=GROUP_SESSION_RULES)] == ["service"]


def test_attendance_yields_hours_for_seniors_and_volunteers(app_ctx):
    group = make_group()
    a, b, c = _enrolled(group, 3)
    volunteer = make_volunteer(offers_demenzgruppe=True)
    sessions, _ = ops.generate_sessions(group, first=date(2026, 2, 4), last=date(2026, 2, 11))
    for session in sessions:
        ops.add_to_roster(session, volunteer)
    marks = {a.senior_id: "anwesend", b.senior_id: "entschuldigt", c.senior_id: "unentschuldigt"}
    ops.record_attendance(sessions[0], marks, present_volunteers={volunteer.id}, today=date(2026, 2, 4))
    ops.record_attendance(sessions[1], {a.senior_id: "anwesend"}, present_volunteers=set(), today=date(2026, 2, 11))
    db.session.commit()
    feb = (date(2026, 2, 1), date(2026, 2, 28))
    assert hours.group_minutes_by_senior(*feb) == {a.senior_id: 360}
    assert hours.group_minutes_by_volunteer(*feb) == {volunteer.id: 180}
    assert [(x.senior_id, x.on) for x in hours.attended_sessions(*feb)] == [
        (a.senior_id, date(2026, 2, 4)),
        (a.senior_id, date(2026, 2, 11)),
    ]


def test_attendance_twice_changes_nothing_and_future_is_refused(app_ctx):
    group = make_group()
    (p,) = _enrolled(group, 1)
    (session,), _ = ops.generate_sessions(group, first=date(2026, 2, 4), last=date(2026, 2, 4))
    assert ops.record_attendance(session, {p.senior_id: "anwesend"}, today=date(2026, 2, 4)) == 1
    assert ops.record_attendance(session, {p.senior_id: "anwesend"}, today=date(2026, 2, 4)) == 0
    with pytest.raises(ops.GroupError, match="erst am Tag des Termins"):
        ops.record_attendance(session, {p.senior_id: "anwesend"}, today=date(2026, 2, 3))


def test_cancelling_tells_roster_and_relatives(app_ctx):
    group = make_group()
    (p,) = _enrolled(group, 1)
    p.senior.contact_email = "tochter@example.org"
    volunteer = make_volunteer(offers_demenzgruppe=True)
    (session,), _ = ops.generate_sessions(group, first=date(2026, 11, 4), last=date(2026, 11, 4))
    ops.add_to_roster(session, volunteer)
    assert ops.cancel_session(session, reason="Raum nicht verfügbar") == 2
    db.session.commit()
    mails = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert {m.recipient for m in mails} == {volunteer.email, "tochter@example.org"}
    assert all("fällt aus" in m.subject and "Raum nicht verfügbar" in m.body_text for m in mails)
    assert db.session.get(GroupSession, session.id).status == "abgesagt"
    assert hours.group_minutes_by_volunteer(date(2026, 11, 1), date(2026, 11, 30)) == {}


def test_cancel_mail_speaks_the_volunteers_language_and_german_to_relatives(app_ctx):
    """A Turkish volunteer on the roster reads the cancellation in Turkish; the relatives' mail stays German."""
    group = make_group()
    (p,) = _enrolled(group, 1)
    p.senior.contact_email = "tochter@example.org"
    volunteer = make_volunteer(offers_demenzgruppe=True, language="tr")
    (session,), _ = ops.generate_sessions(group, first=date(2026, 11, 4), last=date(2026, 11, 4))
    ops.add_to_roster(session, volunteer)
    ops.cancel_session(session, reason="Raum nicht verfügbar")
    db.session.commit()
    mails = {m.recipient: m for m in db.session.scalars(sa.select(OutboxMessage))}
    turkish, german = mails[volunteer.email], mails["tochter@example.org"]
    assert turkish.subject == f"Demans grubu “{group.name}”: 4 Kas 2026 tarihindeki buluşma yapılmayacak"
    assert "Saygılarımızla" in turkish.body_text and "Raum nicht verfügbar" in turkish.body_text
    assert german.subject == f"Demenzgruppe „{group.name}“: Termin am 04.11.2026 fällt aus"
    assert "Herzliche Grüße" in german.body_text


def test_volunteer_minutes_at_sessions_count_for_the_allowance(app_ctx):
    from begleitservice.accounting.allowances import allowance_lines_between, paid_volunteers
    from billing.month import Month

    group = make_group()
    (p,) = _enrolled(group, 1)
    came, stayed_home = make_volunteer(offers_demenzgruppe=True), make_volunteer(offers_demenzgruppe=True)
    (session,), _ = ops.generate_sessions(group, first=date(2026, 2, 4), last=date(2026, 2, 4))
    ops.add_to_roster(session, came)
    ops.add_to_roster(session, stayed_home)
    ops.record_attendance(session, {p.senior_id: "anwesend"}, present_volunteers={came.id}, today=date(2026, 2, 4))
    db.session.commit()
    lines = allowance_lines_between(date(2026, 2, 1), date(2026, 2, 28))
    assert [(line.volunteer_ref, line.minutes) for line in lines] == [(str(came.id), 180)]
    assert list(db.session.scalars(paid_volunteers(Month(2026, 2)))) == [came]


def test_erasing_a_participant_and_a_volunteer_takes_their_group_rows(app_ctx):
    from datetime import UTC, datetime

    from begleitservice.privacy.operations import request_erasure

    def rows_referencing(table_name: str, person_id: int) -> list[str]:
        return [
            f"{table.name}.{fk.parent.name}"
            for table in db.metadata.sorted_tables
            for fk in table.foreign_keys
            if fk.column.table.name == table_name
            and db.session.scalar(sa.select(sa.func.count()).select_from(table).where(fk.parent == person_id))
        ]

    group = make_group()
    (p,) = _enrolled(group, 1)
    volunteer = make_volunteer(offers_demenzgruppe=True)
    (session,), _ = ops.generate_sessions(group, first=date(2026, 2, 4), last=date(2026, 2, 4))
    ops.add_to_roster(session, volunteer)
    ops.record_attendance(session, {p.senior_id: "entschuldigt"}, today=date(2026, 2, 4))
    db.session.commit()
    senior_id, volunteer_id = p.senior_id, volunteer.id
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert request_erasure(p.senior, user=None, now=now).outcome == "erase"
    assert request_erasure(volunteer, user=None, now=now).outcome == "erase"
    db.session.commit()
    assert rows_referencing("senior", senior_id) == [] and rows_referencing("volunteer", volunteer_id) == []
