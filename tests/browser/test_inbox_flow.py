"""The coordinators' inbox in a browser: a volunteer declines by the link, the coordinator gets a mail (real SMTP),
finds the item on the start page, takes it, finds a stand-in, and the item closes itself when the stand-in accepts."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.app.test_scheduling_links import mail_for_visit
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    link_path,
    run,
    smtp_fixture,
    text_of,
)
from tests.factories import make_volunteer

pytestmark = pytest.mark.browser


def _path(message, pattern: str) -> str:
    """The path of the first URL in the mail's text that matches ``pattern``."""
    for url in re.findall(r"https?://\S+", text_of(message)):
        if re.search(pattern, url):
            return urlsplit(url).path
    raise AssertionError(f"no {pattern} in {text_of(message)}")


def test_decline_mail_inbox_assign_stand_in_resolves(new_page, app_ctx, smtp, clock):
    message, _ = mail_for_visit(smtp, clock)  # Monday 7 December, 10–12, Erika visits Hildegard B.
    make_volunteer(
        first_name="Sven", last_name="Springer", email="sven@example.org", phone="0170 1234567", offers_entlastung=True
    )
    clock(berlin(2026, 12, 6, 9))  # Sunday morning: 25 hours before the visit
    coordinator = new_page(role="coordinator", name="Clara Koordinatorin")
    clara = coordinator.evaluate("document.querySelector('.who').textContent")
    assert "Clara Koordinatorin" in clara

    volunteer = new_page(width=390, height=844, touch=True)
    volunteer.goto(link_path(message, "absagen"))
    volunteer.get_by_label("Grund (freiwillig)").fill("Ich habe Grippe.")
    volunteer.get_by_role("button", name="Termin absagen").click()
    expect(volunteer.get_by_text("Der Termin ist abgesagt.")).to_be_visible()

    run("send_outbox")
    (notice,) = [m for m in smtp.messages if m["Subject"] == "Kurzfristige Absage: Besuch am 07.12.2026"]
    assert "Clara Koordinatorin" in text_of(notice) and "Erika" in text_of(notice)
    coordinator.goto(_path(notice, r"/termine/\d+$"))
    expect(coordinator.locator("main")).to_contain_text("Ich habe Grippe.")

    coordinator.goto("/")
    declines = coordinator.locator("section#absagen")
    expect(declines.get_by_role("heading", level=2)).to_contain_text("Absagen: Vertretung finden")
    row = declines.get_by_role("row", name=re.compile("07.12.2026"))
    expect(row).to_contain_text("Ich habe Grippe.")
    row.get_by_text("Bearbeiten").click()
    row.get_by_role("button", name="Mir zuweisen").click()
    expect(coordinator.get_by_role("status")).to_have_text("Die Aufgabe ist Ihnen zugewiesen.")
    row = coordinator.locator("section#absagen").get_by_role("row", name=re.compile("07.12.2026"))
    expect(row).to_contain_text("bei mir")

    row.get_by_role("link", name="Vertretung suchen").click()
    coordinator.get_by_label("Sven Springer anfragen").check()
    coordinator.get_by_role("button", name="Angebot senden").click()
    expect(coordinator.get_by_role("status")).to_have_text("Angebot an 1 Person(en) verschickt.")

    run("send_outbox")
    (offer,) = [m for m in smtp.messages if "sven@example.org" in m["To"]]
    stand_in = new_page(width=390, height=844, touch=True)
    stand_in.goto(_path(offer, r"/link/vertretung/"))
    stand_in.get_by_role("button", name="Ich übernehme den Termin").click()
    expect(stand_in.locator("main")).to_contain_text("Sie übernehmen diesen Termin.")

    coordinator.goto("/")
    expect(coordinator.locator("section#absagen")).to_have_count(0)  # solved: it closed itself
    call = coordinator.locator("section#vertretungen")
    expect(call).to_contain_text("Sven Springer")
    expect(call).to_contain_text("Tel. 0170 1234567")
    expect(call).to_contain_text("Evinger Straße 1, 44339 Dortmund")

    run("send_outbox")
    subjects = [m["Subject"] for m in smtp.messages if "Clara" in text_of(m)]
    assert "Vertretung zugesagt: Besuch am 07.12.2026" in subjects
