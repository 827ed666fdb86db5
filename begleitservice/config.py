"""Settings from environment variables, with defaults that run on SQLite without any set-up."""

import os
from pathlib import Path

INSTANCE_DIR = Path(
    os.environ.get("BEGLEITSERVICE_INSTANCE", Path(__file__).resolve().parent.parent / "instance")
)


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


def from_environment() -> dict:
    """All settings as a dict for ``app.config``."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "entwicklung-nicht-fuer-produktion"),
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
    }
