"""The Vorschläge page and the ``match`` command, end to end through the app on a small database."""

import threading
import time
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

import matching
from begleitservice.extensions import db
from begleitservice.matches import operations, runner
from begleitservice.matches.instance import build_instance, engine_settings
from begleitservice.models import Appointment, Pairing, Request, VolunteerAbsence
from begleitservice.models.matching import MatchProposal, MatchRejection, MatchRun
from tests.factories import make_request, make_senior, make_volunteer

TODAY = date(2026, 11, 4)  # a Wednesday; the next Monday is 9 November
MO, MI = 0, 2


@pytest.fixture
def produced(app, monkeypatch):
    """Every (instance, solution) the app solves in a test; each must pass the validator without the solver."""
    calls = []
    solve = matching.solve

    def spy(instance, **options):
        solution = solve(instance, **options)
        calls.append((instance, solution))
        return solution

    monkeypatch.setattr(matching, "solve", spy)
    yield calls
    for instance, solution in calls:
        assert matching.validate(instance, solution) == []


@pytest.fixture
def setting(app_ctx, monkeypatch, produced):
    """A fixed day and clock, a short time limit, runs computed synchronously."""
    for key, value in {
        "TODAY": TODAY,
        "NOW": datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
        "MATCH_RUN_SYNC": True,
        "MATCH_TIME_LIMIT_S": 5.0,
    }.items():
        monkeypatch.setitem(app_ctx.config, key, value)
    return app_ctx


@pytest.fixture
def people(setting):
    """Two active volunteers, a paused one, and requests: two servable, one without a Turkish speaker, a group."""
    anna = make_volunteer(first_name="Anna", last_name="Albers", availability=((MO, 9 * 60, 17 * 60),))
    bernd = make_volunteer(first_name="Bernd", last_name="Brandt", gender="m", availability=((MI, 9 * 60, 17 * 60),))
    paul = make_volunteer(
        first_name="Paul", last_name="Pause", status="pausiert", availability=((MO, 8 * 60, 18 * 60),)
    )
    monday = make_request(senior=make_senior(first_name="Hilde", last_name="Montag"), windows=((MO, 9 * 60, 12 * 60),))
    wednesday = make_request(
        senior=make_senior(first_name="Grete", last_name="Mittwoch"), windows=((MI, 9 * 60, 12 * 60),)
    )
    turkish = make_request(
        senior=make_senior(first_name="Ayse", last_name="Yilmaz"),
        languages="Türkisch",
        windows=((MO, 9 * 60, 12 * 60), (MI, 9 * 60, 12 * 60)),
    )
    group = make_request(senior=make_senior(first_name="Otto", last_name="Gruppe"), service="demenzgruppe")
    return {
        "anna": anna,
        "bernd": bernd,
        "paul": paul,
        "monday": monday,
        "wednesday": wednesday,
        "turkish": turkish,
        "group": group,
    }


def _run(client) -> str:
    response = client.post("/vorschlaege/berechnen", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _proposal(request_id: int) -> MatchProposal:
    return db.session.scalar(
        sa.select(MatchProposal).where(MatchProposal.request_id == request_id).order_by(MatchProposal.id.desc())
    )


def _status(request_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Request, request_id).status


def test_page_shows_proposals_with_reasons_and_the_unserved_with_theirs(coordinator, people):
    page = coordinator.get("/vorschlaege/").get_data(as_text=True)
    assert "Noch keine Berechnung" in page

    page = _run(coordinator)

    assert "Bestmögliche Verteilung: 2 von 3 Anfragen können vermittelt werden" in page
    assert "Hilde Montag" in page and "Anna Albers" in page and "Montag 09:00–11:00" in page
    assert "Grete Mittwoch" in page and "Bernd Brandt" in page and "Mittwoch 09:00–11:00" in page
    assert "bietet Besuchsdienst an" in page and "wohnt im Stadtbezirk Eving" in page
    assert "Nicht vermittelt (1)" in page and "Ayse Yilmaz" in page and "niemand spricht Türkisch" in page
    assert "Demenzgruppe werden nicht einzeln vermittelt (Gruppenangebot): Otto Gruppe" in page
    assert "Paul Pause" not in page
    assert page.count(">Annehmen<") == 2 and page.count(">Ablehnen<") == 2
    assert _status(people["monday"].id) == "vorgeschlagen"
    assert _status(people["turkish"].id) == "offen"


def test_accept_creates_the_pairing_with_its_slot_and_appointments(coordinator, people):
    _run(coordinator)
    proposal = _proposal(people["monday"].id)

    page = coordinator.post(
        f"/vorschlaege/{proposal.id}/annehmen", data={f"p{proposal.id}-starts_on": "2026-11-09"}, follow_redirects=True
    ).get_data(as_text=True)

    assert "Begleitung Anna Albers ↔ Hilde Montag angelegt." in page
    pairing = db.session.scalar(sa.select(Pairing).where(Pairing.request_id == people["monday"].id))
    assert (pairing.volunteer_id, pairing.starts_on, pairing.service) == (
        people["anna"].id,
        date(2026, 11, 9),
        "besuchsdienst",
    )
    assert [(s.weekday, s.start_minute, s.duration_minutes) for s in pairing.slots] == [(MO, 540, 120)]
    assert _status(people["monday"].id) == "vermittelt"
    dates = db.session.scalars(sa.select(Appointment.on).where(Appointment.pairing_id == pairing.id)).all()
    assert date(2026, 11, 9) in dates and len(dates) >= 4
    assert _proposal(people["monday"].id).decision == "angenommen"
    assert "zur Begleitung" in page


def test_accept_from_a_past_date_says_why_and_saves_nothing(coordinator, people):
    _run(coordinator)
    proposal = _proposal(people["monday"].id)

    page = coordinator.post(
        f"/vorschlaege/{proposal.id}/annehmen", data={f"p{proposal.id}-starts_on": "2026-10-01"}
    ).get_data(as_text=True)

    assert "Der Beginn darf nicht in der Vergangenheit liegen." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pairing)) == 0
    assert _status(people["monday"].id) == "vorgeschlagen"


