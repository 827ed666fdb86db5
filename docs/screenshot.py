"""Take the README screenshot from a running app: python docs/screenshot.py http://localhost:5000 docs/screenshot.png"""

import shutil
import sys

from playwright.sync_api import sync_playwright

base, out = (sys.argv[1:] + ["http://localhost:5000", "docs/screenshot.png"][len(sys.argv) - 1 :])[:2]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill("demo@example.org")
    page.get_by_label("Passwort").fill("Sonne-Tulpe-Kaffee-2026")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    page.screenshot(path=out, full_page=False)
    browser.close()
print(out)
