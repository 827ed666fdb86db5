"""The coordinators' inbox on the start page: groups counted, items solved where they link, assign, snooze, done,
and items that close themselves when their fact is solved."""

import re
from datetime import date, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from begleitservice.appointments import operations
from begleitservice.appointments.cover import accept_cover, offer_cover
from begleitservice.extensions import db
from begleitservice.models import BudgetLapse, InboxItemState, User
from tests.app.test_scheduling_support import berlin, clock_fixture, run  # noqa: F401 (fixture)
from tests.factories import make_appointment, make_pairing, make_request, make_senior, make_user, make_volunteer

NOW = berlin(2026, 11, 10, 9)  # Tuesday 10 November 2026, 09:00 in Dortmund


@pytest.fixture
def now(app_ctx, clock, monkeypatch):
    """Fix the app's clock to Tuesday 10 November 2026, 09:00 (Führungszeugnis valid 5 years)."""
    monkeypatch.setitem(app_ctx.config, "FUEHRUNGSZEUGNIS_MAX_YEARS", 5)
    return clock(NOW)


def _section(page: str, slug: str) -> str:
    """The HTML of one group's section on the start page ('' if it is not shown)."""
    match = re.search(rf'<section class="inbox-group" id="{slug}".*?</section>', page, re.S)
    return match.group(0) if match else ""


def _count(page: str, slug: str) -> int:
    """The count the group's tile shows."""
    match = re.search(rf'<a href="[^"]*{slug}"[^>]*><span class="stat">(\d+)</span>', page)
    assert match, f"no tile for {slug}"
    return int(match.group(1))


def _key(page: str, text: str) -> str:
    """The key of the item row that shows ``text``."""
    for match in re.finditer(r'<tr data-key="([^"]+)">(.*?)</tr>', page, re.S):
        if text in match.group(2):
            return match.group(1)
    raise AssertionError(f"no item with {text!r}")


def _act(client, key: str, action: str, **data):
    return client.post("/aufgaben/aktion", data={"key": key, "aktion": action, "zurueck": "/", **data})


def test_waiting_requests_oldest_first_ten_shown_with_a_link_to_all(coordinator, now, app_ctx, monkeypatch):
    for day in range(1, 13):
        make_request(senior=make_senior(last_name=f"Wartend{day:02d}"), received_on=date(2026, 9, day))
    make_request(senior=make_senior(last_name="Frisch"), received_on=date(2026, 11, 5))  # 5 days: not yet
    make_request(senior=make_senior(last_name="Vermittelt"), received_on=date(2026, 1, 1), status="vermittelt")

    page = coordinator.get("/").get_data(as_text=True)

    section = _section(page, "anfragen")
    assert _count(page, "anfragen") == 12
    assert section.index("Wartend01") < section.index("Wartend02") < section.index("Wartend10")
    assert "Wartend11" not in section and "Frisch" not in page and "Vermittelt" not in page
    assert "70 Tage" in section  # 1 September → 10 November
    assert '<a href="/aufgaben/anfragen">Alle 12 anzeigen</a>' in section
    assert "weitere" not in page

    monkeypatch.setitem(app_ctx.config, "ITEMS_PER_PAGE", 5)
    third = coordinator.get("/aufgaben/anfragen?page=3").get_data(as_text=True)
    assert "Wartend11" in third and "Wartend12" in third and "Wartend10" not in third
    assert "Seite 3 von 3 (12 Einträge)" in third


