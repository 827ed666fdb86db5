"""The admin page of the audit trail, and the hook that records every download."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.access import restrict
from ..extensions import db
from ..inputs import query_date, query_int, query_page, query_text
from ..models import AuditEvent, Senior, User, Volunteer
from ..models.audit import AUDIT_ACTIONS
from ..models.names import search_condition
from ..pages import cached
from .operations import record
from .trail import SECRET, entity_label, masked_fields

bp = Blueprint("audit", __name__, url_prefix="/admin/protokoll")
restrict(bp, "admin")

MASK = "•••"
#: German names of the fields the listing shows most (others keep their column name).
FIELD_LABELS = {
    "first_name": "Vorname",
    "last_name": "Nachname",
    "birth_on": "Geburtsdatum",
    "street": "Straße",
    "postal_code": "PLZ",
    "city": "Ort",
    "district_id": "Stadtbezirk (Nr.)",
    "home_district_id": "Wohnbezirk (Nr.)",
    "phone": "Telefon",
    "email": "E-Mail",
    "contact_name": "Kontaktperson",
    "contact_phone": "Telefon Kontakt",
    "contact_email": "E-Mail Kontakt",
    "pflegegrad": "Pflegegrad",
    "grade": "Pflegegrad",
    "has_dementia": "Demenz",
    "care_notes": "Pflegehinweise",
    "stand_in_notes": "Hinweise für Vertretungen",
    "notes": "Anmerkungen",
    "note": "Notiz",
    "kvnr": "Versichertennummer",
    "pflegekasse_id": "Pflegekasse (Nr.)",
    "languages": "Sprachen",
    "status": "Status",
    "consent_on": "Einwilligung am",
    "consent_scope": "Umfang der Einwilligung",
    "abtretung_on": "Abtretung am",
    "abtretung_revoked_on": "Abtretung widerrufen am",
    "senior_id": "Senior:in (Nr.)",
    "volunteer_id": "Ehrenamtliche:r (Nr.)",
    "cover_volunteer_id": "Vertretung (Nr.)",
    "pairing_id": "Begleitung (Nr.)",
    "service": "Dienst",
    "starts_on": "Beginn",
    "ends_on": "Ende",
    "on": "Datum",
    "planned_start": "Beginn geplant",
    "planned_end": "Ende geplant",
    "actual_minutes": "Minuten",
    "valid_from": "gültig ab",
    "valid_until": "gültig bis",
    "amount": "Betrag",
    "name": "Name",
    "role": "Rolle",
    "is_active": "Zugang aktiv",
    "password_hash": "Passwort",
    "totp_secret": "Zweiter Faktor",
    "key": "Aufgabe",
    "assignee_id": "zugewiesen an (Benutzer-Nr.)",
    "snoozed_until": "zurückgestellt bis",
    "done_at": "erledigt am",
    "done_by_id": "erledigt von (Benutzer-Nr.)",
    "done_note": "Notiz",
    # Demenzgruppen
    "group_id": "Gruppe (Nr.)",
    "session_id": "Gruppentermin (Nr.)",
    "place": "Ort (Räume)",
    "weekday": "Wochentag",
    "start_minute": "Beginn (Minuten ab 0 Uhr)",
    "end_minute": "Ende (Minuten ab 0 Uhr)",
    "capacity": "Plätze",
    "participants_per_volunteer": "Teilnehmende je Ehrenamtliche:r",
    "min_volunteers": "mindestens Ehrenamtliche",
    "lead_name": "Leitung",
    "lead_phone": "Telefon der Leitung",
    "waiting_since_at": "auf der Warteliste seit",
    "offered_at": "Platz angeboten am",
    "needs_transport": "Fahrdienst",
    "transport_notes": "Fahrdienst: Hinweise",
    "team_notes": "Hinweise für das Team",
    "cancel_reason": "Absagegrund",
    "cancelled_at": "abgesagt am",
    "recorded_by": "erfasst von",
    "is_present": "anwesend",
    "source": "Herkunft",
}
FAR_PAST, FAR_FUTURE = datetime(1900, 1, 1).date(), datetime(2100, 12, 31).date()


def _utc_start(day) -> datetime:
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _newest_event() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))


@bp.route("/")
@cached(also=_newest_event)
def index():
    """The audit trail, newest first, filtered by senior, volunteer, user, action and date."""
    query = sa.select(AuditEvent)
    if senior_id := query_int("senior"):
        query = query.where(AuditEvent.senior_id == senior_id)
    if volunteer_id := query_int("volunteer"):
        query = query.where(AuditEvent.volunteer_id == volunteer_id)
    # typed names (type-ahead): hundreds of people are no drop-down, and the page must not grow with them
    if senior_name := query_text("senior_name"):
        named = sa.select(Senior.id).where(search_condition(Senior.search_text, senior_name))
        query = query.where(AuditEvent.senior_id.in_(named))
    if volunteer_name := query_text("volunteer_name"):
        named = sa.select(Volunteer.id).where(search_condition(Volunteer.search_text, volunteer_name))
        query = query.where(AuditEvent.volunteer_id.in_(named))
    if user_id := query_int("user"):
        query = query.where(AuditEvent.user_id == user_id)
    if (action := request.args.get("action", "")) in AUDIT_ACTIONS:
        query = query.where(AuditEvent.action == action)
    if (first := query_date("von", default=FAR_PAST)) != FAR_PAST:
        query = query.where(AuditEvent.at >= _utc_start(first))
    if (last := query_date("bis", default=FAR_FUTURE)) != FAR_FUTURE:
        query = query.where(AuditEvent.at < _utc_start(last + timedelta(days=1)))
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    page = db.paginate(query, page=query_page(), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template(
        "audit/index.html",
        page=page,
        rows=[_shown(event) for event in page.items],
        args=request.args,
        actions=AUDIT_ACTIONS,
        senior=db.session.get(Senior, senior_id) if senior_id else None,
        volunteer=db.session.get(Volunteer, volunteer_id) if volunteer_id else None,
        users=db.session.scalars(sa.select(User).order_by(User.name)),
        retention_days=current_app.config["AUDIT_RETENTION_DAYS"],
    )


def _shown(event: AuditEvent) -> dict:
    """An event as the listing shows it: health fields masked, secrets as they were stored ('(geheim)')."""
    masked = masked_fields(event.entity)
    changes = [
        (FIELD_LABELS.get(field, field), *(_value(value, masked=field in masked) for value in values))
        for field, values in sorted((event.changes or {}).items())
    ]
    return {"event": event, "what": entity_label(event.entity), "changes": changes}


LOCKED = "nach zu vielen Fehlversuchen vorübergehend gesperrt"


def record_login(_app, *, email: str, user: User | None, success: bool, reason: str, **_extra) -> None:
    """A refused login attempt (sent by security.logins) in the trail, committed at once (it saves nothing else)."""
    if success:
        return  # the password was right: the login view records the login once it is complete (second factor)
    if user is None:
        detail = LOCKED if reason == "locked" else "unbekannte E-Mail-Adresse"
        record("login_failed", entity="user", label=email, detail=detail)
    else:
        detail = LOCKED if reason == "locked" else "falsches Passwort" if user.is_active else "Zugang gesperrt"
        record("login_failed", user, detail=detail)
    db.session.commit()


def _value(value, *, masked: bool):
    if value is None or value == SECRET:
        return value
    if masked:
        return MASK
    return {True: "ja", False: "nein"}.get(value, value) if isinstance(value, bool) else value


def record_downloads(app: Flask) -> None:
    """Every file a logged-in user downloads (an attachment) is written to the trail before it leaves."""

    @app.after_request
    def _record_download(response: Response) -> Response:
        disposition = response.headers.get("Content-Disposition", "")
        if response.status_code != 200 or not disposition.startswith("attachment"):
            return response
        if not current_user.is_authenticated:
            return response
        args = request.view_args or {}
        record(
            "download",
            detail=f"{disposition.partition('filename=')[2].strip(chr(34))} ({request.path})",
            senior_id=args.get("senior_id"),
            volunteer_id=args.get("volunteer_id"),
        )
        db.session.commit()
        return response
