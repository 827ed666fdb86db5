"""One scheduler at a time: a second process waits as standby and takes over when the first dies (real processes,
on SQLite through a lock file, on PostgreSQL through an advisory lock)."""

import os
import signal
import subprocess
import sys
import threading
import time

from tests.codescan import ROOT

ACTIVE = "this process is the active scheduler"
STANDBY = "scheduler: standby, another scheduler is active"


class Scheduler:
    """A `flask scheduler` process whose log lines are collected as they come."""

    def __init__(self, app, tmp_path, *args: str):
        env = {
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret",
            "BEGLEITSERVICE_INSTANCE": str(tmp_path),
            "SCHEDULER_STANDBY_SECONDS": "0.3",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": "9",  # nothing is sent here; the job list has no mails
            "FLASK_DEBUG": "0",
        }
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", *args]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)

    def said(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def wait_until(self, text: str, *, count: int = 1, seconds: float = 60) -> bool:
        """Wait (at most ``seconds``; not a timing assertion) until the log holds ``text`` ``count`` times."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.said(text) >= count:
                return True
            if self.process.poll() is not None:
                self.reader.join(5)
                return self.said(text) >= count
            time.sleep(0.1)
        return False

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(30)
        self.reader.join(5)
        return code


def test_a_second_scheduler_waits_and_takes_over_when_the_first_dies(app_ctx, tmp_path):
    options = ("--interval", "0.5", "--only", "reminders")
    first = Scheduler(app_ctx, tmp_path, *options)
    second = None
    try:
        assert first.wait_until(ACTIVE), "".join(first.lines)
        assert first.wait_until("job reminders done"), "".join(first.lines)
        second = Scheduler(app_ctx, tmp_path, *options)
        assert second.wait_until(STANDBY), "".join(second.lines)
        ran_before = first.said("job reminders done")
        assert first.wait_until("job reminders done", count=ran_before + 2)  # the first keeps working meanwhile
        assert second.said(ACTIVE) == 0 and second.said("job reminders started") == 0

        first.stop(signal.SIGKILL)  # dies without cleaning up: the lock goes with the process
        assert second.wait_until(ACTIVE), "".join(second.lines)
        assert second.wait_until("job reminders done"), "".join(second.lines)
        assert second.wait_until("scheduler started with 1 jobs")
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            assert second.stop() == 0, "".join(second.lines)
    assert second.said("scheduler stopped") == 1


def test_a_standby_scheduler_stops_cleanly_without_ever_running_jobs(app_ctx, tmp_path):
    first = Scheduler(app_ctx, tmp_path, "--interval", "0.5", "--only", "reminders")
    try:
        assert first.wait_until(ACTIVE), "".join(first.lines)
        second = Scheduler(app_ctx, tmp_path, "--interval", "0.5", "--only", "reminders")
        assert second.wait_until(STANDBY), "".join(second.lines)
        assert second.stop(signal.SIGINT) == 0
        assert second.said("job reminders") == 0 and second.said("scheduler stopped") == 1
        assert first.process.poll() is None  # the active one runs on
    finally:
        assert first.stop() == 0, "".join(first.lines)
