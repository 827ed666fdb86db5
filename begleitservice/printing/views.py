"""Printable pages: Einsatzplan and Stundenzettel (volunteer and month), Adressblatt (one visit), Teamsitzung list."""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from markupsafe import Markup
from sqlalchemy.orm import joinedload, subqueryload

from billing.month import Month
from scheduling import Status
from scheduling.calendar_nrw import holidays_between

from .. import clock
from ..appointments.convert import appointment_volunteer
from ..auth.access import CARE, restrict
from ..calendars import queries
from ..contacts.operations import last_contacts
from ..extensions import db
from ..i18n import LANGUAGES, language_of
from ..inputs import query_month, query_page, query_text
from ..models import (
    APPOINTMENT_STATUSES,
    SERVICES,
    Appointment,
    District,
    Pairing,
    PairingStatus,
    Senior,
    Volunteer,
    VolunteerAbsence,
)
from ..pages import cached

bp = Blueprint("printing", __name__, url_prefix="/druck")
ALL = "alle"  # the meeting list's choice of every district
restrict(bp, *CARE)


@bp.route("/einsatzplan/<int:volunteer_id>")
@cached
def duty_plan(volunteer_id: int):
    """A volunteer's visits of one month with the seniors' addresses and phones, to print or hand over."""
    volunteer = db.get_or_404(Volunteer, volunteer_id)
    month = query_month("monat", default=Month.of(clock.today()))
    first, last = month.first_day, month.last_day
    visits = db.session.scalars(
        queries.with_people(
            queries.visits_between(first, last)
            .where(queries.done_by(volunteer.id), Appointment.status.in_(Status.LIVE))
            .order_by(Appointment.on, Appointment.planned_start, Appointment.id)
        )
    ).unique()
    absences = db.session.scalars(
        sa.select(VolunteerAbsence)
        .where(
            VolunteerAbsence.volunteer_id == volunteer.id,
            VolunteerAbsence.starts_on <= last,
            VolunteerAbsence.ends_on >= first,
        )
        .order_by(VolunteerAbsence.starts_on)
    ).all()
    language = request.args.get("sprache") or volunteer.language
    if language not in LANGUAGES:
        abort(400, "Diese Sprache gibt es für den Einsatzplan nicht.")
    with language_of(language):  # the sheet is the volunteer's; the page around it stays German
        sheet = render_template(
            "printing/_duty_plan_sheet.html",
            volunteer=volunteer,
            month=month,
            visits=list(visits),
            absences=absences,
            holidays=holidays_between(first, last),
            printed_on=clock.today(),
        )
    return render_template(
        "printing/duty_plan.html",
        volunteer=volunteer,
        month=month,
        language=language,
        sheet=Markup(sheet),
        previous=Month.of(first - timedelta(days=1)),
        following=Month.of(last + timedelta(days=1)),
    )


@bp.route("/stundenzettel/<int:volunteer_id>")
def hours_sheet(volunteer_id: int):
    """A volunteer's visits of one month with the hours and kilometres recorded, totals and a line to sign:
    for those who report by phone, to check and sign on paper."""
    volunteer = db.get_or_404(Volunteer, volunteer_id)
    month = query_month("monat", default=Month.of(clock.today()))
    first, last = month.first_day, month.last_day
    visits = list(
        db.session.scalars(
            queries.with_people(
                queries.visits_between(first, last)
                .where(queries.done_by(volunteer.id), Appointment.status != Status.ABGESAGT)
                .order_by(Appointment.on, Appointment.planned_start, Appointment.id)
            )
        ).unique()
    )
    held = [a for a in visits if a.status == Status.STATTGEFUNDEN]
    return render_template(
        "printing/hours_sheet.html",
        statuses=APPOINTMENT_STATUSES,
        volunteer=volunteer,
        month=month,
        visits=visits,
        minutes=sum(a.actual_minutes or 0 for a in held),
        km=sum((a.km for a in held if a.km is not None), Decimal(0)),
        previous=Month.of(first - timedelta(days=1)),
        following=Month.of(last + timedelta(days=1)),
        printed_on=clock.today(),
    )


@bp.route("/adressblatt/<int:appointment_id>")
def address_sheet(appointment_id: int):
    """What a stand-in needs for one visit: when, where, whom to call, what to know (no billing or care grade)."""
    appointment = db.session.scalar(
        queries.with_people(sa.select(Appointment).where(Appointment.id == appointment_id))
    ) or abort(404)
    return render_template(
        "printing/address_sheet.html",
        appointment=appointment,
        senior=appointment.pairing.senior,
        visitor=appointment_volunteer(appointment),
        printed_on=clock.today(),
    )


@bp.route("/begleitungen")
@cached
def meeting_list():
    """Running Begleitungen of one district (or, asked for, of all) with the last visit and the last contacts, for a
    team meeting; without a choice the first district. Paged like every list, so neither the page nor its cost grows
    with the whole service; each district's heading gives its full count."""
    districts = db.session.scalars(sa.select(District).order_by(District.name)).all()
    district = query_text("bezirk", max_length=80) or (districts[0].name if districts else ALL)
    today = clock.today()
    running = (
        sa.select(Pairing).join(Pairing.senior).join(Senior.district).where(Pairing.status.in_(PairingStatus.RUNNING))
    )
    if district != ALL:
        running = running.where(District.name == district)
    page = db.paginate(
        running.options(
            joinedload(Pairing.volunteer),
            joinedload(Pairing.senior).joinedload(Senior.district),
            subqueryload(Pairing.slots),  # one statement however many pairings (selectin splits long IN lists)
        ).order_by(District.name, Senior.sort_name, Pairing.id),
        page=query_page(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
        count=False,
    )
    counts = dict(
        db.session.execute(running.with_only_columns(District.name, sa.func.count()).group_by(District.name))
        .tuples()
        .all()
    )
    page.total = sum(counts.values())
    pairings = page.items
    ids = [p.id for p in pairings]
    last_visits = dict(
        db.session.execute(
            sa.select(Appointment.pairing_id, sa.func.max(Appointment.on))
            .where(
                Appointment.pairing_id.in_(ids),
                Appointment.on <= today,
                Appointment.status.in_(Status.LIVE),
            )
            .group_by(Appointment.pairing_id)
        )
        .tuples()
        .all()
    )
    groups: dict[str, list[Pairing]] = {}
    for pairing in pairings:
        groups.setdefault(pairing.senior.district.name, []).append(pairing)
    return render_template(
        "printing/meeting_list.html",
        page=page,
        groups=groups,
        counts=counts,
        district=district,
        districts=districts,
        all_districts=ALL,
        last_visits=last_visits,
        senior_contacts=last_contacts("senior", {p.senior_id for p in pairings}),
        volunteer_contacts=last_contacts("volunteer", {p.volunteer_id for p in pairings}),
        services=SERVICES,
        today=today,
        stale=today - timedelta(weeks=4),
    )
