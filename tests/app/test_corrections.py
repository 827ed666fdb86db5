"""Corrections of billed months in the app: the Storno plan over later months, applied once (double click,
two people at once), a retroactive Pflegegrad offered as the same plan, and late minutes billed as a
Nachberechnung of their month in the next run. Exact cents; SQLite and PostgreSQL."""

import re
import secrets
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from begleitservice.accounting.corrections import apply_correction, plan_of, storno_and_rebill, storno_request
from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import AccountingError, run_month
from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.models import Appointment, BilledVisit, BillingRun, Invoice, InvoiceCounter, PendingCorrection
from begleitservice.models.budget import BudgetOpening, PflegegradPeriod, UmwandlungDeclaration
from begleitservice.seniors.operations import save_senior
from billing.month import Month
from tests.factories import (
    VALID_IKS,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_senior,
    make_volunteer,
)

SEP, OCT, NOV = Month(2026, 9), Month(2026, 10), Month(2026, 11)
TODAY = date(2026, 12, 10)
LINK_DAY = datetime(2026, 11, 20, 9, tzinfo=UTC)
D = Decimal


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def bill(month: Month, tmp_path: Path):
    """Run and commit ``month`` as the page does, on the day after it ended (closing confirmed: the visits here
    run far longer than planned, and ``two_months`` leaves one unreported)."""
    day = month.next().first_day
    result = run_month(month, out_dir=tmp_path / month.iso, today=day, issued_on=day, accept_open=True)
    commit_with_files(result.staged)
    return result


def invoices() -> list[tuple[str, str, str, Decimal, Decimal, Decimal]]:
    rows = db.session.scalars(sa.select(Invoice).order_by(Invoice.year, Invoice.seq))
    return [(i.number, i.kind, i.month.strftime("%m"), i.entlastungsbetrag, i.umwandlung, i.private) for i in rows]


def active_splits() -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    visits = db.session.scalars(sa.select(BilledVisit).where(sa.not_(BilledVisit.is_cancelled)))
    return {v.appointment_id: (v.entlastungsbetrag, v.umwandlung, v.private) for v in visits}


@pytest.fixture
def autumn(app_ctx, tmp_path, monkeypatch):
    """Anna (Pflegegrad 2, Abtretung): September 8 h + 4 h, October 2 × 10 h, November 10 h, each month billed.

    131.00 a month from September: September 90.00, October 150.00 (41.00 left + 131.00), November 75.00,
    all to the Pflegekasse."""
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 12, 10, 9, tzinfo=UTC))
    make_provider()
    kasse = make_pflegekasse(name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269")
    anna = make_senior(
        first_name="Anna", last_name="Abel", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 1, 1)
    )
    db.session.add(PflegegradPeriod(senior=anna, grade=2, valid_from=date(2026, 1, 1)))
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    pairing = make_pairing(volunteer=erika, senior=anna, starts_on=date(2026, 9, 1))
    visits = {}
    for name, day, minutes in (("s1", date(2026, 9, 7), 480), ("s2", date(2026, 9, 14), 240)):
        visits[name] = make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=minutes)
    for name, day, minutes in (("o1", date(2026, 10, 5), 600),):
        visits[name] = make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=minutes)
    for name, day, minutes in (("o2", date(2026, 10, 19), 600), ("n1", date(2026, 11, 9), 600)):
        visits[name] = make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=minutes)
    for month in (SEP, OCT, NOV):
        bill(month, tmp_path)
    assert invoices() == [
        ("2026-000001", "invoice", "09", D("90.00"), D("0.00"), D("0.00")),
        ("2026-000002", "invoice", "10", D("150.00"), D("0.00"), D("0.00")),
        ("2026-000003", "invoice", "11", D("75.00"), D("0.00"), D("0.00")),
    ]
    return {"anna": anna, "pairing": pairing, "visits": visits, "tmp": tmp_path}


def sep_invoice() -> Invoice:
    return db.session.scalar(sa.select(Invoice).where(Invoice.number == "2026-000001"))


