"""Demenzgruppen pages: list, new group, detail (participants, waiting list, sessions, roster gaps), group
calendar, session page (attendance on a tablet, roster, cancelling) and the month's staffing proposal."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

import scheduling
from billing.month import Month

from .. import clock
from ..auth.access import CARE, restrict
from ..extensions import db
from ..inputs import InputError, parse_int, query_month
from ..models import (
    ATTENDANCES,
    DementiaGroup,
    District,
    GroupClosure,
    GroupParticipant,
    GroupPrice,
    GroupSession,
    GroupStaffingAnswer,
    ParticipantStatus,
    Senior,
    SessionStatus,
    Sozialraum,
    Volunteer,
)
from ..pages import cached
from ..submissions import remember, repeated
from . import operations as ops
from . import staffing
from .forms import (
    AnswerForm,
    CancelForm,
    ClosureForm,
    DayForm,
    EndForm,
    EnrolForm,
    GenerateForm,
    GroupForm,
    PostForm,
    PriceForm,
    RosterForm,
)

bp = Blueprint("groups", __name__, url_prefix="/gruppen")
restrict(bp, *CARE)

UPCOMING = 6
RECENT_DAYS = 14


def _next_sessions(group: DementiaGroup, *, limit: int = UPCOMING) -> list[GroupSession]:
    today = clock.today()
    return [s for s in group.sessions if s.on >= today][:limit]


def _gap(session: GroupSession) -> int:
    """Places still missing on the session's roster by the staffing rule (0 when called off)."""
    if session.is_cancelled:
        return 0
    return max(0, ops.needed_volunteers(session.group, session.on) - len(session.roster))


@bp.app_template_global()
def group_roster_gap(session: GroupSession) -> int:
    """Missing roster places of a session (for the templates)."""
    return _gap(session)


@bp.route("/")
@cached
def index():
    """All groups with place, time, places taken, waiting list, next session and roster gaps."""
    groups = db.session.scalars(
        sa.select(DementiaGroup)
        .options(
            selectinload(DementiaGroup.participants),
            selectinload(DementiaGroup.sessions).selectinload(GroupSession.roster),
            selectinload(DementiaGroup.district),
        )
        .order_by(DementiaGroup.name)
    ).all()
    rows = []
    for group in groups:
        upcoming = _next_sessions(group, limit=4)
        rows.append(
            {
                "group": group,
                "placed": len(ops.placed(group)),
                "waiting": len(ops.waiting_list(group)),
                "next": next((s for s in upcoming if not s.is_cancelled), None),
                "gaps": sum(_gap(s) for s in upcoming),
            }
        )
    return render_template("groups/index.html", rows=rows)


def _district_choices(form: GroupForm) -> None:
    form.district_id.choices = [(d.id, d.name) for d in db.session.scalars(sa.select(District).order_by(District.name))]
    form.sozialraum_id.choices = [(0, "– keiner –")] + [
        (s.id, f"{s.name} ({s.district.name})")
        for s in db.session.scalars(sa.select(Sozialraum).order_by(Sozialraum.name))
    ]


@bp.route("/neu", methods=["GET", "POST"])
def create():
    """Create a group with its first price."""
    form = GroupForm()
    _district_choices(form)
    status = 200
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        sozialraum = db.session.get(Sozialraum, form.sozialraum_id.data) if form.sozialraum_id.data else None
        if db.session.scalar(sa.select(DementiaGroup.id).where(DementiaGroup.name == form.name.data.strip())):
            form.name.errors.append("Eine Gruppe mit diesem Namen gibt es schon.")
        elif sozialraum is not None and sozialraum.district_id != form.district_id.data:
            form.sozialraum_id.errors.append("Der Sozialraum liegt nicht in diesem Stadtbezirk.")
        else:
            group = DementiaGroup()
            _apply(form, group, sozialraum)
            group.prices.append(
                GroupPrice(valid_from=form.starts_on.data, unit=form.price_unit.data, amount=form.price_amount.data)
            )
            db.session.add(group)
            db.session.flush()
            here = url_for(".detail", group_id=group.id)
            remember(form, here)
            db.session.commit()
            flash(gettext("Gruppe „%(group)s“ angelegt.", group=group.name), "success")
            return redirect(here)
        db.session.rollback()
    if form.is_submitted():
        status = 422
    return render_template("groups/form.html", form=form, group=None), status


