"""The audit trail: rows for every create, change and delete of the audited models, in the same transaction;
views, logins, downloads and exports; the admin page with its filters and masks; retention; the access export."""

import html
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from begleitservice import audit
from begleitservice.audit.commands import audit_command
from begleitservice.extensions import db
from begleitservice.models import AuditEvent, Senior, User
from begleitservice.models.budget import BudgetOpening, BudgetOtherUse, PflegegradPeriod, UmwandlungDeclaration
from begleitservice.privacy.export import export_person
from begleitservice.privacy.operations import erase
from tests.factories import make_appointment, make_pairing, make_request, make_senior, make_user, make_volunteer


def events(**where) -> list[AuditEvent]:
    """The audit rows matching ``where`` (column=value), oldest first."""
    db.session.expire_all()
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return list(db.session.scalars(query))


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def listed(response) -> str:
    """The table rows of the audit page (the filter's name lists left out)."""
    assert response.status_code == 200
    return page(response).partition("<tbody>")[2]


# --- create, update, delete of every audited model ----------------------------------------------------------


def _senior_budget_rows(senior: Senior):
    yield PflegegradPeriod(senior=senior, grade=2, valid_from=date(2026, 1, 1))
    yield BudgetOpening(senior=senior, as_of=date(2026, 1, 1), current_year=Decimal("131.00"), source="Kasse")
    yield BudgetOtherUse(senior=senior, month=date(2026, 2, 1), amount=Decimal("20.00"), note="Pflegedienst")
    yield UmwandlungDeclaration(senior=senior, month=date(2026, 3, 1), amount=Decimal("100.00"))


MAKERS = {
    "senior": lambda: make_senior(pflegegrad=2, care_notes="Demenz"),
    "volunteer": lambda: make_volunteer(),
    "request": lambda: make_request(),
    "pairing": lambda: make_pairing(),
    "appointment": lambda: make_appointment(),
    "user": lambda: make_user(role="accounting"),
}
EDITS = {
    "senior": ("street", "Neue Straße 2"),
    "volunteer": ("phone", "0231 99"),
    "request": ("urgency", 3),
    "pairing": ("interval_weeks", 2),
    "appointment": ("note", "verschoben"),
    "user": ("name", "Neuer Name"),
}


@pytest.mark.parametrize("entity", sorted(MAKERS))
def test_create_update_delete_are_recorded_with_the_changed_fields(app_ctx, entity):
    obj = MAKERS[entity]()
    created = events(entity=entity, entity_id=obj.id, action="create")
    assert len(created) == 1
    field, value = EDITS[entity]
    old = getattr(obj, field)
    setattr(obj, field, value)
    db.session.commit()
    (updated,) = events(entity=entity, entity_id=obj.id, action="update")
    assert updated.changes == {field: [old, value]}
    assert updated.actor.startswith("Kommandozeile") or updated.actor == "System"
    if entity == "appointment":
        expected = (obj.pairing.senior_id, obj.pairing.volunteer_id)
        assert (updated.senior_id, updated.volunteer_id) == expected
    ident = obj.id
    db.session.delete(obj)
    db.session.commit()
    (deleted,) = events(entity=entity, entity_id=ident, action="delete")
    assert deleted.changes[field] == [value, None]


def test_budget_entries_are_recorded_with_their_senior(app_ctx):
    senior = make_senior(pflegegrad=2)
    rows = list(_senior_budget_rows(senior))
    db.session.add_all(rows)
    db.session.commit()
    kinds = {e.entity for e in events(action="create", senior_id=senior.id)}
    assert {"pflegegrad_period", "budget_opening", "budget_other_use", "umwandlung"} <= kinds
    rows[1].current_year = Decimal("100.00")
    db.session.commit()
    (change,) = events(entity="budget_opening", action="update")
    assert change.changes == {"current_year": ["131.00", "100.00"]}


def test_a_rolled_back_change_leaves_no_audit_row_and_a_second_flush_no_double(app_ctx):
    senior = make_senior()
    senior.street = "Erst"
    db.session.flush()
    db.session.rollback()
    assert events(entity="senior", action="update") == []
    senior = db.session.get(Senior, senior.id)
    senior.street = "Zweit"
    db.session.flush()
    db.session.flush()
    db.session.commit()
    assert len(events(entity="senior", action="update")) == 1


def test_secrets_are_never_stored(app_ctx):
    user = make_user()
    user.set_password("ganz-anderes-passwort-77")
    db.session.commit()
    (change,) = events(entity="user", action="update")
    assert change.changes == {"password_hash": ["(geheim)", "(geheim)"]}
    (create,) = events(entity="user", action="create")
    assert "pbkdf2" not in json.dumps(create.changes) and "scrypt" not in json.dumps(create.changes)