EXPECTED_AFTER_SEPTEMBER_12H = [
    ("2026-000001", "invoice", "09", D("90.00"), D("0.00"), D("0.00")),
    ("2026-000002", "invoice", "10", D("150.00"), D("0.00"), D("0.00")),
    ("2026-000003", "invoice", "11", D("75.00"), D("0.00"), D("0.00")),
    # September: the 8-hour visit took 12 h, 120.00 in all, from September's money …
    ("2026-000004", "storno", "09", D("-90.00"), D("0.00"), D("0.00")),
    ("2026-000005", "invoice", "09", D("120.00"), D("0.00"), D("0.00")),
    # … so October keeps only 142.00 of its 150.00 (11.00 left + 131.00): 8.00 privately. November is untouched.
    ("2026-000006", "storno", "10", D("-150.00"), D("0.00"), D("0.00")),
    ("2026-000007", "invoice", "10", D("142.00"), D("0.00"), D("0.00")),
    ("2026-000008", "invoice", "10", D("0.00"), D("0.00"), D("8.00")),
]


def test_storno_of_an_old_month_corrects_the_later_month_that_used_its_money(autumn):
    s1 = autumn["visits"]["s1"]
    plan = plan_of(storno_request(sep_invoice(), {s1.id: 720}))
    assert [month for month, _ in plan.months()] == [SEP, OCT]
    result = storno_and_rebill(sep_invoice(), reason="Dauer falsch", corrections={s1.id: 720}, issued_on=TODAY)
    commit_with_files(result.staged)
    assert invoices() == EXPECTED_AFTER_SEPTEMBER_12H
    ids = {name: v.id for name, v in autumn["visits"].items()}
    assert active_splits() == {
        ids["s1"]: (D("90.00"), D("0.00"), D("0.00")),
        ids["s2"]: (D("30.00"), D("0.00"), D("0.00")),
        ids["o1"]: (D("75.00"), D("0.00"), D("0.00")),
        ids["o2"]: (D("67.00"), D("0.00"), D("8.00")),
        ids["n1"]: (D("75.00"), D("0.00"), D("0.00")),
    }
    # Never more than the entitlement: 3 × 131.00 credited, 120 + 142 + 75 = 337.00 billed to the Kasse.
    valid = db.session.scalars(sa.select(Invoice).where(Invoice.kind == "invoice", ~Invoice.stornos.any()))
    assert sum(i.entlastungsbetrag for i in valid) == D("337.00")
    assert db.session.get(Appointment, s1.id).actual_minutes == 720
    september = db.session.scalar(sa.select(BillingRun).where(BillingRun.month == SEP.first_day))
    october = db.session.scalar(sa.select(BillingRun).where(BillingRun.month == OCT.first_day))
    storno_pdf = pdf_text(Path(october.documents_dir) / "Storno-2026-000006.pdf")
    assert "Storno der Rechnung 2026-000002: Dauer falsch" in storno_pdf and "-150,00 €" in storno_pdf
    assert "120,00 €" in pdf_text(Path(september.documents_dir) / "Rechnung-2026-000005.pdf")
    assert "8,00 €" in pdf_text(Path(october.documents_dir) / "Rechnung-2026-000008.pdf")
    with pytest.raises(AccountingError, match="bereits storniert"):
        storno_request(sep_invoice(), {})


def test_storno_without_a_changed_figure_reissues_that_invoice_only(autumn):
    result = storno_and_rebill(sep_invoice(), reason="Anschrift falsch", issued_on=TODAY)
    commit_with_files(result.staged)
    assert invoices()[3:] == [
        ("2026-000004", "storno", "09", D("-90.00"), D("0.00"), D("0.00")),
        ("2026-000005", "invoice", "09", D("90.00"), D("0.00"), D("0.00")),
    ]


def plan_form(page: str) -> dict[str, str]:
    """The hidden fields and the reason of the plan page's form."""
    fields = dict(re.findall(r'name="(submission|plan|minutes-\d+)"[^>]*value="([^"]*)"', page))
    fields["reason"] = re.search(r'name="reason"[^>]*value="([^"]*)"', page)[1]
    return fields