def test_reject_then_rerun_excludes_the_pair_and_keeps_the_accepted_one(coordinator, people):
    _run(coordinator)
    accepted, rejected = _proposal(people["monday"].id), _proposal(people["wednesday"].id)
    coordinator.post(f"/vorschlaege/{accepted.id}/annehmen", data={f"p{accepted.id}-starts_on": "2026-11-09"})

    page = coordinator.post(
        f"/vorschlaege/{rejected.id}/ablehnen",
        data={f"ablehnen{rejected.id}-reason": "Frau Mittwoch kennt ihn, das passt nicht"},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "dieses Paar wird nicht mehr vorgeschlagen" in page
    assert "Vom Team abgelehnt</strong> von" in page and "„Frau Mittwoch kennt ihn, das passt nicht“" in page
    rejection = db.session.scalar(sa.select(MatchRejection))
    assert (rejection.request_id, rejection.volunteer_id) == (people["wednesday"].id, people["bernd"].id)
    assert rejection.reason == "Frau Mittwoch kennt ihn, das passt nicht"
    assert _status(people["wednesday"].id) == "offen"

    # Anna's Monday is now taken by the accepted pairing: a second Monday request cannot have her.
    second_monday = make_request(
        senior=make_senior(first_name="Frieda", last_name="Zweit"), windows=((MO, 9 * 60, 12 * 60),)
    )
    page = _run(coordinator)

    run = db.session.scalar(sa.select(MatchRun).order_by(MatchRun.id.desc()))
    assert run.requests_count == 3  # the accepted request is no longer open
    assert [p.request_id for p in run.proposals] == []
    unserved = {u.request_id: " ".join(u.reasons) for u in run.unserved}
    assert "Verfügbarkeit von Anna Albers" in unserved[people["wednesday"].id]  # Bernd is out of the question
    assert unserved[people["wednesday"].id].endswith("; vom Team abgelehnt: Bernd Brandt")
    assert "bestehenden Termine" in unserved[second_monday.id]
    assert "Frieda Zweit" in page
    pairing = db.session.scalar(sa.select(Pairing).where(Pairing.request_id == people["monday"].id))
    assert [(s.weekday, s.start_minute) for s in pairing.slots] == [(MO, 540)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pairing)) == 1

    built = build_instance(today=TODAY, settings=engine_settings())
    anna = next(v for v in built.instance.volunteers if v.id == people["anna"].id)
    assert (anna.max_minutes_per_week, anna.max_seniors) == (240 - 120, 2 - 1)
    assert anna.busy == [matching.Slot(MO, 540, 660)]
    wednesday = next(r for r in built.instance.requests if r.id == people["wednesday"].id)
    assert wednesday.excluded_volunteers == [people["bernd"].id]