def test_unconfirmed_soon_and_held_visits_without_hours(coordinator, now):
    pairing = make_pairing(volunteer=make_volunteer(last_name="Terminfrau"))
    make_appointment(pairing=pairing, on=date(2026, 11, 12))  # geplant, in 2 days
    make_appointment(pairing=pairing, on=date(2026, 11, 13), status="bestaetigt")
    make_appointment(pairing=pairing, on=date(2026, 11, 20))  # 10 days ahead: not near yet
    make_appointment(pairing=pairing, on=date(2026, 11, 3), planned_start=time(9), planned_end=time(10))
    make_appointment(pairing=pairing, on=date(2026, 11, 4), status="stattgefunden", actual_minutes=60)
    make_appointment(pairing=pairing, on=date(2026, 11, 5), status="abgesagt")

    page = coordinator.get("/").get_data(as_text=True)

    unconfirmed, without_hours = _section(page, "unbestaetigt"), _section(page, "stunden")
    assert "12.11.2026" in unconfirmed and "13.11.2026" not in unconfirmed and "20.11.2026" not in unconfirmed
    assert "03.11.2026 09:00–10:00" in without_hours and "Stunden eintragen" in without_hours
    assert "04.11.2026" not in without_hours and "05.11.2026" not in without_hours


def test_missing_and_expiring_documents(coordinator, now):
    make_volunteer(last_name="Ohnezeugnis", fuehrungszeugnis_on=None)
    make_volunteer(last_name="Abgelaufen", fuehrungszeugnis_on=date(2021, 10, 1))
    make_volunteer(last_name="Baldfaellig", fuehrungszeugnis_on=date(2021, 12, 20))
    make_volunteer(last_name="Aktuell", fuehrungszeugnis_on=date(2024, 1, 1))
    make_volunteer(last_name="Ausgeschieden", status="ausgeschieden", fuehrungszeugnis_on=None)
    make_senior(last_name="Ohneeinwilligung", pflegegrad=2)
    make_senior(last_name="Miteinwilligung", pflegegrad=2, consent_on=date(2026, 1, 1), consent_scope="Pflegegrad")

    page = coordinator.get("/").get_data(as_text=True)

    certificates = _section(page, "fuehrungszeugnisse")
    assert _count(page, "fuehrungszeugnisse") == 3
    assert ">fehlt<" in certificates and "abgelaufen seit 01.10.2026" in certificates
    assert "läuft ab am 20.12.2026" in certificates
    assert "Aktuell" not in page and "Ausgeschieden" not in page
    assert "Ohneeinwilligung" in _section(page, "einwilligungen") and "Miteinwilligung" not in page


def _declined(now, **senior):
    """A Monday visit next week, declined with a reason, and a free stand-in."""
    senior = make_senior(first_name="Hilde", last_name="Brandt", street="Kirchstraße 3", phone="0231 555", **senior)
    pairing = make_pairing(volunteer=make_volunteer(last_name="Absagerin"), senior=senior)
    visit = make_appointment(pairing=pairing, on=date(2026, 11, 16))
    operations.decline(visit, now=now, reason="Arzttermin")
    db.session.commit()
    return visit


def test_decline_becomes_a_stand_in_to_call_then_done_with_a_note(coordinator, now):
    visit = _declined(now)
    stand_in = make_volunteer(first_name="Sven", last_name="Springer", phone="0170 1234")

    page = coordinator.get("/").get_data(as_text=True)
    declines = _section(page, "absagen")
    assert "16.11.2026" in declines and "Arzttermin" in declines and "Vertretung suchen" in declines
    assert f'href="/termine/{visit.id}#vertretung"' in declines

    [offer] = offer_cover(visit, [stand_in], now=now)
    assert accept_cover(offer, now=now)
    db.session.commit()

    page = coordinator.get("/").get_data(as_text=True)
    assert _section(page, "absagen") == ""  # solved by the stand-in
    call = _section(page, "vertretungen")
    assert "Sven Springer" in call and "Tel. 0170 1234" in call
    assert "Hilde Brandt" in call and "Kirchstraße 3, 44339 Dortmund" in call and "Tel. 0231 555" in call

    response = _act(coordinator, _key(page, "Sven Springer"), "erledigt", note="Sven angerufen, Frau Brandt informiert")
    assert response.status_code == 302
    page = coordinator.get("/").get_data(as_text=True)
    assert "Die Aufgabe ist als erledigt markiert." in page
    assert _section(page, "vertretungen") == ""
    done = coordinator.get("/aufgaben/vertretungen?ansicht=erledigt").get_data(as_text=True)
    assert "Sven angerufen, Frau Brandt informiert" in done

    _act(coordinator, _key(done, "Sven Springer"), "wieder-oeffnen")  # done by mistake
    page = coordinator.get("/").get_data(as_text=True)
    assert "Die Aufgabe ist wieder offen." in page and "Sven Springer" in _section(page, "vertretungen")


