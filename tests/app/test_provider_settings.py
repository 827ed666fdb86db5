"""Provider and billing settings: the admin page validates and keeps history, the run refuses numbered invoices
without complete provider data, and the documents print the provider's data of their day."""

import html
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import ProviderIncomplete, run_month
from begleitservice.budget.inputs import billing_config
from begleitservice.extensions import db
from begleitservice.models import AuditEvent, BillingRate, BillingRun, Invoice, InvoiceCounter, ProviderVersion
from begleitservice.provider.settings import provider_on
from billing.month import Month
from tests.factories import (
    TEST_IBAN,
    VALID_IKS,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_senior,
    make_volunteer,
)

TODAY = date(2026, 11, 20)
OCTOBER = Month(2026, 10)
PROVIDER_FORM = {
    "valid_from": "2026-11-01",
    "name": "Seniorenbegleitservice Musterstadt",
    "address": "Musterstraße 1\r\n44135 Musterstadt",
    "ik": "100696012",
    "recognition": "Anerkennung nach AnFöVO NRW, Az. 47.11",
    "account_holder": "Stadt Musterstadt",
    "iban": "DE02 1203 0000 0000 2020 51",
    "bic": "BYLADEM1001",
    "payment_days": "21",
    "note": "Die Leistungen sind nach § 4 Nr. 16 UStG umsatzsteuerfrei.",
}


@pytest.fixture
def today(app_ctx, monkeypatch):
    """The service's today is 20 November 2026."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    return TODAY


@pytest.fixture
def admin(login, today):
    """A test client logged in as admin."""
    return login("admin")


@pytest.fixture
def october(today):
    """October 2026: one Entlastung senior with an Abtretung and two visits, ready to bill."""
    kasse = make_pflegekasse(
        name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269", city="Dortmund"
    )
    senior = make_senior(
        first_name="Anna", last_name="Abel", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 1, 1)
    )
    volunteer = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    pairing = make_pairing(volunteer=volunteer, senior=senior, starts_on=date(2026, 10, 1))
    for day in (5, 12):
        make_appointment(pairing=pairing, on=date(2026, 10, day), status="stattgefunden", actual_minutes=120)
    return senior


def field_error(response, field: str) -> str:
    """The German message shown at a form field."""
    match = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
    assert match, f"no message at {field}"
    return html.unescape(match[1])


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace collapsed."""
    return " ".join("\n".join(page.extract_text() for page in PdfReader(path).pages).split())


# --- the settings page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("ik", "100696013", "Die Prüfziffer des Institutionskennzeichens (IK) stimmt nicht – bitte die Nummer prüfen."),
        ("ik", "12345", "Das Institutionskennzeichen (IK) besteht aus genau neun Ziffern."),
        ("iban", "DE03 1203 0000 0000 2020 51", "Die Prüfziffer der IBAN stimmt nicht – bitte die Nummer prüfen."),
        (
            "iban",
            "DE02 1203 0000 0000 2020 5",
            "Eine IBAN aus DE hat 22 Stellen, diese hat 21 – bitte die Nummer prüfen.",
        ),
        ("bic", "BYLA", "Der BIC hat 8 oder 11 Zeichen, z. B. BYLADEM1001."),
        ("payment_days", "400", "Bitte ein Zahlungsziel von 0 bis 365 Tagen angeben."),
    ],
)
def test_a_wrong_ik_iban_or_bic_is_a_german_message_and_saves_nothing(admin, field, value, message):
    response = admin.post("/admin/traeger/", data={**PROVIDER_FORM, field: value})
    assert response.status_code == 200
    assert field_error(response, field) == message
    assert "Es wurde nichts gespeichert." in response.get_data(as_text=True)
    assert count(ProviderVersion) == 0


