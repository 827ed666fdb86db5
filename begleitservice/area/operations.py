"""What a volunteer does in "Mein Bereich": get the link, report an absence, correct hours, take a decline back.

Each function takes model objects and plain values, checks with a German message, changes nothing when it
refuses, and flushes but never commits. The schedule follows through the coordinators' own operations
(``volunteers.operations.add_absence``, ``appointments.operations``), the placing rules through ``rules``.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import rules
from ..accounting.operations import MonthBilled, ensure_not_billed
from ..appointments import operations as appointment_ops
from ..appointments.convert import appointment_volunteer
from ..appointments.cover import needs_cover, withdraw_offers
from ..appointments.links.tokens import LinkError, area_url, load_area_token
from ..database import lock
from ..extensions import db
from ..i18n import language_of
from ..inbox.notify import notify_absence
from ..mail.outbox import queue_mail
from ..models import (
    AlertKind,
    Appointment,
    AppointmentAlert,
    AppointmentStatus,
    CoverOffer,
    CoverOfferStatus,
    NotificationMarker,
    Pairing,
    Senior,
    Volunteer,
    VolunteerAbsence,
)
from ..rules.commitments import minute
from ..volunteers.operations import VolunteerError, add_absence

log = logging.getLogger(__name__)

#: code → label; the German label is stored as the absence's reason (the coordination reads it)
ABSENCE_KINDS = {"urlaub": _l("Urlaub"), "krankheit": _l("Krankheit"), "sonstiges": _l("Sonstiges")}
PAST_WEEKS = 8  # past visits shown
RESEND_MINUTES = 10  # one mail with the link per volunteer in this time, however often the button is pressed


class AreaError(ValueError):
    """The volunteer's action cannot be done; the message is German (``field`` names the form field, if any)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def kind_label(reason: str | None) -> str:
    """The absence's reason in the reader's language where it is one of the kinds (else as stored)."""
    for label in ABSENCE_KINDS.values():
        with language_of("de"):
            german = str(label)
        if reason == german:
            return str(label)
    return reason or _("abwesend")


def volunteer_of(token: str, *, now: datetime) -> Volunteer:
    """The volunteer a "Mein Bereich" link belongs to; LinkError ('expired', 'invalid', 'revoked', 'gone')."""
    volunteer_id, version = load_area_token(token, now=now)
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.restricted_at is not None:
        raise LinkError("gone")
    if volunteer.link_version != version:
        raise LinkError("revoked")
    return volunteer


def send_area_link(volunteer: Volunteer, *, now: datetime) -> bool:
    """Queue the mail with a fresh "Mein Bereich" link; False when the volunteer has no e-mail address.

    Pressed again within RESEND_MINUTES (a double click, a second tab) no second mail is queued."""
    if not volunteer.email:
        return False
    bucket = int(now.timestamp()) // (RESEND_MINUTES * 60)
    marker = f"mein-bereich:{volunteer.id}:{volunteer.link_version}:{bucket}"
    try:
        with db.session.begin_nested():  # the marker's unique key: a second press at the same moment waits, then fails
            db.session.add(NotificationMarker(key=marker, created_at=now))
    except IntegrityError:
        log.info("area link for volunteer %d already queued", volunteer.id)
        return True
    with language_of(volunteer.language):
        queue_mail(
            kind="mein_bereich",
            to=volunteer.email,
            subject=_("Ihr Link zu „Mein Bereich“"),
            template="area_link",
            volunteer=volunteer,
            url=area_url(volunteer),
            days=current_app.config["MEIN_BEREICH_MAX_AGE_DAYS"],
        )
    return True


def revoke_links(volunteer: Volunteer) -> None:
    """ "Link sperren": every "Mein Bereich" link sent so far stops working (a new one can be sent)."""
    volunteer.link_version += 1
    db.session.flush()
    log.info("area links of volunteer %d revoked (version %d)", volunteer.id, volunteer.link_version)


# --- reading -------------------------------------------------------------------------------------------------


def _mine(volunteer: Volunteer):
    """Visits this volunteer makes: their own (unless a stand-in took it over) and those they stand in for."""
    return sa.or_(
        sa.and_(Pairing.volunteer_id == volunteer.id, Appointment.cover_volunteer_id.is_(None)),
        Appointment.cover_volunteer_id == volunteer.id,
    )


