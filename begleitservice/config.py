"""Every setting of the app: read here from environment variables, with defaults that run on SQLite.

Nothing else reads the environment or calls ``config.get(KEY, default)``: code reads ``current_app.config["KEY"]``
and tests override keys through ``create_app(config)``. A value the app cannot use stops the start with one
message naming every bad variable (:class:`SettingsError`), instead of a traceback at the first request that needs it.
"""

import json
import os
import re
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from limits import parse_many

from billing.config import config_from_dict

INSTANCE_DIR = Path(os.environ.get("BEGLEITSERVICE_INSTANCE", Path(__file__).resolve().parent.parent / "instance"))

TRUE = {"1", "true", "yes", "ja", "on"}
FALSE = {"0", "false", "no", "nein", "off"}
CLOCK_TIME = r"([01]?\d|2[0-3]):[0-5]\d"
WEEKDAYS = "mon|tue|wed|thu|fri|sat|sun"


class SettingsError(RuntimeError):
    """Environment variables hold values the app cannot use; the message lists each of them (German / English)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Ungültige Einstellungen / invalid settings:\n{lines}")


class Reader:
    """Reads typed values from an environment mapping and collects every problem instead of failing at the first."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ
        self.problems: list[str] = []

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None or not value.strip() else value.strip()

    def _bad(self, name: str, raw: str, german: str, english: str) -> None:
        self.problems.append(f"{name}={raw!r}: {german} (expected {english})")

    def text(self, name: str, default: str | None) -> str | None:
        """The variable as it is, or ``default`` when unset or empty."""
        raw = self._raw(name)
        return default if raw is None else raw

    def integer(self, name: str, default: int | None, *, minimum: int = 0, maximum: int | None = None) -> int | None:
        """A whole number within ``minimum``..``maximum``."""
        raw = self._raw(name)
        if raw is None:
            return default
        upper = "" if maximum is None else f" und höchstens {maximum}"
        upper_en = "" if maximum is None else f" and <= {maximum}"
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            self._bad(name, raw, f"ganze Zahl ab {minimum}{upper} erwartet", f"a whole number >= {minimum}{upper_en}")
            return default
        return value

    def number(self, name: str, default: float, *, above: float = 0.0) -> float:
        """A decimal number (point or German comma) greater than ``above``."""
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            value = None
        if value is None or not value > above or value == float("inf"):
            self._bad(name, raw, f"Zahl größer als {above:g} erwartet", f"a number > {above:g}")
            return default
        return value

    def flag(self, name: str, default: bool) -> bool:
        """Yes or no: 1/true/yes/ja/on or 0/false/no/nein/off."""
        raw = self._raw(name)
        if raw is None:
            return default
        if raw.lower() in TRUE | FALSE:
            return raw.lower() in TRUE
        self._bad(name, raw, "ja/nein erwartet (1, true, ja, on oder 0, false, nein, off)", "a yes/no value")
        return default

    def words(self, name: str) -> list[str]:
        """A comma-separated list (empty entries dropped)."""
        raw = self._raw(name)
        return [] if raw is None else [word.strip() for word in raw.split(",") if word.strip()]

    def limit(self, name: str, default: str) -> str:
        """A rate limit such as ``10/minute;100/hour`` (Flask-Limiter's notation)."""
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            parse_many(raw)
        except ValueError:
            self._bad(name, raw, "Grenze wie '10/minute;100/hour' erwartet", "a limit like '10/minute;100/hour'")
            return default
        return raw

    def pattern(self, name: str, default: str, regex: str, german: str, english: str) -> str:
        """A text of the given shape (``regex`` must match all of it)."""
        raw = self._raw(name)
        if raw is None:
            return default
        if re.fullmatch(regex, raw, flags=re.IGNORECASE) is None:
            self._bad(name, raw, german, english)
            return default
        return raw.lower()

    def day(self, name: str, default: date) -> date:
        """A date written as JJJJ-MM-TT."""
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self._bad(name, raw, "Datum JJJJ-MM-TT erwartet", "a date YYYY-MM-DD")
            return default

    def timezone(self, name: str, default: str) -> str:
        """An IANA time zone name such as Europe/Berlin."""
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            ZoneInfo(raw)
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
            self._bad(name, raw, "bekannte Zeitzone erwartet, z. B. Europe/Berlin", "an IANA time zone")
            return default
        return raw

    def billing(self, name: str) -> dict:
        """Billing figures from the JSON file the variable names (provider, rates, allowance; see billing.config)."""
        path = self._raw(name)
        if path is None:
            return {}
        try:
            with open(path, encoding="utf-8") as file:
                values = json.load(file)
            config_from_dict(values)
        except OSError as error:
            self._bad(name, path, f"lesbare Datei erwartet ({error.strerror})", "a readable file")
        except json.JSONDecodeError as error:
            self._bad(name, path, f"gültiges JSON erwartet (Zeile {error.lineno}: {error.msg})", "valid JSON")
        except Exception as error:  # whatever billing.config refuses, named in the message
            self._bad(name, path, f"fehlerhafter Eintrag: {error}", "known billing entries")
        else:
            return values
        return {}


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """The database to use: DATABASE_URL, else a SQLite file under instance/."""
    environ = os.environ if environ is None else environ
    url = environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'begleitservice.db'}"
    # Heroku-style URLs and plain "postgresql://" should use psycopg 3, the driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def is_production(environ: Mapping[str, str]) -> bool:
    """A production start: BEGLEITSERVICE_ENV or FLASK_ENV say so, or the app is loaded by gunicorn."""
    named = {environ.get(name, "").strip().lower() for name in ("BEGLEITSERVICE_ENV", "FLASK_ENV")}
    return bool(named & {"production", "produktion"}) or "gunicorn.arbiter" in sys.modules