def _apply(form: GroupForm, group: DementiaGroup, sozialraum: Sozialraum | None) -> None:
    """Copy the form's fields onto the group."""
    group.name = form.name.data.strip()
    group.place = form.place.data.strip()
    group.street = form.street.data.strip()
    group.postal_code = form.postal_code.data
    group.district_id = form.district_id.data
    group.sozialraum = sozialraum
    group.weekday = form.weekday.data
    group.start_minute = form.start_minute.data
    group.end_minute = form.end_minute.data
    group.starts_on = form.starts_on.data
    group.ends_on = form.ends_on.data
    group.capacity = form.capacity.data
    group.participants_per_volunteer = form.participants_per_volunteer.data
    group.min_volunteers = form.min_volunteers.data
    group.lead_name = form.lead_name.data.strip()
    group.lead_phone = (form.lead_phone.data or "").strip() or None
    group.notes = form.notes.data or None


@bp.route("/<int:group_id>/bearbeiten", methods=["GET", "POST"])
def edit(group_id: int):
    """Change a group's data (sessions already created keep their day and time; prices have their own form)."""
    group = db.get_or_404(DementiaGroup, group_id)
    form = GroupForm(obj=group, sozialraum_id=group.sozialraum_id or 0)
    del form.price_unit, form.price_amount
    _district_choices(form)
    if form.validate_on_submit():
        sozialraum = db.session.get(Sozialraum, form.sozialraum_id.data) if form.sozialraum_id.data else None
        clash = sa.select(DementiaGroup.id).where(
            DementiaGroup.name == form.name.data.strip(), DementiaGroup.id != group.id
        )
        if db.session.scalar(clash):
            form.name.errors.append(gettext("Eine Gruppe mit diesem Namen gibt es schon."))
        elif sozialraum is not None and sozialraum.district_id != form.district_id.data:
            form.sozialraum_id.errors.append(gettext("Der Sozialraum liegt nicht in diesem Stadtbezirk."))
        elif form.capacity.data < (taken := len(ops.placed(group))):
            form.capacity.errors.append(gettext("Es sind schon %(placed)s Plätze vergeben.", placed=taken))
        else:
            _apply(form, group, sozialraum)
            db.session.commit()
            flash(gettext("Gruppe „%(group)s“ gespeichert.", group=group.name), "success")
            return redirect(url_for(".detail", group_id=group.id))
        db.session.rollback()
    status = 422 if form.is_submitted() else 200
    return render_template("groups/form.html", form=form, group=group), status


def _detail(group: DementiaGroup, *, status: int = 200, **forms):
    forms.setdefault("enrol_form", EnrolForm(formdata=None))
    forms.setdefault(
        "generate_form", GenerateForm(formdata=None, until=clock.today().replace(day=1) + timedelta(days=62))
    )
    forms.setdefault("closure_form", ClosureForm(formdata=None))
    forms.setdefault("price_form", PriceForm(formdata=None))
    placed = sorted(ops.placed(group), key=lambda p: (p.senior.last_name, p.senior.first_name))
    recent = clock.today() - timedelta(days=RECENT_DAYS)  # attendance is recorded during or after a session
    sessions = [s for s in group.sessions if recent <= s.on < clock.today()] + _next_sessions(group, limit=UPCOMING)
    return render_template(
        "groups/detail.html",
        group=group,
        placed=placed,
        waiting=ops.waiting_list(group),
        former=[p for p in group.participants if p.status == ParticipantStatus.BEENDET],
        sessions=sessions,
        day_form=DayForm(formdata=None, on=clock.today()),
        end_form=EndForm(formdata=None),
        free=ops.free_places(group),
        price=group.price_on(clock.today()),
        **forms,
    ), status


@bp.route("/<int:group_id>")
def detail(group_id: int):
    """A group: participants, waiting list, next sessions with roster gaps, closing weeks, prices."""
    return _detail(db.get_or_404(DementiaGroup, group_id))