def _visits(condition):
    return (
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(condition)
        .options(
            joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.district),
            joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
            joinedload(Appointment.cover_volunteer),
        )
    )


@dataclass
class Overview:
    """What "Mein Bereich" shows: visits ahead (own declined ones too), open cover offers, visits behind."""

    upcoming: list[Appointment]
    offers: list[CoverOffer]
    past: list[Appointment]
    absences: list[VolunteerAbsence]


def overview(volunteer: Volunteer, *, now: datetime) -> Overview:
    """The volunteer's visits from PAST_WEEKS back to the horizon, open offers and current absences."""
    today = appointment_ops.local_today(now)
    horizon = today + timedelta(weeks=current_app.config["APPOINTMENT_HORIZON_WEEKS"])
    since = today - timedelta(weeks=PAST_WEEKS)
    own_declined = sa.and_(Pairing.volunteer_id == volunteer.id, Appointment.status == AppointmentStatus.ABGESAGT)
    visits = db.session.scalars(
        _visits(sa.and_(Appointment.on.between(since, horizon), sa.or_(_mine(volunteer), own_declined))).order_by(
            Appointment.on, Appointment.planned_start
        )
    ).unique()
    upcoming, past = [], []
    for visit in visits:
        (past if appointment_ops.starts_at(visit) <= now else upcoming).append(visit)
    offers = db.session.scalars(
        sa.select(CoverOffer)
        .where(CoverOffer.volunteer_id == volunteer.id, CoverOffer.status == CoverOfferStatus.OFFEN)
        .options(
            joinedload(CoverOffer.appointment)
            .joinedload(Appointment.pairing)
            .joinedload(Pairing.senior)
            .joinedload(Senior.district)
        )
    ).all()
    absences = [a for a in volunteer.absences if a.ends_on >= today]
    return Overview(
        upcoming=upcoming,
        offers=sorted(
            (o for o in offers if needs_cover(o.appointment, now=now)),
            key=lambda o: (o.appointment.on, o.appointment.planned_start),
        ),
        past=list(reversed(past)),
        absences=absences,
    )


# --- absences ------------------------------------------------------------------------------------------------


def report_absence(
    volunteer: Volunteer, *, starts_on: date | None, ends_on: date | None, kind: str, now: datetime
) -> tuple[VolunteerAbsence, list[Appointment]]:
    """The volunteer reports being away: the absence is recorded by the coordinators' own operation (planned
    visits in it leave the schedule), visits they still have in it are declined (the coordination hears of each
    and looks for a stand-in), and the absence waits in the coordinators' inbox. Returns it and the declined."""
    if kind not in ABSENCE_KINDS:
        raise AreaError(_("Bitte wählen Sie Urlaub, Krankheit oder Sonstiges."), "kind")
    today = appointment_ops.local_today(now)
    if starts_on is not None and starts_on < today:
        raise AreaError(_("Eine Abwesenheit kann erst ab heute gemeldet werden."), "starts_on")
    with language_of("de"):  # stored for the coordination: German
        label = str(ABSENCE_KINDS[kind])
    lock(Volunteer, volunteer.id)  # the same form twice, or a coordinator at the same time: one after the other
    try:
        absence = add_absence(volunteer, starts_on=starts_on, ends_on=ends_on, reason=label)
    except VolunteerError as error:
        field, message = next(iter(error.errors.items()))
        raise AreaError(message, field) from error
    absence.reported_at = now
    declined = []
    for visit in db.session.scalars(
        _visits(sa.and_(_mine(volunteer), Appointment.on.between(starts_on, ends_on))).order_by(
            Appointment.on, Appointment.planned_start
        )
    ).unique():
        if appointment_ops.can_decline(visit, now=now):
            try:
                appointment_ops.decline(visit, now=now, reason=f"{label} (in „Mein Bereich“ gemeldet)")
            except MonthBilled:
                continue
            declined.append(visit)
    notify_absence(absence, declined=len(declined), now=now)
    db.session.flush()
    log.info("volunteer %d reported absence %s–%s: %d declined", volunteer.id, starts_on, ends_on, len(declined))
    return absence, declined


# --- hours -----------------------------------------------------------------------------------------------------


def correction_until(appointment: Appointment) -> date:
    """The last day the volunteer may still correct this visit's hours themselves."""
    return appointment.on + timedelta(days=current_app.config["HOURS_CORRECTION_DAYS"])