def test_storno_page_shows_the_plan_first_and_applies_it_once(autumn, login):
    accounting = login("accounting")
    s1 = autumn["visits"]["s1"]
    url = f"/abrechnung/rechnungen/{sep_invoice().id}/storno"
    page = accounting.post(url, data={"reason": "Dauer falsch", f"minutes-{s1.id}": "720"}).get_data(as_text=True)
    assert "Korrekturplan" in page and "Korrektur ausführen" in page
    months = re.findall(r'<section class="card korrektur-monat" id="monat-([\d-]+)"', page)
    assert months == ["2026-09", "2026-10"]
    october = page[page.index('id="monat-2026-10"') :]
    assert "2026-000002 storniert" in october
    assert "150,00\xa0€ → <strong>142,00\xa0€</strong>" in october  # Entlastungsbetrag, Pflegekasse
    assert "0,00\xa0€ → <strong>8,00\xa0€</strong>" in october  # privat, new invoice to Anna
    assert len(invoices()) == 3  # nothing changed yet

    form = plan_form(page)
    assert form[f"minutes-{s1.id}"] == "720"
    done = accounting.post(f"{url}/ausfuehren", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Korrektur ausgeführt (September 2026, Oktober 2026)" in done
    again = accounting.post(f"{url}/ausfuehren", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Dieses Formular wurde bereits gespeichert." in again
    other_tab = accounting.post(
        f"{url}/ausfuehren", data=form | {"submission": secrets.token_urlsafe(24)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Die Rechnung 2026-000001 ist bereits storniert." in other_tab
    assert invoices() == EXPECTED_AFTER_SEPTEMBER_12H


def test_a_plan_that_changed_since_it_was_shown_is_not_applied(autumn, login):
    accounting = login("accounting")
    s1, o1 = autumn["visits"]["s1"], autumn["visits"]["o1"]
    url = f"/abrechnung/rechnungen/{sep_invoice().id}/storno"
    form = plan_form(accounting.post(url, data={"reason": "x", f"minutes-{s1.id}": "720"}).get_data(as_text=True))
    # Meanwhile October is corrected (o1 took 12 h): the September plan shown is no longer the plan.
    october = db.session.scalar(sa.select(Invoice).where(Invoice.number == "2026-000002"))
    commit_with_files(storno_and_rebill(october, reason="o1", corrections={o1.id: 720}, issued_on=TODAY).staged)
    count = len(invoices())
    response = accounting.post(f"{url}/ausfuehren", data=form)
    assert response.status_code == 409
    assert "Der Korrekturplan hat sich inzwischen geändert" in response.get_data(as_text=True)
    assert len(invoices()) == count


def test_coordinators_see_the_plan_but_cannot_apply_it(autumn, login):
    coordinator = login("coordinator")
    assert coordinator.get(f"/abrechnung/rechnungen/{sep_invoice().id}/storno").status_code == 403
    assert coordinator.post(f"/abrechnung/rechnungen/{sep_invoice().id}/storno/ausfuehren").status_code == 403


def test_two_people_applying_the_same_plan_at_once_correct_once(autumn, login, collide):
    accounting = [login("accounting"), login("accounting")]
    s1 = autumn["visits"]["s1"]
    url = f"/abrechnung/rechnungen/{sep_invoice().id}/storno"
    form = plan_form(accounting[0].post(url, data={"reason": "x", f"minutes-{s1.id}": "720"}).get_data(as_text=True))
    forms = [form | {"submission": secrets.token_urlsafe(24)} for _ in range(4)]
    responses = collide(
        [accounting[i % 2] for i in range(4)],
        [lambda c, f=f: c.post(f"{url}/ausfuehren", data=f, follow_redirects=True) for f in forms],
    )
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    pages = [r.get_data(as_text=True) for r in responses]
    assert sum("Korrektur ausgeführt" in p for p in pages) == 1
    assert sum("bereits storniert" in p or "inzwischen geändert" in p for p in pages) == 3
    db.session.expire_all()
    assert [row[:2] for row in invoices()] == [row[:2] for row in EXPECTED_AFTER_SEPTEMBER_12H]
    assert invoices() == EXPECTED_AFTER_SEPTEMBER_12H
    assert db.session.get(InvoiceCounter, 2026).last_seq == 8


# --- a retroactive Pflegegrad ---------------------------------------------------------------------------------------


@pytest.fixture
def umwandlung(app_ctx, tmp_path, monkeypatch):
    """Berta (Pflegegrad 2, Abtretung), 100.00 Umwandlung declared for October: September 2 × 12 h (131.00 +
    49.00 private), October 2 × 12 h (131.00 + 49.00 Umwandlung), November 8 h (60.00); each month billed."""
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 12, 10, 9, tzinfo=UTC))
    make_provider()
    kasse = make_pflegekasse(name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269")
    berta = make_senior(
        first_name="Berta", last_name="Brandt", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 1, 1)
    )
    db.session.add(PflegegradPeriod(senior=berta, grade=2, valid_from=date(2026, 1, 1)))
    db.session.add(UmwandlungDeclaration(senior=berta, month=OCT.first_day, amount=D("100.00")))
    pairing = make_pairing(volunteer=make_volunteer(offers_entlastung=True), senior=berta, starts_on=date(2026, 9, 1))
    for day, minutes in ((date(2026, 9, 7), 720), (date(2026, 9, 14), 720), (date(2026, 10, 5), 720)):
        make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=minutes)
    for day, minutes in ((date(2026, 10, 12), 720), (date(2026, 11, 9), 480)):
        make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=minutes)
    for month in (SEP, OCT, NOV):
        bill(month, tmp_path)
    assert invoices() == [
        ("2026-000001", "invoice", "09", D("131.00"), D("0.00"), D("0.00")),
        ("2026-000002", "invoice", "09", D("0.00"), D("0.00"), D("49.00")),
        ("2026-000003", "invoice", "10", D("131.00"), D("49.00"), D("0.00")),
        ("2026-000004", "invoice", "11", D("60.00"), D("0.00"), D("0.00")),
    ]
    return berta