def test_a_new_decline_of_the_same_visit_is_a_new_item(coordinator, now, clock):
    visit = _declined(now)
    page = coordinator.get("/").get_data(as_text=True)
    _act(coordinator, _key(page, "Arzttermin"), "erledigt", note="Besuch entfällt, Frau Brandt weiß Bescheid")
    assert _section(coordinator.get("/").get_data(as_text=True), "absagen") == ""

    stand_in = make_volunteer(last_name="Springer")
    [offer] = offer_cover(visit, [stand_in], now=now)
    accept_cover(offer, now=now)
    later = clock(berlin(2026, 11, 11, 9))
    operations.decline(visit, now=later, reason="Stand-in krank")  # the stand-in gives it back
    db.session.commit()

    assert "Stand-in krank" in _section(coordinator.get("/").get_data(as_text=True), "absagen")


def test_assign_to_me_to_another_and_back_to_nobody(coordinator, now):
    _declined(now)
    colleague = make_user(role="coordinator", name="Doris Dienst")
    make_user(role="accounting", name="Bernd Buchhaltung")
    page = coordinator.get("/").get_data(as_text=True)
    key = _key(page, "Arzttermin")
    assert "Bernd Buchhaltung" not in page  # only coordinators and admins take items

    _act(coordinator, key, "mir")
    page = coordinator.get("/").get_data(as_text=True)
    assert "Die Aufgabe ist Ihnen zugewiesen." in page and "bei mir" in _section(page, "absagen")
    mine = coordinator.get("/aufgaben/absagen?ansicht=mir").get_data(as_text=True)
    assert "Arzttermin" in mine

    _act(coordinator, key, "zuweisen", assignee=colleague.id)
    page = coordinator.get("/").get_data(as_text=True)
    assert "Die Aufgabe ist Doris Dienst zugewiesen." in page and "bei Doris Dienst" in page
    assert "Arzttermin" not in coordinator.get("/aufgaben/absagen?ansicht=mir").get_data(as_text=True)

    _act(coordinator, key, "zuweisen", assignee=0)
    assert db.session.get(InboxItemState, key).assignee_id is None


def test_snooze_hides_until_the_day_then_it_returns(coordinator, now, clock):
    make_request(senior=make_senior(last_name="Geduldig"), received_on=date(2026, 9, 1))
    key = _key(coordinator.get("/").get_data(as_text=True), "Geduldig")

    refused = _act(coordinator, key, "zurueckstellen", until="2026-11-10")
    assert refused.status_code == 302
    assert "Das Datum muss nach heute liegen." in coordinator.get("/").get_data(as_text=True)
    assert db.session.get(InboxItemState, key) is None

    _act(coordinator, key, "zurueckstellen", until="2026-11-20")
    page = coordinator.get("/").get_data(as_text=True)
    assert "zurückgestellt bis 20.11.2026" in page and _count(page, "anfragen") == 0
    assert "Geduldig" in coordinator.get("/aufgaben/anfragen?ansicht=zurueckgestellt").get_data(as_text=True)

    clock(berlin(2026, 11, 20, 8))
    assert "Geduldig" in _section(coordinator.get("/").get_data(as_text=True), "anfragen")


def test_held_visit_item_closes_itself_when_hours_are_reported(coordinator, now):
    pairing = make_pairing(volunteer=make_volunteer(last_name="Stundenlos"))
    visit = make_appointment(pairing=pairing, on=date(2026, 11, 3))
    page = coordinator.get("/").get_data(as_text=True)
    _act(coordinator, _key(page, "Stundenlos"), "mir")
    assert _count(coordinator.get("/").get_data(as_text=True), "stunden") == 1

    operations.report(visit, minutes=90, now=now)
    db.session.commit()

    page = coordinator.get("/").get_data(as_text=True)
    assert _count(page, "stunden") == 0 and "Stundenlos" not in page


