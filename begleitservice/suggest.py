"""Type-ahead for person selectors: the first matches of a typed name as JSON, for static/suggest.js."""

from collections.abc import Callable

import sqlalchemy as sa
from flask import Response, jsonify

from .extensions import db
from .inputs import query_text
from .models.names import search_condition, search_terms

LIMIT = 15


def suggestions(model, *, where=None, load=(), describe: Callable[[object], str] = lambda _: "") -> Response:
    """Up to LIMIT rows of ``model`` whose name matches ``?q=``, as ``[{id, value, label}]`` sorted by name."""
    query = query_text("q")
    if not search_terms(query):
        return _no_store(jsonify([]))
    rows = db.session.scalars(
        sa.select(model)
        .options(*load)
        .where(sa.true() if where is None else where, search_condition(model.search_text, query))
        .order_by(model.sort_name, model.id)
        .limit(LIMIT)
    ).all()
    found = [{"id": row.id, "value": f"{row.last_name}, {row.first_name}", "label": describe(row)} for row in rows]
    return _no_store(jsonify(found))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
