"""Reports: every figure against a small data set computed by hand; the annual CSV exactly; bad input refused."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from io import BytesIO

import pytest

from begleitservice.extensions import db
from begleitservice.models import MatchRun, MatchUnserved, VolunteerStatus
from begleitservice.reports.commands import annual_command, population_command
from begleitservice.reports.periods import quarter_period, year_period
from begleitservice.reports.queries import build_report, missing_help
from tests.factories import make_appointment, make_pairing, make_request, make_senior, make_volunteer

DONE = "stattgefunden"


def visit(pairing, on, minutes, **kw):
    return make_appointment(
        pairing=pairing, on=on, status=DONE, actual_minutes=minutes, planned_start=time(10), planned_end=time(12), **kw
    )


@pytest.fixture
def world(app_ctx):
    """Eving: S1, S2 (Besuchsdienst); Hörde: S3 (Entlastung), S4 (Besuchsdienst). Hand-computed figures for 2025:

    Eving  – requests R1, R2, R4 (withdrawn), R5 (waiting): 4 received, 2 placed (10 and 30 days → median 20);
             visits 90 + 60 (stand-in V3) + 45 min = 3,25 h; seniors S1, S2; volunteers V1, V3.
    Hörde  – request R3: 1 received, 1 placed (20 days); visits 120 + 135 min Entlastung = 4,25 h (V2, S3)
             and 30 min Besuchsdienst (V1, S4) = 0,50 h; seniors S3, S4; volunteers V1, V2.
    Gesamt – 5 received, 3 placed, median 20 days, 4 seniors, 3 volunteers (V1 counted once), 3,75 h + 4,25 h.
    """
    v1 = make_volunteer(
        first_name="Anna", created_at=datetime(2025, 3, 1, 9, tzinfo=UTC), languages="Deutsch, Türkisch"
    )
    v2 = make_volunteer(district_name="Hörde", offers_entlastung=True, created_at=datetime(2024, 5, 1, tzinfo=UTC))
    v3 = make_volunteer(created_at=datetime(2024, 5, 1, tzinfo=UTC))
    s1 = make_senior(languages="Deutsch, Türkisch", birth_on=date(1950, 3, 1))
    s2 = make_senior(birth_on=date(1940, 1, 1))
    s3 = make_senior(district_name="Hörde", pflegegrad=2, birth_on=date(1962, 6, 1))
    s4 = make_senior(district_name="Hörde", birth_on=date(1955, 12, 31))
    r1 = make_request(senior=s1, received_on=date(2025, 1, 10), status="vermittelt")
    r2 = make_request(senior=s2, received_on=date(2025, 2, 1), status="vermittelt")
    r3 = make_request(senior=s3, received_on=date(2025, 3, 1), status="vermittelt")
    make_request(senior=s2, received_on=date(2025, 5, 1), status="zurueckgezogen")
    r5 = make_request(senior=s1, received_on=date(2025, 12, 1), languages="Türkisch")
    make_request(senior=s1, received_on=date(2024, 12, 15), status="zurueckgezogen")
    p1 = make_pairing(volunteer=v1, senior=s1, request_id=r1.id, starts_on=date(2025, 1, 20))
    p2 = make_pairing(
        volunteer=v1,
        senior=s2,
        request_id=r2.id,
        starts_on=date(2025, 3, 3),
        ends_on=date(2025, 9, 30),
        status="beendet",
        end_reason="verstorben",
    )
    p3 = make_pairing(volunteer=v2, senior=s3, request_id=r3.id, starts_on=date(2025, 3, 21))
    p4 = make_pairing(volunteer=v1, senior=s4, starts_on=date(2025, 6, 1))
    visit(p1, date(2025, 2, 3), 90)
    visit(p1, date(2025, 2, 10), 60, cover_volunteer_id=v3.id)
    make_appointment(pairing=p1, on=date(2025, 2, 17), status="abgesagt")
    visit(p1, date(2026, 1, 5), 120)
    visit(p2, date(2025, 3, 10), 45)
    visit(p3, date(2025, 4, 1), 120)
    visit(p3, date(2025, 4, 8), 135)
    visit(p4, date(2025, 6, 2), 30)
    v2.status = VolunteerStatus.AUSGESCHIEDEN
    v2.left_on = date(2025, 11, 1)
    run = MatchRun(status="fertig")
    run.unserved = [MatchUnserved(request_id=r5.id, reasons=["niemand spricht Türkisch"], reason_codes=["no_language"])]
    db.session.add(run)
    db.session.commit()
    return {"v1": v1, "v3": v3}


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
    assert missing.by_language == [("Türkisch", 1)]
    assert missing.by_daytime[0] == ("vormittags (bis 12 Uhr)", 1)
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
    districts = sorted(
        [
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
    )
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
