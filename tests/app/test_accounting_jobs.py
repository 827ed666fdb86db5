"""A billing run started on the page runs in the background: the page shows documents done of total while it runs
and its outcome after; a failure bills nothing and leaves no file, folder or process behind; a second start of the
same month is sent to the running one; the CLI shows a progress bar."""

import multiprocessing
import os
import subprocess
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from begleitservice.accounting import files, jobs
from begleitservice.accounting.commands import billing_command
from begleitservice.extensions import db
from begleitservice.models import BillingJob, BillingRun, InvoiceCounter, Pflegekasse
from billing.documents import render_all
from billing.identifiers import kvnr_check_digit
from billing.month import Month
from billing.run import prepare_month
from tests.billing import billing_factories
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
def october(app_ctx, monkeypatch, tmp_path):
    """October 2026 with two billable visits, seen on 20 November; documents under tmp_path."""
    monkeypatch.setitem(app_ctx.config, "NOW", datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(app_ctx, "instance_path", str(tmp_path))
    make_provider()
    kasse = make_pflegekasse(name="AOK NordWest", ik=VALID_IKS[0])
    anna = make_senior(first_name="Anna", last_name="Abel", pflegegrad=2, pflegekasse=kasse)
    erika = make_volunteer(first_name="Erika", last_name="Engel", offers_entlastung=True)
    pairing = make_pairing(volunteer=erika, senior=anna, starts_on=date(2026, 10, 1))
    for day in (5, 12):
        visit = make_appointment(pairing=pairing, on=date(2026, 10, day), status="stattgefunden", actual_minutes=120)
    visit.activity = "Spaziergang im Westfalenpark"
    db.session.commit()
    return tmp_path


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_run_goes_to_the_background_and_its_page_leads_to_the_billed_month(october, app_ctx, login, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "BILLING_RUN_SYNC", False)
    accounting = login("accounting")
    response = accounting.post("/abrechnung/lauf", data={"month": "2026-10"})
    assert response.status_code == 303 and response.location.startswith("/abrechnung/lauf/")
    job_id = int(response.location.rsplit("/", 1)[1])
    jobs.wait(job_id, timeout=120)
    db.session.expire_all()
    job = db.session.get(BillingJob, job_id)
    assert (job.status, job.created, job.documents) == ("fertig", True, 2)  # a Leistungsnachweis and an invoice
    page = accounting.get(response.location, follow_redirects=True).get_data(as_text=True)
    assert "Der Monat 10/2026 ist abgerechnet." in page and "2026-000001" in page
    assert not list((october / "billing").glob(".job-*"))  # the progress file is gone
    assert [p.name for p in (october / "billing").iterdir()] == ["2026-10"]  # no staging folder


def test_what_was_done_is_printed_on_the_leistungsnachweis(october, login):
    login("accounting").post("/abrechnung/lauf", data={"month": "2026-10"})
    (note,) = (october / "billing" / "2026-10").glob("Leistungsnachweis-*.pdf")
    text = subprocess.run(["pdftotext", note, "-"], capture_output=True, check=True).stdout.decode()
    assert "Tätigkeit: Spaziergang im Westfalenpark" in " ".join(text.split())


def test_one_print_file_of_all_leistungsnachweise_grouped_by_volunteer_in_visit_order(october, login):
    kasse = db.session.scalar(sa.select(Pflegekasse))
    zora = make_volunteer(first_name="Zora", last_name="Albrecht", offers_entlastung=True)
    for first, last, day, kvnr in (("Berta", "Brandt", 20, "B12345678"), ("Clara", "Claus", 3, "C12345678")):
        kvnr += str(kvnr_check_digit(kvnr))
        senior = make_senior(first_name=first, last_name=last, pflegegrad=2, pflegekasse=kasse, kvnr=kvnr)
        pairing = make_pairing(volunteer=zora, senior=senior, starts_on=date(2026, 10, 1))
        make_appointment(pairing=pairing, on=date(2026, 10, day), status="stattgefunden", actual_minutes=60)
    db.session.commit()
    accounting = login("accounting")
    accounting.post("/abrechnung/lauf", data={"month": "2026-10"})
    run = db.session.scalar(sa.select(BillingRun))
    detail = accounting.get(f"/abrechnung/{run.id}").get_data(as_text=True)
    assert "Alle zum Unterschreiben" in detail
    response = accounting.get(f"/abrechnung/{run.id}/leistungsnachweise-zum-unterschreiben.pdf")
    assert response.status_code == 200
    assert "Leistungsnachweise-2026-10-zum-Unterschreiben.pdf" in response.headers["Content-Disposition"]
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True).stdout
    pages = [" ".join(page.split()) for page in text.decode().split("\f")[:-1]]
    names = [next(n for n in ("Clara Claus", "Berta Brandt", "Anna Abel") if n in page) for page in pages]
    assert names == ["Clara Claus", "Berta Brandt", "Anna Abel"]  # Zora Albrecht (3rd, 20th), then Erika Engel
    assert all("Seite 1 von 1" in page for page in pages)


