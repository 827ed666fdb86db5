"""A live server on localhost and the system Chromium driven by Playwright."""

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app_ctx):
    """The app served on a free localhost port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app_ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app_ctx.config["SERVER_NAME"] = None
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        app_ctx.config["SERVER_NAME"] = "localhost"
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium (install it with `make browser`)."""
    if CHROMIUM is None:
        pytest.fail("Chromium fehlt: `make browser` installiert ihn (Debian-Paket chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (own cookies) with the live server as base URL; tablet-sized."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1024, "height": 768}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def logged_in_page(page):
    """A browser page logged in as a coordinator."""
    from tests.factories import make_user

    user = make_user(role="coordinator", name="Clara Koordinatorin")
    page.goto("/login")
    page.get_by_label("E-Mail").fill(user.email)
    page.get_by_label("Passwort").fill("richtig-geheim-123")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/")
    return page


@pytest.fixture
def phone_page(browser, live_server):
    """A fresh browser page the size of a phone (390x844), logged in as a coordinator."""
    from tests.factories import make_user

    user = make_user(role="coordinator", name="Clara Koordinatorin")
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("E-Mail").fill(user.email)
    page.get_by_label("Passwort").fill("richtig-geheim-123")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/")
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open more pages, each in its own context: ``new_page(role="accounting", name=..., width=390, touch=True)``.

    Without a role the page is not logged in (a volunteer following a link from an email); ``touch`` makes a
    touch screen (for ``tap()``).
    """
    from tests.factories import make_user

    contexts = []

    def _open(*, role=None, name=None, width=1024, height=768, touch=False):
        viewport = {"width": width, "height": height}
        context = browser.new_context(base_url=live_server, viewport=viewport, locale="de-DE", has_touch=touch)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if role is not None:
            user = make_user(role=role, **({"name": name} if name else {}))
            page.goto("/login")
            page.get_by_label("E-Mail").fill(user.email)
            page.get_by_label("Passwort").fill("richtig-geheim-123")
            page.get_by_role("button", name="Anmelden").click()
            page.wait_for_url("**/")
        return page

    yield _open
    for context in contexts:
        context.close()


AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # axe-core from npm, see vendor/README.md
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """Run axe-core (vendored, no CDN) on the page as it is now: one line per WCAG 2.1 A/AA violation and node."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – {' '.join(node['target'])}: "
        f"{node.get('failureSummary', '').splitlines()[-1] if node.get('failureSummary') else ''}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


@pytest.fixture
def axe():
    """``axe(page)`` → the WCAG 2.1 AA violations axe-core finds on the page (an empty list when it passes)."""
    return axe_violations
