"""Contact log: log a contact with a senior, a volunteer or about a request; last contact in the lists."""

from datetime import date

import pytest
import sqlalchemy as sa

from begleitservice.clock import now
from begleitservice.extensions import db
from begleitservice.models import AuditEvent, ContactEntry
from begleitservice.privacy.operations import restrict
from tests.factories import make_request, make_senior, make_volunteer

TODAY = date(2026, 12, 3)


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ContactEntry))


def _entry(**fields) -> dict:
    return {"on": "2026-12-02", "channel": "telefon", "with_whom": "Tochter", "note": "Termin abgestimmt"} | fields


def test_logged_contact_shows_in_the_log_and_as_last_contact(app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    ida = make_senior(first_name="Ida", last_name="Ahrens")
    make_senior(first_name="Olga", last_name="Berg")
    form = coordinator.get(f"/kontakte/senioren/{ida.id}").get_data(as_text=True)
    assert 'value="2026-12-03"' in form and 'value="Senior:in selbst"' in form

    response = coordinator.post(f"/kontakte/senioren/{ida.id}", data=_entry())
    assert response.status_code == 302
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "Kontakt gespeichert." in page and "Termin abgestimmt" in page and "Telefon" in page
    entry = db.session.scalars(sa.select(ContactEntry)).one()
    assert (entry.on, entry.channel, entry.with_whom, entry.senior_id) == (
        date(2026, 12, 2),
        "telefon",
        "Tochter",
        ida.id,
    )
    assert entry.by.role == "coordinator"

    rows = coordinator.get("/seniors/").get_data(as_text=True).split("<tr>")
    assert "02.12.2026" in next(row for row in rows if "Ahrens" in row)
    assert "keiner" in next(row for row in rows if "Berg" in row)
    assert "Kontakte (letzter 02.12.2026)" in coordinator.get(f"/seniors/{ida.id}").get_data(as_text=True)
    (audited,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "contact_entry")).all()
    assert (audited.action, audited.senior_id, audited.entity_id) == ("create", ida.id, entry.id)


def test_bad_input_gets_german_messages_and_saves_nothing(app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    url = f"/kontakte/ehrenamtliche/{make_volunteer().id}"
    cases = {
        "Die Notiz ist zu lang: höchstens 500 Zeichen.": _entry(note="x" * 501),
        "Ein Kontakt kann nicht in der Zukunft liegen.": _entry(on="2026-12-04"),
        "Bitte eintragen, mit wem Sie gesprochen haben.": _entry(with_whom=""),
        "Bitte das Datum eintragen.": _entry(on=""),
        "Keine gültige Auswahl.": _entry(channel="fax"),
    }
    for message, data in cases.items():
        response = coordinator.post(url, data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True)
        assert "Es wurde nichts gespeichert." in response.get_data(as_text=True)
    assert _count() == 0


def test_request_contacts_count_for_the_request_and_its_senior(app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    item = make_request(senior=make_senior(last_name="Ahrens"))
    assert coordinator.post(f"/kontakte/anfragen/{item.id}", data=_entry(channel="brief")).status_code == 302
    requests = coordinator.get("/requests/").get_data(as_text=True)
    assert f'href="/kontakte/anfragen/{item.id}">02.12.2026</a>' in requests
    senior_log = coordinator.get(f"/kontakte/senioren/{item.senior_id}").get_data(as_text=True)
    assert "Brief" in senior_log and "zur Anfrage vom 01.10.2026" in senior_log
    volunteers = coordinator.get("/volunteers/").get_data(as_text=True)
    assert "02.12.2026" not in volunteers


def test_no_contacts_for_a_restricted_person(app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    volunteer = make_volunteer()
    restrict(volunteer, retain_until=date(2034, 12, 31), user=None, now=now())
    db.session.commit()
    response = coordinator.post(f"/kontakte/ehrenamtliche/{volunteer.id}", data=_entry())
    assert response.status_code == 422 and "gesperrt (DSGVO)" in response.get_data(as_text=True)
    assert _count() == 0


@pytest.mark.usefixtures("built_pages")
def test_last_contact_in_lists_costs_the_same_statements_for_more_rows(app, app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)

    def statements(url: str) -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.app_context():
                assert coordinator.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    def people():
        senior, volunteer = make_senior(), make_volunteer()
        item = make_request(senior=senior)
        db.session.add_all(
            [
                ContactEntry(on=TODAY, channel="telefon", with_whom="x", senior=senior, request=item),
                ContactEntry(on=TODAY, channel="email", with_whom="y", volunteer=volunteer),
            ]
        )
        db.session.commit()

    urls = ("/seniors/", "/volunteers/", "/requests/")
    people()
    few = [statements(url) for url in urls]
    for _ in range(4):
        people()
    assert [statements(url) for url in urls] == few
