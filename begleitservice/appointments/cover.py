"""Stand-ins (Vertretung) for a declined visit: who can take it, offers by mail, the first to accept gets it.

Who can take the visit is decided by the placing rules (``begleitservice.rules.VISIT_RULES``: qualification,
presence, no other visit within the travel buffer, district, availability, minutes left, language and gender
wish); ``scheduling`` ranks them. The pairing stays the senior's pairing: the visit only gets ``cover_volunteer_id``.

Every function takes model objects, flushes and never commits: the view commits.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

import scheduling

from .. import rules
from ..database import lock
from ..extensions import db
from ..inbox.notify import notify
from ..mail import notices
from ..mail.outbox import forget_markers
from ..models import (
    Appointment,
    AppointmentStatus,
    CoverOfferStatus,
    NotificationKind,
    Pairing,
    Senior,
    Volunteer,
    VolunteerStatus,
)
from ..models.scheduling import CoverOffer
from ..rules.commitments import minute
from .convert import to_domain
from .operations import resolve_alerts, starts_at

log = logging.getLogger(__name__)


class CoverError(ValueError):
    """The offer cannot be made or taken; the message is German."""


class NotFree(CoverError):
    """The volunteer can no longer take the visit: ``reason`` is "absent" or "busy"."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Sie sind an diesem Tag als abwesend eingetragen."
            if reason == "absent"
            else "Sie haben zu dieser Zeit inzwischen einen anderen Termin."
        )
        self.reason = reason


def needs_cover(appointment: Appointment, *, now: datetime) -> bool:
    """A declined visit without a stand-in that has not started yet."""
    return (
        appointment.status == AppointmentStatus.ABGESAGT
        and appointment.cover_volunteer_id is None
        and starts_at(appointment) > now
    )


def _with_people(query):
    return query.options(
        joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
        joinedload(Appointment.pairing).joinedload(Pairing.senior).joinedload(Senior.district),
        joinedload(Appointment.cover_volunteer),
    )


def _week_appointments(appointment: Appointment, volunteer_ids: list[int]) -> list[scheduling.Appointment]:
    """The volunteers' other appointments in the visit's week (as pairing volunteer or as stand-in)."""
    monday = appointment.on - timedelta(days=appointment.on.weekday())
    rows = db.session.scalars(
        _with_people(
            sa.select(Appointment)
            .join(Appointment.pairing)
            .where(
                Appointment.on.between(monday, monday + timedelta(days=6)),
                Appointment.id != appointment.id,
                sa.or_(Pairing.volunteer_id.in_(volunteer_ids), Appointment.cover_volunteer_id.in_(volunteer_ids)),
            )
        )
    ).unique()
    return [to_domain(a) for a in rows]


def _past_visits(appointment: Appointment) -> list[scheduling.Appointment]:
    """Visits to the same senior that took place before this one (who knows the senior)."""
    rows = db.session.scalars(
        _with_people(
            sa.select(Appointment)
            .join(Appointment.pairing)
            .where(
                Pairing.senior_id == appointment.pairing.senior_id,
                Appointment.status == AppointmentStatus.STATTGEFUNDEN,
                Appointment.on <= appointment.on,
            )
        )
    ).unique()
    return [to_domain(a) for a in rows]


VOLUNTEER_FACTS = (
    joinedload(Volunteer.home_district),
    selectinload(Volunteer.travel_districts),
    selectinload(Volunteer.availability),
    selectinload(Volunteer.absences),
)


def _visit(appointment: Appointment, volunteer: Volunteer) -> rules.Visit:
    """The declined visit as the stand-in would make it: its date and time exactly, the senior's wishes."""
    pairing = appointment.pairing
    return rules.Visit(
        volunteer=volunteer,
        senior=pairing.senior,
        service=pairing.service,
        on=appointment.on,
        start=minute(appointment.planned_start),
        end=minute(appointment.planned_end),
        pairing_id=pairing.id,
        appointment_id=appointment.id,
        **rules.wishes(pairing.senior, pairing.request),
    )


def cover_candidates(appointment: Appointment) -> list[scheduling.RankedCandidate]:
    """Volunteers who may take this one visit by every placing rule (``rules.VISIT_RULES``), ranked (district,
    knows the senior, load); the declining volunteer is left out."""
    volunteers = db.session.scalars(
        sa.select(Volunteer)
        .where(Volunteer.status == VolunteerStatus.AKTIV, Volunteer.id != appointment.pairing.volunteer_id)
        .options(*VOLUNTEER_FACTS)
        .order_by(Volunteer.id)
    ).all()
    verdicts = rules.check_visits([_visit(appointment, v) for v in volunteers])
    feasible = {v.id: v for v, broken in zip(volunteers, verdicts, strict=True) if not broken}
    if not feasible:
        return []
    week = _week_appointments(appointment, list(feasible))
    history = {a.id: a for a in [*_past_visits(appointment), *week]}
    ranked = scheduling.rank_cover(
        to_domain(appointment),
        [
            scheduling.CoverCandidate(volunteer_id=vid, name=v.name, district=v.home_district.name)
            for vid, v in sorted(feasible.items())
        ],
        history=history.values(),
    )
    log.info("appointment %d: %d of %d volunteers can stand in", appointment.id, len(ranked), len(volunteers))
    return ranked


STILL_FREE_RULES = (rules.checks.is_present, rules.checks.free_on_day, rules.checks.has_minutes_left)


