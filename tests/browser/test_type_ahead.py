"""Type-ahead in the Termine filter: typing part of a name offers the matching volunteers; choosing one filters."""

from datetime import date, time

from playwright.sync_api import expect

from tests.factories import make_appointment, make_pairing, make_senior, make_volunteer


def test_typing_a_name_offers_volunteers_and_filters_the_week(logged_in_page):
    page = logged_in_page
    anna = make_volunteer(first_name="Anna", last_name="Müller")
    make_appointment(pairing=make_pairing(volunteer=anna, senior=make_senior(first_name="Ida")), on=date(2026, 12, 7))
    other = make_pairing(
        volunteer=make_volunteer(first_name="Bert", last_name="Schulz"), senior=make_senior(first_name="Olga")
    )
    make_appointment(pairing=other, on=date(2026, 12, 7), planned_start=time(14), planned_end=time(15))

    page.goto("/termine/?von=2026-12-07")
    page.get_by_label("Ehrenamtliche:r").fill("Mül")
    expect(page.locator("#name-vorschlaege option")).to_have_count(1)
    assert page.locator("#name-vorschlaege option").first.get_attribute("value") == "Müller, Anna"
    page.get_by_label("Ehrenamtliche:r").fill("Müller, Anna")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_text("1 Termine")).to_be_visible()
    expect(page.get_by_role("cell", name="Ida B.")).to_be_visible()
    expect(page.get_by_role("cell", name="Olga B.")).to_have_count(0)
