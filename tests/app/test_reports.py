"""Reports: every figure against a small data set computed by hand; the annual CSV exactly; bad input refused."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest

from begleitservice.extensions import db
from begleitservice.models import VolunteerStatus
from begleitservice.reports.commands import annual_command, population_command
from begleitservice.reports.periods import quarter_period, year_period
from begleitservice.reports.queries import build_report, missing_help
from tests.factories import make_request, make_senior
from tests.report_world import build_report_world


@pytest.fixture
def world(app_ctx):
    """The hand-computed data set of tests/report_world.py."""
    return build_report_world()


def area(report, name):
    return next(a for a in report.areas if a.name == name)


def test_requests_by_district_and_city(world):
    report = build_report(year_period(2025))
    eving, hoerde = area(report, "Eving"), area(report, "Hörde")
    assert (eving.total.received, eving.total.placed, eving.total.withdrawn, eving.total.waiting) == (4, 2, 1, 1)
    assert (hoerde.total.received, hoerde.total.placed) == (1, 1)
    assert (report.total.total.received, report.total.total.placed) == (5, 3)
    assert area(report, "Brackel").total.received == 0


def test_median_days_to_placement(world):
    report = build_report(year_period(2025))
    assert area(report, "Eving").total.median_days == 20  # 10 and 30 days
    assert area(report, "Hörde").offers["entlastung"].median_days == 20
    assert report.total.total.median_days == 20  # 10, 20, 30
    assert report.total.offers["besuchsdienst"].median_days == 20  # 10, 30
    assert area(report, "Brackel").total.median_days is None


def test_seniors_volunteers_and_hours(world):
    report = build_report(year_period(2025))
    eving, hoerde, city = area(report, "Eving"), area(report, "Hörde"), report.total
    assert (eving.total.seniors, eving.total.volunteers) == (2, 2)  # V1 and the stand-in V3
    assert (hoerde.total.seniors, hoerde.total.volunteers) == (2, 2)  # V1 visits S4, V2 visits S3
    assert (city.total.seniors, city.total.volunteers) == (4, 3)  # V1 once in the city
    assert eving.offers["besuchsdienst"].hours == Decimal("3.25")  # cancelled and 2026 visits left out
    assert hoerde.offers["entlastung"].hours == Decimal("4.25")
    assert hoerde.offers["besuchsdienst"].hours == Decimal("0.50")
    assert city.offers["besuchsdienst"].hours == Decimal("3.75")
    assert city.offers["demenzgruppe"].hours == Decimal("0.00")
    assert city.offers["entlastung"].volunteers == 1


def test_volunteers_new_left_and_pairs_ended(world):
    report = build_report(year_period(2025))
    assert (area(report, "Eving").volunteers_new, area(report, "Hörde").volunteers_left) == (1, 1)
    assert (report.total.volunteers_new, report.total.volunteers_left) == (1, 1)
    assert report.total.pairs_ended == area(report, "Eving").pairs_ended == 1
    assert report.ended_by_reason == [("Senior:in verstorben", 1)]


def test_leaving_sets_and_clears_the_day(world, app):
    volunteer, before = world["v3"], app.config["TODAY"]
    app.config["TODAY"] = date(2026, 3, 2)
    try:
        volunteer.status = VolunteerStatus.AUSGESCHIEDEN
        assert volunteer.left_on == date(2026, 3, 2)
        volunteer.status = VolunteerStatus.AKTIV
        assert volunteer.left_on is None
    finally:
        app.config["TODAY"] = before
        db.session.rollback()


def test_shares_by_language_and_age(world):
    report = build_report(year_period(2025))
    assert report.seniors_by_language == [("Deutsch", 4), ("Türkisch", 1)]
    assert report.seniors_by_age == [("unter 65", 1), ("65 bis 74", 1), ("75 bis 84", 1), ("85 und älter", 1)]
    assert report.volunteers_by_language == [("Deutsch", 3), ("Türkisch", 1)]


def test_previous_and_quarter_periods(world):
    assert year_period(2025).previous() == year_period(2024)
    assert quarter_period(2025, 1).previous() == quarter_period(2024, 4)
    assert build_report(year_period(2024)).total.total.received == 1
    first = build_report(quarter_period(2025, 1))
    assert (first.total.total.received, first.total.offers["besuchsdienst"].minutes) == (3, 195)


def test_by_sozialraum_with_population(world, app, tmp_path):
    from begleitservice.models import Senior, Sozialraum

    nordmarkt = db.session.scalar(db.select(Sozialraum).where(Sozialraum.name == "Lindenhorst/Eving II"))
    for senior in db.session.scalars(db.select(Senior).where(Senior.district_id == nordmarkt.district_id)):
        senior.sozialraum_id = nordmarkt.id
    db.session.commit()
    source = tmp_path / "einwohner.csv"
    source.write_text(
        "Sozialraum;Stadtbezirk;Jahr;Einwohner 65+\n"
        "Lindenhorst/Eving II;Eving;2024;2.000\nKirchhörde;Hombruch;2024;1500\n",
        encoding="utf-8-sig",
    )
    result = app.test_cli_runner().invoke(population_command, [str(source)])
    assert result.exit_code == 0, result.output
    assert "2 Zeilen importiert" in result.output and "neue Sozialräume: Kirchhörde" in result.output
    report = build_report(year_period(2025), by="sozialraum")
    row = area(report, "Lindenhorst/Eving II")
    assert row.is_aktionsraum and row.residents_65plus == 2000 and report.population_year == 2024
    assert (row.total.received, row.total.seniors) == (4, 2)
    assert row.per_1000(row.total.received) == Decimal("2.0")
    assert area(report, "ohne Sozialraum").total.seniors == 2  # the two in Hörde
    assert not area(report, "Kirchhörde").is_aktionsraum


def test_population_import_refuses_bad_rows_and_changes_nothing(world, app, tmp_path):
    from begleitservice.models import SozialraumPopulation

    source = tmp_path / "einwohner.csv"
    source.write_text(
        "Sozialraum;Stadtbezirk;Jahr;Einwohner 65+\nNette;Mengede;2024;1200\nHafen;Atlantis;24;viele\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(population_command, [str(source)])
    assert result.exit_code == 1
    assert "Zeile 3, Feld Stadtbezirk: „Atlantis“ ist kein Dortmunder Stadtbezirk." in result.output
    assert "Zeile 3, Feld Jahr:" in result.output and "Zeile 3, Feld Einwohner 65+:" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(SozialraumPopulation)) == 0
    dry = app.test_cli_runner().invoke(population_command, [str(source).replace(".csv", "x.csv"), "--dry-run"])
    assert dry.exit_code != 0 and "gibt es nicht" in dry.output


def test_missing_help_beside_capacity(world):
    missing = missing_help()
    eving = next(g for g in missing.gaps if g.name == "Eving")
    assert eving.waiting == {"besuchsdienst": 1, "entlastung": 0, "demenzgruppe": 0}
    assert eving.needed_hours == Decimal("2.00")
    # V1 (240 min, running P1 and P4 with 120 each: nothing free) and V3 (240 free); V2 has left
    assert (eving.volunteers, eving.free_hours) == (2, Decimal("4.00"))
    assert (missing.total.volunteers, missing.total.waiting_total) == (2, 1)
    # V1 (Deutsch, Türkisch; nothing free) and V3 (Deutsch; 4 h free) are active, both weekdays 8–20 h;
    # the waiting request wants Monday 9–12
    assert missing.by_language == [("Türkisch", 1, 1, Decimal("0.00"))]
    assert missing.by_daytime == [
        ("vormittags (bis 12 Uhr)", 1, 2, Decimal("4.00")),
        ("nachmittags (12 bis 17 Uhr)", 0, 2, Decimal("4.00")),
        ("abends (ab 17 Uhr)", 0, 2, Decimal("4.00")),
    ]
    assert missing.by_offer == [
        ("besuchsdienst", 1, 2, Decimal("4.00")),
        ("entlastung", 0, 0, Decimal("0.00")),
        ("demenzgruppe", 0, 0, Decimal("0.00")),
    ]
    assert missing.reasons == [("niemand spricht die gewünschte Sprache", 1)]


def _csv_line(name, *values):
    return ";".join([name, *values])


def test_annual_csv_exactly(world, app, tmp_path):
    target = tmp_path / "bericht.csv"
    result = app.test_cli_runner().invoke(annual_command, ["--year", "2025", "--format", "csv", "--out", str(target)])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "Stadtbezirk;Anfragen eingegangen;vermittelt;Senior:innen begleitet;Ehrenamtliche aktiv;"
        "Stunden Besuchsdienst;Stunden Entlastung;Stunden Demenzgruppen;zurückgezogen;wartet noch;"
        "Median Tage bis Vermittlung;Ehrenamtliche neu;Ehrenamtliche ausgeschieden;Begleitungen beendet;"
        "Ehrenamtsstunden Demenzgruppen"
    )
    empty = "0;0;0;0;0,00;0,00;0,00;0;0;;0;0;0;0,00"
    # German alphabetical order, as a reader looks things up: Hörde between Hombruch and Huckarde
    districts = [
        "Aplerbeck",
        "Brackel",
        "Eving",
        "Hombruch",
        "Hörde",
        "Huckarde",
        "Innenstadt-Nord",
        "Innenstadt-Ost",
        "Innenstadt-West",
        "Lütgendortmund",
        "Mengede",
        "Scharnhorst",
    ]
    expected = {name: f"{name};{empty}" for name in districts}
    expected["Eving"] = "Eving;4;2;2;2;3,25;0,00;0,00;1;1;20,0;1;0;1;0,00"
    expected["Hörde"] = "Hörde;1;1;2;2;0,50;4,25;0,00;0;0;20,0;0;1;0;0,00"
    assert lines[1:13] == [expected[name] for name in districts]
    assert lines[13] == "Gesamt;5;3;4;3;3,75;4,25;0,00;1;1;20,0;1;1;1;0,00"
    assert lines[14:] == [""]


def test_annual_xlsx_has_one_sheet_per_table(world, app, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "bericht.xlsx"
    result = app.test_cli_runner().invoke(annual_command, ["--year", "2025", "--format", "xlsx", "--out", str(target)])
    assert result.exit_code == 0, result.output
    book = load_workbook(BytesIO(target.read_bytes()))
    assert book.sheetnames[:3] == ["Stadtbezirke", "Angebote", "Senior-innen nach Sprache"]
    assert "Sozialräume" in book.sheetnames and "Fehlende Hilfe" in book.sheetnames
    sheet = book["Stadtbezirke"]
    assert [c.value for c in sheet[14]][:8] == ["Gesamt", 5, 3, 4, 3, 3.75, 4.25, 0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "1899"], "„1899“ ist kein mögliches Berichtsjahr"),
        (["--year", "2025x"], "ist kein mögliches Berichtsjahr"),
        (["--year", "2999"], "ist kein mögliches Berichtsjahr"),
        (["--year", "2025", "--format", "docx"], "Unbekanntes Format „docx“: bitte csv, xlsx oder pdf."),
    ],
)
def test_bad_cli_input_writes_nothing(world, app, tmp_path, args, message):
    target = tmp_path / "bericht.csv"
    result = app.test_cli_runner().invoke(annual_command, [*args, "--out", str(target)])
    assert result.exit_code != 0
    assert message in result.output
    assert not target.exists()


def test_unwritable_path_writes_nothing(world, app, tmp_path):
    missing_folder = tmp_path / "fehlt" / "bericht.csv"
    result = app.test_cli_runner().invoke(annual_command, ["--year", "2025", "--out", str(missing_folder)])
    assert result.exit_code != 0 and "gibt es nicht: nichts geschrieben" in result.output
    result = app.test_cli_runner().invoke(annual_command, ["--year", "2025", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "ist ein Ordner" in result.output
    assert list(tmp_path.iterdir()) == []


def test_csv_cells_are_neutralised(world, app, tmp_path):
    from begleitservice.models import District

    db.session.scalar(db.select(District).where(District.name == "Eving")).name = "=HYPERLINK(1)"
    db.session.commit()
    target = tmp_path / "bericht.csv"
    app.test_cli_runner().invoke(annual_command, ["--year", "2025", "--out", str(target)])
    assert "\r\n'=HYPERLINK(1);4;2;" in target.read_bytes().decode("utf-8-sig")


@pytest.fixture
def group_world(world):
    """On top of ``world``: a Demenzgruppe in Hörde. 2025-06-04 held (180 min): S3 (Hörde) and S2 (Eving) present,
    S4 excused; V1 and V3 present on the roster, V2 not. 2025-06-11 called off (counts nothing). S4's request for
    the group (received 2025-05-01) led to a place from 2025-05-15: 14 days."""
    from begleitservice.models import (
        GroupAttendance,
        GroupParticipant,
        GroupRosterEntry,
        GroupSession,
        Senior,
        Volunteer,
    )
    from tests.factories import make_group

    seniors = {s.birth_on.year: s for s in db.session.scalars(db.select(Senior))}
    s2, s3, s4 = seniors[1940], seniors[1962], seniors[1955]
    v1, v3 = world["v1"], world["v3"]
    v2 = db.session.scalar(db.select(Volunteer).where(Volunteer.offers_entlastung.is_(True)))
    group = make_group(starts_on=date(2025, 1, 1))
    make_request(senior=s4, service="demenzgruppe", received_on=date(2025, 5, 1), status="vermittelt")
    db.session.add(GroupParticipant(group=group, senior=s4, status="aktiv", starts_on=date(2025, 5, 15)))
    held = GroupSession(group=group, on=date(2025, 6, 4), start_minute=14 * 60, end_minute=17 * 60)
    held.attendance = [
        GroupAttendance(senior=s3, status="anwesend"),
        GroupAttendance(senior=s2, status="anwesend"),
        GroupAttendance(senior=s4, status="entschuldigt"),
    ]
    held.roster = [
        GroupRosterEntry(volunteer=v1),
        GroupRosterEntry(volunteer=v3),
        GroupRosterEntry(volunteer=v2, is_present=False),
    ]
    off = GroupSession(
        group=group,
        on=date(2025, 6, 11),
        start_minute=14 * 60,
        end_minute=17 * 60,
        status="abgesagt",
        cancelled_at=datetime(2025, 6, 10, tzinfo=UTC),
    )
    off.attendance = [GroupAttendance(senior=s3, status="anwesend")]
    off.roster = [GroupRosterEntry(volunteer=v2)]
    db.session.add_all([held, off])
    db.session.commit()


def test_group_sessions_count_in_the_report(group_world):
    report = build_report(year_period(2025))
    hoerde, eving, city = area(report, "Hörde"), area(report, "Eving"), report.total
    assert hoerde.offers["demenzgruppe"].hours == eving.offers["demenzgruppe"].hours == Decimal("3.00")
    assert city.offers["demenzgruppe"].hours == Decimal("6.00")
    assert (hoerde.total.received, hoerde.total.placed, hoerde.total.median_days) == (2, 2, 17)  # 20 and 14 days
    assert hoerde.offers["demenzgruppe"].seniors == 1 and eving.offers["demenzgruppe"].seniors == 1
    assert (hoerde.total.seniors, hoerde.total.volunteers) == (2, 3)  # V3 at the group in Hörde
    assert (city.total.seniors, city.total.volunteers, city.offers["demenzgruppe"].volunteers) == (4, 3, 2)
    assert (hoerde.group_volunteer_hours, city.group_volunteer_hours) == (Decimal("6.00"), Decimal("6.00"))


def test_group_hours_in_the_annual_csv(group_world, app, tmp_path):
    target = tmp_path / "bericht.csv"
    result = app.test_cli_runner().invoke(annual_command, ["--year", "2025", "--out", str(target)])
    assert result.exit_code == 0, result.output
    lines = target.read_bytes().decode("utf-8-sig").split("\r\n")
    assert "Eving;4;2;2;2;3,25;0,00;3,00;1;1;20,0;1;0;1;0,00" in lines
    assert "Hörde;2;2;2;3;0,50;4,25;3,00;0;0;17,0;0;1;0;6,00" in lines
    assert lines[13] == "Gesamt;6;4;4;3;3,75;4,25;6,00;1;1;17,0;1;1;1;6,00"


def test_group_waiting_lists_beside_missing_help(group_world):
    missing = missing_help()
    assert [
        (name[:16], district, capacity, placed, waiting)
        for name, district, capacity, placed, waiting in missing.group_waiting
    ] == [("Demenzgruppe Tes", "Hörde", 10, 1, 0)]


def test_report_page_shows_figures_previous_period_and_charts(world, coordinator):
    response = coordinator.get("/berichte/?zeitraum=jahr&jahr=2025")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Bericht 2025</h1>" in html and "daneben 2024" in html
    assert '<tr class="total"><th scope="row">Gesamt</th><td class="num">5</td><td class="num">3</td>' in html
    assert 'role="img"' in html and "<title id=" in html and "Eving: 3,25 Stunden" in html  # the chart's <desc>
    assert "<style" not in html and "style=" not in html  # the policy forbids inline styles


def test_report_page_quarter_and_custom_period(world, coordinator):
    html = coordinator.get("/berichte/?zeitraum=quartal&jahr=2025&quartal=1").get_data(as_text=True)
    assert "<h1>Bericht 1. Quartal 2025</h1>" in html and "daneben 4. Quartal 2024" in html
    html = coordinator.get("/berichte/?zeitraum=frei&von=2025-02-01&bis=28.02.2025").get_data(as_text=True)
    assert "<h1>Bericht 01.02.2025 – 28.02.2025</h1>" in html and "daneben 04.01.2025 – 31.01.2025" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("zeitraum=jahr&jahr=20x5", "kein mögliches Berichtsjahr"),
        ("zeitraum=quartal&jahr=2025&quartal=5", "Bitte wählen Sie ein Quartal von 1 bis 4."),
        ("zeitraum=frei&von=2025-03-01&bis=2025-02-01", "Das Ende des Zeitraums liegt vor seinem Beginn."),
        ("zeitraum=frei&von=gestern&bis=2025-02-01", "„gestern“ ist kein Datum"),
        ("zeitraum=woche", "Bitte wählen Sie als Zeitraum Jahr, Quartal oder einen freien Zeitraum."),
    ],
)
def test_bad_period_is_named_in_german(world, coordinator, query, message):
    for url in (f"/berichte/?{query}", f"/berichte/sozialraeume?{query}", f"/berichte/export.csv?{query}"):
        response = coordinator.get(url)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_missing_help_page(world, coordinator):
    html = coordinator.get("/berichte/fehlende-hilfe").get_data(as_text=True)
    assert "Wo Hilfe fehlt" in html and "niemand spricht die gewünschte Sprache" in html
    assert "Wartende Anfragen je Stadtbezirk" in html


def test_sozialraum_page_marks_aktionsraeume(world, coordinator):
    html = coordinator.get("/berichte/sozialraeume?jahr=2025").get_data(as_text=True)
    assert 'Nordmarkt <span class="badge warn">Aktionsraum</span>' in html
    assert "ohne Sozialraum" in html


def test_page_exports(world, coordinator):
    response = coordinator.get("/berichte/export.csv?zeitraum=jahr&jahr=2025")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").split("\r\n")[13].startswith("Gesamt;5;3;4;3;3,75;4,25;0,00;")
    response = coordinator.get("/berichte/export.xlsx?zeitraum=quartal&jahr=2025&quartal=2")
    assert response.status_code == 200 and response.data[:2] == b"PK"


@pytest.mark.usefixtures("built_pages")
def test_page_queries_do_not_grow_with_the_data(world, coordinator, app):
    """The page costs the same number of statements with one or with many more visits (aggregates only)."""
    import sqlalchemy as sa

    from begleitservice.models import Pairing

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert coordinator.get("/berichte/?jahr=2025").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = statements()
    pairing = db.session.scalars(sa.select(Pairing)).first()
    for day in range(1, 28):
        make_request(senior=pairing.senior, received_on=date(2025, 7, day))
    db.session.commit()
    assert statements() == before


def test_annual_pdf_for_the_committees(world, app, tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "bericht.pdf"
    result = app.test_cli_runner().invoke(annual_command, ["--year", "2025", "--format", "pdf", "--out", str(target)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert reader.metadata.title == "Bericht 2025"
    assert "Auf einen Blick" in text and "Nach Sozialraum" in text and "Wo Hilfe fehlt" in text
    assert "niemand spricht die gewünschte Sprache" in text
    assert "3,75" in text and "4,25" in text  # the city's hours of Besuchsdienst and Entlastung


def test_pdf_download_from_the_page(world, coordinator):
    response = coordinator.get("/berichte/export.pdf?zeitraum=quartal&jahr=2025&quartal=1")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert 'filename="Bericht_2025-01-01_2025-03-31.pdf"' in response.headers["Content-Disposition"]


def test_unknown_export_format_is_not_found(world, coordinator):
    assert coordinator.get("/berichte/export.docx?jahr=2025").status_code == 404


GOOD_POPULATION = "Sozialraum;Stadtbezirk;Jahr;Einwohner 65+\nNette;Mengede;2024;1200\nHafen;Innenstadt-Nord;2024;900\n"


def _population_rows() -> int:
    from begleitservice.models import SozialraumPopulation

    return db.session.scalar(db.select(db.func.count()).select_from(SozialraumPopulation))


def test_population_cli_dry_run_saves_nothing(world, app, tmp_path):
    source = tmp_path / "einwohner.csv"
    source.write_text(GOOD_POPULATION, encoding="utf-8")
    result = app.test_cli_runner().invoke(population_command, [str(source), "--dry-run"])
    assert result.exit_code == 0 and "2 Zeilen würden importiert (0 ersetzt); Probelauf, nichts gespeichert." in (
        result.output
    )
    assert _population_rows() == 0


def _upload(client, text: str, *, dry_run: bool, name: str = "einwohner.csv"):
    data = {"file": (BytesIO(text.encode("utf-8")), name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/berichte/einwohner", data=data, content_type="multipart/form-data")


def test_population_page_dry_run_then_import(world, coordinator):
    response = _upload(coordinator, GOOD_POPULATION, dry_run=True)
    assert response.status_code == 200 and "2 Zeilen würden importiert" in response.get_data(as_text=True)
    assert _population_rows() == 0
    response = _upload(coordinator, GOOD_POPULATION, dry_run=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/berichte/sozialraeume")
    assert _population_rows() == 2
    again = _upload(coordinator, GOOD_POPULATION, dry_run=False)  # a second click replaces the same figures
    assert again.status_code == 302 and _population_rows() == 2


def test_population_page_refuses_bad_rows_in_german(world, coordinator):
    bad = GOOD_POPULATION + "Atlantis;Hörde;2024;-5\n"
    response = _upload(coordinator, bad, dry_run=False)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Zeile 4, Feld Einwohner 65+:" in html and "nichts importiert" in html
    assert _population_rows() == 0
    response = _upload(coordinator, GOOD_POPULATION, dry_run=False, name="einwohner.pdf")
    assert response.status_code == 400 and "Bitte eine .csv- oder .xlsx-Datei wählen." in response.get_data(
        as_text=True
    )


def test_population_page_is_for_the_coordination(world, login):
    assert login("accounting").get("/berichte/einwohner").status_code == 403


def test_shares_count_group_participants_and_roster(group_world):
    from begleitservice.models import GroupAttendance, GroupSession

    held = db.session.scalar(db.select(GroupSession).where(GroupSession.status == "geplant"))
    only_group = make_senior(district_name="Hörde", languages="Russisch", birth_on=date(1930, 1, 1))
    db.session.add(GroupAttendance(session=held, senior=only_group, status="anwesend"))
    db.session.commit()
    report = build_report(year_period(2025))
    assert report.total.total.seniors == 5
    # S2 and S3 were visited and at the group: counted once; the group-only senior counts too
    assert report.seniors_by_language == [("Deutsch", 4), ("Russisch", 1), ("Türkisch", 1)]
    assert report.seniors_by_age[-1] == ("85 und älter", 2)
    assert report.volunteers_by_language == [("Deutsch", 3), ("Türkisch", 1)]


def test_sozialraum_page_rates_only_where_the_city_figure_is_known(world, coordinator, app, tmp_path):
    from begleitservice.models import Senior, Sozialraum

    lindenhorst = db.session.scalar(db.select(Sozialraum).where(Sozialraum.name == "Lindenhorst/Eving II"))
    for senior in db.session.scalars(db.select(Senior).where(Senior.district_id == lindenhorst.district_id)):
        senior.sozialraum_id = lindenhorst.id
    db.session.commit()
    source = tmp_path / "einwohner.csv"
    source.write_text("Sozialraum;Stadtbezirk;Jahr;Einwohner 65+\nLindenhorst/Eving II;Eving;2024;2000\n")
    assert app.test_cli_runner().invoke(population_command, [str(source)]).exit_code == 0
    html = coordinator.get("/berichte/sozialraeume?jahr=2025").get_data(as_text=True)
    assert '<td class="num">2.000</td>' in html and "Stand 2024" in html
    assert "Lindenhorst/Eving II: 1,0 je 1.000." in html  # 2 seniors of 2,000 residents 65+
    assert "Hafen:" not in html  # no figure of the city: no rate, no bar of zero


def test_a_wish_over_noon_counts_in_both_times_of_day(world):
    from begleitservice.models import Senior

    senior = db.session.scalar(db.select(Senior).where(Senior.birth_on == date(1940, 1, 1)))
    make_request(senior=senior, received_on=date(2026, 1, 5), windows=((2, 11 * 60, 14 * 60), (4, 10 * 60, 11 * 60)))
    counts = [count for _label, count, _v, _h in missing_help().by_daytime]
    assert counts == [2, 1, 0]  # the new request once in the morning although two of its windows lie there
