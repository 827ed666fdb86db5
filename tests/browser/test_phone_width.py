"""On a phone (390 px wide) the navigation and the list pages fit the screen; wide tables scroll inside their box."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_pflegekasse, make_senior

pytestmark = pytest.mark.browser

WIDTH = 390


def _body_overflow(page) -> int:
    """How many pixels the page is wider than the screen (0 when nothing sticks out sideways), measured once the
    page has loaded its stylesheet: under load a heading can be visible before app.css has arrived, and an
    unstyled table is wider than a phone."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_navigation_and_senior_list_fit_a_phone(phone_page):
    kasse = make_pflegekasse()
    for n in range(3):
        make_senior(last_name=f"Schulte-Langenberg{n}", pflegegrad=2, pflegekasse=kasse)
    page = phone_page
    page.reload()
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    for name in ("Übersicht", "Anfragen", "Ehrenamtliche", "Senior:innen", "Begleitungen", "Pflegekassen"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for link in nav.get_by_role("link").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, link.inner_text()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    assert _body_overflow(page) == 0

    nav.get_by_role("link", name="Senior:innen").click()
    expect(page.get_by_role("heading", name="Senior:innen")).to_be_visible()
    expect(page.get_by_role("link", name="Neue Senior:in")).to_be_visible()
    expect(page.get_by_label("Suche")).to_be_visible()
    assert _body_overflow(page) == 0
    page.get_by_label("Suche").fill("Langenberg1")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("link", name="Schulte-Langenberg1, Hildegard")).to_be_visible()
    expect(page.get_by_role("link", name="Schulte-Langenberg0, Hildegard")).to_have_count(0)
    assert _body_overflow(page) == 0

    page.get_by_role("link", name="Schulte-Langenberg1, Hildegard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Schulte-Langenberg1")
    assert _body_overflow(page) == 0

    page.get_by_role("link", name="Bearbeiten").click()
    expect(page.get_by_label("Nachname")).to_have_value("Schulte-Langenberg1")
    assert _body_overflow(page) == 0