# --- through the pages: who, view, login, download -----------------------------------------------------------


def test_a_coordinators_edit_is_recorded_with_the_coordinator(app_ctx, login):
    client = login("coordinator")
    senior = make_senior(first_name="Gertrud", last_name="Kowalski")
    form = client.get(f"/seniors/{senior.id}/bearbeiten")
    assert form.status_code == 200
    coordinator = db.session.scalar(sa.select(User).where(User.role == "coordinator"))
    from tests.app.test_seniors import _form

    response = client.post(f"/seniors/{senior.id}/bearbeiten", data=_form(pflegegrad="", kvnr="", status="aktiv"))
    assert response.status_code == 302
    (change,) = events(entity="senior", action="update", entity_id=senior.id)
    assert change.user_id == coordinator.id and coordinator.email in change.actor
    assert change.changes["street"] == ["Evinger Straße 1", "Nordmarkt 5"]
    assert change.changes["care_notes"] == [None, "Mag Kreuzworträtsel"]


def test_opening_a_senior_is_recorded(app_ctx, login):
    client = login("accounting")
    senior = make_senior()
    assert client.get(f"/seniors/{senior.id}").status_code == 200
    (view,) = events(action="view", senior_id=senior.id)
    assert view.user.role == "accounting" and view.entity == "senior" and view.entity_id == senior.id


def test_logins_successful_and_failed_are_recorded(app_ctx, client):
    user = make_user(email="anna@example.org")
    client.post("/login", data={"email": "anna@example.org", "password": "falsch-falsch-falsch"})
    client.post("/login", data={"email": "unbekannt-audit@example.org", "password": "egal-egal-egal-1"})
    client.post("/login", data={"email": "anna@example.org", "password": "richtig-geheim-123"})
    failed = events(action="login_failed")
    assert [(e.entity_id, e.label, e.detail) for e in failed] == [
        (user.id, str(user), "falsches Passwort"),
        (None, "unbekannt-audit@example.org", "unbekannte E-Mail-Adresse"),
    ]
    (success,) = events(action="login")
    assert success.user_id == user.id and success.ip == "127.0.0.1"


def test_a_download_is_recorded_before_it_leaves(app_ctx, login):
    client = login("coordinator")
    senior = make_senior()
    response = client.get(f"/datenschutz/senioren/{senior.id}/auskunft")
    assert response.status_code == 200
    (download,) = events(action="download")
    assert download.senior_id == senior.id and "auskunft-senior" in download.detail


def test_a_command_line_export_is_recorded(app_ctx, tmp_path):
    make_volunteer()
    result = app_ctx.test_cli_runner().invoke(args=["export", "volunteers", str(tmp_path / "ehrenamt.csv")])
    assert result.exit_code == 0, result.output
    (export,) = events(action="export")
    assert "export volunteers" in export.detail and export.actor.startswith("Kommandozeile")


# --- admin page ----------------------------------------------------------------------------------------------


def test_admin_page_masks_health_fields(app_ctx, login):
    admin = login("admin")
    senior = make_senior(first_name="Hilde", pflegegrad=2, has_dementia=True, care_notes="Demenz im Anfangsstadium")
    senior.pflegegrad, senior.street = 3, "Hafenweg 7"
    db.session.commit()
    text = listed(admin.get(f"/admin/protokoll/?senior={senior.id}"))
    assert "Straße: Evinger Straße 1 → Hafenweg 7" in text
    assert "Pflegegrad: ••• → •••" in text and "Pflegegrad: – → •••" in text
    assert "Demenz im Anfangsstadium" not in text and "Demenz: – → •••" in text and "Pflegehinweise: – → •••" in text


def test_admin_page_filters_by_person_user_date_and_action(app_ctx, login, monkeypatch):
    admin = login("admin")
    hilde, otto = make_senior(first_name="Hilde"), make_senior(first_name="Otto")
    erika = make_volunteer(first_name="Erika")
    make_pairing(senior=hilde, volunteer=erika)
    old = datetime(2026, 1, 10, 12, tzinfo=UTC)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.senior_id == otto.id).values(at=old))
    db.session.commit()

    by_senior = listed(admin.get(f"/admin/protokoll/?senior={hilde.id}&action=create"))
    assert "Hilde" in by_senior and "Otto" not in by_senior and "Begleitung" in by_senior
    by_volunteer = listed(admin.get(f"/admin/protokoll/?volunteer={erika.id}&action=create"))
    assert "Begleitung" in by_volunteer and "Otto" not in by_volunteer
    by_typed_senior = listed(admin.get("/admin/protokoll/?senior_name=hilde&action=create"))
    assert "Hilde" in by_typed_senior and "Otto" not in by_typed_senior
    by_typed_volunteer = listed(admin.get("/admin/protokoll/?volunteer_name=erika&action=create"))
    assert "Begleitung" in by_typed_volunteer and "Otto" not in by_typed_volunteer
    assert "Hilde" not in listed(admin.get("/admin/protokoll/?senior_name=niemand"))
    by_date = listed(admin.get("/admin/protokoll/?von=2026-01-10&bis=2026-01-10"))
    assert "Otto" in by_date and "Hilde" not in by_date
    admin_user = db.session.scalar(sa.select(User).where(User.role == "admin"))
    by_user = listed(admin.get(f"/admin/protokoll/?user={admin_user.id}"))
    assert "Anmeldung" in by_user and "Otto" not in by_user
    assert admin.get("/admin/protokoll/?von=gestern").status_code == 400