def test_retroactive_pflegegrad_1_takes_back_the_umwandlung_it_no_longer_allows(umwandlung, login):
    berta = umwandlung
    save_senior(berta, today=TODAY, pflegegrad=1, pflegegrad_since=date(2026, 10, 1))
    db.session.commit()
    coordinator = login("coordinator")
    budget = coordinator.get(f"/seniors/{berta.id}/budget").get_data(as_text=True)
    notice = budget[budget.index('id="korrektur-hinweis"') :]
    assert "Die rückwirkende Änderung betrifft bereits abgerechnete Monate: Oktober 2026." in notice
    assert "Pflegegrad 2 → 1 ab 01.10.2026 eingetragen" in notice
    assert f"/abrechnung/korrektur/personen/{berta.id}" in notice

    accounting = login("accounting")
    page = accounting.get(f"/abrechnung/korrektur/personen/{berta.id}").get_data(as_text=True)
    assert re.findall(r'id="monat-([\d-]+)"', page) == ["2026-10"]
    done = accounting.post(f"/abrechnung/korrektur/personen/{berta.id}", data=plan_form(page), follow_redirects=True)
    assert "Korrektur ausgeführt (Oktober 2026)" in done.get_data(as_text=True)
    # October: the Kasse gets 131.00 without Umwandlung (Pflegegrad 1), the 49.00 are billed to Berta.
    assert invoices()[4:] == [
        ("2026-000005", "storno", "10", D("-131.00"), D("-49.00"), D("0.00")),
        ("2026-000006", "invoice", "10", D("131.00"), D("0.00"), D("0.00")),
        ("2026-000007", "invoice", "10", D("0.00"), D("0.00"), D("49.00")),
    ]
    assert "korrektur-hinweis" not in coordinator.get(f"/seniors/{berta.id}/budget").get_data(as_text=True)
    assert db.session.scalar(sa.select(PendingCorrection.resolved_at)) is not None


def test_retroactive_pflegegrad_without_a_changed_figure_shows_no_notice(umwandlung, login):
    berta = umwandlung
    save_senior(berta, today=TODAY, pflegegrad=3, pflegegrad_since=date(2026, 10, 1))  # 100.00 fit under both caps
    db.session.commit()
    assert "korrektur-hinweis" not in login("coordinator").get(f"/seniors/{berta.id}/budget").get_data(as_text=True)
    with pytest.raises(AccountingError, match="keine Korrektur nötig"):
        apply_correction(plan_of_pending(berta), reason="x", issued_on=TODAY)


