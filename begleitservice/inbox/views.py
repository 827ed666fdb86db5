"""The inbox pages: a group's full, paged list and the actions on one item (the overview is the start page)."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock
from ..auth.access import CARE, restrict
from ..extensions import db
from ..inputs import query_page, query_text, safe_next
from ..models import User
from ..models.inbox import NOTIFICATION_KINDS
from ..pages import cached
from . import items, notify, operations
from .forms import AssignForm, DoneForm, ItemForm, NotificationSettingsForm, SnoozeForm

bp = Blueprint("inbox", __name__, url_prefix="/aufgaben")
restrict(bp, *CARE)


def context() -> items.Context:
    """The inbox's view of now: today, the moment, the settings and who looks."""
    return items.Context(today=clock.today(), now=clock.now(), config=current_app.config, user_id=current_user.id)


def staff() -> list[User]:
    """Who can take an item: active coordinators and admins, by name."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.is_active.is_(True), User.role.in_(CARE)).order_by(User.name, User.id)
        )
    )


def overview(ctx: items.Context) -> list[items.Listing]:
    """Every group with its count and its first few items (for the start page)."""
    limit = current_app.config["INBOX_GROUP_LIMIT"]
    return [items.listing(group, ctx, per_page=limit) for group in items.GROUPS]


def forms_context(people: list[User]) -> dict:
    """What the item macros need to render their action forms."""
    assign = AssignForm()
    assign.assignee.choices = [(0, "– niemand –")] + [(u.id, u.name) for u in people]
    return {
        "people": {u.id: u for u in people},
        "assign_form": assign,
        "snooze_form": SnoozeForm(),
        "done_form": DoneForm(),
        "item_form": ItemForm(),
    }


@bp.app_template_global()
def certificate_expiry(volunteer) -> date | None:
    """The day a volunteer's Führungszeugnis becomes too old (None: none on file)."""
    return items.certificate_expiry(volunteer, years=current_app.config["FUEHRUNGSZEUGNIS_MAX_YEARS"])


@bp.route("/benachrichtigungen", methods=["GET", "POST"])
def settings():
    """The logged-in user's notifications: per kind at once by mail, in the daily digest, or not at all."""
    form = NotificationSettingsForm()
    if form.validate_on_submit():
        notify.save_settings(current_user, {kind: form[kind].data for kind in NOTIFICATION_KINDS})
        db.session.commit()
        flash(_("Ihre Benachrichtigungen sind gespeichert."), "success")
        return redirect(url_for(".settings"))
    if request.method == "GET":
        for kind, delivery in notify.settings_of(current_user).items():
            form[kind].data = delivery
    status = 200 if request.method == "GET" else 422
    hours = current_app.config["NOTIFY_SHORT_NOTICE_HOURS"]
    return render_template("inbox/settings.html", form=form, kinds=NOTIFICATION_KINDS, short_hours=hours), status


@bp.route("/<slug>")
@cached
def group(slug: str):
    """All items of one group, a page at a time: open, assigned to me, put aside or done."""
    group = items.BY_SLUG.get(slug) or abort(404)
    view = query_text("ansicht") or "offen"
    if view not in items.VIEWS:
        abort(400, description="Unbekannte Ansicht.")
    ctx = context()
    listing = items.listing(group, ctx, view=view, page=query_page(), per_page=current_app.config["ITEMS_PER_PAGE"])
    return render_template(
        "inbox/group.html",
        listing=listing,
        view=view,
        views=items.VIEWS,
        today=ctx.today,
        forms=forms_context(staff()),
    )


ACTIONS = ("mir", "zuweisen", "zurueckstellen", "zurueckholen", "erledigt", "wieder-oeffnen")


@bp.route("/aktion", methods=["POST"])
def act():
    """One action on one item: assign (to me or another), snooze until a date, mark done with a note, reopen."""
    action = request.form.get("aktion", "")
    back = safe_next(request.form.get("zurueck")) or url_for("dashboard.index")
    if action not in ACTIONS:
        abort(400, description="Unbekannte Aktion.")
    form = {"zuweisen": AssignForm, "zurueckstellen": SnoozeForm, "erledigt": DoneForm}.get(action, ItemForm)()
    if action == "zuweisen":
        form.assignee.choices = [(0, "")] + [(u.id, u.name) for u in staff()]
    if not form.validate_on_submit():
        messages = [m for errors in form.errors.values() for m in errors]
        flash(" ".join(messages) or "Die Eingabe ist ungültig.", "error")
        return redirect(back)
    ctx = context()
    key = form.key.data
    group = items.find(key, ctx)
    if group is None:
        flash(_("Diese Aufgabe gibt es nicht mehr – sie hat sich inzwischen erledigt."), "error")
        return redirect(back)
    try:
        message = _apply(action, key, form, ctx)
    except operations.InboxError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def _apply(action: str, key: str, form, ctx: items.Context) -> str:
    if action == "mir":
        operations.assign(key, current_user)
        return "Die Aufgabe ist Ihnen zugewiesen."
    if action == "zuweisen":
        user = db.session.get(User, form.assignee.data) if form.assignee.data else None
        operations.assign(key, user)
        return f"Die Aufgabe ist {user.name} zugewiesen." if user else "Die Aufgabe ist niemandem mehr zugewiesen."
    if action == "zurueckstellen":
        state = operations.snooze(key, form.until.data, today=ctx.today)
        return f"Die Aufgabe ist zurückgestellt bis {state.snoozed_until:%d.%m.%Y}."
    if action == "zurueckholen":
        operations.wake(key)
        return "Die Aufgabe ist wieder offen."
    if action == "erledigt":
        operations.mark_done(key, form.note.data, user=current_user, now=ctx.now)
        return "Die Aufgabe ist als erledigt markiert."
    operations.reopen(key)
    return "Die Aufgabe ist wieder offen."
