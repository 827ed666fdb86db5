"""Vorschläge: the page's SQL statements do not grow with the number of proposals (budget checks in one batch)."""

import pytest
import sqlalchemy as sa

from begleitservice.extensions import db
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
