"""The application factory."""

import logging
from importlib import import_module
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, g, has_request_context, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from billing.config import config_from_dict

from . import audit, i18n, pages
from . import config as settings
from .database import configure_engines
from .extensions import babel, csrf, db, login_manager, mail, migrate
from .filters import register_filters
from .inputs import BoundedIntConverter, TokenConverter
from .security.headers import register_headers
from .security.keys import ensure_secret_key
from .security.limits import TOO_MANY_REQUESTS, register_limits

BLUEPRINTS = (
    "auth",
    "dashboard",
    "volunteers",
    "seniors",
    "requests",
    "pairings",
    "groups",
    "matches",
    "pflegekassen",
    "budget",
    "admin",
    "provider",
    "appointments",
    "accounting",
    "privacy",
    "inbox",
    "calendars",
    "contacts",
    "audit",
    "printing",
    "appointments.links",  # public: volunteer links and iCal feed, no login
    "area",  # public: a volunteer's "Mein Bereich" by their signed link, no login
    "help",
    "transfer",
    "reports",
)
# templates/ and migrations/ sit beside the package in the repository (install with `pip install -e .`).
ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
MIGRATIONS = ROOT / "migrations"
TRANSLATIONS = ROOT / "translations"  # .po sources and the compiled .mo catalogues (committed)


def create_app(config: dict | None = None) -> Flask:
    """Build the app from environment settings, overridden by ``config`` (tests pass their database here)."""
    app = Flask(__name__, template_folder=str(TEMPLATES), instance_path=str(settings.INSTANCE_DIR))
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    settings.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    ensure_secret_key(app)
    check_billing_settings(app)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    register_extensions(app)
    app.url_map.converters |= {"int": BoundedIntConverter, "token": TokenConverter}  # before the routes are added
    register_blueprints(app)
    register_limits(app)  # after the blueprints: binds the limits to the views marked @rate_limited
    audit.init_app(app)
    register_error_handlers(app)
    register_headers(app)
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
    pages.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(
        app,
        default_locale=i18n.DEFAULT,
        default_timezone=app.config["APP_TIMEZONE"],  # i18n formats dates in the service's zone itself
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=i18n.select_locale,
    )
    i18n.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Bitte melden Sie sich an."
    login_manager.login_message_category = "info"

    from .security.sessions import load_user, register_sessions

    login_manager.user_loader(load_user)
    register_sessions(app)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per feature area."""
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"begleitservice.{name}.views").bp)


ERROR_MESSAGES = {
    400: _l("Die Anfrage war fehlerhaft."),
    403: _l("Für diese Seite fehlt Ihnen die Berechtigung."),
    404: _l("Diese Seite gibt es nicht."),
    405: _l("Diese Aktion ist hier nicht möglich."),
    413: _l("Die gesendeten Daten sind zu groß."),
    429: TOO_MANY_REQUESTS,
}
NOTHING_SAVED = _l("Ein unerwarteter Fehler ist aufgetreten. Es wurde nichts gespeichert.")
MAYBE_SAVED = _l(
    "Ein unerwarteter Fehler ist aufgetreten, nachdem Ihre Änderung gespeichert wurde. "
    "Bitte prüfen Sie das Ergebnis, bevor Sie es noch einmal versuchen."
)


@sa.event.listens_for(Session, "after_commit")
def _remember_commit(session) -> None:
    """Note that this request has committed, so an error page afterwards does not claim that nothing was saved."""
    if has_request_context():
        g.committed = True


def register_error_handlers(app: Flask) -> None:
    """German error pages; the session is rolled back first, so the page itself can still read the database."""
    log = logging.getLogger(__name__)

    def render(code: int, message):
        message = str(message)  # marked messages are lazy: in the language of this request
        try:
            db.session.rollback()
            return render_template("error.html", code=code, message=message), code
        except Exception:  # the database itself is the problem: a page without the navigation
            log.exception("error page %s could not be rendered", code)
            db.session.remove()
            return f"Fehler {code}: {message}", code, {"Content-Type": "text/plain; charset=utf-8"}

    def http_error(error: HTTPException):
        code = error.code or 500
        if code >= 500:
            return server_error(error)
        given = error.description if error.description != type(error).description and code != 429 else None
        return render(code, given or ERROR_MESSAGES.get(code, ERROR_MESSAGES[400]))

    def server_error(error):
        return render(500, MAYBE_SAVED if g.get("committed") else NOTHING_SAVED)

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, server_error)
    app.register_error_handler(
        CSRFError, lambda e: render(400, _l("Das Formular ist abgelaufen. Bitte laden Sie die Seite neu."))
    )


def register_commands(app: Flask) -> None:
    """The app's ``cli`` group loads the CLI commands on use (a worker never imports them)."""
    from .cli import LazyCommands

    lazy = LazyCommands(app.cli.name)
    lazy.commands.update(app.cli.commands)  # any a blueprint added
    app.cli = lazy


def configure_logging(app: Flask) -> None:
    """Log to stderr at INFO with module names."""
    if not app.debug and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