def test_action_on_an_item_that_no_longer_exists_changes_nothing(coordinator, now):
    response = _act(coordinator, "anfrage:999", "erledigt", note="?")

    assert response.status_code == 302
    assert "Diese Aufgabe gibt es nicht mehr" in coordinator.get("/").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxItemState)) == 0


def test_quiet_pairs_and_pairs_with_repeated_cancellations(coordinator, now):
    quiet = make_pairing(volunteer=make_volunteer(last_name="Stillfrau"), starts_on=date(2026, 6, 1))
    make_appointment(pairing=quiet, on=date(2026, 9, 28), status="stattgefunden", actual_minutes=90)
    busy = make_pairing(volunteer=make_volunteer(last_name="Fleissig"), starts_on=date(2026, 6, 1))
    make_appointment(pairing=busy, on=date(2026, 11, 2), status="stattgefunden", actual_minutes=90)
    make_pairing(volunteer=make_volunteer(last_name="Neuling"), starts_on=date(2026, 11, 2))  # too new
    shaky = make_pairing(volunteer=make_volunteer(last_name="Wackelig"), starts_on=date(2026, 6, 1))
    for day, status in ((19, "abgesagt"), (26, "ausgefallen"), (2, "stattgefunden"), (9, "abgesagt")):
        month = 10 if day > 10 else 11
        make_appointment(pairing=shaky, on=date(2026, month, day), status=status)

    page = coordinator.get("/").get_data(as_text=True)

    quiet_section = _section(page, "ohne-besuch")
    assert "Stillfrau" in quiet_section and "letzter Besuch am 28.09.2026" in quiet_section
    assert "Fleissig" not in quiet_section and "Neuling" not in quiet_section and "Wackelig" not in quiet_section
    shaky_section = _section(page, "absagen-haeufung")
    assert "Wackelig" in shaky_section and "3 Termine abgesagt oder ausgefallen" in shaky_section
    assert "zuletzt am 09.11.2026" in shaky_section


def test_budget_that_lapses_on_30_june_from_the_daily_job(coordinator, app_ctx, clock, monkeypatch):
    clock(berlin(2026, 4, 15, 9))
    senior = make_senior(first_name="Gerda", last_name="Guthaben", pflegegrad=2)
    make_pairing(senior=senior, volunteer=make_volunteer(offers_entlastung=True), starts_on=date(2025, 1, 6))

    assert "1 Senior:innen" in run("budget_lapses")

    page = coordinator.get("/").get_data(as_text=True)
    section = _section(page, "budgets")
    assert "Gerda Guthaben" in section and "verfallen am 30.06.2026" in section
    # 2025 unused in full (12 × 131 €) carried, nothing of it used before 30 June
    assert "1.572,00\u00a0€" in section
    assert db.session.get(BudgetLapse, senior.id).amount == Decimal("1572.00")


def test_accounting_has_no_inbox(login, now):
    accounting = login("accounting")

    assert accounting.get("/aufgaben/anfragen").status_code == 403
    assert _act(accounting, "anfrage:1", "mir").status_code == 403
    assert "inbox-counts" not in accounting.get("/").get_data(as_text=True)