def test_admin_page_is_paginated(app_ctx, login, monkeypatch):
    admin = login("admin")
    monkeypatch.setitem(app_ctx.config, "ITEMS_PER_PAGE", 2)
    for _ in range(3):
        make_senior()
    first = page(admin.get("/admin/protokoll/"))  # the admin's account and login, three seniors
    assert "Seite 1 von 3 (5 Einträge)" in first
    last = listed(admin.get("/admin/protokoll/?page=3"))
    assert last.count("<tr>") == 1 and "Benutzer Nr." in last


def test_only_admins_see_the_audit_page(login):
    assert login("coordinator").get("/admin/protokoll/").status_code == 403


# --- retention, access export, erasure -----------------------------------------------------------------------


def test_purge_deletes_what_is_older_than_the_retention_and_records_itself(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "AUDIT_RETENTION_DAYS", 30)
    old, new = make_senior(), make_senior()
    moment = datetime.now(UTC) - timedelta(days=31)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.senior_id == old.id).values(at=moment))
    db.session.commit()
    result = CliRunner().invoke(audit_command, ["purge"], obj=None, catch_exceptions=False)
    assert "1 Protokolleinträge älter als 30 Tage gelöscht." in result.output
    assert events(senior_id=old.id) == [] and len(events(senior_id=new.id)) == 1
    (purged,) = events(action="purge")
    assert purged.detail.startswith("1 Einträge vor dem")


def test_access_export_contains_the_persons_audit_rows(app_ctx, login):
    client = login("coordinator")
    senior = make_senior(first_name="Hilde")
    client.get(f"/seniors/{senior.id}")
    data = export_person(senior, now=datetime.now(UTC))
    actions = [e["action"] for e in data["zugriffsprotokoll"]]
    assert actions == ["create", "view"]
    assert data["zugriffsprotokoll"][1]["actor"].startswith("Test coordinator")


def test_erasure_keeps_who_did_what_but_forgets_the_values(app_ctx):
    senior = make_senior(first_name="Hilde", care_notes="Demenz")
    ident = senior.id
    erase(senior, user=None, now=datetime.now(UTC))
    db.session.commit()
    rows = events(senior_id=ident)
    assert {e.action for e in rows} == {"create", "delete"}
    assert all(e.changes is None and e.label == "(gelöscht)" for e in rows)


def test_record_is_public_for_other_features(app_ctx):
    senior = make_senior()
    audit.record("export", senior, detail="Test")
    db.session.commit()
    (event,) = events(action="export")
    assert event.senior_id == senior.id and event.entity == "senior"


def test_provider_settings_and_rates_are_recorded(app_ctx):
    from begleitservice.models.provider import BillingRate, ProviderVersion

    db.session.add(ProviderVersion(valid_from=date(2026, 1, 1), name="Stadt Dortmund", ik="260326822"))
    db.session.add(BillingRate(kind="hourly_rate", valid_from=date(2026, 1, 1), amount=Decimal("7.50")))
    db.session.commit()
    (provider,) = events(entity="provider_settings", action="create")
    assert provider.changes["ik"] == [None, "260326822"] and "changed_at" not in provider.changes
    (rate,) = events(entity="billing_rate", action="create")
    assert rate.changes["amount"] == [None, "7.50"]


def test_a_bulk_update_is_recorded_only_for_the_rows_it_hit(app_ctx):
    from begleitservice.models import Appointment

    appointment = make_appointment()
    lost = db.session.execute(
        sa.update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.status == "abgesagt")
        .values(note="übernommen")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert lost.rowcount == 0 and events(entity="appointment", action="update") == []
    won = db.session.execute(
        sa.update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.status == "geplant")
        .values(note="übernommen")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    (update,) = events(entity="appointment", action="update")
    assert won.rowcount == 1 and update.changes == {"note": [None, "übernommen"]}
    assert update.senior_id == appointment.pairing.senior_id
