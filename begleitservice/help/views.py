"""Help pages: one short page per area of the app and a glossary, for every logged-in user."""

from flask import Blueprint, abort, render_template
from flask_login import login_required

bp = Blueprint("help", __name__, url_prefix="/hilfe")

# Area → (title, template); the order is the order of the overview.
AREAS = {
    "uebersicht": "Aufgaben und Übersicht",
    "anfragen": "Anfragen und Vorschläge",
    "menschen": "Ehrenamtliche und Senior:innen",
    "begleitungen": "Begleitungen und Termine",
    "abrechnung": "Abrechnung des Entlastungsbetrags",
    "datenschutz": "Datenschutz",
}


@bp.route("/")
@login_required
def index():
    """The help overview: the areas and the glossary."""
    return render_template("help/index.html", areas=AREAS)


@bp.route("/begriffe")
@login_required
def glossary():
    """The glossary: Abtretung, Umwandlung, Entlastungsbetrag, Sozialraum and the other terms of the work."""
    return render_template("help/glossary.html", areas=AREAS, title="Begriffe")


@bp.route("/<area>")
@login_required
def area(area: str):
    """The help page of one area."""
    if area not in AREAS:
        abort(404)
    return render_template(f"help/{area}.html", areas=AREAS, area=area, title=AREAS[area])
