"""Stand-ins (Vertretung) for a declined visit: who can take it, offers by mail, the first to accept gets it.

Who can take the visit is decided by ``matching``'s hard rules (service, district, language, gender, availability,
busy times with the travel buffer, capacity) on a one-request instance for exactly this visit; ``scheduling``
ranks them. The pairing stays the senior's pairing: the visit only gets ``cover_volunteer_id``.

Every function takes model objects, flushes and never commits: the view commits.
"""

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

import matching
import scheduling
from matching.candidates import build_candidates

from ..database import lock
from ..extensions import db
from ..mail import notices
from ..mail.outbox import forget_markers
from ..models import Appointment, Pairing, Senior, Volunteer
from ..models.scheduling import CoverOffer
from .convert import senior_label, to_domain
from .operations import resolve_alerts, starts_at

log = logging.getLogger(__name__)

LIVE_STATUSES = ("geplant", "bestaetigt", "stattgefunden")  # visits that take (or took) the volunteer's time


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
    return appointment.status == "abgesagt" and appointment.cover_volunteer_id is None and starts_at(appointment) > now


def _minute(at: time) -> int:
    return at.hour * 60 + at.minute


def visit_request(appointment: Appointment) -> matching.Request:
    """The single visit as a one-visit matching request: its weekday and time exactly, the senior's needs."""
    pairing = appointment.pairing
    senior = pairing.senior
    placed = pairing.request
    start, end = _minute(appointment.planned_start), _minute(appointment.planned_end)
    return matching.Request(
        id=appointment.id,
        district=senior.district.name,
        service=pairing.service,
        visits_per_week=1,
        minutes_per_visit=end - start,
        windows=[matching.Slot(appointment.on.weekday(), start, end)],
        languages=(placed.language_list if placed and placed.language_list else senior.language_list),
        volunteer_gender=(placed.volunteer_gender if placed else None) or senior.preferred_volunteer_gender,
        excluded_volunteers=[pairing.volunteer_id],
        name=senior_label(senior),
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
                Appointment.status == "stattgefunden",
                Appointment.on <= appointment.on,
            )
        )
    ).unique()
    return [to_domain(a) for a in rows]


def _unplanned_slots(day: date, volunteer_ids: list[int]) -> dict[int, list[matching.Slot]]:
    """Slots of active pairings whose appointments do not reach ``day`` yet (beyond the horizon): still busy."""
    reaches = sa.select(Appointment.id).where(Appointment.pairing_id == Pairing.id, Appointment.on >= day).exists()
    pairings = db.session.scalars(
        sa.select(Pairing)
        .where(
            Pairing.volunteer_id.in_(volunteer_ids),
            Pairing.status == "aktiv",
            Pairing.starts_on <= day,
            sa.or_(Pairing.ends_on.is_(None), Pairing.ends_on >= day),
            ~reaches,
        )
        .options(selectinload(Pairing.slots))
    )
    busy: dict[int, list[matching.Slot]] = {}
    for pairing in pairings:
        for slot in pairing.slots:
            if slot.weekday == day.weekday():
                busy.setdefault(pairing.volunteer_id, []).append(
                    matching.Slot(slot.weekday, slot.start_minute, slot.end_minute)
                )
    return busy


def _as_matching(volunteer: Volunteer, own: list[scheduling.Appointment], extra: list[matching.Slot], day: date):
    """The volunteer as matching sees them for this visit: busy that day, minutes LEFT in that week."""
    busy = [matching.Slot(day.weekday(), _minute(a.start), _minute(a.end)) for a in own if a.on == day]
    used = sum(a.duration_minutes for a in own) + sum(s.end - s.start for s in extra)
    return matching.Volunteer(
        id=volunteer.id,
        districts=[d.name for d in volunteer.districts],
        services=volunteer.services,
        languages=volunteer.language_list,
        gender=volunteer.gender,
        max_minutes_per_week=max(0, volunteer.max_minutes_per_week - used),
        max_seniors=1,  # one stand-in visit is no new Begleitung: only the week's minutes limit it
        availability=[matching.Slot(a.weekday, a.start_minute, a.end_minute) for a in volunteer.availability],
        busy=busy + extra,
        name=volunteer.name,
    )


VOLUNTEER_FACTS = (
    joinedload(Volunteer.home_district),
    selectinload(Volunteer.travel_districts),
    selectinload(Volunteer.availability),
    selectinload(Volunteer.absences),
)


def is_absent(volunteer: Volunteer, day: date) -> bool:
    """Whether the volunteer is away (an absence) on ``day``."""
    return any(a.starts_on <= day <= a.ends_on for a in volunteer.absences)


def _feasible(appointment: Appointment, volunteers: list[Volunteer]) -> tuple[set[int], list[scheduling.Appointment]]:
    """Of ``volunteers`` (loaded with VOLUNTEER_FACTS), the ids matching's hard rules let take this one visit
    (absent ones left out), and their other appointments of that week."""
    day = appointment.on
    present = [v for v in volunteers if not is_absent(v, day)]
    if not present:
        return set(), []
    ids = [v.id for v in present]
    week = _week_appointments(appointment, ids)
    unplanned = _unplanned_slots(day, ids)
    instance = matching.Instance(
        volunteers=[
            _as_matching(
                v, [a for a in week if a.volunteer_id == v.id and not a.is_cancelled], unplanned.get(v.id, []), day
            )
            for v in present
        ],
        requests=[visit_request(appointment)],
        settings=matching.Settings(slot_minutes=1),  # the visit keeps its exact time, on any minute
    )
    candidates = build_candidates(instance)
    return {instance.volunteers[candidates.pairs[index].v].id for index in candidates.by_request[0]}, week


