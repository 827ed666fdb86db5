"""The database as a matching instance: open requests, active volunteers with what they have LEFT, rejections.

Decisions (see also the "Vorschläge" page):
- Open requests are those "offen" or "vorgeschlagen" for Besuchsdienst or Entlastung of a senior who is "aktiv" or
  "wartend". Demenzgruppe requests are group care and are left out with a note, as are requests of seniors who are
  paused, finished or locked.
- Volunteers are those "aktiv" who offer one of the two services and may take it by the rule module
  (``begleitservice.rules``): a valid Führungszeugnis, and for Entlastung a Basisqualifizierung completed by today.
- Capacity LEFT = own maximum minus the planned weekly minutes (``Pairing.weekly_minutes``) and minus the number of
  pairings that are not ended ("aktiv" or "pausiert", no end date before the planning start): a paused pairing
  keeps its senior and its time. Their weekly slots are the volunteer's busy time (a fortnightly slot blocks every
  week, as the engine plans weekly).
- Accepting a proposal creates the pairing at once. So an accepted pair is "pinned" on the next run by being part
  of the volunteer's state (busy slots, capacity used) and by its request no longer being open; the engine's
  ``pinned_volunteer`` is not needed.
- Absences are date ranges, the engine plans a typical week. A volunteer absent for the whole planning period
  (``MATCH_ABSENCE_WEEKS`` weeks from the planned start, default 4) is left out with a note; a shorter absence in
  that period keeps them in and adds "abwesend …" to the reasons of their proposals (appointments in the absence
  are skipped anyway when the pairing is created).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

import matching

from .. import rules
from ..extensions import db
from ..models import (
    District,
    Request,
    RequestStatus,
    Senior,
    SeniorStatus,
    Volunteer,
    VolunteerStatus,
)
from ..models.matching import MatchRejection

log = logging.getLogger(__name__)

MATCHED_SERVICES = ("besuchsdienst", "entlastung")


@dataclass
class Capacity:
    """What a volunteer has already taken on: minutes per week, seniors, and the weekly slots."""

    minutes: int = 0
    seniors: int = 0
    busy: list[matching.Slot] = field(default_factory=list)
    with_whom: list[tuple[matching.Slot, str]] = field(default_factory=list)


@dataclass
class BuiltInstance:
    """The instance for the engine plus what the app needs to explain and store the result."""

    instance: matching.Instance
    requests: dict[int, Request]
    volunteers: dict[int, Volunteer]
    notes: list[str] = field(default_factory=list)
    absence_notes: dict[int, str] = field(default_factory=dict)


def next_monday(day: date) -> date:
    """The Monday after ``day`` (a week later if ``day`` is a Monday): the default start of a new pairing."""
    return day + timedelta(days=7 - day.weekday())


def fmt(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def engine_settings(**overrides) -> matching.Settings:
    """Engine settings from the app config (``MATCH_*``, the travel buffer) and the districts' reference points."""
    config = current_app.config
    coordinates = {d.name: (d.lat, d.lon) for d in db.session.scalars(sa.select(District))}
    values = {
        "time_limit_s": config["MATCH_TIME_LIMIT_S"],
        "workers": config["MATCH_WORKERS"],
        "seed": config["MATCH_SEED"],
        "slot_minutes": config["MATCH_SLOT_MINUTES"],
        "travel_buffer_minutes": config["TRAVEL_BUFFER_MINUTES"],
        "district_coordinates": coordinates,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return matching.Settings(**values)


def capacities(volunteers: list[Volunteer], *, starts_on: date) -> dict[int, Capacity]:
    """What each volunteer has taken on through Begleitungen that are not ended by ``starts_on`` (rules module)."""
    used: dict[int, Capacity] = defaultdict(Capacity)
    for volunteer_id, taken in rules.load_commitments(volunteers, since=starts_on, dated=False).items():
        cap = used[volunteer_id]
        for weekly in taken.weekly:
            cap.minutes += weekly.minutes_per_week
            cap.seniors += 1
            for slot in weekly.rule.slots:
                start = slot.start_time.hour * 60 + slot.start_time.minute
                busy = matching.Slot(slot.weekday, start, start + slot.duration_minutes)
                cap.busy.append(busy)
                cap.with_whom.append((busy, weekly.senior))
    return used


def offered_services(volunteer: Volunteer, *, today: date, certificate_years: int) -> list[str]:
    """The matched services a volunteer may take by the rules: offered, qualified, with a valid Führungszeugnis."""
    if rules.certificate_error(volunteer, on=today, years=certificate_years):
        return []
    return [
        service
        for service in MATCHED_SERVICES
        if service in volunteer.services and not rules.qualification_error(volunteer, service, on=today)
    ]


def _absence(volunteer: Volunteer, *, first: date, last: date) -> tuple[bool, str | None]:
    """(away for the whole period, a note on a shorter absence in it) for the planning period first..last."""
    notes = []
    for absence in volunteer.absences:
        if absence.ends_on < first or absence.starts_on > last:
            continue
        if absence.starts_on <= first and absence.ends_on >= last:
            return True, f"abwesend bis {fmt(absence.ends_on)}"
        if absence.starts_on <= first:
            notes.append(f"abwesend bis {fmt(absence.ends_on)}")
        else:
            notes.append(f"abwesend {fmt(absence.starts_on)}–{fmt(absence.ends_on)}")
    return False, ("; ".join(notes) + " (Termine in dieser Zeit entfallen)") if notes else None


def _slots(rows) -> list[matching.Slot]:
    return [matching.Slot(row.weekday, row.start_minute, row.end_minute) for row in rows]


def _open_requests() -> list[Request]:
    return list(
        db.session.scalars(
            sa.select(Request)
            .where(Request.status.in_(RequestStatus.OPEN))
            .options(
                joinedload(Request.senior).joinedload(Senior.district),
                selectinload(Request.windows),
            )
            .order_by(Request.received_on, Request.id)
        )
    )


def _active_volunteers() -> list[Volunteer]:
    return list(
        db.session.scalars(
            sa.select(Volunteer)
            .where(Volunteer.status == VolunteerStatus.AKTIV)
            .options(
                joinedload(Volunteer.home_district),
                selectinload(Volunteer.travel_districts),
                selectinload(Volunteer.availability),
                selectinload(Volunteer.absences),
            )
            .order_by(Volunteer.last_name, Volunteer.first_name, Volunteer.id)
        )
    )


def _rejections() -> dict[int, list[int]]:
    excluded: dict[int, list[int]] = defaultdict(list)
    for request_id, volunteer_id in db.session.execute(
        sa.select(MatchRejection.request_id, MatchRejection.volunteer_id).order_by(MatchRejection.id)
    ):
        excluded[request_id].append(volunteer_id)
    return excluded


def build_instance(*, today: date, starts_on: date | None = None, settings: matching.Settings) -> BuiltInstance:
    """Turn the open requests and active volunteers into a matching instance (see the module doc for the rules)."""
    starts_on = starts_on or next_monday(today)
    weeks = current_app.config["MATCH_ABSENCE_WEEKS"]
    last = starts_on + timedelta(days=7 * weeks - 1)
    notes: list[str] = []

    requests: dict[int, Request] = {}
    group, paused = [], []
    for item in _open_requests():
        if item.service not in MATCHED_SERVICES:
            group.append(item.senior.name)
        elif item.senior.status not in SeniorStatus.MATCHABLE:
            paused.append(item.senior.name)
        else:
            requests[item.id] = item
    if group:
        notes.append(
            f"{len(group)} Anfrage(n) für die Demenzgruppe werden nicht einzeln vermittelt (Gruppenangebot): "
            + ", ".join(group)
        )
    if paused:
        notes.append(
            f"{len(paused)} Anfrage(n) von Senior:innen, die pausiert, beendet oder gesperrt sind, bleiben außen vor: "
            + ", ".join(paused)
        )

    volunteers: dict[int, Volunteer] = {}
    services: dict[int, list[str]] = {}
    absence_notes: dict[int, str] = {}
    away = []
    years = current_app.config["FUEHRUNGSZEUGNIS_MAX_YEARS"]
    uncertified = []
    for volunteer in _active_volunteers():
        offered = offered_services(volunteer, today=today, certificate_years=years)
        if not offered:
            if rules.certificate_error(volunteer, on=today, years=years) and set(volunteer.services) & set(
                MATCHED_SERVICES
            ):
                uncertified.append(volunteer.name)
            continue
        gone, note = _absence(volunteer, first=starts_on, last=last)
        if gone:
            away.append(f"{volunteer.name} ({note})")
            continue
        if note:
            absence_notes[volunteer.id] = note
        volunteers[volunteer.id] = volunteer
        services[volunteer.id] = offered
    if away:
        notes.append(
            f"Nicht berücksichtigt, weil in den {weeks} Wochen ab {fmt(starts_on)} durchgehend abwesend: "
            + ", ".join(away)
        )

    if uncertified:
        notes.append(
            f"Nicht berücksichtigt, weil kein gültiges Führungszeugnis eingetragen ist: {', '.join(uncertified)}"
        )
    used = capacities(list(volunteers.values()), starts_on=starts_on)
    excluded = _rejections()
    instance = matching.Instance(
        volunteers=[
            matching.Volunteer(
                id=v.id,
                districts=[d.name for d in v.districts],
                services=services[v.id],
                languages=v.language_list,
                gender=v.gender,
                max_minutes_per_week=max(0, v.max_minutes_per_week - used[v.id].minutes),
                max_seniors=max(0, v.max_seniors - used[v.id].seniors),
                availability=_slots(v.availability),
                busy=list(used[v.id].busy),
                name=v.name,
            )
            for v in volunteers.values()
        ],
        requests=[
            matching.Request(
                id=r.id,
                district=r.senior.district.name,
                service=r.service,
                visits_per_week=r.visits_per_week,
                minutes_per_visit=r.minutes_per_visit,
                windows=_slots(r.windows),
                languages=r.language_list,
                volunteer_gender=r.volunteer_gender,
                urgency=r.urgency,
                waiting_days=r.waiting_days(today),
                excluded_volunteers=[v for v in excluded.get(r.id, []) if v in volunteers],
                name=r.senior.name,
            )
            for r in requests.values()
        ],
        settings=settings,
    )
    log.info("matching instance: %d requests, %d volunteers", len(requests), len(volunteers))
    return BuiltInstance(instance, requests, volunteers, notes, absence_notes)