def test_the_page_of_a_running_job_shows_documents_done_of_total_and_refreshes(october, login):
    job = BillingJob(month=date(2026, 10, 1), status="laeuft", message="")
    db.session.add(job)
    db.session.commit()
    accounting = login("accounting")
    waiting = accounting.get(f"/abrechnung/lauf/{job.id}").get_data(as_text=True)
    assert "Rechnungen und Leistungsnachweise werden vorbereitet" in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting
    jobs.write_progress(jobs.progress_path(job.id), 37, 62)
    page = accounting.get(f"/abrechnung/lauf/{job.id}").get_data(as_text=True)
    assert 'Dokumente erstellt: <strong id="fortschritt">37 von 62</strong>' in page
    assert '<progress max="62" value="37">' in page
    assert "<script" not in page.split("</main>")[0].split("<main")[-1]  # no inline script (CSP)


def test_a_second_start_of_the_same_month_is_sent_to_the_running_job(october, login):
    running = BillingJob(month=date(2026, 10, 1), status="laeuft", message="")
    db.session.add(running)
    db.session.commit()
    accounting = login("accounting")
    assert accounting.get("/abrechnung/lauf?monat=2026-10").location == f"/abrechnung/lauf/{running.id}"
    response = accounting.post("/abrechnung/lauf", data={"month": "2026-10"})
    assert (response.status_code, response.location) == (303, f"/abrechnung/lauf/{running.id}")
    assert count(BillingJob) == 1 and count(BillingRun) == 0


def test_a_lost_job_says_so_and_lets_the_month_be_started_again(october, login, app_ctx, monkeypatch):
    job = BillingJob(month=date(2026, 10, 1), status="laeuft", message="")
    db.session.add(job)
    db.session.commit()
    monkeypatch.setattr(jobs, "STALE_AFTER_S", -1)
    accounting = login("accounting")
    page = accounting.get(f"/abrechnung/lauf/{job.id}").get_data(as_text=True)
    assert "Der Lauf wurde nicht beendet" in page and "Es wurde nichts abgerechnet." in page
    assert "http-equiv" not in page
    assert accounting.get("/abrechnung/lauf?monat=2026-10").status_code == 200  # the preview, not the lost job


def test_a_failing_render_bills_nothing_and_leaves_nothing_behind(october, login, monkeypatch):
    def broken(docs, **kw):
        kw["progress"](1, len(docs))
        raise RuntimeError("render process died")

    monkeypatch.setattr(files, "render_all", broken)
    accounting = login("accounting")
    response = accounting.post("/abrechnung/lauf", data={"month": "2026-10"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Unerwarteter Fehler (RuntimeError). Es wurde nichts abgerechnet." in page
    db.session.expire_all()
    assert count(BillingRun) == 0
    assert db.session.scalar(sa.select(sa.func.max(InvoiceCounter.last_seq))) in (None, 0)
    assert db.session.scalar(sa.select(BillingJob.status)) == "fehler"
    assert not (october / "billing").exists() or not any((october / "billing").iterdir())


def test_a_staging_folder_left_by_a_killed_run_is_removed_by_the_next(october, login):
    stale = october / "billing" / ".2026-10-staging-killed"
    stale.mkdir(parents=True)
    (stale / "Rechnung-2026-000001.pdf").write_bytes(b"%PDF half")
    hours_ago = datetime(2026, 11, 20, 7, 0, tzinfo=UTC).timestamp()  # two hours before the app's NOW
    os.utime(stale, (hours_ago, hours_ago))
    login("accounting").post("/abrechnung/lauf", data={"month": "2026-10"})
    assert not stale.exists()
    assert len(list((october / "billing" / "2026-10").glob("*.pdf"))) == 2


def test_render_processes_end_with_the_call_even_when_it_fails():
    visits = [billing_factories.make_appointment("x", date(2026, 3, 2))]
    inputs = [billing_factories.make_senior_month(billing_factories.make_senior(), visits)]
    run = prepare_month(Month(2026, 3), inputs, config=billing_factories.CONFIG)
    docs = [run.seniors[0].leistungsnachweis] * 6

    def stop(done, total):
        if done == 2:
            raise KeyboardInterrupt  # the user pressed Ctrl-C in the CLI

    with pytest.raises(KeyboardInterrupt):
        render_all(docs, workers=2, parallel_from=1, progress=stop)
    assert multiprocessing.active_children() == []
    assert len(render_all(docs, workers=2, parallel_from=1)) == 6
    assert multiprocessing.active_children() == []


def test_the_cli_shows_a_progress_bar_and_the_result(october, app_ctx):
    result = app_ctx.test_cli_runner().invoke(billing_command, ["run", "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "Dokumente erstellen" in result.output
    assert "Monat 10/2026 abgerechnet: 1 Rechnungen (2026-000001 bis 2026-000001)" in result.output
    assert Month.of(db.session.scalar(sa.select(BillingRun.month))) == Month(2026, 10)
