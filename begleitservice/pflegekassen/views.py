"""Pflegekassen: list, create, edit, detail."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..auth.access import STAFF, restrict
from ..clock import today
from ..extensions import db
from ..inputs import query_text
from ..models import Pflegekasse, Senior
from ..models.names import search_condition
from ..pages import cached
from ..submissions import remember, repeated
from .forms import PflegekasseForm

bp = Blueprint("pflegekassen", __name__, url_prefix="/pflegekassen")
restrict(bp, *STAFF)


@bp.route("/")
@cached
def index():
    """List Pflegekassen, searchable by name or IK."""
    q = query_text("q")
    query = sa.select(Pflegekasse).where(search_condition(Pflegekasse.search_text, q))
    query = query.order_by(Pflegekasse.sort_name, Pflegekasse.id)
    counts = dict(
        db.session.execute(sa.select(Senior.pflegekasse_id, sa.func.count()).group_by(Senior.pflegekasse_id)).all()
    )
    return render_template("pflegekassen/index.html", kassen=db.session.scalars(query).all(), counts=counts, q=q)


@bp.route("/neu", methods=["GET", "POST"])
def create():
    """Create a Pflegekasse."""
    return _edit(Pflegekasse())


@bp.route("/<int:kasse_id>/bearbeiten", methods=["GET", "POST"])
def edit(kasse_id: int):
    """Edit a Pflegekasse."""
    return _edit(db.get_or_404(Pflegekasse, kasse_id))


def _edit(kasse: Pflegekasse):
    form = PflegekasseForm(obj=kasse)
    if form.validate_on_submit():
        if kasse.id is None and (repeat := repeated(form)) is not None:
            return repeat
        clash = db.session.scalar(sa.select(Pflegekasse).where(Pflegekasse.ik == form.ik.data))
        if clash is not None and clash.id != kasse.id:
            form.ik.errors.append(f"Dieses IK ist schon bei „{clash.name}“ eingetragen.")
        else:
            form.populate_obj(kasse)
            db.session.add(kasse)
            db.session.flush()
            remember(form, url := url_for(".detail", kasse_id=kasse.id))
            db.session.commit()
            flash(_("Pflegekasse „%(kasse)s“ gespeichert.", kasse=kasse.name), "success")
            return redirect(url)
    return render_template("pflegekassen/form.html", form=form, kasse=kasse)


@bp.route("/<int:kasse_id>")
def detail(kasse_id: int):
    """Show a Pflegekasse and its insured seniors."""
    kasse = db.session.get(Pflegekasse, kasse_id) or abort(404)
    seniors = db.session.scalars(
        sa.select(Senior).where(Senior.pflegekasse_id == kasse.id).order_by(Senior.sort_name, Senior.id)
    ).all()
    return render_template("pflegekassen/detail.html", kasse=kasse, seniors=seniors, today=today())