def check_still_free(appointment: Appointment, volunteer_id: int) -> None:
    """Raise NotFree unless the volunteer may still take this visit by the rules that proposed them: present that
    day, no other visit within the travel buffer, minutes left in the week."""
    volunteer = db.session.scalars(
        sa.select(Volunteer).where(Volunteer.id == volunteer_id).options(*VOLUNTEER_FACTS)
    ).one()
    broken = rules.check_visit(_visit(appointment, volunteer), rules=STILL_FREE_RULES)
    if any(v.rule == "absent" for v in broken):
        raise NotFree("absent")
    if broken:
        raise NotFree("busy")


def offers_for(appointment: Appointment) -> list[CoverOffer]:
    """The appointment's offers, oldest first, with their volunteers."""
    return list(
        db.session.scalars(
            sa.select(CoverOffer)
            .where(CoverOffer.appointment_id == appointment.id)
            .options(joinedload(CoverOffer.volunteer))
            .order_by(CoverOffer.offered_at, CoverOffer.id)
        )
    )


def offer_cover(appointment: Appointment, volunteers: Sequence[Volunteer], *, now: datetime) -> list[CoverOffer]:
    """Offer the visit to these volunteers: an open offer and a mail with a "Vertretung übernehmen" link each.

    A volunteer with an open offer is skipped; an earlier, settled offer to the same volunteer is opened again.
    Two coordinators offering at once are served one after the other (the appointment is locked).
    """
    lock(Appointment, appointment.id)
    if not needs_cover(appointment, now=now):
        raise CoverError(_("Für diesen Termin wird keine Vertretung mehr gesucht."))
    if not volunteers:
        raise CoverError(_("Bitte mindestens eine Person auswählen."))
    earlier = {offer.volunteer_id: offer for offer in offers_for(appointment)}
    made = []
    for volunteer in volunteers:
        offer = earlier.get(volunteer.id)
        if offer is not None and offer.status == CoverOfferStatus.OFFEN:
            continue
        if offer is None:
            offer = CoverOffer(appointment=appointment, volunteer=volunteer)
            db.session.add(offer)
        offer.offered_at, offer.status, offer.decided_at = now, CoverOfferStatus.OFFEN, None
        db.session.flush()
        notices.cover_offer(offer)
        made.append(offer)
    log.info("appointment %d: cover offered to %d volunteer(s)", appointment.id, len(made))
    return made


def accept_cover(offer: CoverOffer, *, now: datetime) -> bool:
    """The volunteer takes the visit if nobody did before: True for the one winner, False for everyone else.

    Exactly one wins even when several click at once: the appointment row is taken by one conditional UPDATE
    (only while it has no stand-in), which the database serialises. The other open offers are settled and
    their volunteers hear the visit is taken; the coordinators' alert is resolved. A volunteer who is no longer
    free at that time (another visit meanwhile, or away that day) gets NotFree and nothing changes. The volunteer
    row is locked before that check, so one volunteer taking two overlapping visits at once gets only one of them.
    """
    lock(Volunteer, offer.volunteer_id)
    appointment = offer.appointment
    if offer.status != CoverOfferStatus.OFFEN or starts_at(appointment) <= now:
        return False
    if needs_cover(appointment, now=now):  # still open: is the volunteer still free for it?
        check_still_free(appointment, offer.volunteer_id)
    won = db.session.execute(
        sa.update(Appointment)
        .where(
            Appointment.id == appointment.id,
            Appointment.status == AppointmentStatus.ABGESAGT,
            Appointment.cover_volunteer_id.is_(None),
        )
        .values(cover_volunteer_id=offer.volunteer_id, status=AppointmentStatus.BESTAETIGT, confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(appointment)
    if won.rowcount != 1:
        log.info("cover offer %d: appointment %d was already taken", offer.id, appointment.id)
        return False
    accepted = db.session.execute(
        sa.update(CoverOffer)
        .where(CoverOffer.id == offer.id, CoverOffer.status == CoverOfferStatus.OFFEN)
        .values(status=CoverOfferStatus.ANGENOMMEN, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(offer)
    if accepted.rowcount != 1:  # withdrawn in the same moment: the caller rolls back
        raise CoverError(_("Dieses Angebot wurde gerade zurückgezogen."))
    _settle_others(appointment, keep=offer, status=CoverOfferStatus.VERGEBEN, now=now)
    forget_markers(appointment.id)  # reminders and the hours request go to the stand-in afresh
    resolve_alerts(appointment, now=now)
    notify(NotificationKind.VERTRETUNG, appointment, now=now)
    db.session.flush()
    log.info("appointment %d covered by volunteer %d (offer %d)", appointment.id, offer.volunteer_id, offer.id)
    return True


def _settle_others(appointment: Appointment, *, keep: CoverOffer | None, status: str, now: datetime) -> int:
    """Close the appointment's other open offers and tell those volunteers the visit is no longer open."""
    others = [o for o in offers_for(appointment) if o.status == CoverOfferStatus.OFFEN and o is not keep]
    for other in others:
        other.status, other.decided_at = status, now
        notices.cover_taken(other)
    db.session.flush()
    return len(others)


def withdraw_offers(appointment: Appointment, *, now: datetime) -> int:
    """The coordinators found another way: open offers are withdrawn and their volunteers told."""
    return _settle_others(appointment, keep=None, status=CoverOfferStatus.ZURUECKGEZOGEN, now=now)


def give_back(appointment: Appointment, *, now: datetime) -> None:
    """The stand-in declines too: the visit needs a stand-in again (called from operations.decline)."""
    for offer in offers_for(appointment):
        if offer.status == CoverOfferStatus.ANGENOMMEN:
            offer.status, offer.decided_at = CoverOfferStatus.ZURUECKGEZOGEN, now
    appointment.cover_volunteer_id = None
    appointment.cover_volunteer = None
    db.session.flush()
