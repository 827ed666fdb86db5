"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi``."""

from begleitservice import create_app
from begleitservice.config import SettingsError

try:
    app = create_app()
except SettingsError as error:  # the message names each bad variable; a traceback would only hide it
    raise SystemExit(str(error)) from None
