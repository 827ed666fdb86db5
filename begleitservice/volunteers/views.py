"""Ehrenamtliche: list with filters, create, edit, detail with absences."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..auth.access import CARE, restrict
from ..clock import now as clock_now
from ..clock import today as local_today
from ..contacts.operations import last_contacts
from ..extensions import db
from ..inputs import query_int, query_page, query_text
from ..models import (
    APPOINTMENT_STATUSES,
    PAIRING_STATUSES,
    SERVICES,
    VOLUNTEER_STATUSES,
    Appointment,
    District,
    Pairing,
    PairingStatus,
    Volunteer,
    VolunteerAbsence,
    VolunteerStatus,
)
from ..models.base import split_list
from ..models.names import search_condition, sort_key
from ..pages import cached
from ..submissions import remember, repeated
from ..suggest import suggestions
from .forms import AbsenceForm, VolunteerForm
from .operations import VolunteerData, VolunteerError, add_absence, delete_absence, save_volunteer, workloads

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")
restrict(bp, *CARE)

STATUS_FILTERS = {"": "aktiv, Bewerbung, pausiert", "alle": "alle", **VOLUNTEER_STATUSES}
SERVICE_COLUMNS = {
    "besuchsdienst": Volunteer.offers_besuchsdienst,
    "entlastung": Volunteer.offers_entlastung,
    "demenzgruppe": Volunteer.offers_demenzgruppe,
}
# operation field name → form field name, where they differ
FORM_FIELDS = {"home_district": "home_district_id", "travel_districts": "travel_district_ids"}


def fuehrungszeugnis_problem(seen_on: date | None, today: date) -> str | None:
    """A short German warning when the Führungszeugnis is missing or older than the configured years."""
    years = current_app.config["FUEHRUNGSZEUGNIS_MAX_YEARS"]
    if seen_on is None:
        return "fehlt"
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    return f"älter als {years} Jahre" if seen_on < cutoff else None


def detail_url(endpoint: str, object_id: int) -> str:
    """The URL of another area's detail page, whatever its id argument is called (e.g. item_id, pairing_id)."""
    rule = next(current_app.url_map.iter_rules(endpoint))
    (argument,) = rule.arguments
    return url_for(endpoint, **{argument: object_id})


@bp.context_processor
def _template_helpers():
    today = local_today()
    return {
        "detail_url": detail_url,
        "today": today,
        "fz_problem": lambda seen_on: fuehrungszeugnis_problem(seen_on, today),
        "statuses": VOLUNTEER_STATUSES,
        "pairing_statuses": PAIRING_STATUSES,
        "appointment_statuses": APPOINTMENT_STATUSES,
    }


@bp.route("/suche")
def suggest():
    """Type-ahead: volunteers (not left) whose name matches ``?q=``, as JSON."""
    return suggestions(
        Volunteer,
        where=sa.and_(Volunteer.status != VolunteerStatus.AUSGESCHIEDEN, Volunteer.restricted_at.is_(None)),
        load=(joinedload(Volunteer.home_district),),
        describe=lambda v: (
            f"{v.home_district.name} · {VOLUNTEER_STATUSES.get(v.status, v.status)}"
            + ("" if v.basisqualifizierung_on else " · ohne Basisqualifizierung")
        ),
    )


