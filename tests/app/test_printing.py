"""Printing: a volunteer's duty plan for a month, an address sheet for a stand-in, the team meeting list."""

from datetime import date, time

import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import ContactEntry, VolunteerAbsence
from tests.factories import make_appointment, make_pairing, make_pflegekasse, make_senior, make_volunteer

TODAY = date(2026, 12, 10)


def test_duty_plan_lists_the_months_visits_with_address_and_phone(app_ctx, coordinator, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    anna = make_volunteer(first_name="Anna", last_name="Müller", phone="0170 123")
    ida = make_senior(first_name="Ida", last_name="Ahrens", street="Nordmarkt 5", postal_code="44145", phone="0231 55")
    own = make_pairing(volunteer=anna, senior=ida)
    make_appointment(pairing=own, on=date(2026, 12, 7), note="Einkauf mitbringen")
    make_appointment(pairing=own, on=date(2026, 12, 14), status="abgesagt")
    make_appointment(pairing=own, on=date(2026, 12, 21), cover_volunteer=make_volunteer(first_name="Bert"))
    make_appointment(pairing=own, on=date(2027, 1, 4))
    other = make_pairing(volunteer=make_volunteer(first_name="Carla", last_name="Cramer"), senior=make_senior())
    make_appointment(
        pairing=other, on=date(2026, 12, 16), planned_start=time(15), planned_end=time(16), cover_volunteer=anna
    )
    db.session.add(
        VolunteerAbsence(volunteer=anna, starts_on=date(2026, 12, 28), ends_on=date(2027, 1, 2), reason="Urlaub")
    )
    db.session.commit()

    page = coordinator.get(f"/druck/einsatzplan/{anna.id}?monat=2026-12").get_data(as_text=True)
    assert "Einsatzplan Dezember 2026" in page and "Anna Müller · Telefon 0170 123" in page
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert len(rows) == 2  # not the cancelled one, not the one Bert does, not January's
    assert "07.12.2026" in rows[0] and "Nordmarkt 5" in rows[0] and "44145 Dortmund" in rows[0]
    assert "0231 55" in rows[0] and "Einkauf mitbringen" in rows[0]
    assert "16.12.2026" in rows[1] and "Vertretung für Carla Cramer" in rows[1]
    assert "28.12.2026 – 02.01.2027 (Urlaub)" in page and "25.12.2026: Erster Weihnachtstag" in page
    assert "monat=2026-11" in page and "monat=2027-01" in page
    assert coordinator.get(f"/druck/einsatzplan/{anna.id}?monat=13/2026").status_code == 400
    detail = coordinator.get(f"/volunteers/{anna.id}").get_data(as_text=True)
    assert f'href="/druck/einsatzplan/{anna.id}"' in detail


def test_address_sheet_has_what_a_stand_in_needs_and_no_health_or_billing_data(app_ctx, coordinator, monkeypatch):
    """A stand-in gets address, phone, the contact person, the notes written for stand-ins and the visit's note;
    not the coordination's care notes, not the dementia flag, not Pflegegrad, KVNR, Kasse or birth date."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    ida = make_senior(
        first_name="Ida",
        last_name="Ahrens",
        street="Nordmarkt 5",
        postal_code="44145",
        phone="0231 55",
        contact_name="Ute Ahrens",
        contact_relation="Tochter",
        contact_phone="0171 9",
        has_dementia=True,
        care_notes="Seit dem Sturz unsicher auf den Beinen",
        stand_in_notes="Schlüssel bei Nachbarin Kaya (EG links), Hund im Haus",
        pflegegrad=3,
        pflegekasse=make_pflegekasse(),
    )
    anna = make_volunteer(first_name="Anna", last_name="Müller", offers_entlastung=True)
    pairing = make_pairing(volunteer=anna, senior=ida)
    stand_in = make_volunteer(first_name="Bert", last_name="Schulz")
    visit = make_appointment(pairing=pairing, on=date(2026, 12, 8), cover_volunteer=stand_in, note="Arzt um 11")

    page = coordinator.get(f"/druck/adressblatt/{visit.id}").get_data(as_text=True)
    assert "Adressblatt für den Besuch am Dienstag, 08.12.2026" in page and "10:00–12:00 Uhr" in page
    assert "Bert Schulz (Vertretung für Anna Müller)" in page
    assert "Nordmarkt 5, 44145 Dortmund" in page and "0231 55" in page
    assert "Ute Ahrens (Tochter), Telefon 0171 9" in page
    assert "Schlüssel bei Nachbarin Kaya (EG links), Hund im Haus" in page and "Zu diesem Termin: Arzt um 11" in page
    sheet = page[page.index("<h1>Adressblatt") :]  # the navigation names the Demenzgruppen
    for private in ("Sturz", "Demenz", "Pflegegrad", ida.kvnr, "AOK", "17.05.1938"):
        assert private not in sheet
    assert f'href="/druck/adressblatt/{visit.id}"' in coordinator.get(f"/termine/{visit.id}").get_data(as_text=True)

    ida.stand_in_notes, visit.note = None, None
    db.session.commit()
    assert "Keine besonderen Hinweise." in coordinator.get(f"/druck/adressblatt/{visit.id}").get_data(as_text=True)


def test_stand_in_notes_are_edited_on_the_senior_form_and_limited(app_ctx, coordinator):
    """The coordination writes the notes for stand-ins on the senior's form; too long a text is refused in German."""
    ida = make_senior(first_name="Ida", last_name="Ahrens")
    form = coordinator.get(f"/seniors/{ida.id}/bearbeiten").get_data(as_text=True)
    assert "Hinweise für Vertretungen" in form and "Keine Gesundheitsangaben." in form
    data = {
        "first_name": "Ida",
        "last_name": "Ahrens",
        "birth_on": "1938-05-17",
        "street": "Nordmarkt 5",
        "postal_code": "44145",
        "city": "Dortmund",
        "district_id": str(ida.district_id),
        "languages": "Deutsch",
        "stand_in_notes": "x" * 501,
    }
    refused = coordinator.post(f"/seniors/{ida.id}/bearbeiten", data=data)
    assert refused.status_code in (200, 400) and "Bitte höchstens 500 Zeichen." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(ida), ida.id).stand_in_notes is None
    coordinator.post(f"/seniors/{ida.id}/bearbeiten", data={**data, "stand_in_notes": "Bitte zweimal klingeln"})
    db.session.expire_all()
    assert db.session.get(type(ida), ida.id).stand_in_notes == "Bitte zweimal klingeln"
    assert "Bitte zweimal klingeln" in coordinator.get(f"/seniors/{ida.id}").get_data(as_text=True)


