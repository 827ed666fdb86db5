"""DSGVO: access export (Art. 15), erasure or restriction on request (Art. 17) with retention, purge, access."""

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import run_month
from begleitservice.extensions import db
from begleitservice.jobs.jobs import run_job
from begleitservice.matches.instance import build_instance, engine_settings
from begleitservice.models import (
    AppointmentAlert,
    BilledVisit,
    ContactEntry,
    Invoice,
    MatchRejection,
    NotificationMarker,
    OutboxMessage,
    PflegegradPeriod,
    PrivacyEvent,
    Senior,
    UsedLink,
    Volunteer,
)
from begleitservice.models.budget import BudgetOtherUse
from begleitservice.models.scheduling import CoverOffer
from begleitservice.privacy.export import export_person
from begleitservice.privacy.operations import purge, request_erasure
from begleitservice.requests.operations import change_status
from begleitservice.seniors.operations import SeniorError, save_senior
from billing.month import Month
from tests.factories import (
    VALID_KVNRS,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_request,
    make_senior,
    make_user,
    make_volunteer,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)


@pytest.fixture
def world(app_ctx, tmp_path, monkeypatch):
    """Anna (Entlastung, October billed) with Erika; Berta (Besuchsdienst, never billed) with Fritz."""
    monkeypatch.setitem(app_ctx.config, "NOW", NOW)
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    kasse = make_pflegekasse()
    anna = make_senior(
        first_name="Anna",
        last_name="Abel",
        pflegegrad=2,
        pflegekasse=kasse,
        has_dementia=True,
        care_notes="Mag Kreuzworträtsel",
        phone="0231 111",
        contact_name="Tochter Ute",
    )
    berta = make_senior(first_name="Berta", last_name="Brandt", care_notes="Hund im Haus", phone="0231 222")
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True, phone="0170 1")
    fritz = make_volunteer(first_name="Fritz", last_name="Fuchs", email="fritz@example.org")
    p_anna = make_pairing(volunteer=erika, senior=anna, starts_on=date(2026, 10, 1))
    p_berta = make_pairing(volunteer=fritz, senior=berta, starts_on=date(2026, 10, 1))
    for day in (5, 12):
        make_appointment(pairing=p_anna, on=date(2026, 10, day), status="stattgefunden", actual_minutes=120)
        make_appointment(pairing=p_berta, on=date(2026, 10, day + 1), status="stattgefunden", actual_minutes=60)
    future_anna = make_appointment(pairing=p_anna, on=date(2026, 12, 7), note="Arzttermin danach")
    future_berta = make_appointment(pairing=p_berta, on=date(2026, 12, 8))
    make_provider()
    result = run_month(Month(2026, 10), out_dir=tmp_path / "okt", today=TODAY, issued_on=TODAY)
    commit_with_files(result.staged)
    request_anna = make_request(senior=anna, notes="möchte Türkisch sprechen")
    request_berta = make_request(senior=berta)
    change_status(request_berta, "vorgeschlagen", user=None)
    # Rows hanging on Berta's and Fritz's data: markers, links, alerts, offers, rejections, budget, mails.
    db.session.add_all(
        [
            NotificationMarker(key=f"reminder:{future_berta.id}", appointment_id=future_berta.id),
            UsedLink(nonce="n1", purpose="confirm", appointment_id=future_berta.id, outcome="ok"),
            AppointmentAlert(appointment_id=future_berta.id, kind="abgesagt"),
            CoverOffer(appointment_id=future_berta.id, volunteer_id=erika.id),
            CoverOffer(appointment_id=future_anna.id, volunteer_id=fritz.id),
            MatchRejection(request_id=request_berta.id, volunteer_id=erika.id),
            MatchRejection(request_id=request_anna.id, volunteer_id=fritz.id),
            BudgetOtherUse(senior_id=berta.id, month=date(2026, 10, 1), amount=10, note="Nachbarschaftshilfe"),
            PflegegradPeriod(senior_id=anna.id, grade=2, valid_from=date(2026, 1, 1)),
            OutboxMessage(kind="reminder", recipient=erika.email, subject="Erinnerung", body_text="Hallo Erika"),
            OutboxMessage(kind="reminder", recipient="fritz@example.org", subject="Erinnerung", body_text="Hallo"),
            ContactEntry(on=TODAY, channel="telefon", with_whom="Tochter Ute", note="Termin passt", senior=anna),
            ContactEntry(on=TODAY, channel="brief", with_whom="Berta", senior=berta, request=request_berta),
            ContactEntry(on=TODAY, channel="besuch", with_whom="Fritz", note="Hausbesuch", volunteer=fritz),
            ContactEntry(on=TODAY, channel="email", with_whom="Erika", note="Urlaub gemeldet", volunteer=erika),
        ]
    )
    db.session.commit()
    return {"anna": anna, "berta": berta, "erika": erika, "fritz": fritz, "request_anna": request_anna}


