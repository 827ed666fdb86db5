"""Import and export of volunteers and seniors on a page: download, upload with a dry run, then import."""

import io
import logging
import re
import secrets
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, HiddenField

from .. import clock
from ..auth.access import CARE, restrict
from ..cli.tabular import TableError, read_table, write_table
from ..extensions import db
from ..forms import Form
from .operations import KINDS, TITLES, import_table

log = logging.getLogger(__name__)

bp = Blueprint("transfer", __name__, url_prefix="/daten")
restrict(bp, *CARE)

UPLOAD_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}\.(csv|xlsx)")
KEEP_UPLOADS_SECONDS = 24 * 3600


class UploadForm(Form):
    file = FileField(
        _l("Datei (CSV oder XLSX)"),
        validators=[
            FileRequired("Bitte eine Datei wählen."),
            FileAllowed(["csv", "xlsx"], "Bitte eine .csv- oder .xlsx-Datei wählen."),
        ],
    )
    allow_duplicates = BooleanField(_l("Mögliche Doppelungen trotzdem anlegen (es sind andere Personen)"))


class ImportForm(Form):
    upload = HiddenField()
    allow_duplicates = HiddenField()


def _kind_or_404(kind: str) -> str:
    return kind if kind in KINDS else abort(404)


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _keep(storage) -> str:
    """Store the uploaded file under a random name (0600) until it is imported; forget day-old uploads."""
    folder = _uploads()
    for old in folder.iterdir():
        if old.stat().st_mtime < clock.now().timestamp() - KEEP_UPLOADS_SECONDS:
            old.unlink(missing_ok=True)
    token = f"{secrets.token_urlsafe(16)}{Path(storage.filename).suffix.lower()}"
    path = folder / token
    path.touch(mode=0o600)
    storage.save(path)
    return token


def _kept(token: str) -> Path | None:
    path = _uploads() / token
    return path if UPLOAD_TOKEN.fullmatch(token or "") and path.is_file() else None


@bp.route("/<kind>")
def index(kind: str):
    """Export and import of volunteers or seniors: download the table, upload a changed one."""
    return render_template("transfer/index.html", kind=_kind_or_404(kind), title=TITLES[kind], form=UploadForm())


@bp.route("/<kind>/export.<fmt>")
def export(kind: str, fmt: str):
    """Download all volunteers or seniors as CSV or XLSX, exactly as the import reads them."""
    module = KINDS[_kind_or_404(kind)]
    if fmt not in ("csv", "xlsx"):
        abort(404)
    name = f"{TITLES[kind].replace(':', '')}.{fmt}"
    path = _uploads() / f"export-{secrets.token_hex(8)}.{fmt}"
    try:
        write_table(path, module.COLUMNS, module.export_rows(), title=TITLES[kind])
        data = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
        db.session.rollback()
    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route("/<kind>/pruefen", methods=["POST"])
def check(kind: str):
    """Dry run of an uploaded table: every problem by line and field, duplicates, what would be new or updated."""
    _kind_or_404(kind)
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("transfer/index.html", kind=kind, title=TITLES[kind], form=form), 400
    token = _keep(form.file.data)
    try:
        report = import_table(kind, read_table(_kept(token)), dry_run=True, allow_duplicates=form.allow_duplicates.data)
    except TableError as error:
        form.file.errors.append(str(error))
        return render_template("transfer/index.html", kind=kind, title=TITLES[kind], form=form), 400
    confirm = ImportForm(formdata=None, upload=token, allow_duplicates="ja" if form.allow_duplicates.data else "")
    return render_template(
        "transfer/report.html",
        kind=kind,
        title=TITLES[kind],
        report=report,
        confirm=confirm,
        name=form.file.data.filename,
    )


@bp.route("/<kind>/importieren", methods=["POST"])
def run_import(kind: str):
    """Import the table checked before (all rows or nothing); the report says what was saved."""
    _kind_or_404(kind)
    form = ImportForm()
    path = _kept(form.upload.data or "") if form.validate_on_submit() else None
    if path is None:
        flash(
            _("Die geprüfte Datei ist nicht mehr da (schon importiert oder älter als ein Tag). Bitte neu hochladen."),
            "error",
        )
        return redirect(url_for(".index", kind=kind))
    try:
        report = import_table(
            kind, read_table(path), dry_run=False, allow_duplicates=form.allow_duplicates.data == "ja"
        )
        if report.saved:
            db.session.commit()
    except (TableError, SQLAlchemyError) as error:
        db.session.rollback()
        log.exception("import of %s failed", kind)
        flash(_("Der Import wurde abgelehnt, nichts gespeichert: %(error)s", error=error), "error")
        return redirect(url_for(".index", kind=kind))
    path.unlink(missing_ok=True)  # imported (or refused): the same file is not imported twice
    if not report.saved:
        return render_template("transfer/report.html", kind=kind, title=TITLES[kind], report=report, confirm=None), 400
    flash(report.summary, "success")
    return redirect(url_for(f"{kind}.index"))