def plan_of_pending(senior):
    from begleitservice.accounting.corrections import pending_request

    return pending_request(senior)[0]


def test_saving_a_retroactive_pflegegrad_on_the_form_leads_to_the_budget_page(umwandlung, login):
    berta = umwandlung
    coordinator = login("coordinator")
    form = coordinator.get(f"/seniors/{berta.id}/bearbeiten").get_data(as_text=True)
    values = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    values |= dict(re.findall(r'<select[^>]*name="([a-z_]+)".*?<option[^>]*selected[^>]*value="([^"]*)"', form, re.S))
    values.update(pflegegrad="1", pflegegrad_since="2026-10-01")
    response = coordinator.post(f"/seniors/{berta.id}/bearbeiten", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(f"/seniors/{berta.id}/budget")


# --- Nachberechnung -------------------------------------------------------------------------------------------------


@pytest.fixture
def two_months(app_ctx, tmp_path, monkeypatch):
    """``autumn`` billed up to October only, with an unreported visit on 28 September."""
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    monkeypatch.setitem(app_ctx.config, "NOW", LINK_DAY)
    make_provider()
    kasse = make_pflegekasse(name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269")
    anna = make_senior(
        first_name="Anna", last_name="Abel", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 1, 1)
    )
    db.session.add(PflegegradPeriod(senior=anna, grade=2, valid_from=date(2026, 1, 1)))
    pairing = make_pairing(volunteer=make_volunteer(offers_entlastung=True), senior=anna, starts_on=date(2026, 9, 1))
    make_appointment(pairing=pairing, on=date(2026, 9, 7), status="stattgefunden", actual_minutes=480)
    forgotten = make_appointment(pairing=pairing, on=date(2026, 9, 28), planned_start=time(10), planned_end=time(18))
    for day in (date(2026, 10, 5), date(2026, 10, 19)):
        make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=600)
    make_appointment(pairing=pairing, on=date(2026, 11, 9), status="stattgefunden", actual_minutes=600)
    for month in (SEP, OCT):
        bill(month, tmp_path)
    assert db.session.get(Appointment, forgotten.id).status == "geplant"
    return {"anna": anna, "pairing": pairing, "forgotten": forgotten, "tmp": tmp_path}


def test_minutes_reported_late_on_the_link_are_billed_in_the_next_run_as_nachberechnung(two_months, client, login):
    forgotten = two_months["forgotten"]
    path = f"/link/stunden/{make_token('report', forgotten.id, issued_at=LINK_DAY)}"
    response = client.post(path, data={"outcome": "stattgefunden", "minutes": "480"}, follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Appointment, forgotten.id).actual_minutes == 480

    preview = login("accounting").get("/abrechnung/lauf?monat=2026-11").get_data(as_text=True)
    assert "Nachberechnung September 2026" in preview

    result = bill(NOV, two_months["tmp"])
    # November 75.00 from its own money; the late September 60.00 get the 52.00 no later month needed.
    assert invoices()[2:] == [
        ("2026-000003", "invoice", "11", D("75.00"), D("0.00"), D("0.00")),
        ("2026-000004", "invoice", "09", D("52.00"), D("0.00"), D("0.00")),
        ("2026-000005", "invoice", "09", D("0.00"), D("0.00"), D("8.00")),
    ]
    supplement = db.session.scalar(sa.select(Invoice).where(Invoice.number == "2026-000004"))
    assert supplement.run_id == result.run.id and supplement.note == "Nachberechnung September 2026"
    out = two_months["tmp"] / NOV.iso
    assert "Nachberechnung September 2026" in pdf_text(out / "Rechnung-2026-000004.pdf")
    note = pdf_text(out / f"Leistungsnachweis-Nachberechnung-2026-09-{two_months['anna'].id}.pdf")
    assert "Leistungsnachweis September 2026" in note and "Nachberechnung September 2026" in note
    assert "28.09.2026" in note
    detail = login("accounting").get(f"/abrechnung/{result.run.id}").get_data(as_text=True)
    assert "Nachberechnung September 2026" in detail
    # Billed now: a second report is refused, and the next run bills nothing twice.
    again = client.post(
        f"/link/stunden/{make_token('report', forgotten.id, issued_at=LINK_DAY)}",
        data={"outcome": "stattgefunden", "minutes": "60"},
    )
    assert db.session.get(Appointment, forgotten.id).actual_minutes == 480 and again.status_code in (200, 409)