def test_saving_keeps_every_version_with_who_and_when(admin, app_ctx):
    first = admin.post("/admin/traeger/", data=PROVIDER_FORM, follow_redirects=True)
    assert "Trägerdaten gespeichert (gültig ab 01.11.2026)." in first.get_data(as_text=True)
    moved = {**PROVIDER_FORM, "valid_from": "2027-01-01", "address": "Neuer Weg 2\r\n44137 Musterstadt"}
    page = admin.post("/admin/traeger/", data=moved, follow_redirects=True).get_data(as_text=True)

    versions = db.session.scalars(sa.select(ProviderVersion).order_by(ProviderVersion.id)).all()
    assert [(v.valid_from, v.address) for v in versions] == [
        (date(2026, 11, 1), "Musterstraße 1\n44135 Musterstadt"),
        (date(2027, 1, 1), "Neuer Weg 2\n44137 Musterstadt"),
    ]
    assert all(v.changed_by and v.changed_by.role == "admin" and v.changed_at for v in versions)
    assert versions[0].iban == TEST_IBAN  # stored without spaces
    assert provider_on(date(2026, 10, 31)).name == ""  # before the first version: nothing
    assert provider_on(date(2026, 12, 31)).address == ("Musterstraße 1", "44135 Musterstadt")
    assert provider_on(date(2027, 1, 1)).address == ("Neuer Weg 2", "44137 Musterstadt")
    assert "vollständig" in page and page.count("Seniorenbegleitservice Musterstadt</td>") == 2  # history table
    assert "<td>erste Fassung</td>" in page and "<td>Anschrift</td>" in page  # what each version changed


def test_only_admins_see_the_settings(login, today):
    assert login("accounting").get("/admin/traeger/").status_code == 403
    assert login("coordinator").post("/admin/traeger/", data=PROVIDER_FORM).status_code == 403
    assert count(ProviderVersion) == 0


def test_rates_are_dated_and_kept_as_history(admin):
    response = admin.post(
        "/admin/traeger/saetze",
        data={"kind": "km_rate", "valid_from": "2027-01-01", "amount": "0,35"},
        follow_redirects=True,
    )
    assert "Fahrtkosten je Kilometer: 0,35 € ab 01.01.2027 gespeichert." in response.get_data(as_text=True)
    admin.post("/admin/traeger/saetze", data={"kind": "hourly_rate", "valid_from": "2027-01-01", "amount": "8"})
    config = billing_config()
    assert config.km_rate.value_on(date(2026, 12, 31)) == Decimal("0.30")  # the configured default stays
    assert config.km_rate.value_on(date(2027, 1, 1)) == Decimal("0.35")
    assert config.hourly_rate.value_on(date(2026, 12, 31)) == Decimal("7.50")
    assert config.hourly_rate.value_on(date(2027, 3, 1)) == Decimal("8.00")
    page = admin.get("/admin/traeger/").get_data(as_text=True).replace("\xa0", " ")
    assert "Vorgabe der Konfiguration" in page and "0,35 €" in page and "0,30 €" in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"amount": "0"}, "amount", "Bitte einen Betrag über 0 und höchstens 1.000,00 € angeben."),
        ({"amount": "zwölf"}, "amount", "„zwölf“ ist kein Betrag wie 12,50."),
        ({"kind": "bonus"}, "kind", "Keine gültige Auswahl."),
    ],
)
def test_a_wrong_rate_saves_nothing(admin, data, field, message):
    form = {"kind": "km_rate", "valid_from": "2027-01-01", "amount": "0,35", **data}
    response = admin.post("/admin/traeger/saetze", data=form)
    assert field_error(response, field) == message
    assert count(BillingRate) == 0


def test_a_rate_cannot_change_a_billed_month(admin, october, tmp_path):
    make_provider()
    commit_with_files(run_month(OCTOBER, out_dir=tmp_path, today=TODAY, issued_on=TODAY).staged)
    response = admin.post(
        "/admin/traeger/saetze", data={"kind": "allowance_per_hour", "valid_from": "2026-10-01", "amount": "6"}
    )
    assert field_error(response, "valid_from") == (
        "Bis 31.10.2026 ist abgerechnet; ein neuer Satz kann frühestens ab 01.11.2026 gelten."
    )
    assert count(BillingRate) == 0


# --- the run ------------------------------------------------------------------------------------------------------