def rows_referencing(table_name: str, person_id: int) -> dict[str, int]:
    """Rows per table with a foreign key to ``table_name`` pointing at ``person_id`` (plus the row itself)."""
    counts = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == table_name:
                n = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(fk.parent == person_id))
                if n:
                    counts[f"{table.name}.{fk.parent.name}"] = n
    own = db.metadata.tables[table_name]
    if db.session.scalar(sa.select(sa.func.count()).select_from(own).where(own.c.id == person_id)):
        counts[table_name] = 1
    return counts


def test_export_contains_the_person_with_appointments_and_invoices_and_nobody_else(world):
    data = export_person(world["anna"], now=NOW)
    text = json.dumps(data, ensure_ascii=False)
    assert data["person"]["care_notes"] == "Mag Kreuzworträtsel"
    assert data["person"]["birth_on"] == "1938-05-17"
    assert [a["on"] for a in data["termine"]] == ["2026-10-05", "2026-10-12", "2026-12-07"]
    assert data["anfragen"][0]["notes"] == "möchte Türkisch sprechen"
    assert data["anfragen"][0]["wunschzeiten"][0]["weekday"] == 0
    assert {(i["nummer"], i["anteil_betrag"]) for i in data["rechnungen"]} == {("2026-000001", "30.00")}
    assert [v["amount"] for v in data["abgerechnete_besuche"]] == ["15.00", "15.00"]
    assert data["budget"]["pflegegrad_verlauf"][0]["grade"] == 2
    assert [(c["channel"], c["with_whom"], c["note"]) for c in data["kontakte"]] == [
        ("telefon", "Tochter Ute", "Termin passt")
    ]
    assert "Berta" not in text and "Hund im Haus" not in text and "Fritz" not in text and "Engel" not in text


def test_volunteer_export_has_mails_and_offers_but_no_seniors_health_data(world):
    data = export_person(world["erika"], now=NOW)
    assert [m["body_text"] for m in data["mails"]] == ["Hallo Erika"]
    assert len(data["vertretungsangebote"]) == 1 and len(data["ablehnungen"]) == 1
    assert len(data["abgerechnete_besuche"]) == 2 and "grade" not in data["abgerechnete_besuche"][0]
    assert "calendar_token" not in data["person"]
    assert [c["note"] for c in data["kontakte"]] == ["Urlaub gemeldet"]
    assert "Anna" not in json.dumps(data, ensure_ascii=False)


def test_export_download_is_logged_and_named(world, login):
    response = login("coordinator").get(f"/datenschutz/senioren/{world['anna'].id}/auskunft")
    assert response.status_code == 200
    assert f'filename="auskunft-senior-{world["anna"].id}-2026-11-20.json"' in response.headers["Content-Disposition"]
    assert response.get_json()["person"]["last_name"] == "Abel"
    event = db.session.scalars(sa.select(PrivacyEvent)).one()
    assert (event.kind, event.person_kind, event.person_id) == ("export", "senior", world["anna"].id)
    assert event.by.role == "coordinator"