def can_correct(appointment: Appointment, volunteer: Volunteer, *, now: datetime) -> bool:
    """The visit is theirs, has started, is not called off, lies within the correction days and its month is
    open (not billed)."""
    from ..accounting.operations import billing_run_of

    return (
        appointment_volunteer(appointment).id == volunteer.id
        and appointment.status != AppointmentStatus.ABGESAGT
        and appointment_ops.starts_at(appointment) <= now
        and appointment_ops.local_today(now) <= correction_until(appointment)
        and billing_run_of(appointment.on) is None
    )


def correct_hours(
    appointment: Appointment, volunteer: Volunteer, *, minutes: int | None, km: Decimal | None, now: datetime
) -> None:
    """Report or correct the visit's hours and kilometres (``minutes`` None: it did not take place) through the
    same operation as the hours link."""
    lock(Appointment, appointment.id)
    db.session.refresh(appointment)
    if appointment_volunteer(appointment).id != volunteer.id:
        raise AreaError(_("Dieser Besuch gehört nicht (mehr) zu Ihnen."))
    try:
        ensure_not_billed(appointment)
    except MonthBilled as error:
        month = f"{appointment.on:%m/%Y}"
        raise AreaError(
            _("Der Monat %(month)s ist abgerechnet. Bitte rufen Sie die Koordination an.", month=month)
        ) from error
    if not can_correct(appointment, volunteer, now=now):
        days = current_app.config["HOURS_CORRECTION_DAYS"]
        raise AreaError(
            _(
                "Stunden können Sie nur bis %(days)d Tage nach dem Besuch selbst ändern. "
                "Bitte rufen Sie die Koordination an.",
                days=days,
            )
        )
    try:
        appointment_ops.report(appointment, minutes=minutes, km=km, now=now)
    except appointment_ops.AppointmentError as error:
        raise AreaError(str(error), error.field) from error


# --- taking a decline back ---------------------------------------------------------------------------------------


def can_undo_decline(appointment: Appointment, volunteer: Volunteer, *, now: datetime) -> bool:
    """Their own declined visit that still has no stand-in and has not started."""
    return appointment.pairing.volunteer_id == volunteer.id and needs_cover(appointment, now=now)


def undo_decline(appointment: Appointment, volunteer: Volunteer, *, now: datetime) -> int:
    """The volunteer comes after all: the visit is theirs and confirmed again, open stand-in offers are withdrawn
    (those volunteers are told) and the decline leaves the coordinators' inbox. Returns the offers withdrawn."""
    lock(Appointment, appointment.id)  # against a stand-in accepting at the same moment
    db.session.refresh(appointment)
    if not can_undo_decline(appointment, volunteer, now=now):
        if appointment.cover_volunteer_id is not None:
            raise AreaError(
                _("Für diesen Besuch hat schon eine Vertretung zugesagt. Bitte rufen Sie die Koordination an.")
            )
        raise AreaError(_("Diese Absage kann nicht mehr zurückgenommen werden."))
    ensure_not_billed(appointment)
    visit = rules.Visit(
        volunteer=volunteer,
        senior=appointment.pairing.senior,
        service=appointment.pairing.service,
        on=appointment.on,
        start=minute(appointment.planned_start),
        end=minute(appointment.planned_end),
        pairing_id=appointment.pairing_id,
        appointment_id=appointment.id,
    )
    lock(Volunteer, volunteer.id)
    if violations := rules.check_visit(visit, rules=rules.TIME_RULES):
        raise AreaError(" ".join(v.message for v in violations))
    withdrawn = withdraw_offers(appointment, now=now)
    appointment.status = AppointmentStatus.BESTAETIGT
    appointment.confirmed_at = now
    appointment.declined_at = None
    appointment.decline_reason = None
    for alert in db.session.scalars(
        sa.select(AppointmentAlert).where(
            AppointmentAlert.appointment_id == appointment.id,
            AppointmentAlert.kind == AlertKind.ABGESAGT,
            AppointmentAlert.resolved_at.is_(None),
        )
    ):
        alert.resolved_at = now
    db.session.flush()
    log.info("appointment %d: decline taken back (%d offer(s) withdrawn)", appointment.id, withdrawn)
    return withdrawn
