"""Jobs run directly and twice (idempotent), the run-job command, and the scheduler process."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from begleitservice import create_app
from begleitservice.extensions import db
from begleitservice.jobs.jobs import JOBS
from begleitservice.models import Appointment, AppointmentAlert, NotificationMarker, OutboxMessage
from tests.app.test_scheduling_links import dashboard_section
from tests.app.test_scheduling_outbox import queue
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    link_path,
    run,
    smtp_fixture,
    weekly_pairing,
)
from tests.factories import make_user, make_volunteer

ROOT = Path(__file__).resolve().parents[2]


def counts() -> tuple[int, int, int, int]:
    """Appointments, outbox mails, markers, alerts."""
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Appointment, OutboxMessage, NotificationMarker, AppointmentAlert)
    )


def test_every_job_twice_does_its_work_once(app_ctx, smtp, clock):
    make_user(role="coordinator", email="koordination@example.org")
    make_volunteer(email="alt@example.org", fuehrungszeugnis_on=date(2020, 5, 4))
    weekly_pairing(starts_on=date(2026, 11, 30), slots=((0, 600, 120), (2, 600, 120)))  # Mon and Wed 10:00
    clock(berlin(2026, 11, 30, 8))
    run("roll_horizon")
    clock(berlin(2026, 12, 1, 12))  # Tuesday noon: Mon is over, Wed is tomorrow (< 48 h), next Mon 7 days ahead
    for name in JOBS:
        run(name)
    first = counts()
    subjects = sorted(db.session.scalars(sa.select(OutboxMessage.subject)))
    assert subjects == [
        "Bitte bestätigen: Besuch am 02.12.2026",
        "Bitte bestätigen: Besuch am 07.12.2026",
        "Bitte neues Führungszeugnis vorlegen",
        "Erinnerung: Besuch am 02.12.2026",
        "Ihre neue Begleitung in Eving",
        "Noch unbestätigt: Besuch am 02.12.2026",  # to the coordinator at once (escalation)
        "Tägliche Zusammenfassung – 01.12.2026",  # the coordinator's digest: the inbox has open items
        "Unbestätigte Termine – KW 49/2026",
        "Wie war der Besuch am 30.11.2026?",
    ]
    assert len(smtp.messages) == 9
    assert first[3] == 1  # Wednesday is unconfirmed 22 hours ahead: on the dashboard
    for name in JOBS:
        run(name)
    assert counts() == first
    assert len(smtp.messages) == 9


def test_escalation_shows_on_the_dashboard_until_confirmed(app_ctx, client, smtp, clock):
    weekly_pairing(starts_on=date(2026, 12, 7))
    clock(berlin(2026, 12, 1, 8))
    run("roll_horizon")
    run("confirmation_requests")
    run("send_outbox")
    (mail,) = [m for m in smtp.messages if m["Subject"].startswith("Bitte bestätigen")]
    app_ctx.config["INBOX_UNCONFIRMED_DAYS"] = 2
    try:
        clock(berlin(2026, 12, 4, 12))  # 70 hours before: not yet
        run("escalations")
        assert dashboard_section(app_ctx, "unbestaetigt") == ""
        clock(berlin(2026, 12, 5, 11))  # 47 hours before
        run("escalations")
        section = dashboard_section(app_ctx, "unbestaetigt")
        assert "07.12.2026" in section and "noch nicht bestätigt" in section
        client.post(link_path(mail, "bestaetigen"))
        assert dashboard_section(app_ctx, "unbestaetigt") == ""
        run("escalations")
        assert dashboard_section(app_ctx, "unbestaetigt") == ""
    finally:
        app_ctx.config["INBOX_UNCONFIRMED_DAYS"] = 3


def test_certificate_reminder_every_thirty_days(app_ctx, smtp, clock):
    old = make_volunteer(email="alt@example.org", fuehrungszeugnis_on=date(2021, 6, 1))
    make_volunteer(email="neu@example.org", fuehrungszeugnis_on=date(2024, 6, 1))
    make_volunteer(email="weg@example.org", fuehrungszeugnis_on=date(2019, 6, 1), status="ausgeschieden")
    clock(berlin(2026, 6, 2, 8))
    assert run("certificate_reminders") == "1 Erinnerungen an das Führungszeugnis"
    assert run("certificate_reminders") == "0 Erinnerungen an das Führungszeugnis"
    clock(berlin(2026, 7, 3, 8))
    assert run("certificate_reminders") == "1 Erinnerungen an das Führungszeugnis"
    run("send_outbox")
    assert [m["To"] for m in smtp.messages] == ["alt@example.org", "alt@example.org"]
    assert (
        "Führungszeugnis vom 01.06.2021 ist seit 01.06.2026 älter als 5 Jahre."
        in smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    )
    db.session.refresh(old)
    assert old.fuehrungszeugnis_reminded_at == berlin(2026, 7, 3, 8)


def test_weekly_summary_goes_to_active_coordinators_once_a_week(app_ctx, smtp, clock):
    make_user(role="coordinator", email="k1@example.org")
    make_user(role="coordinator", email="k2@example.org", is_active=False)
    make_user(role="accounting", email="b@example.org")
    weekly_pairing(starts_on=date(2026, 12, 7))
    clock(berlin(2026, 12, 1, 8))
    run("roll_horizon")
    run("weekly_summary")
    run("weekly_summary")
    run("send_outbox")
    (summary,) = [m for m in smtp.messages if m["Subject"].startswith("Unbestätigte")]
    assert summary["To"] == "k1@example.org"
    text = summary.get_body(preferencelist=("plain",)).get_content()
    assert "Montag, 07.12.2026, 10:00–12:00 Uhr: Erika" in text and "Hildegard B. (Eving)" in text
    assert "Montag, 14.12.2026" in text and "21.12.2026" not in text  # two weeks ahead
    assert "/termine/?von=2026-12-01" in text


def test_run_job_command(app_ctx, clock):
    weekly_pairing(starts_on=date(2026, 12, 7))
    clock(berlin(2026, 12, 1, 8))
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["run-job", "roll_horizon"])
    assert result.exit_code == 0, result.output
    assert "roll_horizon: 8 Termine angelegt, 0 verschoben, 0 gelöscht, 1 Vorstellungen" in result.output
    again = runner.invoke(args=["run-job", "roll_horizon"])
    assert "0 Termine angelegt" in again.output and "0 Vorstellungen" in again.output
    assert runner.invoke(args=["run-job", "gibtsnicht"]).exit_code != 0
    bad = runner.invoke(args=["run-job", "reminders", "--now", "2026-12-01T08:00"])
    assert bad.exit_code != 0 and "Zeitzone" in bad.output


def test_web_app_never_starts_the_scheduler(app_ctx, coordinator):
    create_app({"SQLALCHEMY_DATABASE_URI": app_ctx.config["SQLALCHEMY_DATABASE_URI"]})
    coordinator.get("/termine/")
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name]


def _scheduler(app, smtp_port: int, *args: str) -> subprocess.Popen:
    # A job store left by an earlier scheduler test would make _stored_jobs true before this process is up.
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS apscheduler_jobs"))
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "FLASK_DEBUG": "0",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_scheduler_process_sends_the_outbox_and_stops_on_sigterm(app_ctx, smtp):
    (message_id,) = queue(1)
    process = _scheduler(app_ctx, app_ctx.config["MAIL_PORT"], "--interval", "1", "--only", "send_outbox")
    try:
        arrived = _wait_for(lambda: smtp.messages)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert arrived, err
    assert process.returncode == 0, err
    assert [int(m["X-Begleitservice-Outbox-Id"]) for m in smtp.messages] == [message_id]
    assert "job send_outbox done: 1 gesendet" in err
    assert "received SIGTERM, stopping" in err and "scheduler stopped" in err
    assert "Scheduler beendet." in out
    db.session.expire_all()
    assert db.session.scalar(sa.select(OutboxMessage.status)) == "sent"


def test_scheduler_process_stops_on_sigint_and_after_run_for(app_ctx, smtp):
    process = _scheduler(app_ctx, app_ctx.config["MAIL_PORT"], "--interval", "1", "--only", "reminders")
    try:
        assert _wait_for(lambda: process.poll() is None and _stored_jobs(app_ctx) == ["reminders"])
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "received SIGINT, stopping" in err

    timed = _scheduler(app_ctx, app_ctx.config["MAIL_PORT"], "--run-for", "2")
    _, err = timed.communicate(timeout=60)
    assert timed.returncode == 0, err
    assert f"scheduler started with {len(JOBS)} jobs" in err and "scheduler stopped" in err


def _stored_jobs(app) -> list[str]:
    """Job ids in the database job store (empty until the scheduler has created it)."""
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("apscheduler_jobs"):
            return []
        return list(conn.execute(sa.text("SELECT id FROM apscheduler_jobs ORDER BY id")).scalars())