def cover_candidates(appointment: Appointment) -> list[scheduling.RankedCandidate]:
    """Volunteers who may take this one visit under matching's hard rules, ranked (district, knows the senior,
    load); the declining volunteer and volunteers absent that day are left out."""
    volunteers = db.session.scalars(
        sa.select(Volunteer)
        .where(Volunteer.status == "aktiv", Volunteer.id != appointment.pairing.volunteer_id)
        .options(*VOLUNTEER_FACTS)
        .order_by(Volunteer.id)
    ).all()
    feasible, week = _feasible(appointment, list(volunteers))
    if not feasible:
        return []
    by_id = {v.id: v for v in volunteers}
    history = {a.id: a for a in [*_past_visits(appointment), *week]}
    ranked = scheduling.rank_cover(
        to_domain(appointment),
        [
            scheduling.CoverCandidate(volunteer_id=vid, name=by_id[vid].name, district=by_id[vid].home_district.name)
            for vid in sorted(feasible)
        ],
        history=history.values(),
    )
    log.info("appointment %d: %d of %d volunteers can stand in", appointment.id, len(ranked), len(volunteers))
    return ranked


def check_still_free(appointment: Appointment, volunteer_id: int) -> None:
    """Raise NotFree unless the volunteer may still take this visit by the very rules that proposed them
    (present that day, no other visit overlapping it with the travel buffer, minutes left in the week)."""
    volunteer = db.session.scalars(
        sa.select(Volunteer).where(Volunteer.id == volunteer_id).options(*VOLUNTEER_FACTS)
    ).one()
    if is_absent(volunteer, appointment.on):
        raise NotFree("absent")
    feasible, _ = _feasible(appointment, [volunteer])
    if volunteer_id not in feasible:
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
    """
    if not needs_cover(appointment, now=now):
        raise CoverError("Für diesen Termin wird keine Vertretung mehr gesucht.")
    if not volunteers:
        raise CoverError("Bitte mindestens eine Person auswählen.")
    earlier = {offer.volunteer_id: offer for offer in offers_for(appointment)}
    made = []
    for volunteer in volunteers:
        offer = earlier.get(volunteer.id)
        if offer is not None and offer.status == "offen":
            continue
        if offer is None:
            offer = CoverOffer(appointment=appointment, volunteer=volunteer)
            db.session.add(offer)
        offer.offered_at, offer.status, offer.decided_at = now, "offen", None
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
    if offer.status != "offen" or starts_at(appointment) <= now:
        return False
    if needs_cover(appointment, now=now):  # still open: is the volunteer still free for it?
        check_still_free(appointment, offer.volunteer_id)
    won = db.session.execute(
        sa.update(Appointment)
        .where(
            Appointment.id == appointment.id,
            Appointment.status == "abgesagt",
            Appointment.cover_volunteer_id.is_(None),
        )
        .values(cover_volunteer_id=offer.volunteer_id, status="bestaetigt", confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(appointment)
    if won.rowcount != 1:
        log.info("cover offer %d: appointment %d was already taken", offer.id, appointment.id)
        return False
    accepted = db.session.execute(
        sa.update(CoverOffer)
        .where(CoverOffer.id == offer.id, CoverOffer.status == "offen")
        .values(status="angenommen", decided_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(offer)
    if accepted.rowcount != 1:  # withdrawn in the same moment: the caller rolls back
        raise CoverError("Dieses Angebot wurde gerade zurückgezogen.")
    _settle_others(appointment, keep=offer, status="vergeben", now=now)
    forget_markers(appointment.id)  # reminders and the hours request go to the stand-in afresh
    resolve_alerts(appointment, now=now)
    db.session.flush()
    log.info("appointment %d covered by volunteer %d (offer %d)", appointment.id, offer.volunteer_id, offer.id)
    return True


def _settle_others(appointment: Appointment, *, keep: CoverOffer | None, status: str, now: datetime) -> int:
    """Close the appointment's other open offers and tell those volunteers the visit is no longer open."""
    others = [o for o in offers_for(appointment) if o.status == "offen" and o is not keep]
    for other in others:
        other.status, other.decided_at = status, now
        notices.cover_taken(other)
    db.session.flush()
    return len(others)


def withdraw_offers(appointment: Appointment, *, now: datetime) -> int:
    """The coordinators found another way: open offers are withdrawn and their volunteers told."""
    return _settle_others(appointment, keep=None, status="zurueckgezogen", now=now)


def give_back(appointment: Appointment, *, now: datetime) -> None:
    """The stand-in declines too: the visit needs a stand-in again (called from operations.decline)."""
    for offer in offers_for(appointment):
        if offer.status == "angenommen":
            offer.status, offer.decided_at = "zurueckgezogen", now
    appointment.cover_volunteer_id = None
    appointment.cover_volunteer = None
    db.session.flush()
