"""The report pages in Chromium: charts readable by name, nothing blocked by the policy, a print layout.

Set REPORT_SCREENSHOTS=DIR to keep the screenshots (screen and print) for a look.
"""

import os
from pathlib import Path

import pytest

from tests.report_world import build_report_world

pytestmark = pytest.mark.browser


def _keep(page, tmp_path, name: str) -> Path:
    folder = Path(os.environ.get("REPORT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    page.screenshot(path=str(target), full_page=True)
    return target


def test_report_page_charts_and_print(logged_in_page, app_ctx, tmp_path):
    build_report_world()
    page = logged_in_page
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.get_by_role("link", name="Berichte").click()
    page.get_by_label("Jahr").fill("2025")
    page.get_by_role("button", name="Anzeigen").click()
    page.get_by_role("heading", name="Bericht 2025").wait_for()
    chart = page.get_by_role("img", name="Stunden je Stadtbezirk, 2025")
    assert chart.is_visible()
    assert "Eving: 3,25 Stunden" in chart.locator("desc").text_content()
    assert page.get_by_role("row", name="Gesamt").first.is_visible()
    _keep(page, tmp_path, "bericht.png")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Anzeigen").is_visible()  # the period form stays off paper
    _keep(page, tmp_path, "bericht-druck.png")
    width = page.evaluate("() => document.querySelector('main').scrollWidth")
    page.pdf(path=str(Path(os.environ.get("REPORT_SCREENSHOTS") or tmp_path) / "bericht-druck.pdf"), format="A4")
    assert width <= page.viewport_size["width"]  # nothing sticks out on paper
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Wo Hilfe fehlt").click()
    page.get_by_role("img", name="Wartende Anfragen je Stadtbezirk").wait_for()
    _keep(page, tmp_path, "fehlende-hilfe.png")
    page.get_by_role("link", name="Nach Sozialraum").click()
    page.get_by_role("heading", name="Nach Sozialraum").wait_for()
    _keep(page, tmp_path, "sozialraeume.png")
    assert violations == []


def test_bad_year_is_named(logged_in_page, app_ctx):
    page = logged_in_page
    page.goto("/berichte/?zeitraum=jahr&jahr=1800")
    assert "kein mögliches Berichtsjahr" in page.get_by_role("alert").text_content()


def test_report_pages_pass_axe(logged_in_page, app_ctx, axe):
    """WCAG 2.1 AA by axe-core on the three report pages with figures and charts."""
    build_report_world()
    page = logged_in_page
    for url in ("/berichte/?jahr=2025", "/berichte/fehlende-hilfe", "/berichte/sozialraeume?jahr=2025"):
        page.goto(url)
        assert axe(page) == [], url