def test_minutes_entered_late_by_the_coordinator_say_when_they_are_billed(two_months, login):
    forgotten, pairing = two_months["forgotten"], two_months["pairing"]
    page = login("coordinator").post(
        f"/pairings/{pairing.id}/termine/{forgotten.id}",
        data={"status": "stattgefunden", "actual_minutes": "480"},
        follow_redirects=True,
    )
    text = page.get_data(as_text=True)
    assert "September 2026 ist bereits abgerechnet" in text and "„Nachberechnung September 2026“" in text
    db.session.expire_all()
    assert db.session.get(Appointment, forgotten.id).actual_minutes == 480


def test_a_billed_visit_still_needs_a_storno(two_months, login):
    billed = db.session.scalar(sa.select(Appointment).where(Appointment.on == date(2026, 9, 7)))
    page = login("coordinator").post(
        f"/pairings/{billed.pairing_id}/termine/{billed.id}", data={"status": "stattgefunden", "actual_minutes": "45"}
    )
    assert "Der Monat 09/2026 ist abgerechnet – Korrektur nur per Storno." in page.get_data(as_text=True)


# --- year boundary and 30 June ----------------------------------------------------------------------------------


def entlastung_senior(app_ctx, tmp_path, monkeypatch, *, starts_on: date, now: datetime):
    """A senior with Pflegegrad 2 since 2026 and an Abtretung, an Entlastung pairing from ``starts_on``."""
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    monkeypatch.setitem(app_ctx.config, "NOW", now)
    make_provider()
    kasse = make_pflegekasse(name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269")
    senior = make_senior(
        first_name="Clara", last_name="Claus", pflegegrad=2, pflegekasse=kasse, abtretung_on=date(2026, 1, 1)
    )
    db.session.add(PflegegradPeriod(senior=senior, grade=2, valid_from=date(2026, 1, 1)))
    volunteer = make_volunteer(offers_entlastung=True)
    return senior, make_pairing(volunteer=volunteer, senior=senior, starts_on=starts_on)


def held(pairing, day: date, minutes: int) -> Appointment:
    return make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=minutes)


def test_year_boundary_december_corrected_upward_takes_back_what_january_used(app_ctx, tmp_path, monkeypatch):
    _, pairing = entlastung_senior(
        app_ctx, tmp_path, monkeypatch, starts_on=date(2026, 11, 1), now=datetime(2027, 2, 10, 9, tzinfo=UTC)
    )
    held(pairing, date(2026, 11, 9), 320)  # 40.00
    d1, d2 = held(pairing, date(2026, 12, 7), 480), held(pairing, date(2026, 12, 14), 320)  # 100.00
    for day, minutes in ((date(2027, 1, 11), 720), (date(2027, 1, 18), 720), (date(2027, 1, 25), 160)):
        held(pairing, day, minutes)  # 200.00: 122.00 carried from 2026 first, then 78.00 of 2027
    for month in (NOV, Month(2026, 12), Month(2027, 1)):
        bill(month, tmp_path)
    december = db.session.scalar(sa.select(Invoice).where(Invoice.number == "2027-000001"))
    result = storno_and_rebill(
        december, reason="Dauer", corrections={d1.id: 720, d2.id: 720}, issued_on=date(2027, 2, 10)
    )
    commit_with_files(result.staged)
    # December 180.00 uses 2026 money that January had used as carried money: January keeps 173.00.
    assert invoices() == [
        ("2026-000001", "invoice", "11", D("40.00"), D("0.00"), D("0.00")),
        ("2027-000001", "invoice", "12", D("100.00"), D("0.00"), D("0.00")),
        ("2027-000002", "invoice", "01", D("200.00"), D("0.00"), D("0.00")),
        ("2027-000003", "storno", "12", D("-100.00"), D("0.00"), D("0.00")),
        ("2027-000004", "invoice", "12", D("180.00"), D("0.00"), D("0.00")),
        ("2027-000005", "storno", "01", D("-200.00"), D("0.00"), D("0.00")),
        ("2027-000006", "invoice", "01", D("173.00"), D("0.00"), D("0.00")),
        ("2027-000007", "invoice", "01", D("0.00"), D("0.00"), D("27.00")),
    ]
    # 40 + 180 + 173 = 393.00 = three monthly amounts of 131.00: not a cent more for the Pflegekasse.
    assert D("40.00") + D("180.00") + D("173.00") == 3 * D("131.00")


