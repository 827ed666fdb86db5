"""Settings from environment variables, with defaults that run on SQLite without any set-up."""

import json
import os
from pathlib import Path

DEVELOPMENT_SECRET = "entwicklung-nicht-fuer-produktion"
INSTANCE_DIR = Path(os.environ.get("BEGLEITSERVICE_INSTANCE", Path(__file__).resolve().parent.parent / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def database_url() -> str:
    """The database to use: DATABASE_URL, else a SQLite file under instance/."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'begleitservice.db'}"
    # Heroku-style URLs and plain "postgresql://" should use psycopg 3, the driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def billing_settings() -> dict:
    """Billing figures from the JSON file BILLING_CONFIG names (provider, rates, allowance; see billing.config)."""
    path = os.environ.get("BILLING_CONFIG")
    if not path:
        return {}
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def from_environment() -> dict:
    """All settings as a dict for ``app.config``."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET),
        "WTF_I18N_ENABLED": False,  # WTForms' own German messages via Meta.locales
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Seniorenbegleitservice Dortmund <begleitservice@localhost>"
        ),
        "APP_TIMEZONE": os.environ.get("APP_TIMEZONE", "Europe/Berlin"),
        "BASE_URL": os.environ.get("BASE_URL", "http://localhost:5000"),
        "FUEHRUNGSZEUGNIS_MAX_YEARS": int(os.environ.get("FUEHRUNGSZEUGNIS_MAX_YEARS", "5")),
        "ITEMS_PER_PAGE": 50,
        # Appointments, volunteer links and mail (begleitservice.appointments, .mail, .jobs)
        "APPOINTMENT_HORIZON_WEEKS": int(os.environ.get("APPOINTMENT_HORIZON_WEEKS", "8")),
        "CONFIRMATION_DAYS_BEFORE": int(os.environ.get("CONFIRMATION_DAYS_BEFORE", "7")),
        "ESCALATION_HOURS_BEFORE": int(os.environ.get("ESCALATION_HOURS_BEFORE", "48")),
        "HOURS_REQUEST_LOOKBACK_DAYS": int(os.environ.get("HOURS_REQUEST_LOOKBACK_DAYS", "14")),
        "FUEHRUNGSZEUGNIS_REMIND_EVERY_DAYS": int(os.environ.get("FUEHRUNGSZEUGNIS_REMIND_EVERY_DAYS", "30")),
        "LINK_MAX_AGE_DAYS": int(os.environ.get("LINK_MAX_AGE_DAYS", "30")),
        "MAIL_TIMEOUT_SECONDS": int(os.environ.get("MAIL_TIMEOUT_SECONDS", "30")),
        "OUTBOX_BATCH_SIZE": int(os.environ.get("OUTBOX_BATCH_SIZE", "50")),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "12")),
        "OUTBOX_BACKOFF_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_SECONDS", "60")),
        "OUTBOX_BACKOFF_MAX_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", "3600")),
        "OUTBOX_CLAIM_TIMEOUT_SECONDS": int(os.environ.get("OUTBOX_CLAIM_TIMEOUT_SECONDS", "900")),
        "SCHEDULER_OUTBOX_SECONDS": int(os.environ.get("SCHEDULER_OUTBOX_SECONDS", "60")),
        "SCHEDULER_NOTIFY_MINUTES": int(os.environ.get("SCHEDULER_NOTIFY_MINUTES", "15")),
        "SCHEDULER_DAILY_AT": os.environ.get("SCHEDULER_DAILY_AT", "02:30"),
        "SCHEDULER_WEEKLY_SUMMARY_AT": os.environ.get("SCHEDULER_WEEKLY_SUMMARY_AT", "mon 07:00"),
        "BILLING": billing_settings(),
    }
