"""The signing key: no public default; a random key per installation for development, an explicit one in production."""

import logging
import os
import secrets
from pathlib import Path

from flask import Flask

from ..config import SettingsError

log = logging.getLogger(__name__)

MISSING_IN_PRODUCTION = (
    "SECRET_KEY fehlt: in Produktion (BEGLEITSERVICE_ENV/FLASK_ENV=production oder gunicorn) muss ein eigener "
    "Schlüssel gesetzt sein, z. B. SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))') "
    "(expected an explicit SECRET_KEY in production)"
)


def ensure_secret_key(app: Flask) -> None:
    """Keep an explicit SECRET_KEY; refuse a production start without one; else use the instance folder's own key."""
    if app.config["SECRET_KEY"]:
        return
    if app.config["PRODUCTION"]:
        raise SettingsError([MISSING_IN_PRODUCTION])
    app.config["SECRET_KEY"] = development_key(Path(app.config["SECRET_KEY_FILE"]))


def development_key(path: Path) -> str:
    """The key stored in ``path``; created once (random, readable by the owner only) when the file is missing."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:  # O_EXCL: two processes starting at once both end up with the file's key, not each its own
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip() or key
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    log.warning("SECRET_KEY is not set: created a random development key in %s (set SECRET_KEY in production)", path)
    return key
