"""The coordination's contact data (phone, hours, reply address) as settings: in every mail and on every link page."""

from datetime import date
from email.utils import parseaddr

from tests.app.test_scheduling_links import mail_for_visit
from tests.app.test_scheduling_support import clock_fixture, link_path, smtp_fixture  # noqa: F401 (fixtures)
from tests.factories import make_provider

PHONE, HOURS, EMAIL = "0231 50-12345", "Mo–Do 9–12 Uhr", "koordination@example.org"


def test_mails_and_link_pages_name_the_coordination(client, smtp, clock):
    make_provider(valid_from=date(2020, 1, 1), contact_phone=PHONE, contact_hours=HOURS, contact_email=EMAIL)
    message, _appointment = mail_for_visit(smtp, clock)

    assert message["Reply-To"] == EMAIL
    assert parseaddr(message["From"])[0]  # a name, not a bare address (MAIL_DEFAULT_SENDER's, else the provider's)
    text = message.get_body(("plain",)).get_content()
    assert f"Fragen? Koordination: Telefon {PHONE} ({HOURS}) · {EMAIL}" in text
    html = message.get_body(("html",)).get_content()
    assert f"Fragen? Koordination: Telefon {PHONE} ({HOURS})" in html
    page = client.get(link_path(message, "bestaetigen")).get_data(as_text=True)
    assert 'href="tel:023150-12345"' in page and HOURS in page and f"mailto:{EMAIL}" in page


def test_without_contact_data_mails_say_nothing_wrong(smtp, clock):
    message, _appointment = mail_for_visit(smtp, clock)
    assert "Fragen? Koordination" not in message.get_body(("plain",)).get_content()
    assert message["Reply-To"] is None


def test_a_bare_sender_address_gets_the_providers_name(app_ctx, smtp, clock, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "MAIL_DEFAULT_SENDER", "noreply@example.org")
    make_provider(valid_from=date(2020, 1, 1))
    message, _appointment = mail_for_visit(smtp, clock)
    assert parseaddr(message["From"]) == ("Seniorenbegleitservice Musterstadt Test", "noreply@example.org")


def test_settings_page_checks_the_contact_data(login):
    admin = login("admin")
    base = {
        "valid_from": "2026-01-01",
        "name": "Träger",
        "payment_days": "14",
        "contact_phone": "ruf an",
        "contact_email": "keine-adresse",
    }
    page = admin.post("/admin/traeger/", data=base).get_data(as_text=True)
    assert "Bitte eine Telefonnummer aus Ziffern" in page
    saved = admin.post(
        "/admin/traeger/", data={**base, "contact_phone": PHONE, "contact_email": EMAIL}, follow_redirects=True
    ).get_data(as_text=True)
    assert PHONE in saved and EMAIL in saved