def from_environment(environ: Mapping[str, str] | None = None) -> dict:
    """All settings as a dict for ``app.config``; raises :class:`SettingsError` listing every unusable value."""
    env = Reader(os.environ if environ is None else environ)
    values = {
        "SQLALCHEMY_DATABASE_URI": database_url(env.environ),
        # SQLite: how long a writer waits for another one's transaction before "database is locked" (seconds)
        "SQLITE_BUSY_TIMEOUT_S": env.number("SQLITE_BUSY_TIMEOUT_S", 30.0),
        # Keys (begleitservice.security.keys): without SECRET_KEY a development start makes a random key once in
        # SECRET_KEY_FILE; a production start refuses. Old keys in LINK_KEY_FALLBACKS still open the signed links
        # of e-mails sent before a rotation, never a session (Flask's SECRET_KEY_FALLBACKS stays empty for that).
        "PRODUCTION": is_production(env.environ),
        "SECRET_KEY": env.text("SECRET_KEY", None),
        "SECRET_KEY_FALLBACKS": [],
        "LINK_KEY_FALLBACKS": env.words("LINK_KEY_FALLBACKS"),
        "SECRET_KEY_FILE": Path(env.text("SECRET_KEY_FILE", str(INSTANCE_DIR / "secret_key"))),
        # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (client address for the limits,
        # HTTPS for HSTS and secure cookies); 0 = the app is reached directly.
        "PROXY_COUNT": env.integer("PROXY_COUNT", 0, minimum=0, maximum=5),
        "HSTS_SECONDS": env.integer("HSTS_SECONDS", 365 * 24 * 3600, minimum=0),
        # Rate limits (Flask-Limiter, begleitservice.security.limits), per client address; storage shared by the
        # workers when RATELIMIT_STORAGE_URI names Redis (redis://host:6379/0), else each process counts alone.
        "RATELIMIT_ENABLED": env.flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": env.text("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": env.text("RATELIMIT_KEY_PREFIX", "begleitservice"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis unreachable: count per process meanwhile
        "LOGIN_RATE_LIMIT": env.limit("LOGIN_RATE_LIMIT", "10/minute;60/hour"),
        "PASSWORD_RESET_RATE_LIMIT": env.limit("PASSWORD_RESET_RATE_LIMIT", "5/minute;20/hour"),
        "LINK_RATE_LIMIT": env.limit("LINK_RATE_LIMIT", "30/minute;300/hour"),
        # Lockout: after LOGIN_LOCKOUT_FAILURES wrong passwords for one e-mail within LOGIN_LOCKOUT_MINUTES, that
        # e-mail cannot log in until the window has passed (known or unknown address alike).
        "LOGIN_LOCKOUT_FAILURES": env.integer("LOGIN_LOCKOUT_FAILURES", 5, minimum=1),
        "LOGIN_LOCKOUT_MINUTES": env.integer("LOGIN_LOCKOUT_MINUTES", 15, minimum=1),
        # A session unused for this long ends (minutes); logout, password or role change end all of a user's.
        "SESSION_IDLE_MINUTES": env.integer("SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60),
        "WTF_I18N_ENABLED": False,  # WTForms' own German messages via Meta.locales
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.flag("SESSION_COOKIE_SECURE", False),
        # The clock (begleitservice.clock): None is the real time; tests set an aware datetime / a date.
        "NOW": None,
        "TODAY": None,
        "APP_TIMEZONE": env.timezone("APP_TIMEZONE", "Europe/Berlin"),
        "BASE_URL": env.pattern("BASE_URL", "http://localhost:5000", r"https?://\S+", "http(s)-Adresse", "a URL"),
        "ITEMS_PER_PAGE": env.integer("ITEMS_PER_PAGE", 50, minimum=1, maximum=1000),
        "PROPOSALS_PER_PAGE": env.integer("PROPOSALS_PER_PAGE", 10, minimum=1, maximum=1000),
        "MAX_PAGE": env.integer("MAX_PAGE", 10000, minimum=1, maximum=10**6),  # a higher page number is a 400
        # Input windows (begleitservice.inputs): every date typed lies in DATE_EARLIEST..DATE_LATEST, birth dates
        # up to today; what is planned and billed (Begleitungen, visits, absences, requests, budget facts) within
        # PLAN_YEARS_BACK before and PLAN_YEARS_AHEAD after today. Keep PLAN_YEARS_BACK after the first date of
        # the billing figures (Entlastungsbetrag from 2017), or the budget of such a senior cannot be computed.
        "DATE_EARLIEST": env.day("DATE_EARLIEST", date(1900, 1, 1)),
        "DATE_LATEST": env.day("DATE_LATEST", date(2100, 12, 31)),
        "PLAN_YEARS_BACK": env.integer("PLAN_YEARS_BACK", 5, minimum=0, maximum=50),
        "PLAN_YEARS_AHEAD": env.integer("PLAN_YEARS_AHEAD", 3, minimum=0, maximum=50),
        # Mail (Flask-Mail) and the outbox (begleitservice.mail)
        "MAIL_SERVER": env.text("MAIL_SERVER", "localhost"),
        "MAIL_PORT": env.integer("MAIL_PORT", 25, minimum=1, maximum=65535),
        "MAIL_USE_TLS": env.flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": env.flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": env.text("MAIL_USERNAME", None),
        "MAIL_PASSWORD": env.text("MAIL_PASSWORD", None),
        "MAIL_DEFAULT_SENDER": env.text(
            "MAIL_DEFAULT_SENDER", "Seniorenbegleitservice Dortmund <begleitservice@localhost>"
        ),
        "MAIL_TIMEOUT_SECONDS": env.integer("MAIL_TIMEOUT_SECONDS", 30, minimum=1),
        "OUTBOX_BATCH_SIZE": env.integer("OUTBOX_BATCH_SIZE", 50, minimum=1),
        # One sender run keeps claiming batches while mail is due, for at most this long (below the tick interval).
        "OUTBOX_TIME_BUDGET_SECONDS": env.integer("OUTBOX_TIME_BUDGET_SECONDS", 45, minimum=1),
        "OUTBOX_MAX_ATTEMPTS": env.integer("OUTBOX_MAX_ATTEMPTS", 12, minimum=1),
        "OUTBOX_BACKOFF_SECONDS": env.integer("OUTBOX_BACKOFF_SECONDS", 60, minimum=1),
        "OUTBOX_BACKOFF_MAX_SECONDS": env.integer("OUTBOX_BACKOFF_MAX_SECONDS", 3600, minimum=1),
        "OUTBOX_CLAIM_TIMEOUT_SECONDS": env.integer("OUTBOX_CLAIM_TIMEOUT_SECONDS", 900, minimum=1),
        # Volunteers' certificates
        "FUEHRUNGSZEUGNIS_MAX_YEARS": env.integer("FUEHRUNGSZEUGNIS_MAX_YEARS", 5, minimum=1),
        "FUEHRUNGSZEUGNIS_REMIND_EVERY_DAYS": env.integer("FUEHRUNGSZEUGNIS_REMIND_EVERY_DAYS", 30, minimum=1),
        # Appointments and volunteer links (begleitservice.appointments, .jobs)
        # Calendars (begleitservice.calendars): up to this many visits in the shown week or month are listed in
        # their day cells; more (the whole service's month) show the number per day with a link to the day.
        "CALENDAR_MAX_VISITS": env.integer("CALENDAR_MAX_VISITS", 150, minimum=0, maximum=5000),
        "APPOINTMENT_HORIZON_WEEKS": env.integer("APPOINTMENT_HORIZON_WEEKS", 8, minimum=1, maximum=104),
        "CONFIRMATION_DAYS_BEFORE": env.integer("CONFIRMATION_DAYS_BEFORE", 7, minimum=0),
        "ESCALATION_HOURS_BEFORE": env.integer("ESCALATION_HOURS_BEFORE", 48, minimum=0),
        "HOURS_REQUEST_LOOKBACK_DAYS": env.integer("HOURS_REQUEST_LOOKBACK_DAYS", 14, minimum=1),
        "LINK_MAX_AGE_DAYS": env.integer("LINK_MAX_AGE_DAYS", 30, minimum=1),
        "MEIN_BEREICH_MAX_AGE_DAYS": env.integer("MEIN_BEREICH_MAX_AGE_DAYS", 180, minimum=1),
        "HOURS_CORRECTION_DAYS": env.integer("HOURS_CORRECTION_DAYS", 14, minimum=0, maximum=365),
        "SIGNATURE_MAX_KB": env.integer("SIGNATURE_MAX_KB", 100, minimum=5, maximum=1024),
        # THE travel buffer between two visits of one volunteer (rules, matching, cover); the old name still works
        "TRAVEL_BUFFER_MINUTES": env.integer(
            "TRAVEL_BUFFER_MINUTES",
            env.integer("MATCH_TRAVEL_BUFFER_MINUTES", 30, minimum=0, maximum=240),
            minimum=0,
            maximum=240,
        ),
        # Matching (begleitservice.matches, engine knobs of matching.Settings)
        "MATCH_TIME_LIMIT_S": env.number("MATCH_TIME_LIMIT_S", 10.0),
        "MATCH_WORKERS": env.integer("MATCH_WORKERS", 1, minimum=1, maximum=64),
        "MATCH_SEED": env.integer("MATCH_SEED", 0, minimum=0),
        "MATCH_SLOT_MINUTES": env.integer("MATCH_SLOT_MINUTES", 15, minimum=1, maximum=60),
        "MATCH_ABSENCE_WEEKS": env.integer("MATCH_ABSENCE_WEEKS", 4, minimum=1, maximum=52),
        "MATCH_RUN_SYNC": env.flag("MATCH_RUN_SYNC", False),
        # A billing run started on the page: in the request (tests) instead of a background thread
        "BILLING_RUN_SYNC": env.flag("BILLING_RUN_SYNC", False),
        # Billing (begleitservice.accounting): figures from a JSON file, PDF render processes (None: all CPUs)
        "BILLING": env.billing("BILLING_CONFIG"),
        "BILLING_COLLECTIVE": env.flag("BILLING_COLLECTIVE", True),
        "BILLING_RENDER_WORKERS": env.integer("BILLING_RENDER_WORKERS", None, minimum=1, maximum=64),
        # The page cache (begleitservice.pages): how long a finished list, inbox or calendar page is kept at most
        # (0: never), and how many pages one worker process keeps
        "PAGE_CACHE_SECONDS": env.integer("PAGE_CACHE_SECONDS", 60, minimum=0, maximum=3600),
        "PAGE_CACHE_ENTRIES": env.integer("PAGE_CACHE_ENTRIES", 500, minimum=1, maximum=100000),
        # The coordinators' inbox (begleitservice.inbox): items shown per group on the start page, and when a
        # fact becomes an item (days/weeks/counts)
        "INBOX_GROUP_LIMIT": env.integer("INBOX_GROUP_LIMIT", 10, minimum=1, maximum=100),
        "INBOX_UNCONFIRMED_DAYS": env.integer("INBOX_UNCONFIRMED_DAYS", 3, minimum=0, maximum=60),
        "INBOX_REQUEST_WAIT_DAYS": env.integer("INBOX_REQUEST_WAIT_DAYS", 14, minimum=0),
        "INBOX_CERTIFICATE_NOTICE_DAYS": env.integer("INBOX_CERTIFICATE_NOTICE_DAYS", 60, minimum=0),
        "INBOX_BUDGET_NOTICE_DAYS": env.integer("INBOX_BUDGET_NOTICE_DAYS", 120, minimum=0, maximum=181),
        "INBOX_PAIR_QUIET_WEEKS": env.integer("INBOX_PAIR_QUIET_WEEKS", 4, minimum=1, maximum=52),
        "INBOX_PAIR_CANCELLATIONS": env.integer("INBOX_PAIR_CANCELLATIONS", 3, minimum=2),
        "INBOX_PAIR_CANCELLATION_WEEKS": env.integer("INBOX_PAIR_CANCELLATION_WEEKS", 8, minimum=1, maximum=52),
        # Mail to coordinators: a decline this many hours or less before the visit counts as short notice
        "NOTIFY_SHORT_NOTICE_HOURS": env.integer("NOTIFY_SHORT_NOTICE_HOURS", 48, minimum=1, maximum=24 * 14),
        # Accounts (begleitservice.auth): link lifetimes, second factor for admins and coordinators
        "PASSWORD_RESET_MAX_AGE_MINUTES": env.integer("PASSWORD_RESET_MAX_AGE_MINUTES", 60, minimum=5, maximum=10080),
        "INVITATION_MAX_AGE_DAYS": env.integer("INVITATION_MAX_AGE_DAYS", 7, minimum=1, maximum=60),
        "TOTP_REQUIRED": env.flag("TOTP_REQUIRED", False),
        # Audit trail (begleitservice.audit): events older than this are deleted by the daily job / `audit purge`
        "AUDIT_RETENTION_DAYS": env.integer("AUDIT_RETENTION_DAYS", 730, minimum=1, maximum=36500),
        # Closing a month: reported minutes this far (percent of the planned duration) from the plan are listed
        "BILLING_DEVIATION_PERCENT": env.integer("BILLING_DEVIATION_PERCENT", 50, minimum=1, maximum=1000),
        # Scheduler process (begleitservice.jobs)
        "SCHEDULER_OUTBOX_SECONDS": env.integer("SCHEDULER_OUTBOX_SECONDS", 60, minimum=1),
        "SCHEDULER_NOTIFY_MINUTES": env.integer("SCHEDULER_NOTIFY_MINUTES", 15, minimum=1),
        "SCHEDULER_DAILY_AT": env.pattern("SCHEDULER_DAILY_AT", "02:30", CLOCK_TIME, "Uhrzeit HH:MM erwartet", "HH:MM"),
        "SCHEDULER_DIGEST_AT": env.pattern(
            "SCHEDULER_DIGEST_AT", "07:00", CLOCK_TIME, "Uhrzeit HH:MM erwartet", "HH:MM"
        ),
        "SCHEDULER_WEEKLY_SUMMARY_AT": env.pattern(
            "SCHEDULER_WEEKLY_SUMMARY_AT",
            "mon 07:00",
            rf"({WEEKDAYS}) {CLOCK_TIME}",
            "Wochentag und Uhrzeit erwartet, z. B. 'mon 07:00'",
            "'mon 07:00'",
        ),
        # One active scheduler: a second process waits as standby and checks this often whether it may take over
        # (PostgreSQL advisory lock; on SQLite a lock file beside the database, or SCHEDULER_LOCK_FILE).
        "SCHEDULER_STANDBY_SECONDS": env.number("SCHEDULER_STANDBY_SECONDS", 5.0),
        "SCHEDULER_LOCK_FILE": env.text("SCHEDULER_LOCK_FILE", None),
    }
    if env.problems:
        raise SettingsError(env.problems)
    return values
