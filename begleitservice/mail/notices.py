"""The mails the service sends, each queued into the outbox (.txt and .html, never health data).

Mails to a volunteer are rendered in the volunteer's language (``Volunteer.language``) when they are queued; mails to
the coordination are German.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

import scheduling
from scheduling.formatting import format_appointment, format_date

from ..appointments.convert import appointment_volunteer, senior_label, visit_rule
from ..appointments.links.tokens import external_url, link_url
from ..i18n import fmt_appointment, fmt_date, fmt_duration, fmt_rule, language_of
from ..models import Appointment, CoverOfferStatus, OutboxMessage, Pairing, PairingStatus, User, Volunteer
from ..models.scheduling import CoverOffer
from .outbox import mark_sent, queue_mail, sent_keys

log = logging.getLogger(__name__)

INTRODUCTION_WINDOW_DAYS = 14  # older pairings (e.g. at the first deployment) get no introduction


def _visit(appointment: Appointment) -> dict:
    """What a volunteer mail may say about a visit: first name, initial, district, time. No health data."""
    senior = appointment.pairing.senior
    return {
        "volunteer": appointment_volunteer(appointment),
        "senior_first_name": senior.first_name,
        "senior_label": senior_label(senior),
        "district": senior.district.name,
        "when": fmt_appointment(appointment.on, appointment.planned_start, appointment.planned_end),
        "duration": fmt_duration(appointment.planned_minutes),
    }


def introduction(pairing: Pairing) -> OutboxMessage:
    """Tell the volunteer about a new pairing: the senior's first name, district and the agreed visits."""
    rule = visit_rule(pairing)
    with language_of(pairing.volunteer.language):
        return queue_mail(
            kind="introduction",
            to=pairing.volunteer.email,
            subject=_("Ihre neue Begleitung in %(district)s", district=pairing.senior.district.name),
            template="introduction",
            volunteer=pairing.volunteer,
            senior_first_name=pairing.senior.first_name,
            district=pairing.senior.district.name,
            slot=fmt_rule(rule) if rule else _("ab %(date)s", date=fmt_date(pairing.starts_on)),
        )


def introduce(pairing: Pairing, *, now: datetime) -> int:
    """Queue the introduction mail of a new, active pairing once (pairings views may call this on creation)."""
    key = f"introduction:{pairing.id}"
    recent = pairing.created_at is None or pairing.created_at >= now - timedelta(days=INTRODUCTION_WINDOW_DAYS)
    if pairing.status != PairingStatus.AKTIV or not recent or sent_keys([key]):
        return 0
    introduction(pairing)
    mark_sent(key)
    return 1


def _visit_link(purpose: str, appointment: Appointment) -> str:
    """A link for the visit, bound to the volunteer doing it (a stand-in's visit ignores older links)."""
    return link_url(purpose, appointment.id, volunteer_id=appointment_volunteer(appointment).id)


def confirmation_request(appointment: Appointment) -> OutboxMessage:
    """Ask the volunteer to confirm (or decline) an upcoming visit."""
    volunteer = appointment_volunteer(appointment)
    with language_of(volunteer.language):
        return queue_mail(
            kind="confirmation_request",
            to=volunteer.email,
            subject=_("Bitte bestätigen: Besuch am %(date)s", date=fmt_date(appointment.on)),
            template="confirmation_request",
            confirm_url=_visit_link("confirm", appointment),
            decline_url=_visit_link("decline", appointment),
            **_visit(appointment),
        )


def reminder(appointment: Appointment) -> OutboxMessage:
    """Remind the volunteer of tomorrow's visit, with a link to call it off."""
    volunteer = appointment_volunteer(appointment)
    with language_of(volunteer.language):
        return queue_mail(
            kind="reminder",
            to=volunteer.email,
            subject=_("Erinnerung: Besuch am %(date)s", date=fmt_date(appointment.on)),
            template="reminder",
            decline_url=_visit_link("decline", appointment),
            **_visit(appointment),
        )


def hours_request(appointment: Appointment) -> OutboxMessage:
    """Ask the volunteer whether the visit took place and for how long."""
    volunteer = appointment_volunteer(appointment)
    with language_of(volunteer.language):
        return queue_mail(
            kind="hours_request",
            to=volunteer.email,
            subject=_("Wie war der Besuch am %(date)s?", date=fmt_date(appointment.on)),
            template="hours_request",
            report_url=_visit_link("report", appointment),
            **_visit(appointment),
        )


def cover_offer(offer: CoverOffer) -> OutboxMessage:
    """Ask a volunteer to stand in for one declined visit, with a one-click "Vertretung übernehmen" link."""
    appointment = offer.appointment
    with language_of(offer.volunteer.language):
        return queue_mail(
            kind="cover_offer",
            to=offer.volunteer.email,
            subject=_("Können Sie einspringen? Besuch am %(date)s", date=fmt_date(appointment.on)),
            template="cover_offer",
            cover_url=link_url("cover", offer.id),
            **{**_visit(appointment), "volunteer": offer.volunteer},
        )


def cover_taken(offer: CoverOffer) -> OutboxMessage:
    """Tell a volunteer whose stand-in offer is settled that the visit is taken (or no longer needed)."""
    appointment = offer.appointment
    with language_of(offer.volunteer.language):
        return queue_mail(
            kind="cover_taken",
            to=offer.volunteer.email,
            subject=_("Bereits vergeben: Besuch am %(date)s", date=fmt_date(appointment.on)),
            template="cover_taken",
            withdrawn=offer.status == CoverOfferStatus.ZURUECKGEZOGEN,
            **{**_visit(appointment), "volunteer": offer.volunteer},
        )


def weekly_summary(summary: scheduling.WeeklySummary, coordinators: list[User]) -> list[OutboxMessage]:
    """The coordinators' weekly list of unconfirmed visits (one mail each)."""
    lines = [
        {
            "when": format_appointment(a.on, a.start, a.end),
            "volunteer": a.volunteer_label,
            "senior": a.senior_label,
            "district": a.district,
        }
        for a in summary.unconfirmed
    ]
    week_url = external_url("appointments.index", von=summary.first_day.isoformat())
    return [
        queue_mail(
            kind="weekly_summary",
            to=user.email,
            subject=f"Unbestätigte Termine – {summary.week_label}",
            template="weekly_summary",
            user=user,
            summary=summary,
            lines=lines,
            first_day=format_date(summary.first_day),
            last_day=format_date(summary.last_day),
            week_url=week_url,
        )
        for user in coordinators
    ]


def certificate_reminder(volunteer: Volunteer, detail: str) -> OutboxMessage:
    """Ask the volunteer for a new Führungszeugnis."""
    with language_of(volunteer.language):
        if volunteer.language != "de" and volunteer.fuehrungszeugnis_on is not None:
            detail = _("Ihr Führungszeugnis ist vom %(date)s.", date=fmt_date(volunteer.fuehrungszeugnis_on))
        return queue_mail(
            kind="certificate_reminder",
            to=volunteer.email,
            subject=_("Bitte neues Führungszeugnis vorlegen"),
            template="certificate_reminder",
            volunteer=volunteer,
            detail=detail,
            years=current_app.config["FUEHRUNGSZEUGNIS_MAX_YEARS"],
        )