def test_instance_leaves_out_paused_unqualified_and_long_absent_volunteers(setting, people):
    future = make_volunteer(
        first_name="Fritz",
        offers_besuchsdienst=False,
        offers_entlastung=True,
        basisqualifizierung_on=date(2027, 1, 15),  # course not done yet
    )
    away, short = people["bernd"], people["anna"]
    db.session.add_all(
        [
            VolunteerAbsence(volunteer=away, starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31)),
            VolunteerAbsence(volunteer=short, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 20)),
        ]
    )
    db.session.commit()

    built = build_instance(today=TODAY, settings=engine_settings())

    assert {v.id for v in built.instance.volunteers} == {short.id}
    assert future.id not in built.volunteers and people["paul"].id not in built.volunteers
    assert any("Bernd Brandt (abwesend bis 31.12.2026)" in note for note in built.notes)
    assert built.absence_notes[short.id].startswith("abwesend 16.11.2026–20.11.2026")
    assert {r.id for r in built.instance.requests} == {
        people["monday"].id,
        people["wednesday"].id,
        people["turkish"].id,
    }


def test_cli_dry_run_prints_the_proposals_and_changes_nothing(setting, people):
    result = setting.test_cli_runner().invoke(args=["match", "--dry-run", "--time-limit", "5"])

    assert result.exit_code == 0, result.output
    assert "Hilde Montag (Eving, Besuchsdienst) ← Anna Albers: Montag 09:00–11:00" in result.output
    assert "· bietet Besuchsdienst an" in result.output
    assert "niemand spricht Türkisch" in result.output
    assert "Probelauf: nichts gespeichert." in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRun)) == 0
    assert {r.status for r in db.session.scalars(sa.select(Request))} == {"offen"}


def test_cli_without_dry_run_stores_the_run_for_the_coordinator(setting, people, coordinator):
    result = setting.test_cli_runner().invoke(args=["match"])

    assert result.exit_code == 0, result.output
    assert "Bestmögliche Verteilung: 2 von 3 Anfragen können vermittelt werden" in result.output
    assert _status(people["monday"].id) == "vorgeschlagen"
    page = coordinator.get("/vorschlaege/").get_data(as_text=True)
    assert page.count(">Annehmen<") == 2


def test_a_crashed_run_shows_a_german_error(coordinator, people, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(operations, "build_instance", broken)
    page = _run(coordinator)

    assert "Berechnung fehlgeschlagen: Unerwarteter Fehler (RuntimeError)" in page
    assert db.session.scalar(sa.select(MatchRun.status)) == "fehler"
    assert _status(people["monday"].id) == "offen"


def test_threaded_run_shows_its_running_state_then_the_result(coordinator, people, monkeypatch):
    monkeypatch.setitem(coordinator.application.config, "MATCH_RUN_SYNC", False)
    release = threading.Event()
    compute = operations.compute

    def held(**kwargs):
        assert release.wait(30)
        return compute(**kwargs)

    monkeypatch.setattr(runner, "compute", held)
    page = _run(coordinator)
    assert "Berechnung läuft … seit" in page

    again = _run(coordinator)  # a second click while it runs shows the running one
    assert "Eine Berechnung läuft bereits" in again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRun)) == 1

    release.set()
    for _ in range(200):
        page = coordinator.get("/vorschlaege/").get_data(as_text=True)
        if "Berechnung läuft" not in page:
            break
        time.sleep(0.1)
    runner.wait(db.session.scalar(sa.select(MatchRun.id)), timeout=30)
    assert "Bestmögliche Verteilung: 2 von 3 Anfragen können vermittelt werden" in page
    assert "Anna Albers" in page


def test_accounting_may_not_see_or_start_the_matching(login, people):
    client = login("accounting")
    assert client.get("/vorschlaege/").status_code == 403
    assert client.post("/vorschlaege/berechnen").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRun)) == 0


def test_an_entlastung_proposal_beyond_the_budget_is_flagged_before_acceptance(setting, coordinator):
    qualified = {"offers_entlastung": True, "offers_besuchsdienst": False}
    make_volunteer(first_name="Eva", last_name="Entlastung", availability=((MO, 8 * 60, 18 * 60),), **qualified)
    make_volunteer(
        first_name="Udo",
        last_name="Ueber",
        availability=((MI, 8 * 60, 18 * 60),),
        max_minutes_per_week=600,
        **qualified,
    )
    small = make_request(
        senior=make_senior(first_name="Klara", last_name="Klein", pflegegrad=2),
        windows=((MO, 9 * 60, 12 * 60),),
        minutes_per_visit=60,
    )
    big = make_request(
        senior=make_senior(first_name="Gustav", last_name="Gross", pflegegrad=2),
        windows=((MI, 8 * 60, 18 * 60),),
        minutes_per_visit=300,  # 5 h a week ≈ 21.7 h a month ≈ 162.50 € > 131 € Entlastungsbetrag
    )
    page = _run(coordinator)
    assert _proposal(small.id) is not None and _proposal(big.id) is not None
    card = lambda request_id: page.split(f'id="vorschlag-{_proposal(request_id).id}"')[1].split("</article>")[0]  # noqa: E731
    assert "reicht das Budget nicht" in card(big.id)
    assert "Entlastungsbetrag:" not in card(small.id)