def test_erasure_without_invoices_removes_every_row_about_the_senior(world, login):
    berta_id = world["berta"].id
    client = login("coordinator")
    page = client.get(f"/datenschutz/senioren/{berta_id}/loeschen").get_data(as_text=True)
    assert "sofort und vollständig gelöscht" in page
    response = client.post(f"/datenschutz/senioren/{berta_id}/loeschen", data={"confirm": "y", "note": "Brief"})
    assert response.status_code == 302
    db.session.expire_all()
    assert rows_referencing("senior", berta_id) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationMarker)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedLink)) == 0
    # Other people stay: Anna, her invoices, Fritz himself.
    assert db.session.get(Senior, world["anna"].id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 1
    assert db.session.get(Volunteer, world["fritz"].id) is not None
    event = db.session.scalars(sa.select(PrivacyEvent)).one()
    assert (event.kind, event.person_id, event.note) == ("erase", berta_id, "auf Antrag; Brief")


def test_erasure_of_a_volunteer_without_billed_visits_removes_them_and_their_mails(world):
    fritz_id = world["fritz"].id
    assert request_erasure(world["fritz"], user=None, now=NOW).outcome == "erase"
    db.session.commit()
    assert rows_referencing("volunteer", fritz_id) == {}
    assert db.session.scalars(sa.select(OutboxMessage.recipient)).all() == [world["erika"].email]
    assert db.session.get(Senior, world["berta"].id).care_notes == "Hund im Haus"


def test_erasure_with_invoices_restricts_the_senior(world, login):
    anna = world["anna"]
    client = login("coordinator")
    page = client.get(f"/datenschutz/senioren/{anna.id}/loeschen").get_data(as_text=True)
    assert "bis zum <strong>31.12.2034</strong>" in page
    client.post(f"/datenschutz/senioren/{anna.id}/loeschen", data={"confirm": "y"})
    db.session.expire_all()
    anna = db.session.get(Senior, anna.id)
    assert (anna.status, anna.retain_until) == ("gesperrt", date(2034, 12, 31))
    assert anna.care_notes is None and anna.has_dementia is False and anna.contact_name is None and anna.phone is None
    assert anna.kvnr and anna.birth_on == date(1938, 5, 17)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BilledVisit)) == 2
    assert world["request_anna"].status == "zurueckgezogen" and world["request_anna"].notes is None
    assert [a.on for a in anna.pairings[0].appointments] == [date(2026, 10, 5), date(2026, 10, 12)]
    assert anna.pairings[0].status == "beendet"
    detail = client.get(f"/seniors/{anna.id}").get_data(as_text=True)
    assert "Gesperrt (DSGVO) bis 31.12.2034" in detail and "Bearbeiten" not in detail
    assert "Abel" not in client.get("/seniors/").get_data(as_text=True)
    with pytest.raises(SeniorError, match="gesperrt"):
        save_senior(anna, first_name="Xaver")
    assert db.session.get(Senior, anna.id).first_name == "Anna"
    assert db.session.scalar(sa.select(PrivacyEvent.kind)) == "restrict"
    assert db.session.scalars(sa.select(ContactEntry.note).order_by(ContactEntry.id)).all() == [
        "",
        "Hausbesuch",
        "Urlaub gemeldet",
    ]  # Anna's log went with the restriction; Berta's, Fritz's and Erika's stay


def test_restricted_volunteer_is_hidden_never_proposed_and_never_mailed(world, login):
    erika = world["erika"]
    other_kvnr = next(k for k in VALID_KVNRS if k != world["anna"].kvnr)
    make_request(senior=make_senior(pflegegrad=3, pflegekasse=world["anna"].pflegekasse, kvnr=other_kvnr))
    db.session.commit()
    assert erika.id in build_instance(today=TODAY, settings=engine_settings()).volunteers
    result = request_erasure(erika, user=make_user(role="admin"), now=NOW)
    db.session.commit()
    assert (result.outcome, result.retain_until) == ("restrict", date(2034, 12, 31))
    assert erika.restricted_at is not None and erika.phone is None and erika.availability == []
    assert erika.id not in build_instance(today=TODAY, settings=engine_settings()).volunteers
    assert db.session.scalars(sa.select(OutboxMessage.recipient)).all() == ["fritz@example.org"]
    # The jobs mail nobody about her: no appointments ahead, no certificate reminder.
    erika.fuehrungszeugnis_on = date(2015, 1, 1)
    db.session.commit()
    for job in ("roll_horizon", "confirmation_requests", "reminders", "certificate_reminders"):
        run_job(job, now=NOW)
    assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.recipient == erika.email)) == 0
    client = login("coordinator")
    assert "Engel" not in client.get("/volunteers/").get_data(as_text=True)
    detail = client.get(f"/volunteers/{erika.id}").get_data(as_text=True)
    assert "Gesperrt (DSGVO) bis 31.12.2034" in detail and "Bearbeiten" not in detail
    assert client.get(f"/datenschutz/ehrenamtliche/{erika.id}/loeschen").status_code == 302