@bp.route("/")
@cached
def index():
    """List volunteers, searchable by name, email or phone and filtered by district, service, language, status."""
    args = {
        "q": query_text("q"),
        "district": query_int("district"),
        "service": request.args.get("service", ""),
        "language": query_text("language"),
        "status": request.args.get("status", ""),
    }
    query = _filtered(**args).options(selectinload(Volunteer.home_district))
    page = db.paginate(
        query.order_by(Volunteer.sort_name, Volunteer.id),
        page=query_page(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    languages = {
        lang for text in db.session.scalars(sa.select(Volunteer.languages).distinct()) for lang in split_list(text)
    }
    return render_template(
        "volunteers/index.html",
        page=page,
        loads=workloads((v.id for v in page.items), today=local_today()),
        contacts=last_contacts("volunteer", (v.id for v in page.items)),
        args=args,
        districts=db.session.scalars(sa.select(District).order_by(District.name)).all(),
        languages=sorted(languages, key=sort_key),
        services=SERVICES,
        status_filters=STATUS_FILTERS,
    )


def _filtered(*, q: str, district: int | None, service: str, language: str, status: str) -> sa.Select:
    query = sa.select(Volunteer).where(search_condition(Volunteer.search_text, q))
    if district:
        query = query.where(
            sa.or_(Volunteer.home_district_id == district, Volunteer.travel_districts.any(District.id == district))
        )
    if service in SERVICE_COLUMNS:
        query = query.where(SERVICE_COLUMNS[service].is_(True))
    if language:
        # stored as "Deutsch, Türkisch": match whole names only
        query = query.where((", " + Volunteer.languages + ",").contains(f", {language},", autoescape=True))
    if status == "":
        query = query.where(Volunteer.status.in_(VolunteerStatus.CURRENT))
    elif status in VOLUNTEER_STATUSES:
        query = query.where(Volunteer.status == status)
    return query


@bp.route("/neu", methods=["GET", "POST"])
def create():
    """Create a volunteer."""
    return _edit(Volunteer())


@bp.route("/<int:volunteer_id>/bearbeiten", methods=["GET", "POST"])
def edit(volunteer_id: int):
    """Edit a volunteer, including their weekly availability."""
    return _edit(db.get_or_404(Volunteer, volunteer_id))


def _edit(volunteer: Volunteer):
    districts = db.session.scalars(sa.select(District).order_by(District.name)).all()
    if volunteer.id is None:
        form = VolunteerForm()
    else:
        form = VolunteerForm(obj=volunteer, travel_district_ids=[d.id for d in volunteer.travel_districts])
    form.home_district_id.choices = [("", "– bitte wählen –")] + [(d.id, d.name) for d in districts]
    form.travel_district_ids.choices = [(d.id, d.name) for d in districts]
    clash: dict = {"same_email": None, "duplicates": []}
    if form.validate_on_submit():
        is_new = volunteer.id is None
        if is_new and (repeat := repeated(form)) is not None:
            return repeat
        try:
            save_volunteer(volunteer, _data(form), today=local_today(), allow_duplicate=form.confirm_other_person.data)
        except VolunteerError as error:
            for name, message in error.errors.items():
                getattr(form, FORM_FIELDS.get(name, name)).errors.append(message)
            clash = {"same_email": error.same_email, "duplicates": error.duplicates}
        else:
            remember(form, url := url_for(".detail", volunteer_id=volunteer.id))
            db.session.commit()
            flash(f"{volunteer.name} {'angelegt' if is_new else 'gespeichert'}.", "success")
            _warn_about_workload(volunteer)
            return redirect(url)
    return render_template("volunteers/form.html", form=form, volunteer=volunteer, **clash)


def _data(form: VolunteerForm) -> VolunteerData:
    return VolunteerData(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        phone=form.phone.data,
        home_district=form.home_district_id.data,
        travel_districts=form.travel_district_ids.data or [],
        services=form.services.data or [],
        languages=form.languages.data,
        language=form.language.data,
        gender=form.gender.data,
        availability=form.availability.data or [],
        max_minutes_per_week=form.max_minutes_per_week.data,
        max_seniors=form.max_seniors.data,
        max_group_sessions_per_month=form.max_group_sessions_per_month.data,
        basisqualifizierung_on=form.basisqualifizierung_on.data,
        basisqualifizierung_ref=form.basisqualifizierung_ref.data,
        fuehrungszeugnis_on=form.fuehrungszeugnis_on.data,
        status=form.status.data,
        notes=form.notes.data,
    )


def _warn_about_workload(volunteer: Volunteer) -> None:
    load = workloads([volunteer.id], today=local_today()).get(volunteer.id)
    if load is None or not load.seniors:
        return
    if volunteer.status in (VolunteerStatus.PAUSIERT, VolunteerStatus.AUSGESCHIEDEN):
        flash(
            _(
                ("Achtung: %(volunteer)s begleitet noch %(seniors)s Senior:in(nen) in laufenden Begleitungen."),
                volunteer=volunteer.name,
                seniors=load.seniors,
            ),
            "warning",
        )
    elif load.seniors > volunteer.max_seniors or load.minutes_per_week > volunteer.max_minutes_per_week:
        flash(
            _("Achtung: %(volunteer)s ist jetzt über der eingetragenen Höchstgrenze.", volunteer=volunteer.name),
            "warning",
        )


@bp.route("/<int:volunteer_id>")
def detail(volunteer_id: int):
    """Show a volunteer: facts, availability, absences, pairings and appointments (own and as a stand-in)."""
    return _render_detail(db.get_or_404(Volunteer, volunteer_id), AbsenceForm())


def _render_detail(volunteer: Volunteer, absence_form: AbsenceForm):
    today = local_today()
    pairings = db.session.scalars(
        sa.select(Pairing)
        .where(Pairing.volunteer_id == volunteer.id)
        .options(selectinload(Pairing.senior), selectinload(Pairing.slots))
        .order_by(sa.case((Pairing.status == PairingStatus.AKTIV, 0), else_=1), Pairing.starts_on.desc())
    ).all()
    appointments = (
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(sa.or_(Pairing.volunteer_id == volunteer.id, Appointment.cover_volunteer_id == volunteer.id))
        .options(joinedload(Appointment.pairing).joinedload(Pairing.senior), joinedload(Appointment.cover_volunteer))
        .limit(10)
    )
    upcoming = db.session.scalars(
        appointments.where(Appointment.on >= today).order_by(Appointment.on, Appointment.planned_start)
    ).all()
    recent = db.session.scalars(
        appointments.where(Appointment.on < today).order_by(Appointment.on.desc(), Appointment.planned_start.desc())
    ).all()
    return render_template(
        "volunteers/detail.html",
        volunteer=volunteer,
        load=workloads([volunteer.id], today=today).get(volunteer.id),
        pairings=pairings,
        upcoming=upcoming,
        recent=recent,
        absence_form=absence_form,
    )


@bp.route("/<int:volunteer_id>/abwesenheiten", methods=["POST"])
def create_absence(volunteer_id: int):
    """Record an absence (holiday, illness) of a volunteer."""
    volunteer = db.get_or_404(Volunteer, volunteer_id)
    form = AbsenceForm()
    if form.validate_on_submit():
        if (repeat := repeated(form)) is not None:
            return repeat
        try:
            add_absence(volunteer, starts_on=form.starts_on.data, ends_on=form.ends_on.data, reason=form.reason.data)
        except VolunteerError as error:
            for name, message in error.errors.items():
                getattr(form, name).errors.append(message)
        else:
            remember(form, url := url_for(".detail", volunteer_id=volunteer.id, _anchor="abwesenheiten"))
            db.session.commit()
            flash(_("Abwesenheit eingetragen."), "success")
            return redirect(url)
    flash(_("Die Abwesenheit wurde nicht eingetragen. Bitte prüfen Sie die Angaben."), "error")
    return _render_detail(volunteer, form)


@bp.route("/<int:volunteer_id>/mein-bereich", methods=["POST"])
def area_link(volunteer_id: int):
    """Mail the volunteer a link to "Mein Bereich", or revoke every link sent so far ("Link sperren")."""
    from ..appointments.forms import ActionForm
    from ..area.operations import revoke_links, send_area_link

    volunteer = db.get_or_404(Volunteer, volunteer_id)
    if volunteer.restricted_at is not None:
        abort(404)
    if ActionForm().validate_on_submit():
        if request.form.get("aktion") == "sperren":
            revoke_links(volunteer)
            db.session.commit()
            flash(_("Alle bisherigen Links zu „Mein Bereich“ sind gesperrt."), "success")
        elif send_area_link(volunteer, now=clock_now()):
            db.session.commit()
            flash(_("Link zu „Mein Bereich“ an %(email)s verschickt.", email=volunteer.email), "success")
        else:
            flash(_("Ohne E-Mail-Adresse kann kein Link verschickt werden."), "error")
    return redirect(url_for(".detail", volunteer_id=volunteer.id))


@bp.route("/<int:volunteer_id>/abwesenheiten/<int:absence_id>/loeschen", methods=["POST"])
def remove_absence(volunteer_id: int, absence_id: int):
    """Delete an absence of a volunteer."""
    absence = db.get_or_404(VolunteerAbsence, absence_id)
    if absence.volunteer_id != volunteer_id:
        abort(404)
    delete_absence(absence)
    db.session.commit()
    flash(_("Abwesenheit gelöscht."), "success")
    return redirect(url_for(".detail", volunteer_id=volunteer_id, _anchor="abwesenheiten"))
