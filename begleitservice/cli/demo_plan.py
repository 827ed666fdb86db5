"""Demo Begleitungen, appointments and requests that respect the rules a coordinator would.

A pairing only goes to an active volunteer with a valid Führungszeugnis who offers the service (Entlastung:
qualified) — both checked by the rule module —, has a free place (max_seniors) and minutes left, shares a language
with the senior, meets a gender wish, and has the weekly slot free inside their availability (the rule module's
clash with the travel buffer).
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.calendar_nrw import is_holiday

from .. import rules
from ..models import (
    Appointment,
    AppointmentStatus,
    Pairing,
    PairingSlot,
    Request,
    RequestStatusChange,
    RequestWindow,
    Senior,
    Volunteer,
    VolunteerStatus,
)
from ..reference import SENIORENBUEROS
from . import demo_names as names

LOCAL = ZoneInfo("Europe/Berlin")
HISTORY_WEEKS = 8
AHEAD_DAYS = 14
_DURATIONS = {"besuchsdienst": [60, 90, 90, 120], "entlastung": [120, 120, 150, 180]}


@dataclass
class Load:
    """What a volunteer has taken on so far in the demo."""

    volunteer: Volunteer
    seniors: int = 0
    minutes: int = 0
    busy: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def free(self, weekday: int, start: int, end: int, *, buffer: int) -> bool:
        """Whether the volunteer has no visit on ``weekday`` too close to start–end (the rule module's clash)."""
        return not any(rules.clash(start, end, s, e, buffer) for s, e in self.busy.get(weekday, []))


class Planner:
    """Finds volunteers and slots for seniors and writes pairings, appointments and requests."""

    def __init__(self, rng: random.Random, today: date, volunteers: list[Volunteer], *, buffer: int, years: int):
        self.rng, self.today, self.buffer = rng, today, buffer
        # Only volunteers the rule module lets visit: active, with a valid Führungszeugnis.
        self.loads = [
            Load(v)
            for v in volunteers
            if v.status == VolunteerStatus.AKTIV and not rules.certificate_error(v, on=today, years=years)
        ]

    # --- pairings ------------------------------------------------------------------------------------------

    def pair(self, senior: Senior, service: str, *, starts_on: date) -> Pairing:
        """An active pairing for ``senior``, relaxing the gender wish and then the language if nobody fits."""
        for relax in range(3):
            if relax == 1:
                senior.preferred_volunteer_gender = None
            if relax == 2:
                senior.languages = ", ".join(dict.fromkeys([*senior.language_list, "Deutsch"]))
            found = self._find(senior, service)
            if found:
                load, slots, interval = found
                break
        else:
            raise RuntimeError("Für die Demodaten reichen die Ehrenamtlichen nicht aus.")
        load.seniors += 1
        load.minutes += sum(d for _w, _s, d in slots) // interval
        for weekday, start, duration in slots:
            load.busy.setdefault(weekday, []).append((start, start + duration))
        pairing = Pairing(
            volunteer=load.volunteer, senior=senior, service=service, interval_weeks=interval, starts_on=starts_on
        )
        pairing.slots = [PairingSlot(weekday=w, start_minute=s, duration_minutes=d) for w, s, d in slots]
        return pairing

    def _find(self, senior: Senior, service: str):
        rng = self.rng
        visits = 2 if service == "entlastung" and rng.random() < 0.1 else 1
        interval = 2 if visits == 1 and rng.random() < 0.15 else 1
        duration = rng.choice(_DURATIONS[service])
        wanted = set(senior.language_list)
        offset = rng.randrange(len(self.loads))
        for load in self.loads[offset:] + self.loads[:offset]:
            v = load.volunteer
            if service not in v.services or rules.qualification_error(v, service, on=self.today):
                continue
            if load.seniors >= v.max_seniors or not wanted & set(v.language_list):
                continue
            if senior.preferred_volunteer_gender not in (None, v.gender):
                continue
            if load.minutes + visits * duration // interval > v.max_minutes_per_week:
                continue
            slots = self._slots(load, visits, duration)
            if slots:
                return load, slots, interval
        return None

    def _slots(self, load: Load, visits: int, duration: int) -> list[tuple[int, int, int]] | None:
        """``visits`` slots of ``duration`` on different weekdays inside the availability, or None."""
        blocks = list(load.volunteer.availability)
        self.rng.shuffle(blocks)
        slots: list[tuple[int, int, int]] = []
        for block in blocks:
            if any(w == block.weekday for w, _s, _d in slots):
                continue
            for start in range(block.start_minute, block.end_minute - duration + 1, 30):
                if load.free(block.weekday, start, start + duration, buffer=self.buffer):
                    slots.append((block.weekday, start, duration))
                    break
            if len(slots) == visits:
                return sorted(slots)
        return None

    @staticmethod
    def districts_of(volunteer: Volunteer):
        """Home district first, then the districts the volunteer travels to."""
        return [volunteer.home_district, *volunteer.travel_districts]

    # --- appointments --------------------------------------------------------------------------------------

    def appointments(self, pairing: Pairing) -> list[Appointment]:
        """Appointments from eight weeks back to two weeks ahead: past ones mostly held, future ones planned."""
        today = self.today
        first = max(pairing.starts_on, today - timedelta(weeks=HISTORY_WEEKS))
        absences = [(a.starts_on, a.ends_on) for a in pairing.volunteer.absences]
        result = []
        for offset in range((today + timedelta(days=AHEAD_DAYS) - first).days + 1):
            day = first + timedelta(days=offset)
            if pairing.interval_weeks == 2 and ((day - pairing.starts_on).days // 7) % 2:
                continue
            for slot in pairing.slots:
                if slot.weekday != day.weekday() or is_holiday(day):
                    continue
                start = time(slot.start_minute // 60, slot.start_minute % 60)
                end = time(slot.end_minute // 60, slot.end_minute % 60)
                appointment = Appointment(pairing=pairing, on=day, planned_start=start, planned_end=end)
                if any(s <= day <= e for s, e in absences):
                    appointment.status, appointment.note = AppointmentStatus.ABGESAGT, "Ehrenamtliche:r abwesend"
                elif day >= today:
                    appointment.status = AppointmentStatus.GEPLANT
                else:
                    self._outcome(appointment, slot.duration_minutes, (today - day).days)
                result.append(appointment)
        return result

    def _outcome(self, appointment: Appointment, planned: int, age_days: int) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.06:
            appointment.status = AppointmentStatus.AUSGEFALLEN
            appointment.note = rng.choice(["Seniorin/Senior nicht angetroffen", "kurzfristig krank"])
            return
        if roll < 0.12:
            appointment.status = AppointmentStatus.ABGESAGT
            appointment.note = rng.choice(["Arzttermin", "Besuch der Familie", "Krankenhausaufenthalt"])
            return
        if roll < 0.14:  # confirmed beforehand, never reported: the month's preview lists it as open
            appointment.status = AppointmentStatus.BESTAETIGT
            return
        appointment.status = AppointmentStatus.STATTGEFUNDEN
        if rng.random() < (0.85 if age_days > 10 else 0.35):
            appointment.actual_minutes = planned + rng.choice([0, 0, 0, 0, -15, 15, 30])

    # --- requests ------------------------------------------------------------------------------------------

    def request(self, senior: Senior, service: str, history: list[tuple[str, date]], pairing=None) -> Request:
        """A request with its status history (status, date); windows around the pairing's slots if any."""
        rng = self.rng
        request = Request(
            senior=senior,
            service=service,
            received_on=history[0][1],
            status=history[-1][0],
            languages=senior.languages,
            volunteer_gender=senior.preferred_volunteer_gender,
            urgency=rng.choices([1, 2, 3], weights=[80, 15, 5])[0],
            source=rng.choice(SENIORENBUEROS) if rng.random() < 0.8 else rng.choice(["Hausarztpraxis", "Angehörige"]),
            notes=rng.choice(names.REQUEST_NOTES),
        )
        if pairing is not None:
            pairing.request = request
            request.visits_per_week = len(pairing.slots)
            request.minutes_per_visit = pairing.slots[0].duration_minutes
            request.windows = [
                RequestWindow(
                    weekday=s.weekday, start_minute=max(0, s.start_minute - 60), end_minute=min(1440, s.end_minute + 60)
                )
                for s in pairing.slots
            ]
        else:
            request.minutes_per_visit = rng.choice(_DURATIONS[service])
            days = sorted(rng.sample(range(5), rng.choice([1, 2, 3])))
            request.windows = [
                RequestWindow(weekday=d, start_minute=s, end_minute=e)
                for d in days
                for s, e in [rng.choice([(540, 720), (840, 1080), (600, 960)])]
            ]
        request.status_changes = [
            RequestStatusChange(status=status, changed_at=self._moment(day)) for status, day in history
        ]
        return request

    def _moment(self, day: date) -> datetime:
        local = datetime.combine(day, time(self.rng.randint(8, 15), self.rng.choice([0, 15, 30, 45])), LOCAL)
        return local.astimezone(UTC)
