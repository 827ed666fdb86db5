"""Every page works under the Content-Security-Policy: Chromium reports no blocked script, style or frame."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.factories import make_user
from tests.routes import every_route

pytestmark = pytest.mark.browser


def _violations(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text else 0)
    return seen


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_no_page_breaks_the_policy(new_page, app_ctx, sample_ids, role):
    page = new_page(role=role)
    violations = _violations(page)
    pages = [url for endpoint, method, url in every_route(app_ctx, sample_ids) if method == "GET"]
    shown = 0
    for url in pages:
        try:
            page.goto(url)
        except PlaywrightError as error:  # a download (export, PDF, iCal) is no page
            assert "Download is starting" in str(error), (url, error)
            continue
        page.wait_for_load_state("load")
        shown += 1
    assert shown > 40
    assert violations == []


def test_the_login_and_a_volunteer_link_page_keep_to_the_policy(new_page):
    make_user()
    page = new_page()
    violations = _violations(page)
    page.goto("/login")
    page.goto("/link/bestaetigen/kein-gueltiger-link")
    assert "Seniorenbegleitservice" in page.content()
    assert violations == []


def test_an_inline_script_would_be_reported(new_page):
    """The check above can fail: Chromium blocks and reports an inline script on our pages."""
    page = new_page()
    violations = _violations(page)
    page.goto("/login")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert violations and page.evaluate("() => window.x") is None