def test_purge_erases_restricted_people_after_retention_only(world, app_ctx, monkeypatch):
    anna_id = world["anna"].id
    request_erasure(world["anna"], user=None, now=NOW)
    db.session.commit()
    assert purge(now=datetime(2034, 12, 31, 12, tzinfo=UTC)) == []
    runner = app_ctx.test_cli_runner()
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2035, 1, 2, 12, tzinfo=UTC))
    dry = runner.invoke(args=["dsgvo", "purge", "--dry-run"])
    assert "1 Person(en) würden gelöscht" in dry.output
    assert db.session.get(Senior, anna_id) is not None
    assert run_job("dsgvo_purge", now=datetime(2035, 1, 2, 12, tzinfo=UTC)).startswith("1 Person(en)")
    db.session.expire_all()
    assert rows_referencing("senior", anna_id) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0
    kinds = db.session.scalars(sa.select(PrivacyEvent.kind).order_by(PrivacyEvent.id)).all()
    assert kinds == ["restrict", "erase"]


def test_cli_export_writes_json(world, app_ctx, tmp_path):
    out = tmp_path / "auskunft.json"
    result = app_ctx.test_cli_runner().invoke(args=["dsgvo", "export", "volunteer", str(world["fritz"].id), str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["email"] == "fritz@example.org"
    assert db.session.scalar(sa.select(PrivacyEvent.note)) == "Kommandozeile"


def test_accounting_may_not_and_anonymous_must_log_in(world, login, client):
    anna_id = world["anna"].id
    for url in (f"/datenschutz/senioren/{anna_id}/auskunft", f"/datenschutz/senioren/{anna_id}/loeschen"):
        assert login("accounting").get(url).status_code == 403
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert (
        login("accounting").post(f"/datenschutz/senioren/{anna_id}/loeschen", data={"confirm": "y"}).status_code == 403
    )
    assert db.session.get(Senior, anna_id).restricted_at is None
    assert "Auskunft (Art. 15)" not in login("accounting").get(f"/seniors/{anna_id}").get_data(as_text=True)


def test_erasure_needs_the_confirmation(world, login):
    response = login("coordinator").post(f"/datenschutz/senioren/{world['berta'].id}/loeschen", data={})
    assert "Bitte bestätigen Sie den Antrag." in response.get_data(as_text=True)
    assert db.session.get(Senior, world["berta"].id) is not None


def test_no_new_request_for_a_restricted_senior(app_ctx, coordinator):
    from begleitservice.models import Request
    from begleitservice.requests.operations import RequestError, save_request
    from tests.factories import make_senior

    senior = make_senior(status="gesperrt", restricted_at=datetime(2026, 11, 1, tzinfo=UTC))
    coordinator.post(
        "/requests/neu",
        data={
            "senior_id": senior.id,
            "service": "besuchsdienst",
            "visits_per_week": "1",
            "minutes_per_visit": "120",
            "windows": "Mo 09:00-12:00",
            "urgency": "1",
            "received_on": "2026-11-02",
            "source": "Seniorenbüro Eving",
        },
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Request)) == 0
    with pytest.raises(RequestError, match="gesperrt"):
        save_request(
            Request(),
            senior=senior,
            service="besuchsdienst",
            visits_per_week=1,
            minutes_per_visit=120,
            windows=[(0, 540, 720)],
            languages="",
            volunteer_gender=None,
            urgency=1,
            received_on=date(2026, 11, 2),
            source=None,
            notes=None,
            user=None,
        )
    db.session.rollback()
