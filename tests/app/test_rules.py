"""The placing rules (begleitservice.rules) bite through every entry point: the Begleitung form (create and edit),
one-off visits, accepting a proposal and the matching instance. Stand-ins: tests/app/test_scheduling_cover.py."""

import html
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from begleitservice.cli.demo_data import demo_data
from begleitservice.extensions import db
from begleitservice.matches.instance import build_instance, engine_settings
from begleitservice.matches.operations import MatchError, accept_proposal
from begleitservice.models import Appointment, Pairing, VolunteerAbsence
from begleitservice.models.matching import MatchProposal, MatchRun
from begleitservice.models.pairing import PairingStatus
from begleitservice.pairings.operations import PairingError, create_pairing
from begleitservice.rules import Override, Placement, check_placement, wishes
from tests.factories import district, make_pairing, make_request, make_senior, make_volunteer

TODAY = date(2026, 11, 10)  # a Tuesday
DI, SA = 1, 5


@pytest.fixture
def today(app_ctx, monkeypatch):
    """Tuesday 10 November 2026, the default travel buffer of 30 minutes and five years for a Führungszeugnis."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 10, 8, tzinfo=UTC))
    monkeypatch.setitem(app_ctx.config, "TRAVEL_BUFFER_MINUTES", 30)
    monkeypatch.setitem(app_ctx.config, "FUEHRUNGSZEUGNIS_MAX_YEARS", 5)
    return TODAY


@pytest.fixture
def busy(today):
    """Erika visits Herbert on Tuesdays 10:00–12:00 (Eving, Besuchsdienst); Hilde is a second senior in Eving."""
    erika = make_volunteer(first_name="Erika", last_name="Engel", max_seniors=3)
    herbert = make_senior(first_name="Herbert", last_name="Hahn")
    pairing = make_pairing(volunteer=erika, senior=herbert, slots=((DI, 10 * 60, 120),), starts_on=date(2026, 11, 3))
    hilde = make_senior(first_name="Hilde", last_name="Krause")
    return {"erika": erika, "herbert": herbert, "pairing": pairing, "hilde": hilde}


def _post(client, volunteer, senior, **fields):
    data = {
        "volunteer_id": volunteer.id,
        "senior_id": senior.id,
        "service": "entlastung" if senior.pflegegrad else "besuchsdienst",
        "slots": "Di 14:00-15:00",
        "interval_weeks": "1",
        "starts_on": "2026-11-17",
        "ends_on": "",
        "status": "aktiv",
    }
    data.update(fields)
    return client.post("/pairings/neu", data=data)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _pairings_of(senior) -> list[Pairing]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Pairing).where(Pairing.senior_id == senior.id)).all()


def test_a_begleitung_too_close_to_another_is_refused_even_with_an_override(coordinator, busy):
    for override in ({}, {"override": "y", "override_reason": "Es geht schon irgendwie."}):
        response = _post(coordinator, busy["erika"], busy["hilde"], slots="Di 12:15-13:15", **override)

        text = _text(response)
        assert response.status_code == 200
        assert "Zeitkonflikt: Erika Engel besucht dienstags 10:00–12:00 schon Herbert Hahn" in text
        assert "(mit 30 Min. Wegezeit dazwischen)" in text
        assert "Zeitkonflikte, fehlende Qualifikation und Abwesenheit lassen sich nicht übergehen." in text
        assert _pairings_of(busy["hilde"]) == []


def test_the_travel_buffer_is_the_setting(app_ctx, coordinator, busy, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TRAVEL_BUFFER_MINUTES", 0)

    response = _post(coordinator, busy["erika"], busy["hilde"], slots="Di 12:00-13:00")

    assert response.status_code == 302
    assert len(_pairings_of(busy["hilde"])) == 1


def test_fortnightly_visits_in_alternate_weeks_share_a_slot_but_not_the_same_week(coordinator, today):
    erika = make_volunteer(first_name="Erika", last_name="Engel", max_seniors=3)
    make_pairing(
        volunteer=erika, slots=((DI, 10 * 60, 120),), starts_on=date(2026, 11, 17), interval_weeks=2
    )  # 17 Nov, 1 Dec, …
    hilde, otto = make_senior(first_name="Hilde"), make_senior(first_name="Otto")

    other_week = _post(coordinator, erika, hilde, slots="Di 10:00-12:00", interval_weeks="2", starts_on="2026-11-24")
    same_week = _post(coordinator, erika, otto, slots="Di 10:00-12:00", interval_weeks="2", starts_on="2026-12-01")

    assert other_week.status_code == 302 and len(_pairings_of(hilde)) == 1
    assert same_week.status_code == 200 and "Zeitkonflikt" in _text(same_week)
    assert _pairings_of(otto) == []


def test_a_one_off_visit_of_another_begleitung_counts(coordinator, busy):
    other = make_pairing(volunteer=busy["erika"], senior=busy["hilde"], slots=((0, 9 * 60, 60),))
    db.session.add(
        Appointment(
            pairing=other,
            on=date(2026, 11, 24),
            planned_start=datetime(2026, 1, 1, 14).time(),
            planned_end=datetime(2026, 1, 1, 16).time(),
            is_one_off=True,
        )
    )
    db.session.commit()
    otto = make_senior(first_name="Otto", last_name="Ostwald")

    response = _post(coordinator, busy["erika"], otto, slots="Di 15:00-16:00")

    assert "hat am 24.11.2026 14:00–16:00 schon einen Termin bei Hilde Krause" in _text(response)
    assert _pairings_of(otto) == []


def test_a_district_outside_the_volunteers_needs_a_ticked_reason_which_is_stored_and_shown(coordinator, busy):
    senior = make_senior(first_name="Hanne", last_name="Hombruch", district_name="Hombruch")

    refused = _post(coordinator, busy["erika"], senior)
    text = _text(refused)
    assert "Erika Engel ist nicht im Stadtbezirk Hombruch unterwegs (Einsatzbezirke: Eving)." in text
    assert "Abweichung von den Vermittlungsregeln" in text and "Nur mit Häkchen und Begründung speichern." in text
    no_reason = _post(coordinator, busy["erika"], senior, override="y")
    assert "Bitte begründen Sie, warum die Begleitung trotzdem passt." in _text(no_reason)
    assert _pairings_of(senior) == []

    saved = _post(coordinator, busy["erika"], senior, override="y", override_reason="Kennt Frau H. seit Jahren.")

    assert saved.status_code == 302
    (pairing,) = _pairings_of(senior)
    assert (pairing.override_rules, pairing.override_reason) == ("district", "Kennt Frau H. seit Jahren.")
    page = _text(coordinator.get(saved.headers["Location"]))
    assert "Stadtbezirk</span>" in page and "„Kennt Frau H. seit Jahren.“" in page


def test_an_edit_keeps_an_override_but_asks_again_for_a_new_deviation(coordinator, busy):
    senior = make_senior(first_name="Hanne", last_name="Hombruch", district_name="Hombruch")
    _post(coordinator, busy["erika"], senior, override="y", override_reason="Kennt Frau H. seit Jahren.")
    (pairing,) = _pairings_of(senior)
    edit = f"/pairings/{pairing.id}/bearbeiten"
    data = {
        "volunteer_id": busy["erika"].id,
        "senior_id": senior.id,
        "service": "besuchsdienst",
        "interval_weeks": "1",
        "starts_on": "2026-11-17",
        "status": "aktiv",
        "override_reason": "Kennt Frau H. seit Jahren.",
    }

    moved = coordinator.post(edit, data={**data, "slots": "Di 15:00-16:00"})
    assert moved.status_code == 302
    saturday = coordinator.post(edit, data={**data, "slots": "Sa 10:00-11:00"})
    assert "Samstag 10:00–11:00 liegt außerhalb der Zeiten, zu denen Erika Engel kann" in _text(saturday)
    onto_herbert = coordinator.post(edit, data={**data, "slots": "Di 11:00-12:00", "override": "y"})
    assert "Zeitkonflikt" in _text(onto_herbert)

    db.session.expire_all()
    assert [str(s) for s in db.session.get(Pairing, pairing.id).slots] == ["Dienstag 15:00–16:00"]


def test_capacity_is_a_soft_rule(coordinator, busy):
    busy["erika"].max_seniors = 1
    db.session.commit()

    response = _post(coordinator, busy["erika"], busy["hilde"])

    assert "Erika Engel begleitet schon 1 Senior:innen (höchstens 1)." in _text(response)
    assert _pairings_of(busy["hilde"]) == []
    saved = _post(coordinator, busy["erika"], busy["hilde"], override="y", override_reason="Nur für drei Monate.")
    assert saved.status_code == 302 and _pairings_of(busy["hilde"])[0].override_rules == "capacity"


@pytest.mark.parametrize(
    "volunteer, message",
    [
        ({"fuehrungszeugnis_on": date(2021, 10, 1)}, "Das Führungszeugnis von Vera Voss ist ab 01.10.2026 älter als"),
        ({"fuehrungszeugnis_on": None}, "Für Vera Voss ist kein Führungszeugnis eingetragen."),
        ({"offers_besuchsdienst": False, "offers_entlastung": True}, "Vera Voss bietet „Besuchsdienst“ nicht an."),
    ],
)
def test_a_volunteer_who_may_not_visit_is_refused_without_override(coordinator, busy, volunteer, message):
    vera = make_volunteer(first_name="Vera", last_name="Voss", **volunteer)

    response = _post(coordinator, vera, busy["hilde"], override="y", override_reason="Bitte trotzdem.")

    assert message in _text(response)
    assert _pairings_of(busy["hilde"]) == []


def test_a_paused_volunteer_takes_on_no_begleitung(app_ctx, busy):
    vera = make_volunteer(first_name="Vera", last_name="Voss", status="pausiert")

    with pytest.raises(PairingError) as refused:
        create_pairing(
            volunteer=vera,
            senior=busy["hilde"],
            service="besuchsdienst",
            slots=[(DI, 14 * 60, 15 * 60)],
            starts_on=date(2026, 11, 17),
            override=Override("Bitte trotzdem.", confirmed=True),
        )

    assert str(refused.value) == "Vera Voss ist nicht aktiv (Status „pausiert“)."
    db.session.rollback()
    assert _pairings_of(busy["hilde"]) == []


def test_a_one_off_visit_on_another_begleitungs_time_or_in_an_absence_is_refused(coordinator, busy):
    second = make_pairing(volunteer=busy["erika"], senior=busy["hilde"], slots=((3, 9 * 60, 60),))
    db.session.add(
        VolunteerAbsence(
            volunteer=busy["erika"], starts_on=date(2026, 11, 26), ends_on=date(2026, 11, 27), reason="Urlaub"
        )
    )
    db.session.commit()
    path = f"/pairings/{second.id}/termine/neu"

    clash = coordinator.post(path, data={"on": "2026-11-24", "start": "11:30", "end": "12:30"})
    away = coordinator.post(path, data={"on": "2026-11-27", "start": "10:00", "end": "11:00"})
    fine = coordinator.post(path, data={"on": "2026-11-24", "start": "12:30", "end": "13:30"})

    assert "Zeitkonflikt: Erika Engel besucht dienstags 10:00–12:00 schon Herbert Hahn" in _text(clash)
    assert "Erika Engel ist am 27.11.2026 abwesend (Urlaub, 26.11.2026–27.11.2026)." in _text(away)
    assert fine.status_code == 302
    db.session.expire_all()
    assert [a.on for a in db.session.scalars(sa.select(Appointment).where(Appointment.is_one_off))] == [
        date(2026, 11, 24)
    ]


def test_accepting_a_proposal_the_volunteer_no_longer_has_time_for_is_refused(app_ctx, busy):
    request = make_request(senior=busy["hilde"], windows=((DI, 10 * 60, 12 * 60),))
    run = MatchRun(status="fertig", started_at=datetime(2026, 11, 10, 7, tzinfo=UTC), notes=[])
    proposal = MatchProposal(
        run=run, request=request, volunteer=busy["erika"], visits=[[DI, 10 * 60, 11 * 60]], reasons=[]
    )
    db.session.add_all([run, proposal])
    db.session.commit()

    with pytest.raises(MatchError) as refused:
        accept_proposal(proposal, starts_on=date(2026, 11, 17), today=TODAY, user=None)

    assert "Zeitkonflikt: Erika Engel besucht dienstags 10:00–12:00 schon Herbert Hahn" in str(refused.value)
    db.session.rollback()
    assert _pairings_of(busy["hilde"]) == []


def test_matching_leaves_out_volunteers_without_a_valid_fuehrungszeugnis(app_ctx, today):
    make_volunteer(first_name="Alt", last_name="Zeugnis", fuehrungszeugnis_on=date(2020, 1, 1))
    make_volunteer(first_name="Gut", last_name="Zeugnis")
    make_request(senior=make_senior(district_name="Eving"))

    built = build_instance(today=TODAY, settings=engine_settings())

    assert [v.name for v in built.volunteers.values()] == ["Gut Zeugnis"]
    assert "kein gültiges Führungszeugnis eingetragen ist: Alt Zeugnis" in " ".join(built.notes)
    assert built.instance.settings.travel_buffer_minutes == 30
    assert district("Eving").name == "Eving"


def test_the_demo_datas_begleitungen_obey_every_rule(app_ctx):
    assert app_ctx.test_cli_runner().invoke(demo_data, ["--seed", "11"]).exit_code == 0
    pairings = db.session.scalars(
        sa.select(Pairing).where(Pairing.status == PairingStatus.AKTIV).options(selectinload(Pairing.slots))
    ).all()

    broken = {str(pairing): [v.message for v in check_placement(_as_placement(pairing))] for pairing in pairings}

    assert len(pairings) > 50
    assert {name: messages for name, messages in broken.items() if messages} == {}


def _as_placement(pairing: Pairing) -> Placement:
    return Placement(
        volunteer=pairing.volunteer,
        senior=pairing.senior,
        service=pairing.service,
        slots=tuple((s.weekday, s.start_minute, s.end_minute) for s in pairing.slots),
        interval_weeks=pairing.interval_weeks,
        starts_on=pairing.starts_on,
        ends_on=pairing.ends_on,
        pairing_id=pairing.id,
        **wishes(pairing.senior, pairing.request),
    )