@bp.route("/<int:group_id>/anmelden", methods=["POST"])
def enrol(group_id: int):
    """Put a senior on the waiting list (a free place is offered at once)."""
    group = db.get_or_404(DementiaGroup, group_id)
    form = EnrolForm()
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        try:
            participant = ops.enrol(
                group,
                db.session.get(Senior, form.senior_id.data),
                needs_transport=form.needs_transport.data,
                transport_notes=form.transport_notes.data,
                team_notes=form.team_notes.data,
            )
        except ops.GroupError as error:
            db.session.rollback()
            form.senior_id.errors.append(str(error))
        else:
            here = url_for(".detail", group_id=group.id)
            remember(form, here)
            db.session.commit()
            flash(f"{participant.senior.name}: {participant.status_label}.", "success")
            return redirect(here)
    return _detail(group, status=422, enrol_form=form)


def _participant(participant_id: int) -> GroupParticipant:
    return db.get_or_404(GroupParticipant, participant_id)


@bp.route("/teilnahme/<int:participant_id>/aufnehmen", methods=["POST"])
def admit(participant_id: int):
    """The senior takes part from a date."""
    participant = _participant(participant_id)
    form = DayForm()
    if form.validate_on_submit():
        try:
            ops.admit(participant, starts_on=form.on.data)
        except ops.GroupError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{participant.senior.name} nimmt ab {form.on.data:%d.%m.%Y} teil.", "success")
            return redirect(url_for(".detail", group_id=participant.group_id))
    else:
        for message in form.on.errors:
            flash(message, "error")
    return _detail(participant.group, status=422)


@bp.route("/teilnahme/<int:participant_id>/beenden", methods=["POST"])
def end(participant_id: int):
    """End a participation or take a senior off the waiting list; a freed place is offered to the next."""
    participant = _participant(participant_id)
    form = EndForm()
    if form.validate_on_submit():
        try:
            offered = ops.end_participation(participant, ends_on=form.on.data)
        except ops.GroupError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(gettext("Teilnahme von %(senior)s beendet.", senior=participant.senior.name), "success")
            for other in offered:
                flash(
                    gettext("Platz angeboten: %(senior)s (bitte Angehörige anrufen).", senior=other.senior.name), "info"
                )
            return redirect(url_for(".detail", group_id=participant.group_id))
    else:
        for message in form.on.errors:
            flash(message, "error")
    return _detail(participant.group, status=422)


@bp.route("/<int:group_id>/termine", methods=["POST"])
def generate(group_id: int):
    """Create the group's sessions up to a date (holidays and closing weeks left out)."""
    group = db.get_or_404(DementiaGroup, group_id)
    form = GenerateForm()
    if not form.validate_on_submit():
        return _detail(group, status=422, generate_form=form)
    first = max(clock.today(), group.starts_on)
    created, plan = ops.generate_sessions(group, first=first, last=form.until.data)
    db.session.commit()
    flash(gettext("%(count)s Termine angelegt.", count=len(created)), "success")
    for skipped in plan.skipped:
        flash(f"Kein Termin am {skipped.on:%d.%m.%Y}: {skipped.reason}", "info")
    return redirect(url_for(".detail", group_id=group.id))


@bp.route("/<int:group_id>/schliesszeit", methods=["POST"])
def add_closure(group_id: int):
    """Add a closing period (sessions not yet created are left out then)."""
    group = db.get_or_404(DementiaGroup, group_id)
    form = ClosureForm()
    if not form.validate_on_submit():
        return _detail(group, status=422, closure_form=form)
    if (repeat := repeated(form)) is not None:
        return repeat
    group.closures.append(
        GroupClosure(starts_on=form.starts_on.data, ends_on=form.ends_on.data, reason=form.reason.data or None)
    )
    here = url_for(".detail", group_id=group.id)
    remember(form, here)
    db.session.commit()
    flash(gettext("Schließzeit gespeichert. Bereits angelegte Termine darin bitte einzeln absagen."), "success")
    return redirect(here)


@bp.route("/<int:group_id>/preis", methods=["POST"])
def add_price(group_id: int):
    """A new price from a date on."""
    group = db.get_or_404(DementiaGroup, group_id)
    form = PriceForm()
    if not form.validate_on_submit():
        return _detail(group, status=422, price_form=form)
    if (repeat := repeated(form)) is not None:
        return repeat
    if any(p.valid_from == form.valid_from.data for p in group.prices):
        db.session.rollback()
        form.valid_from.errors.append("Für diesen Tag gibt es schon einen Preis.")
        return _detail(group, status=422, price_form=form)
    group.prices.append(GroupPrice(valid_from=form.valid_from.data, unit=form.unit.data, amount=form.amount.data))
    here = url_for(".detail", group_id=group.id)
    remember(form, here)
    db.session.commit()
    flash(gettext("Preis gespeichert."), "success")
    return redirect(here)


