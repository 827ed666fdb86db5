"""Create forms save once: a second submit of the same rendered form shows what the first one created.

Every :class:`~begleitservice.forms.OnceForm` carries a one-time token. A create view claims it with
:func:`repeated` in its unit of work before saving, and names the page of what it created with :func:`remember`
before committing. A repeat (double click, back and send again, a second tab) finds the token taken: nothing is
saved, and the user is sent to that page with the notice :data:`REPEATED`. Two submits at the same instant are
serialised by the token's primary key (PostgreSQL waits for the first to commit; SQLite's write lock).
"""

import logging

import sqlalchemy as sa
from flask import flash, redirect, request
from werkzeug.wrappers import Response

from .clock import now
from .database import insert_unless_present
from .extensions import db
from .forms import OnceForm
from .models import FormSubmission

log = logging.getLogger(__name__)

REPEATED = "Dieses Formular wurde bereits gespeichert."


def repeated(form: OnceForm) -> Response | None:
    """Claim the form's token: None for its first submit (go on and save); for a repeat, roll back and return a
    redirect to what the first submit created, with the notice."""
    token = form.submission.data
    if insert_unless_present(
        FormSubmission, "token", token=token, endpoint=(request.endpoint or "")[:120], created_at=now()
    ):
        return None
    target = db.session.scalar(sa.select(FormSubmission.target).where(FormSubmission.token == token))
    db.session.rollback()
    log.info("form %s sent again; nothing saved", request.endpoint)
    flash(REPEATED, "info")
    return redirect(target or request.full_path.rstrip("?"), code=303)


def remember(form: OnceForm, url: str) -> None:
    """Record where the result of this submit is shown (call in the same unit of work, before the commit)."""
    db.session.execute(
        sa.update(FormSubmission).where(FormSubmission.token == form.submission.data).values(target=url[:500])
    )
