"""The application factory."""

import logging
from importlib import import_module
from pathlib import Path

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from billing.config import config_from_dict

from . import config as settings
from .database import configure_engines
from .extensions import csrf, db, login_manager, mail, migrate
from .filters import register_filters

BLUEPRINTS = (
    "auth",
    "dashboard",
    "volunteers",
    "seniors",
    "requests",
    "pairings",
    "matches",
    "pflegekassen",
    "budget",
    "admin",
    "appointments",
    "accounting",
    "privacy",
    "appointments.links",  # public: volunteer links and iCal feed, no login
)
# templates/ and migrations/ sit beside the package in the repository (install with `pip install -e .`).
ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
MIGRATIONS = ROOT / "migrations"


def create_app(config: dict | None = None) -> Flask:
    """Build the app from environment settings, overridden by ``config`` (tests pass their database here)."""
    app = Flask(__name__, template_folder=str(TEMPLATES), instance_path=str(settings.INSTANCE_DIR))
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    settings.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    check_billing_settings(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_filters(app)
    register_commands(app)
    configure_logging(app)
    return app


def check_billing_settings(app: Flask) -> None:
    """Fail at start-up, not at the first invoice, when BILLING_CONFIG holds an unknown or malformed entry."""
    if app.config["BILLING"]:
        config_from_dict(app.config["BILLING"])


def register_extensions(app: Flask) -> None:
    """Bind the extensions to this app."""
    db.init_app(app)
    configure_engines(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Bitte melden Sie sich an."
    login_manager.login_message_category = "info"

    from . import models

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(models.User, int(user_id))
        return user if user and user.is_active else None


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per feature area."""
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"begleitservice.{name}.views").bp)


def register_error_handlers(app: Flask) -> None:
    """German error pages."""
    messages = {
        400: "Die Anfrage war fehlerhaft.",
        403: "Für diese Seite fehlt Ihnen die Berechtigung.",
        404: "Diese Seite gibt es nicht.",
        500: "Ein unerwarteter Fehler ist aufgetreten. Es wurde nichts gespeichert.",
    }

    def render(code: int, message: str):
        return render_template("error.html", code=code, message=message), code

    for code, message in messages.items():
        app.register_error_handler(code, lambda e, code=code, message=message: render(code, message))
    app.register_error_handler(
        CSRFError, lambda e: render(400, "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu.")
    )


def register_commands(app: Flask) -> None:
    """Add the CLI commands to ``flask``."""
    from .cli import commands

    for command in commands:
        app.cli.add_command(command)


def configure_logging(app: Flask) -> None:
    """Log to stderr at INFO with module names; warn when the development secret is in use."""
    if not app.debug and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if app.config["SECRET_KEY"] == settings.DEVELOPMENT_SECRET and not app.testing:
        logging.getLogger(__name__).warning(
            "SECRET_KEY is not set: sessions and e-mail links use the development key (set it in production)"
        )