def test_meeting_list_groups_running_pairings_by_district_with_last_visit_and_contacts(
    app, app_ctx, coordinator, monkeypatch
):
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)

    def pairing(district: str, last: str, visited_on: date | None):
        made = make_pairing(senior=make_senior(last_name=last, district_name=district))
        if visited_on:
            make_appointment(pairing=made, on=visited_on, status="stattgefunden", actual_minutes=60)
        return made

    hombruch = pairing("Hombruch", "Hahn", date(2026, 12, 7))
    make_appointment(pairing=hombruch, on=date(2026, 12, 14))  # still to come: not the last visit
    eving = pairing("Eving", "Esser", date(2026, 10, 5))
    pairing("Eving", "Ende", None).status = "beendet"
    db.session.add(ContactEntry(on=date(2026, 12, 1), channel="telefon", with_whom="x", senior=eving.senior))
    db.session.add(ContactEntry(on=date(2026, 11, 2), channel="email", with_whom="y", volunteer=eving.volunteer))
    db.session.commit()

    page = coordinator.get("/druck/begleitungen?bezirk=alle").get_data(as_text=True)
    assert page.index("<h2>Eving (1)</h2>") < page.index("<h2>Hombruch (1)</h2>")
    assert "Ende" not in page
    esser = next(row for row in page.split("<tr>") if "Esser" in row)
    assert '<span class="badge warn">05.10.2026</span>' in esser
    assert "01.12.2026" in esser and "02.11.2026" in esser
    hahn = next(row for row in page.split("<tr>") if "Hahn" in row)
    assert "07.12.2026" in hahn and "14.12.2026" not in hahn and "badge warn" not in hahn
    only = coordinator.get("/druck/begleitungen?bezirk=Hombruch").get_data(as_text=True)
    assert "Hahn" in only and "Esser" not in only
    first = coordinator.get("/druck/begleitungen").get_data(as_text=True)  # no choice: the first district
    assert (
        "Laufende Begleitungen – Aplerbeck" in first
        and "Keine laufenden Begleitungen im Stadtbezirk Aplerbeck" in first
    )
    assert 'href="/druck/begleitungen"' in coordinator.get("/pairings/").get_data(as_text=True)

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.app_context():
                assert coordinator.get("/druck/begleitungen?bezirk=alle").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements()
    for index in range(4):
        pairing("Mengede", f"Mahler{index}", date(2026, 12, 1))
    assert statements() == few


def test_meeting_list_of_all_districts_is_paged_with_full_counts_per_district(app_ctx, coordinator, monkeypatch):
    """'alle Stadtbezirke' shows one page of pairings; the headings count the whole district, a link leads on."""
    monkeypatch.setitem(app_ctx.config, "TODAY", TODAY)
    monkeypatch.setitem(app_ctx.config, "ITEMS_PER_PAGE", 3)
    for index in range(4):
        make_pairing(senior=make_senior(last_name=f"Esser{index}", district_name="Eving"))
    make_pairing(senior=make_senior(last_name="Hahn", district_name="Hombruch"))
    db.session.commit()

    first = coordinator.get("/druck/begleitungen?bezirk=alle").get_data(as_text=True)
    assert "<h2>Eving (4)</h2>" in first and "Esser2" in first and "Esser3" not in first and "Hahn" not in first
    assert "Seite 1 von 2 (5 Begleitungen)" in first
    assert 'href="/druck/begleitungen?bezirk=alle&amp;page=2"' in first
    second = coordinator.get("/druck/begleitungen?bezirk=alle&page=2").get_data(as_text=True)
    assert "<h2>Eving (4)</h2>" in second and "Esser3" in second and "<h2>Hombruch (1)</h2>" in second
    assert "Esser0" not in second