@bp.route("/<int:group_id>/kalender")
def calendar(group_id: int):
    """The group's month: sessions with roster and attendance counts, holidays and closing weeks."""
    group = db.get_or_404(DementiaGroup, group_id)
    month = query_month(default=Month.of(clock.today()))
    first, last = month.first_day, month.last_day
    grid_first, grid_last = scheduling.grid_bounds(scheduling.Span.MONTH, first)
    sessions = {s.on: s for s in group.sessions if grid_first <= s.on <= grid_last}
    plan = ops.session_plan(group, first=grid_first, last=grid_last)
    skipped = {s.on: s.reason for s in plan.skipped}
    weeks, day = [], grid_first
    while day <= grid_last:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return render_template(
        "groups/calendar.html",
        group=group,
        month=month,
        weeks=weeks,
        sessions=sessions,
        skipped=skipped,
        first=first,
        last=last,
        previous=Month.of(first - timedelta(days=1)),
        following=month.next(),
    )


def _require_csrf() -> None:
    """Refuse a change whose form carries no valid CSRF token (400 with a German message)."""
    if not PostForm().validate_on_submit():
        abort(400, description="Das Formular ist abgelaufen. Bitte die Seite neu laden.")


def _session(session_id: int) -> GroupSession:
    return db.get_or_404(GroupSession, session_id)


def _session_page(session: GroupSession, *, status: int = 200, **forms):
    forms.setdefault("roster_form", RosterForm(formdata=None))
    forms.setdefault("cancel_form", CancelForm(formdata=None))
    forms.setdefault("answer_form", AnswerForm(formdata=None, prefix="antwort"))
    marks = {a.senior_id: a.status for a in session.attendance}
    answers = db.session.execute(
        sa.select(Volunteer, GroupStaffingAnswer.answer)
        .join(GroupStaffingAnswer, GroupStaffingAnswer.volunteer_id == Volunteer.id)
        .where(GroupStaffingAnswer.session_id == session.id)
        .order_by(Volunteer.sort_name)
    ).all()
    return render_template(
        "groups/session.html",
        session=session,
        group=session.group,
        participants=ops.participants_on(session.group, session.on),
        marks=marks,
        attendances=ATTENDANCES,
        need=ops.needed_volunteers(session.group, session.on),
        may_record=not session.is_cancelled and session.on <= clock.today(),
        answers=answers,
        **forms,
    ), status


@bp.route("/termin/<int:session_id>")
def session(session_id: int):
    """One session: attendance (large buttons for a tablet), roster, cancel."""
    return _session_page(_session(session_id))


@bp.route("/termin/<int:session_id>/anwesenheit", methods=["POST"])
def attendance(session_id: int):
    """Save the attendance list; sending it twice changes nothing."""
    item = _session(session_id)
    _require_csrf()
    participants = {p.senior_id for p in ops.participants_on(item.group, item.on)}
    marks = {}
    try:
        for key, value in request.form.items():
            if key.startswith("teilnehmer-"):
                marks[parse_int(key.removeprefix("teilnehmer-"))] = value
        present = {parse_int(v) for v in request.form.getlist("ehrenamtlich")}
    except InputError:
        abort(400, description="Die Anwesenheitsliste enthält eine ungültige Angabe.")
    errors = []
    missing = participants - set(marks)
    if missing:
        errors.append("Bitte für jede Person anwesend, entschuldigt oder unentschuldigt wählen.")
    if not errors:
        try:
            changed = ops.record_attendance(item, marks, present_volunteers=present, by=current_user.name)
        except ops.GroupError as error:
            db.session.rollback()
            errors.append(str(error))
        else:
            db.session.commit()
            flash("Anwesenheit gespeichert." if changed else "Anwesenheit unverändert.", "success")
            return redirect(url_for(".session", session_id=item.id))
    for message in errors:
        flash(message, "error")
    return _session_page(item, status=422)


