"""Berichte: the period report, where help is missing, figures by Sozialraum, and their exports."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField

from ..auth.access import CARE, STAFF, require_role, restrict
from ..extensions import db
from ..forms import Form
from ..inputs import InputError
from ..models import SERVICES
from ..models.names import sort_key
from ..pages import cached
from . import charts, exports, population
from .periods import KINDS, Period, parse_period, year_range
from .queries import build_report, missing_help

log = logging.getLogger(__name__)

bp = Blueprint("reports", __name__, url_prefix="/berichte")
restrict(bp, *STAFF)

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


# Column heads in the wide tables: short, with soft hyphens where a narrow column may break the word.
OFFER_SHORT = {
    "besuchsdienst": Markup("Besuchs&shy;dienst"),
    "entlastung": Markup("Entlastung"),
    "demenzgruppe": Markup("Demenz&shy;gruppen"),
}


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a German percentage with one place, or a dash without a whole."""
    return f"{part * 100 / whole:.1f} %".replace(".", ",") if whole else "–"


def _period() -> tuple[Period | None, str | None]:
    try:
        return parse_period(request.args), None
    except InputError as error:
        return None, str(error)


def _form_context(period: Period | None, error: str | None) -> dict:
    first, last = year_range()
    return {
        "period": period,
        "error": error,
        "kinds": KINDS,
        "years": (first, last),
        "args": request.args,
        "services": SERVICES,
        "offer_names": exports.OFFER_NAMES,
        "offer_short": OFFER_SHORT,
        "number": charts.number,
        "percent": percent,
    }


def _refused(template: str, error: str):
    return render_template(template, **_form_context(None, error)), 400


@bp.route("/")
@cached
def index():
    """The report of a period per Stadtbezirk and offer, with the period before it beside."""
    period, error = _period()
    if error:
        return _refused("reports/index.html", error)
    report, previous = build_report(period), build_report(period.previous())
    districts = sorted(report.areas, key=lambda a: sort_key(a.name))
    figures = {
        "hours": charts.bar_chart(
            f"Stunden je Stadtbezirk, {period.label}",
            [(a.name, a.total.hours) for a in districts],
            unit="Stunden",
        ),
        "requests": charts.bar_chart(
            f"Anfragen eingegangen je Stadtbezirk, {period.label}",
            [(a.name, a.total.received) for a in districts],
            unit="Anfragen",
        ),
    }
    return render_template(
        "reports/index.html",
        report=report,
        previous=previous,
        districts=districts,
        charts=figures,
        **_form_context(period, None),
    )


@bp.route("/fehlende-hilfe")
@cached
def missing():
    """Where help is missing today: waiting requests beside volunteer capacity, and why matching left them open."""
    result = missing_help()
    chart = charts.bar_chart(
        "Wartende Anfragen je Stadtbezirk",
        [(g.name, g.waiting_total) for g in result.gaps],
        unit="Anfragen",
    )
    return render_template("reports/missing.html", missing=result, chart=chart, **_form_context(None, None))


@bp.route("/sozialraeume")
@cached
def sozialraeume():
    """The period's figures per Sozialraum, Aktionsräume marked, with rates per 1,000 residents 65+."""
    period, error = _period()
    if error:
        return _refused("reports/sozialraeume.html", error)
    report = build_report(period, by="sozialraum")
    marked = [a for a in report.areas if a.is_aktionsraum]
    rated = report.population_year is not None
    if rated:  # only where the city's figure is known: an unknown rate is no zero
        rows = [(a.name, a.per_1000(a.total.seniors)) for a in marked if a.residents_65plus]
        title = "Begleitete Senior:innen je 1.000 Einwohner:innen ab 65 in den Aktionsräumen"
    else:
        rows = [(a.name, a.total.seniors) for a in marked]
        title = "Begleitete Senior:innen in den Aktionsräumen"
    chart = charts.bar_chart(f"{title}, {period.label}", rows, unit="je 1.000" if rated else "Senior:innen")
    return render_template("reports/sozialraeume.html", report=report, chart=chart, **_form_context(period, None))


@bp.route("/export.<fmt>")
def export(fmt: str):
    """The report of the period as a file: CSV (Stadtbezirke), XLSX (every table) or PDF."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    period, error = _period()
    if error:
        return _refused("reports/index.html", error)
    report = build_report(period)
    if fmt == "csv":
        data = exports.csv_bytes(exports.district_table(report))
    elif fmt == "xlsx":
        data = exports.xlsx_bytes(exports.annual_tables(report, build_report(period, by="sozialraum"), missing_help()))
    else:
        from .documents import annual_pdf

        data = annual_pdf(
            report, build_report(period.previous()), build_report(period, by="sozialraum"), missing_help()
        )
    db.session.rollback()
    name = f"Bericht_{period.start.isoformat()}_{period.end.isoformat()}.{fmt}"
    return Response(data, mimetype=EXPORT_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


class PopulationForm(Form):
    file = FileField(
        _l("Datei der Stadt (CSV oder XLSX)"),
        validators=[
            FileRequired("Bitte eine Datei wählen."),
            FileAllowed(["csv", "xlsx"], "Bitte eine .csv- oder .xlsx-Datei wählen."),
        ],
        description=_l("Spalten: Sozialraum, Stadtbezirk, Jahr, Einwohner 65+ (CSV mit „;“, UTF-8)."),
    )
    dry_run = BooleanField(_l("Nur prüfen (Probelauf), nichts speichern"), default=True)


@bp.route("/einwohner", methods=["GET", "POST"])
def population_import():
    """Import the city's residents aged 65+ per Sozialraum: every row checked, saved only when all are right."""
    require_role(*CARE)
    from ..cli.tabular import TableError, read_table

    form, result, status = PopulationForm(), None, 200
    if form.validate_on_submit():
        suffix = Path(form.file.data.filename or "").suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"einwohner{suffix}"
            form.file.data.save(path)
            try:
                result = population.import_population(read_table(path), dry_run=form.dry_run.data)
            except TableError as error:
                form.file.errors.append(str(error))
        try:
            if result is None or result.problems or result.dry_run:
                db.session.rollback()
            else:
                db.session.commit()
                flash(result.summary, "success")
                return redirect(url_for(".sozialraeume"))
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("population import failed")
            form.file.errors.append("Die Datenbank hat den Import abgelehnt, nichts gespeichert. Bitte noch einmal.")
            result = None
    if form.errors or (result is not None and result.problems):
        status = 400
    return render_template("reports/population.html", form=form, result=result), status
