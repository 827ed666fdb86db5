"""Entlastungsbetrag: a coordinator records an opening balance in German money and is stopped above the
Umwandlung cap with the reason next to the field."""

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from begleitservice.extensions import db
from begleitservice.models import PflegegradPeriod
from tests.factories import make_pflegekasse, make_senior

pytestmark = pytest.mark.browser


@pytest.fixture
def senior(app_ctx, monkeypatch):
    """Today is 10 March 2026; Hildegard Brinkmann has had Pflegegrad 2 since 2023."""
    monkeypatch.setitem(app_ctx.config, "TODAY", date(2026, 3, 10))
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    senior = make_senior(first_name="Hildegard", last_name="Brinkmann", pflegegrad=2, pflegekasse=make_pflegekasse())
    db.session.add(PflegegradPeriod(senior=senior, grade=2, valid_from=date(2023, 1, 1)))
    db.session.commit()
    return senior


def _open_budget(page):
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Senior:innen").click()
    page.get_by_role("link", name="Brinkmann, Hildegard").click()
    page.get_by_role("link", name="Entlastungsbetrag", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entlastungsbetrag: Hildegard Brinkmann")


def _section(page, heading):
    return page.locator("section.card").filter(has=page.get_by_role("heading", name=heading, level=2))


def test_opening_balance_in_german_money_shows_in_the_ledger(logged_in_page, senior):
    page = logged_in_page
    _open_budget(page)
    opening = _section(page, "Anfangsbestand")
    opening.get_by_label("Stand am").fill("2026-01-10")
    opening.get_by_label("Verfügbar aus dem laufenden Jahr (€)").fill("250,00")
    opening.get_by_label("Quelle").fill("AOK, Schreiben vom 08.01.2026")
    opening.get_by_role("button", name="Anfangsbestand speichern").click()

    expect(page.get_by_role("status")).to_have_text("Anfangsbestand gespeichert.")
    january = page.locator("#monat-2026-01")
    expect(january).to_contain_text("Anfangsbestand")
    expect(january.get_by_role("cell").nth(4)).to_have_text("250,00 €")  # Verfügbar
    february = page.locator("#monat-2026-02")
    expect(february.get_by_role("cell").nth(4)).to_have_text("381,00 €")  # + 131,00 € credited in February
    expect(_section(page, "Anfangsbestand")).to_contain_text("10.01.2026: 250,00 € – AOK, Schreiben vom 08.01.2026")


def test_umwandlung_above_the_cap_is_refused_next_to_the_field(logged_in_page, senior):
    page = logged_in_page
    _open_budget(page)
    umwandlung = _section(page, "Umwandlungsanspruch (§45a Abs. 4 SGB XI)")
    umwandlung.get_by_label("Monat").fill("03/2026")
    umwandlung.get_by_label("Erklärter Betrag (€)").fill("318,41")
    umwandlung.get_by_label("Hinweis").fill("Tochter, telefonisch")
    umwandlung.get_by_role("button", name="Erklärung speichern").click()

    umwandlung = _section(page, "Umwandlungsanspruch (§45a Abs. 4 SGB XI)")
    expect(umwandlung.get_by_role("alert")).to_contain_text("Es wurde nichts gespeichert.")
    amount = umwandlung.get_by_label("Erklärter Betrag (€)")
    expect(amount).to_have_accessible_description(
        "Höchstens 318,40 € im Monat bei Pflegegrad 2 (40 % der Pflegesachleistung, §45a Abs. 4 SGB XI)."
    )
    expect(amount).to_have_value("318,41")
    expect(umwandlung.get_by_label("Monat")).to_have_value("03/2026")
    expect(umwandlung.get_by_role("button", name="Löschen")).to_have_count(0)
    expect(page.locator("#monat-2026-03")).not_to_contain_text("von 318")

    amount.fill("318,40")
    umwandlung.get_by_role("button", name="Erklärung speichern").click()
    expect(page.get_by_role("status")).to_have_text("Umwandlungserklärung gespeichert.")
    expect(_section(page, "Umwandlungsanspruch (§45a Abs. 4 SGB XI)")).to_contain_text(
        "03/2026: 318,40 € – Tochter, telefonisch"
    )