def test_inbox_statements_do_not_grow_with_items(app, app_ctx, coordinator, now, monkeypatch):
    """Every group with one item, then with many: the start page runs the same number of SQL statements."""
    monkeypatch.setitem(app_ctx.config, "INBOX_BUDGET_NOTICE_DAYS", 240)

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert coordinator.get("/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    def one_of_each(n: int) -> None:
        volunteer = make_volunteer(last_name=f"Viel{n}", fuehrungszeugnis_on=None, offers_entlastung=True)
        senior = make_senior(pflegegrad=2, kvnr=None)
        db.session.add(BudgetLapse(senior_id=senior.id, lapses_on=date(2027, 6, 30), amount=Decimal("131.00")))
        make_request(senior=senior, received_on=date(2026, 9, 1))
        pairing = make_pairing(volunteer=volunteer, senior=senior, starts_on=date(2026, 6, 1))
        make_appointment(pairing=pairing, on=date(2026, 11, 11))
        make_appointment(pairing=pairing, on=date(2026, 9, 1), status="stattgefunden")
        for day in (2, 3, 4):
            make_appointment(pairing=pairing, on=date(2026, 10, day), status="ausgefallen")
        declined = make_appointment(pairing=pairing, on=date(2026, 11, 16))
        operations.decline(declined, now=NOW, reason="krank")
        covered = make_appointment(pairing=pairing, on=date(2026, 11, 17))
        operations.decline(covered, now=NOW, reason="krank")
        [offer] = offer_cover(covered, [make_volunteer(offers_entlastung=True)], now=NOW)
        accept_cover(offer, now=NOW)
        db.session.commit()

    one_of_each(0)
    few = statements()
    _act(coordinator, _key(coordinator.get("/").get_data(as_text=True), "Viel0"), "mir")
    for n in range(1, 13):
        one_of_each(n)
    many = statements()
    page = coordinator.get("/").get_data(as_text=True)
    for slug in ("absagen", "vertretungen", "unbestaetigt", "anfragen", "fuehrungszeugnisse", "einwilligungen"):
        assert _count(page, slug) == 13, slug
    for slug in ("budgets", "ohne-besuch", "absagen-haeufung"):
        assert _count(page, slug) == 13, slug
    assert many == few, (few, many)


def test_admin_sees_the_inbox_and_the_billing_part(login, now):
    page = login("admin").get("/").get_data(as_text=True)

    assert "inbox-counts" in page and "Abrechnung Häusliche Entlastung" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.mark.usefixtures("built_pages")
def test_full_list_statements_do_not_grow_with_items(app, app_ctx, coordinator, now, monkeypatch):
    """A group's full list costs the same number of SQL statements with 2 or 40 items (a page of 20)."""
    monkeypatch.setitem(app_ctx.config, "ITEMS_PER_PAGE", 20)

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert coordinator.get("/aufgaben/anfragen?page=1").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    for day in (1, 2):
        make_request(received_on=date(2026, 9, day))
    few = statements()
    for day in range(3, 31):
        make_request(received_on=date(2026, 9, day))
        make_request(received_on=date(2026, 8, day))
    assert statements() == few


def test_assign_snooze_and_done_are_in_the_audit_trail_with_the_note_masked(login, coordinator, now):
    """Who took an item, until when it was put aside and who closed it stay in the Protokoll; the note is masked
    there like every free-text note."""
    from begleitservice.models import AuditEvent

    make_request(senior=make_senior(last_name="Geduldig"), received_on=date(2026, 9, 1))
    key = _key(coordinator.get("/").get_data(as_text=True), "Geduldig")
    _act(coordinator, key, "mir")
    _act(coordinator, key, "zurueckstellen", until="2026-11-20")
    _act(coordinator, key, "erledigt", note="Tochter sagt, sie meldet sich")

    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == "inbox_item").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["create", "update", "update"]
    me = db.session.scalar(sa.select(User).where(User.role == "coordinator"))
    assert events[0].changes["assignee_id"] == [None, me.id] and events[0].user_id == me.id
    assert events[1].changes == {"snoozed_until": [None, "2026-11-20"]}
    assert events[2].changes["done_note"] == [None, "Tochter sagt, sie meldet sich"]
    assert events[2].changes["snoozed_until"] == ["2026-11-20", None] and events[2].label == f"Aufgabe {key}"

    listing = login("admin").get("/admin/protokoll/").get_data(as_text=True)
    assert f"Aufgabe {key}" in listing and "zurückgestellt bis" in listing and "Notiz" in listing
    assert "Tochter sagt" not in listing