@bp.route("/termin/<int:session_id>/einteilen", methods=["POST"])
def add_roster(session_id: int):
    """Put a volunteer on the roster (group service, present, not at a visit or another group then)."""
    item = _session(session_id)
    form = RosterForm()
    if form.validate_on_submit():
        try:
            ops.add_to_roster(item, db.session.get(Volunteer, form.volunteer_id.data))
        except ops.GroupError as error:
            db.session.rollback()
            form.volunteer_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(gettext("Eingeteilt."), "success")
            return redirect(url_for(".session", session_id=item.id))
    return _session_page(item, status=422, roster_form=form)


@bp.route("/termin/<int:session_id>/austragen/<int:volunteer_id>", methods=["POST"])
def remove_roster(session_id: int, volunteer_id: int):
    """Take a volunteer off the roster."""
    item = _session(session_id)
    _require_csrf()
    ops.remove_from_roster(item, volunteer_id)
    db.session.commit()
    flash(gettext("Ausgetragen."), "success")
    return redirect(url_for(".session", session_id=item.id))


@bp.route("/termin/<int:session_id>/rueckmeldung", methods=["POST"])
def answer(session_id: int):
    """Record a volunteer's kann / kann nicht for the session (the staffing proposal heeds it)."""
    item = _session(session_id)
    form = AnswerForm(prefix="antwort")
    if form.validate_on_submit():
        try:
            staffing.answer(item, db.session.get(Volunteer, form.volunteer_id.data), form.answer.data)
        except ops.GroupError as error:
            db.session.rollback()
            form.answer.errors.append(str(error))
        else:
            db.session.commit()
            flash(gettext("Rückmeldung gespeichert."), "success")
            return redirect(url_for(".session", session_id=item.id))
    return _session_page(item, status=422, answer_form=form)


@bp.route("/termin/<int:session_id>/absagen", methods=["POST"])
def cancel(session_id: int):
    """Call the session off and tell roster and relatives by mail."""
    item = _session(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            sent = ops.cancel_session(item, reason=form.reason.data)
        except ops.GroupError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(gettext("Termin abgesagt; %(sent)s Benachrichtigungen werden verschickt.", sent=sent), "success")
            return redirect(url_for(".session", session_id=item.id))
    return _session_page(item, status=422, cancel_form=form)


@bp.route("/einsatzplan/fragen", methods=["POST"])
def ask():
    """Mail every volunteer who can serve a session of the month a link to answer kann / kann nicht."""
    month = query_month(default=Month.of(clock.today()).next())
    _require_csrf()
    try:
        sent = staffing.ask_volunteers(month, now=clock.now())
    except ops.GroupError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            gettext(
                "%(sent)s Ehrenamtliche werden per Mail gefragt (heute schon Gefragte nicht noch einmal).", sent=sent
            ),
            "success",
        )
    return redirect(url_for(".proposal", monat=month.iso))


@bp.route("/einsatzplan", methods=["GET", "POST"])
def proposal():
    """The month's staffing proposal: compute, look, untick what should not be taken, accept."""
    month = query_month(default=Month.of(clock.today()).next())
    if request.method == "POST":
        _require_csrf()
        pairs = []
        try:
            for value in request.form.getlist("platz"):
                session_id, _, volunteer_id = value.partition(":")
                pairs.append((parse_int(session_id), parse_int(volunteer_id)))
        except InputError:
            abort(400, description="Der Vorschlag enthält eine ungültige Angabe.")
        if not pairs:
            flash(gettext("Es war kein Platz ausgewählt; nichts übernommen."), "error")
            return redirect(url_for(".proposal", monat=month.iso))
        added, refused = staffing.accept(pairs)
        db.session.commit()
        flash(gettext("%(added)s Einteilungen übernommen.", added=added), "success")
        for message in refused:
            flash(message, "error")
        return redirect(url_for(".proposal", monat=month.iso))
    result = staffing.propose(month) if request.args.get("berechnen") else None
    sessions = staffing.month_sessions(month)
    return render_template(
        "groups/proposal.html",
        month=month,
        result=result,
        sessions=sessions,
        form=CancelForm(formdata=None),
        unstaffed={u.session: u for u in result.solution.unstaffed} if result else {},
        previous=Month.of(month.first_day - timedelta(days=1)),
        following=month.next(),
        SessionStatus=SessionStatus,
    )