def test_30_june_money_that_would_have_lapsed_is_used_before_july_loses_any(app_ctx, tmp_path, monkeypatch):
    senior, pairing = entlastung_senior(
        app_ctx, tmp_path, monkeypatch, starts_on=date(2027, 5, 1), now=datetime(2027, 8, 10, 9, tzinfo=UTC)
    )
    db.session.add(
        BudgetOpening(
            senior=senior, as_of=date(2027, 5, 1), current_year=D("50.00"), carried=D("100.00"), source="Pflegekasse"
        )
    )
    m1 = held(pairing, date(2027, 5, 10), 240)  # 30.00 (from the 100.00 carried, lapsing 30 June)
    held(pairing, date(2027, 6, 7), 240)  # 30.00; 40.00 lapse unused
    for day in (date(2027, 7, 5), date(2027, 7, 12), date(2027, 7, 19), date(2027, 7, 26)):
        held(pairing, day, 600)  # 300.00, 12.00 left
    for month in (Month(2027, 5), Month(2027, 6), Month(2027, 7)):
        bill(month, tmp_path)
    may = db.session.scalar(sa.select(Invoice).where(Invoice.number == "2027-000001"))
    plan = plan_of(storno_request(may, {m1.id: 720}))
    # 90.00 in May: 40.00 of it would have lapsed, 12.00 were spare in July, so July loses 8.00; June is untouched.
    assert [month for month, _ in plan.months()] == [Month(2027, 5), Month(2027, 7)]
    commit_with_files(
        storno_and_rebill(may, reason="Dauer", corrections={m1.id: 720}, issued_on=date(2027, 8, 10)).staged
    )
    assert invoices()[3:] == [
        ("2027-000004", "storno", "05", D("-30.00"), D("0.00"), D("0.00")),
        ("2027-000005", "invoice", "05", D("90.00"), D("0.00"), D("0.00")),
        ("2027-000006", "storno", "07", D("-300.00"), D("0.00"), D("0.00")),
        ("2027-000007", "invoice", "07", D("292.00"), D("0.00"), D("0.00")),
        ("2027-000008", "invoice", "07", D("0.00"), D("0.00"), D("8.00")),
    ]


def test_umwandlung_declared_afterwards_for_a_billed_month_is_offered_as_a_correction(umwandlung, login):
    from begleitservice.budget.operations import declare_umwandlung

    berta = umwandlung
    declare_umwandlung(berta, month=SEP.first_day, amount=D("49.00"), note="laut Tochter", user=None)
    db.session.commit()
    budget = login("coordinator").get(f"/seniors/{berta.id}/budget").get_data(as_text=True)
    assert "betrifft bereits abgerechnete Monate: September 2026." in budget
    assert "Umwandlung für September 2026 erklärt: 49,00 €" in budget
    request = plan_of_pending(berta)
    commit_with_files(apply_correction(request, reason="Umwandlung nachgereicht", issued_on=TODAY).staged)
    # September: the Kasse now pays 131.00 + 49.00 Umwandlung; Berta's private invoice is cancelled, none follows.
    assert invoices()[4:] == [
        ("2026-000005", "storno", "09", D("-131.00"), D("0.00"), D("0.00")),
        ("2026-000006", "storno", "09", D("0.00"), D("0.00"), D("-49.00")),
        ("2026-000007", "invoice", "09", D("131.00"), D("49.00"), D("0.00")),
    ]
