"""Vorschläge: the page's SQL statements do not grow with the number of proposals (budget checks in one batch)."""

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models.matching import MatchRun
from billing.identifiers import kvnr_check_digit
from tests.app.test_matches import MI, MO, _run, produced, setting  # noqa: F401 (fixtures)
from tests.factories import make_request, make_senior, make_volunteer


def _entlastung_requests(start: int, count: int) -> None:
    for n in range(start, start + count):
        make_volunteer(
            availability=((MO, 8 * 60, 18 * 60), (MI, 8 * 60, 18 * 60)),
            offers_entlastung=True,
            offers_besuchsdienst=False,
        )
        prefix = f"E{n:08d}"
        senior = make_senior(pflegegrad=2, kvnr=prefix + str(kvnr_check_digit(prefix)))
        windows = ((MO, 9 * 60, 13 * 60), (MI, 9 * 60, 13 * 60))
        make_request(senior=senior, windows=windows, visits_per_week=2, minutes_per_visit=60 * (1 + n % 2))


@pytest.mark.usefixtures("built_pages")
@pytest.mark.usefixtures("setting")
def test_proposals_page_statements_do_not_grow_with_proposals(app_ctx, coordinator):
    def statements() -> tuple[int, str]:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app_ctx.app_context():
                page = coordinator.get("/vorschlaege/").get_data(as_text=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen), page

    _entlastung_requests(0, 2)
    _run(coordinator)
    few, page = statements()
    assert page.count('id="vorschlag-') == 2
    _entlastung_requests(2, 6)
    _run(coordinator)
    many, page = statements()
    assert page.count('id="vorschlag-') == 8  # each checked against its senior's budget
    assert many == few


@pytest.mark.usefixtures("setting")
def test_proposals_and_unserved_are_paged_and_an_action_returns_to_the_cards_page(app_ctx, coordinator, monkeypatch):
    """With more proposals than a page holds the page shows one page of cards and a link to the next; rejecting a
    card on page 2 returns to page 2 at that card."""
    monkeypatch.setitem(app_ctx.config, "PROPOSALS_PER_PAGE", 3)
    _entlastung_requests(0, 5)
    _run(coordinator)
    run_id = db.session.scalar(sa.select(sa.func.max(MatchRun.id)))
    first = coordinator.get("/vorschlaege/").get_data(as_text=True)
    assert "Vorschläge (5)" in first and first.count('id="vorschlag-') == 3
    assert f'href="/vorschlaege/laeufe/{run_id}?page=2"' in first
    second = coordinator.get(f"/vorschlaege/laeufe/{run_id}?page=2").get_data(as_text=True)
    assert second.count('id="vorschlag-') == 2
    last = int(second.rsplit('id="vorschlag-', 1)[1].split('"', 1)[0])
    response = coordinator.post(f"/vorschlaege/{last}/ablehnen", data={f"ablehnen{last}-reason": "passt nicht"})
    assert response.headers["Location"] == f"/vorschlaege/laeufe/{run_id}?page=2#vorschlag-{last}"
