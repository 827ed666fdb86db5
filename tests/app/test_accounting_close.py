"""Closing a month only when it is complete: the preview lists every open point with a link and the totals per
payer (page and CLI); a run with open points needs an explicit confirmation, else it changes nothing; a confirmed
run records the visits it left out."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from begleitservice.accounting import files
from begleitservice.accounting.commands import billing_command
from begleitservice.extensions import db
from begleitservice.models import (
    Appointment,
    BilledVisit,
    BillingRun,
    Invoice,
    InvoiceCounter,
    LeftOutVisit,
    ProviderVersion,
)
from billing.identifiers import kvnr_check_digit
from tests.factories import (
    VALID_IKS,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_senior,
    make_volunteer,
)


@pytest.fixture
def open_october(app_ctx, monkeypatch, tmp_path):
    """October 2026 with one open point of each kind, seen on 20 November (PDFs not rendered)."""
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    monkeypatch.setattr(files, "render_all", lambda docs, **kw: [b"%PDF-1.7 test" for _ in docs])
    make_provider()
    kasse = make_pflegekasse(name="AOK NordWest", ik=VALID_IKS[0])
    anna = make_senior(first_name="Anna", last_name="Abel", pflegegrad=2, pflegekasse=kasse)
    berta = make_senior(first_name="Berta", last_name="Brandt", pflegegrad=3, pflegekasse=kasse, kvnr=None)
    clara = make_senior(first_name="Clara", last_name="Conrad", pflegegrad=2)  # no Pflegekasse
    dora = make_senior(first_name="Dora", last_name="Dahl", pflegegrad=1, abtretung_on=date(2026, 1, 1))
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    pairings = {
        who: make_pairing(volunteer=erika, senior=senior, starts_on=date(2026, 9, 1), slots=((n, 10 * 60, 120),))
        for n, (who, senior) in enumerate((("anna", anna), ("berta", berta), ("clara", clara), ("dora", dora)))
    }

    def visit(who, day, status="stattgefunden", minutes=120):
        return make_appointment(
            pairing=pairings[who],
            on=date(2026, 10, day),
            planned_start=time(10),
            planned_end=time(12),
            status=status,
            actual_minutes=minutes if status == "stattgefunden" else None,
        )

    visits = {
        "no_minutes": visit("anna", 5, minutes=None),
        "planned": visit("anna", 12, status="geplant"),
        "confirmed": visit("anna", 13, status="bestaetigt"),
        "far": visit("anna", 19, minutes=300),
        "fine": visit("anna", 26),
        "cancelled": visit("anna", 27, status="abgesagt"),
        "berta": visit("berta", 6),
        "clara": visit("clara", 7),
        "dora": visit("dora", 8),
    }
    return {"seniors": {"anna": anna, "berta": berta, "clara": clara, "dora": dora}, "visits": visits, "kasse": kasse}


def nothing_billed() -> bool:
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return all(count(model) == 0 for model in (BillingRun, Invoice, BilledVisit, LeftOutVisit, InvoiceCounter))


def edit_link(appointment: Appointment) -> str:
    return f'<a href="/pairings/{appointment.pairing_id}/termine/{appointment.id}">Termin bearbeiten</a>'


def test_preview_counts_open_points_per_kind_and_pages_the_points(open_october, login, app_ctx, monkeypatch):
    """At any size the preview stays a page: the open points counted per kind, then one page of them at a time."""
    monkeypatch.setitem(app_ctx.config, "ITEMS_PER_PAGE", 4)
    accounting = login("accounting")
    page = accounting.get("/abrechnung/lauf?monat=2026-10").get_data(as_text=True)
    kinds = page[page.index('id="punkte-je-art"') : page.index("</table>", page.index('id="punkte-je-art"'))]
    assert (
        "<td>Termin weder als stattgefunden noch als abgesagt erfasst "
        '<span class="badge warn">wird nicht abgerechnet</span></td><td>2</td>'
    ) in kinds
    assert (
        "<td>Pflegekasse fehlt</td><td>2</td>" in kinds
        and "<td>Minuten weichen von der Planung ab</td><td>1</td>" in kinds
    )
    points = page[page.index('id="offene-punkte"') : page.index('id="summen"')]
    assert points.count("<li>") == 4 and "Dora Dahl" not in points
    assert 'href="/abrechnung/lauf?monat=2026-10&amp;punkte=2"' in points
    rest = accounting.get("/abrechnung/lauf?monat=2026-10&punkte=2").get_data(as_text=True)
    rest = rest[rest.index('id="offene-punkte"') : rest.index('id="summen"')]
    assert rest.count("<li>") == 3 and "Dora Dahl" in rest and "Anna Abel" not in rest


def test_preview_page_lists_every_open_point_with_its_link_and_the_totals(open_october, login):
    v, s = open_october["visits"], open_october["seniors"]
    page = login("accounting").get("/abrechnung/lauf?monat=2026-10").get_data(as_text=True)
    points = page[page.index('id="offene-punkte"') : page.index('id="summen"')]
    assert "Offene Punkte (7 offene Punkte, davon 3 Termine, die nicht abgerechnet würden)" in points
    expected = [
        (
            "Anna Abel: Termin am 05.10.2026 10:00–12:00 (Erika Engel) hat stattgefunden, aber die Minuten fehlen – "
            "ohne Minuten wird er nicht abgerechnet.",
            edit_link(v["no_minutes"]),
        ),
        (
            "Anna Abel: Termin am 12.10.2026 10:00–12:00 (Erika Engel) ist noch „geplant“ – bitte als "
            "stattgefunden (mit Minuten), abgesagt oder ausgefallen erfassen; sonst wird er nicht abgerechnet.",
            edit_link(v["planned"]),
        ),
        ("Anna Abel: Termin am 13.10.2026 10:00–12:00 (Erika Engel) ist noch „bestätigt“", edit_link(v["confirmed"])),
        (
            "Anna Abel: Termin am 19.10.2026 10:00–12:00 (Erika Engel): 300 Minuten gemeldet, geplant waren 120 – "
            "bitte prüfen.",
            edit_link(v["far"]),
        ),
        (
            f"Berta Brandt ({s['berta'].id}): keine Versichertennummer (KVNR) erfasst.",
            f'<a href="/seniors/{s["berta"].id}/bearbeiten">Senior:in bearbeiten</a>',
        ),
        (
            f"Clara Conrad ({s['clara'].id}): keine Pflegekasse erfasst – der Entlastungsbetrag kann nicht "
            "erstattet werden.",
            f'<a href="/seniors/{s["clara"].id}/bearbeiten">Senior:in bearbeiten</a>',
        ),
        (
            f"Dora Dahl ({s['dora'].id}): Abtretungserklärung liegt vor, aber keine Pflegekasse ist erfasst.",
            f'<a href="/seniors/{s["dora"].id}/bearbeiten">Senior:in bearbeiten</a>',
        ),
    ]
    for text, link in expected:
        assert text in points, text
        item = points[points.index(text) :]
        assert item[: item.index("</li>")].endswith(link), text
    assert "26.10.2026" not in points and "27.10.2026" not in points  # the complete and the cancelled visit
    totals = page[page.index('id="summen"') :]
    totals = totals[: totals.index("</table>")]
    # Anna 19 Oct (5 h) + 26 Oct (2 h) = 52.50 €, Berta 15.00 €, Clara 15.00 €, Dora 15.00 €: all within the budget.
    assert "<td>AOK NordWest</td><td>67,50\xa0€</td><td>0,00\xa0€</td><td></td>" in totals
    assert "<td>ohne Pflegekasse</td><td>30,00\xa0€</td>" in totals
    assert '<th scope="row">Alle</th><td>97,50\xa0€</td><td>0,00\xa0€</td>' in totals
    assert "<td>97,50\xa0€</td>" in totals
    assert nothing_billed()


def test_preview_cli_lists_the_same_points_with_absolute_links(open_october, app_ctx):
    v = open_october["visits"]
    result = app_ctx.test_cli_runner().invoke(billing_command, ["preview", "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Monat 10/2026: 7 offene Punkte, davon 3 Termine, die nicht abgerechnet würden." in out
    assert "hat stattgefunden, aber die Minuten fehlen" in out
    link = (
        f"Termin bearbeiten: http://localhost:5000/pairings/{v['no_minutes'].pairing_id}/termine/{v['no_minutes'].id}"
    )
    assert link in out
    assert "Alle: Entlastungsbetrag 97,50 €, Umwandlung 0,00 €, privat 0,00 €, zusammen 97,50 €" in out
    assert nothing_billed()


def test_page_refuses_to_close_without_the_tick_and_changes_nothing(open_october, login, tmp_path):
    accounting = login("accounting")
    page = accounting.get("/abrechnung/lauf?monat=2026-10").get_data(as_text=True)
    assert "Trotz offener Punkte abschließen" in page
    response = accounting.post("/abrechnung/lauf", data={"month": "2026-10"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert (
        "Der Monat 10/2026 ist nicht vollständig: 7 offene Punkte, davon 3 Termine, die nicht abgerechnet würden. "
        "Bitte die Punkte klären oder ausdrücklich bestätigen, dass der Monat trotzdem abgeschlossen wird – "
        "es wurde nichts abgerechnet."
    ) in text
    assert 'id="offene-punkte"' in text  # back on the preview
    db.session.expire_all()
    assert nothing_billed()
    assert db.session.get(Appointment, open_october["visits"]["planned"].id).status == "geplant"
    assert not (tmp_path / "billing").exists()


def test_page_closes_with_the_tick_and_records_what_was_left_out(open_october, login):
    v = open_october["visits"]
    accounting = login("accounting")
    response = accounting.post("/abrechnung/lauf", data={"month": "2026-10", "accept_open": "y"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Der Monat 10/2026 ist abgerechnet." in page
    assert "3 Termin(e) wurden nicht abgerechnet" in page
    run = db.session.scalar(sa.select(BillingRun))
    left = {(row.appointment_id, row.reason, row.status) for row in run.left_out}
    assert left == {
        (v["no_minutes"].id, "ohne_minuten", "stattgefunden"),
        (v["planned"].id, "nicht_abgeschlossen", "geplant"),
        (v["confirmed"].id, "nicht_abgeschlossen", "bestaetigt"),
    }
    assert len(run.open_problems) == 7 and "300 Minuten gemeldet" in run.open_problems[3]
    billed = {b.appointment_id: b.minutes for b in db.session.scalars(sa.select(BilledVisit))}
    assert billed == {v["far"].id: 300, v["fine"].id: 120, v["berta"].id: 120, v["clara"].id: 120, v["dora"].id: 120}
    assert sum(i.total for i in run.invoices) == Decimal("97.50")
    section = page[page.index('id="nicht-abgerechnet"') : page.index('id="bestaetigte-punkte"')]
    assert "05.10.2026" in section and "stattgefunden, ohne Minuten" in section
    assert "12.10.2026" in section and "weder bestätigt als stattgefunden noch abgesagt" in section
    assert edit_link(v["no_minutes"]).replace("Termin bearbeiten", "stattgefunden") in section
    confirmed = page[page.index('id="bestaetigte-punkte"') :]
    assert "Berta Brandt" in confirmed and "keine Versichertennummer (KVNR) erfasst." in confirmed


def test_cli_refuses_without_the_flag_and_runs_with_it(open_october, app_ctx, tmp_path):
    runner = app_ctx.test_cli_runner()
    out = tmp_path / "docs"
    refused = runner.invoke(billing_command, ["run", "--month", "2026-10", "--out", str(out)])
    assert refused.exit_code == 1
    assert "hat stattgefunden, aber die Minuten fehlen" in refused.output
    assert "es wurde nichts abgerechnet. Bestätigen mit --accept-open-visits." in refused.output
    assert nothing_billed() and not out.exists()
    done = runner.invoke(billing_command, ["run", "--month", "2026-10", "--out", str(out), "--accept-open-visits"])
    assert done.exit_code == 0, done.output
    assert "3 Termin(e) nicht abgerechnet (vermerkt beim Lauf)." in done.output
    assert "Monat 10/2026 abgerechnet:" in done.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeftOutVisit)) == 3


def test_a_complete_month_closes_without_confirmation(open_october, app_ctx, tmp_path):
    """Fix every open point: the run needs no tick and records nothing left out."""
    v, s = open_october["visits"], open_october["seniors"]
    v["no_minutes"].actual_minutes = 90
    v["planned"].status = "ausgefallen"
    v["confirmed"].status, v["confirmed"].actual_minutes = "stattgefunden", 120
    v["far"].actual_minutes = 150
    s["berta"].kvnr = f"E55555555{kvnr_check_digit('E55555555')}"
    s["clara"].pflegekasse = s["dora"].pflegekasse = open_october["kasse"]
    db.session.commit()
    runner = app_ctx.test_cli_runner()
    preview = runner.invoke(billing_command, ["preview", "--month", "2026-10"])
    assert "Monat 10/2026: keine offenen Punkte." in preview.output
    done = runner.invoke(billing_command, ["run", "--month", "2026-10", "--out", str(tmp_path / "docs")])
    assert done.exit_code == 0, done.output
    run = db.session.scalar(sa.select(BillingRun))
    assert run.left_out == [] and run.open_problems == []


def test_deviation_threshold_is_configurable(open_october, app_ctx, monkeypatch):
    runner = app_ctx.test_cli_runner()
    monkeypatch.setitem(app_ctx.config, "BILLING_DEVIATION_PERCENT", 200)
    out = runner.invoke(billing_command, ["preview", "--month", "2026-10"]).output
    assert "300 Minuten gemeldet" not in out and "6 offene Punkte" in out
    monkeypatch.setitem(app_ctx.config, "BILLING_DEVIATION_PERCENT", 10)
    out = runner.invoke(billing_command, ["preview", "--month", "2026-10"]).output
    assert "300 Minuten gemeldet" in out and "7 offene Punkte" in out


def test_demo_data_has_a_month_that_refuses_to_close_until_confirmed(app_ctx, monkeypatch, tmp_path):
    from begleitservice.cli.demo_data import demo_data

    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(files, "render_all", lambda docs, **kw: [b"%PDF-1.7 test" for _ in docs])
    runner = app_ctx.test_cli_runner()
    assert runner.invoke(demo_data, ["--seed", "11"]).exit_code == 0
    if db.session.scalar(sa.select(sa.func.count()).select_from(ProviderVersion)) == 0:
        make_provider()  # until the demo data brings its fictional provider
    runs = lambda: db.session.scalar(sa.select(sa.func.count()).select_from(BillingRun))  # noqa: E731
    for closed, month in enumerate(("2026-09", "2026-10")):  # the demo's history starts in September
        preview = runner.invoke(billing_command, ["preview", "--month", month]).output
        assert "die nicht abgerechnet würden" in preview.splitlines()[0]
        args = ["run", "--month", month, "--out", str(tmp_path / month)]
        refused = runner.invoke(billing_command, args)
        assert refused.exit_code == 1 and "Bestätigen mit --accept-open-visits." in refused.output
        assert runs() == closed
        done = runner.invoke(billing_command, [*args, "--accept-open-visits"])
        assert done.exit_code == 0, done.output
        assert "nicht abgerechnet (vermerkt beim Lauf)" in done.output
        assert runs() == closed + 1


def test_a_left_out_visit_is_billed_as_nachberechnung_once_its_minutes_are_reported(open_october, login):
    v = open_october["visits"]
    accounting = login("accounting")
    accounting.post("/abrechnung/lauf", data={"month": "2026-10", "accept_open": "y"})
    # Without minutes it waits: no Nachberechnung with a guessed duration.
    november = accounting.get("/abrechnung/lauf?monat=2026-11").get_data(as_text=True)
    assert "Nachberechnung Oktober 2026" not in november
    visit = v["no_minutes"]
    response = login("coordinator").post(
        f"/pairings/{visit.pairing_id}/termine/{visit.id}",
        data={"status": "stattgefunden", "actual_minutes": "90"},
        follow_redirects=True,
    )
    assert "Oktober 2026 ist bereits abgerechnet" in response.get_data(as_text=True)
    november = accounting.get("/abrechnung/lauf?monat=2026-11").get_data(as_text=True)
    assert "Nachberechnung Oktober 2026" in november and "11,25\xa0€" in november