def test_the_run_refuses_numbered_invoices_without_provider_data(october, tmp_path):
    with pytest.raises(ProviderIncomplete) as refused:
        run_month(OCTOBER, out_dir=tmp_path, today=TODAY, issued_on=TODAY)
    message = str(refused.value)
    assert message.startswith("Rechnungen mit Nummer können erst erstellt werden, wenn die Trägerdaten vollständig")
    for missing in ("Name des Trägers fehlt.", "Institutionskennzeichen (IK) fehlt.", "IBAN fehlt.", "Anschrift"):
        assert missing in message
    assert "/admin/traeger/" in message and "es wurde nichts abgerechnet" in message
    db.session.rollback()
    assert count(BillingRun) == count(Invoice) == 0
    assert not list(tmp_path.iterdir())


def test_an_invalid_stored_iban_is_refused_too(october, tmp_path):
    make_provider(iban="DE03120300000000202051")  # e.g. stored before the check existed
    with pytest.raises(ProviderIncomplete, match="Die Prüfziffer der IBAN stimmt nicht"):
        run_month(OCTOBER, out_dir=tmp_path, today=TODAY, issued_on=TODAY)


def test_the_run_page_says_what_is_missing_and_links_to_the_settings(login, october):
    accounting = login("accounting")
    page = accounting.get("/abrechnung/lauf?monat=2026-10").get_data(as_text=True)
    assert "Trägerdaten unvollständig" in page and 'href="/admin/traeger/"' in page
    response = accounting.post("/abrechnung/lauf", data={"month": "2026-10"}, follow_redirects=True)
    text = html.unescape(response.get_data(as_text=True))
    assert "Rechnungen mit Nummer können erst erstellt werden" in text and "IBAN fehlt." in text
    assert count(BillingRun) == count(Invoice) == 0
    assert db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(InvoiceCounter.last_seq), 0))) == 0


def test_documents_print_the_provider_of_their_day_instead_of_placeholders(admin, october, tmp_path):
    make_provider(name="Alter Name (gilt nicht mehr)", valid_from=date(2020, 1, 1))
    admin.post("/admin/traeger/", data=PROVIDER_FORM)  # valid from 1 November: the run is issued on 20 November
    result = run_month(OCTOBER, out_dir=tmp_path, today=TODAY, issued_on=TODAY)
    commit_with_files(result.staged)
    (invoice,) = db.session.scalars(sa.select(Invoice)).all()
    text = pdf_text(tmp_path / invoice.pdf_file)
    assert "Seniorenbegleitservice Musterstadt · Musterstraße 1 · 44135 Musterstadt" in text
    assert "IK Leistungserbringer 100696012" in text
    assert "Anerkennung Anerkennung nach AnFöVO NRW, Az. 47.11" in text
    assert "bis zum 11.12.2026 auf das unten genannte Konto" in text
    assert "Kontoinhaber Stadt Musterstadt" in text and "IBAN DE02 1203 0000 0000 2020 51" in text
    assert "Die Leistungen sind nach § 4 Nr. 16 UStG umsatzsteuerfrei." in text
    assert "bitte eintragen" not in text and "Alter Name" not in text
    (note,) = [p for p in tmp_path.iterdir() if p.name.startswith("Leistungsnachweis")]
    facts = pdf_text(note)
    assert "Anbieter Seniorenbegleitservice Musterstadt" in facts and "IK 100696012" in facts
    assert "Anerkennung nach AnFöVO NRW, Az. 47.11" in facts and "bitte eintragen" not in facts


def test_settings_changes_are_in_the_audit_trail_with_the_admin(admin):
    admin.post("/admin/traeger/", data=PROVIDER_FORM)
    admin.post("/admin/traeger/", data={**PROVIDER_FORM, "iban": "GB82 WEST 1234 5698 7654 32"})
    admin.post("/admin/traeger/saetze", data={"kind": "km_rate", "valid_from": "2027-01-01", "amount": "0,35"})
    db.session.rollback()
    rows = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity.in_(["provider_settings", "billing_rate"]))
        .order_by(AuditEvent.id)
    ).all()
    assert [(r.entity, r.action) for r in rows] == [
        ("provider_settings", "create"),
        ("provider_settings", "create"),
        ("billing_rate", "create"),
    ]
    assert all(r.user and r.user.role == "admin" for r in rows)
    assert rows[1].changes["iban"][1] == "GB82WEST12345698765432"
    assert rows[2].changes["amount"][1] in ("0.35", 0.35)