def test_reject_needs_a_reason_and_can_be_undone(coordinator, people):
    _run(coordinator)
    proposal = _proposal(people["wednesday"].id)
    refused = coordinator.post(f"/vorschlaege/{proposal.id}/ablehnen", data={f"ablehnen{proposal.id}-reason": " "})
    assert refused.status_code == 400
    assert "Bitte kurz den Grund angeben" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRejection)) == 0

    coordinator.post(f"/vorschlaege/{proposal.id}/ablehnen", data={f"ablehnen{proposal.id}-reason": "zu weit"})
    assert _status(people["wednesday"].id) == "offen"
    page = coordinator.post(f"/vorschlaege/{proposal.id}/ablehnung-zuruecknehmen", follow_redirects=True)
    assert "Ablehnung von Bernd Brandt für Grete Mittwoch zurückgenommen." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRejection)) == 0
    assert _proposal(people["wednesday"].id).decision == "offen"
    assert _status(people["wednesday"].id) == "vorgeschlagen"
    again = coordinator.post(f"/vorschlaege/{proposal.id}/ablehnung-zuruecknehmen", follow_redirects=True)
    assert "Dieser Vorschlag ist nicht abgelehnt (offen)." in again.get_data(as_text=True)
    accepted = coordinator.post(
        f"/vorschlaege/{proposal.id}/annehmen", data={f"p{proposal.id}-starts_on": "2026-11-11"}, follow_redirects=True
    )
    assert "Begleitung Bernd Brandt ↔ Grete Mittwoch angelegt." in accepted.get_data(as_text=True)


def test_an_alternative_can_be_taken_instead_of_the_proposal(coordinator, people):
    make_volunteer(first_name="Clara", last_name="Christ", availability=((MO, 9 * 60, 17 * 60),))
    page = _run(coordinator)
    proposal = _proposal(people["monday"].id)
    assert len(proposal.alternatives) == 1
    (alternative,) = proposal.alternatives
    other = "Clara Christ" if proposal.volunteer.last_name == "Albers" else "Anna Albers"
    card = page.split(f'id="vorschlag-{proposal.id}"')[1].split("</article>")[0]
    assert "1 weitere Möglichkeit" in card and f"Stattdessen {other} annehmen" in card

    done = coordinator.post(
        f"/vorschlaege/{proposal.id}/annehmen?alternative={alternative['volunteer_id']}",
        data={f"p{proposal.id}a{alternative['volunteer_id']}-starts_on": "2026-11-09"},
        follow_redirects=True,
    )
    assert f"Begleitung {other} ↔ Hilde Montag angelegt." in done.get_data(as_text=True)
    pairing = db.session.scalar(sa.select(Pairing).where(Pairing.request_id == people["monday"].id))
    assert pairing.volunteer.name == other
    assert [[s.weekday, s.start_minute, s.start_minute + s.duration_minutes] for s in pairing.slots] == alternative[
        "visits"
    ]
    forged = coordinator.post(
        f"/vorschlaege/{proposal.id}/annehmen?alternative=999999",
        data={f"p{proposal.id}a999999-starts_on": "2026-11-09"},
    )
    assert forged.status_code in (200, 302) and db.session.scalar(sa.select(sa.func.count()).select_from(Pairing)) == 1


def test_a_run_stores_its_steps_and_the_running_page_shows_the_step(coordinator, people, monkeypatch):
    """While a run computes its row names the step it is at; the page shows "Schritt k von 7" with a bar."""
    from begleitservice.matches import runner

    heard = []
    original = runner.reporter

    def spying(run_id):
        report = original(run_id)

        def both(step):
            report(step)
            db.session.expire_all()
            heard.append(db.session.get(MatchRun, run_id).progress)  # stored at once, on its own connection

        return both

    monkeypatch.setattr(runner, "reporter", spying)
    _run(coordinator)
    assert heard[0] == "Anfragen und Ehrenamtliche werden geladen" and heard[-1] == "Vorschläge werden gespeichert"
    assert "Regel 1: möglichst viele Anfragen vermitteln" in heard and len(heard) == 7

    running = MatchRun(status="laeuft", progress="Regel 2: dringende und lange wartende Anfragen zuerst")
    db.session.add(running)
    db.session.commit()
    page = coordinator.get("/vorschlaege/").get_data(as_text=True)
    assert "Schritt 4 von 7: Regel 2: dringende und lange wartende Anfragen zuerst" in page
    assert '<progress id="fortschritt" value="4" max="7">' in page
