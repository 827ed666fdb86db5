"""Pflegekassen pages: the insured list shows each Abtretung as the senior's own page does."""

from datetime import date

from tests.factories import make_pflegekasse, make_senior


def test_insured_list_shows_abtretung_given_and_revoked(app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TODAY", date(2026, 11, 21))
    kasse = make_pflegekasse()
    make_senior(last_name="Gegeben", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 1, 10))
    make_senior(
        last_name="Widerrufen",
        pflegegrad=3,
        pflegekasse=kasse,
        abtretung_on=date(2025, 3, 1),
        abtretung_revoked_on=date(2026, 5, 24),
    )
    page = coordinator.get(f"/pflegekassen/{kasse.id}").get_data(as_text=True)
    assert "seit 10.01.2026" in page
    assert "widerrufen zum 24.05.2026" in page
