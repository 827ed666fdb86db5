"""The placing rules, one named function each: may this volunteer take this Begleitung or this one visit?

Each rule reads the case (a weekly ``Placement`` or a dated ``Visit``), the volunteer's ``Commitments`` and the
``Context`` (today, the travel buffer, the certificate period) and yields German ``Violation``s. Hard rules
always block; soft rules (district, availability, capacity, language, gender wish) block unless a coordinator
overrides them with a reason. ``PLACEMENT_RULES`` and ``VISIT_RULES`` list every rule each kind of case obeys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import scheduling
from scheduling.due import certificate_expires_on
from scheduling.formatting import WEEKDAY_ADVERBS, format_date

from ..models import GENDERS, SERVICES, VOLUNTEER_STATUSES, WEEKDAYS, Senior, Volunteer, VolunteerStatus
from ..models.base import minutes_label
from .commitments import Commitments, Dated, Weekly, weekly_rule


@dataclass(frozen=True)
class Violation:
    """A broken rule: its name, the German message, the form field it concerns, and whether it can be overridden."""

    rule: str
    message: str
    field: str
    hard: bool


@dataclass(frozen=True)
class Context:
    """What the rules need besides the case: the day it is, the travel buffer and the certificate period."""

    today: date
    buffer: int
    certificate_years: int


@dataclass(frozen=True)
class Placement:
    """A weekly Begleitung as it would be saved (``pairing_id`` set when an existing one is changed)."""

    volunteer: Volunteer
    senior: Senior
    service: str
    slots: tuple[tuple[int, int, int], ...]  # (weekday, start, end) in minutes after midnight
    interval_weeks: int
    starts_on: date
    ends_on: date | None = None
    pairing_id: int | None = None
    languages: tuple[str, ...] = ()  # wished: the volunteer should speak one of them
    gender: str | None = None  # wished gender of the volunteer

    @property
    def rule(self) -> scheduling.VisitRule:
        return weekly_rule(
            self.slots, interval_weeks=self.interval_weeks, starts_on=self.starts_on, ends_on=self.ends_on
        )

    def first_day(self, today: date) -> date:
        """From when the placement binds the volunteer (not before today)."""
        return max(self.starts_on, today)

    def slot_on(self, day: date) -> list[tuple[int, int]]:
        return [(_m(s.start_time), _m(s.start_time) + s.duration_minutes) for s in self.rule.slots_on(day)]


@dataclass(frozen=True)
class Visit:
    """One dated visit a volunteer would make: a one-off visit or a stand-in for a declined one."""

    volunteer: Volunteer
    senior: Senior
    service: str
    on: date
    start: int
    end: int
    pairing_id: int | None = None
    appointment_id: int | None = None
    languages: tuple[str, ...] = ()
    gender: str | None = None
    group_session_id: int | None = None  # a Demenzgruppe session (``senior`` is None then)

    def first_day(self, today: date) -> date:
        return self.on


def _m(at) -> int:
    return at.hour * 60 + at.minute


def clash(start: int, end: int, other_start: int, other_end: int, buffer: int) -> bool:
    """THE rule "never in two places at once": two visits on one day need ``buffer`` minutes between them."""
    return start < other_end + buffer and other_start < end + buffer


def _span(start: int, end: int) -> str:
    return f"{minutes_label(start)}–{minutes_label(end)}"


def _way(ctx: Context) -> str:
    return f" (mit {ctx.buffer} Min. Wegezeit dazwischen)" if ctx.buffer else ""


# --- the volunteer may take this service -----------------------------------------------------------------


def is_active(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """Only an active volunteer takes on visits."""
    v = case.volunteer
    if v.status != VolunteerStatus.AKTIV:
        status = VOLUNTEER_STATUSES.get(v.status, v.status)
        yield Violation("active", f"{v.name} ist nicht aktiv (Status „{status}“).", "volunteer_id", True)


def offers_service(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """The volunteer offers the service."""
    v = case.volunteer
    if case.service not in v.services:
        label = SERVICES.get(case.service, case.service)
        unqualified = case.service == "entlastung" and v.basisqualifizierung_on is None
        why = " und hat keine Basisqualifizierung" if unqualified else ""
        yield Violation("service", f"{v.name} bietet „{label}“ nicht an{why}.", "volunteer_id", True)


def fits_senior(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """Besuchsdienst only without a Pflegegrad, Häusliche Entlastung only with one (as the database trigger)."""
    if message := senior_service_error(case.service, case.senior):
        yield Violation("senior_service", message, "service", True)


def senior_service_error(service: str, senior: Senior | None) -> str | None:
    """The German reason why ``service`` is not for this senior, or None (the Pflegegrad rule)."""
    if senior is None:
        return None
    if service == "besuchsdienst" and senior.pflegegrad is not None:
        return (
            f"Der Besuchsdienst ist nur für Menschen ohne Pflegegrad; {senior.name} hat Pflegegrad "
            f"{senior.pflegegrad}. Bitte „Häusliche Entlastung“ wählen."
        )
    if service == "entlastung" and senior.pflegegrad is None:
        return (
            f"Häusliche Entlastung setzt einen Pflegegrad (1–5) voraus; für {senior.name} ist keiner "
            "eingetragen. Bitte „Besuchsdienst“ wählen."
        )
    return None


def is_qualified(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """Häusliche Entlastung needs the Basisqualifizierung, completed by the day the visits begin."""
    if case.service not in case.volunteer.services:
        return  # offers_service says so already
    if message := qualification_error(case.volunteer, case.service, on=case.first_day(ctx.today)):
        yield Violation("qualification", message, "volunteer_id", True)


def qualification_error(volunteer: Volunteer, service: str, *, on: date | None) -> str | None:
    """The German reason why ``volunteer`` may not do ``service`` for lack of the Basisqualifizierung, or None."""
    if service != "entlastung":
        return None
    done = volunteer.basisqualifizierung_on
    if done is None:
        return f"{volunteer.name} hat keine Basisqualifizierung und darf deshalb keine Häusliche Entlastung übernehmen."
    if on is not None and done > on:
        return f"{volunteer.name} hat die Basisqualifizierung erst am {format_date(done)} abgeschlossen."
    return None


def certificate_valid(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """A Führungszeugnis is on file and not older than the configured period on the first day."""
    if message := certificate_error(case.volunteer, on=case.first_day(ctx.today), years=ctx.certificate_years):
        yield Violation("certificate", message, "volunteer_id", True)


def certificate_error(volunteer: Volunteer, *, on: date, years: int) -> str | None:
    """The German reason why the volunteer's Führungszeugnis does not allow visits on ``on``, or None."""
    seen = volunteer.fuehrungszeugnis_on
    if seen is None:
        return f"Für {volunteer.name} ist kein Führungszeugnis eingetragen."
    expires = certificate_expires_on(seen, valid_years=years)
    if expires <= on:
        return f"Das Führungszeugnis von {volunteer.name} ist ab {format_date(expires)} älter als {years} Jahre."
    return None


# --- the volunteer is free ---------------------------------------------------------------------------------


def _weekly_clash(p: Placement, other: Weekly, ctx: Context, since: date) -> tuple[date, int, int, int, int] | None:
    """The first day on which ``p``'s slots meet ``other``'s within the buffer (a fortnight repeats the pattern)."""
    first = max(since, p.starts_on, other.rule.starts_on)
    ends = [d for d in (p.ends_on, other.rule.ends_on) if d is not None]
    last = min([first + timedelta(days=13), *ends])
    day = first
    while day <= last:
        for s, e in p.slot_on(day):
            for slot in other.rule.slots_on(day):
                os_ = _m(slot.start_time)
                oe = os_ + slot.duration_minutes
                if clash(s, e, os_, oe, ctx.buffer):
                    return day, s, e, os_, oe
        day += timedelta(days=1)
    return None


def free_at_slots(p: Placement, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """The weekly slots do not meet another Begleitung, one-off visit or stand-in of the volunteer (with the buffer)."""
    since = p.first_day(ctx.today)
    name = p.volunteer.name
    clashing: set[int] = set()
    for other in c.weekly:
        if other.pairing_id == p.pairing_id:
            continue
        found = _weekly_clash(p, other, ctx, since)
        if found:
            day, s, e, os_, oe = found
            clashing.add(other.pairing_id)
            yield Violation(
                "double_booking",
                f"Zeitkonflikt: {name} besucht {WEEKDAY_ADVERBS[day.weekday()]} {_span(os_, oe)} schon "
                f"{other.senior}; {WEEKDAYS[day.weekday()]} {_span(s, e)} ist zu nah daran{_way(ctx)}.",
                "slots",
                True,
            )
    for visit in c.dated:
        own = visit.pairing_id is not None and visit.pairing_id == p.pairing_id
        if own or visit.pairing_id in clashing or visit.on < since:
            continue
        for s, e in p.slot_on(visit.on):
            if clash(s, e, visit.start, visit.end, ctx.buffer):
                yield Violation("double_booking", _dated_message(name, visit, s, e, ctx), "slots", True)
                break


def _dated_message(name: str, visit: Dated, s: int, e: int, ctx: Context) -> str:
    if visit.group_session_id is not None:
        return (
            f"Zeitkonflikt: {name} ist am {format_date(visit.on)} {_span(visit.start, visit.end)} schon in der "
            f"Demenzgruppe „{visit.senior}“ eingeteilt; {_span(s, e)} ist zu nah daran{_way(ctx)}."
        )
    kind = "eine Vertretung" if visit.as_cover else "einen Termin"
    return (
        f"Zeitkonflikt: {name} hat am {format_date(visit.on)} {_span(visit.start, visit.end)} schon {kind} bei "
        f"{visit.senior}; {_span(s, e)} ist zu nah daran{_way(ctx)}."
    )


def is_present(v: Visit, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """The volunteer is not away (holiday, illness) on the day of the visit."""
    for starts, ends, reason in c.absences:
        if starts <= v.on <= ends:
            why = f"{reason}, " if reason else ""
            period = f"{format_date(starts)}–{format_date(ends)}"
            yield Violation(
                "absent",
                f"{v.volunteer.name} ist am {format_date(v.on)} abwesend ({why}{period}).",
                "on",
                True,
            )
            return


def _same_item(visit: Dated, v: Visit) -> bool:
    """The commitment is the visit or group session being checked itself."""
    if visit.group_session_id is not None:
        return visit.group_session_id == v.group_session_id
    return visit.appointment_id is not None and visit.appointment_id == v.appointment_id


def free_on_day(v: Visit, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """The visit does not meet another visit of the volunteer that day (with the buffer; none within one pairing)."""
    name = v.volunteer.name
    for visit in c.dated:
        if visit.on != v.on or _same_item(visit, v):
            continue
        same_pairing = visit.pairing_id is not None and visit.pairing_id == v.pairing_id
        buffer = 0 if same_pairing else ctx.buffer
        if clash(v.start, v.end, visit.start, visit.end, buffer):
            yield Violation("double_booking", _dated_message(name, visit, v.start, v.end, ctx), "start", True)
    for other in c.weekly:  # Begleitungen whose appointments are not generated that far ahead yet
        if (v.pairing_id is not None and other.pairing_id == v.pairing_id) or (
            other.generated_until and other.generated_until >= v.on
        ):
            continue
        for slot in other.rule.slots_on(v.on):
            os_ = _m(slot.start_time)
            if clash(v.start, v.end, os_, os_ + slot.duration_minutes, ctx.buffer):
                yield Violation(
                    "double_booking",
                    f"Zeitkonflikt: {name} besucht {WEEKDAY_ADVERBS[v.on.weekday()]} "
                    f"{_span(os_, os_ + slot.duration_minutes)} schon {other.senior}; "
                    f"{_span(v.start, v.end)} ist zu nah daran{_way(ctx)}.",
                    "start",
                    True,
                )


# --- soft rules: a coordinator may override them with a reason ----------------------------------------------


def covers_district(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """The senior lives in a district the volunteer serves (home or travel district)."""
    v, district = case.volunteer, case.senior.district
    if district.id not in {d.id for d in v.districts}:
        served = ", ".join(d.name for d in v.districts)
        yield Violation(
            "district",
            f"{v.name} ist nicht im Stadtbezirk {district.name} unterwegs (Einsatzbezirke: {served}).",
            "volunteer_id",
            False,
        )


def _available(v: Volunteer, weekday: int, start: int, end: int) -> bool:
    return any(a.weekday == weekday and a.start_minute <= start and end <= a.end_minute for a in v.availability)


def within_availability(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """Every visit lies inside one of the volunteer's weekly availability intervals."""
    v = case.volunteer
    times = [(case.on.weekday(), case.start, case.end)] if isinstance(case, Visit) else case.slots
    outside = [f"{WEEKDAYS[w]} {_span(s, e)}" for w, s, e in times if not _available(v, w, s, e)]
    if outside:
        known = "; ".join(str(a) for a in v.availability) or "keine Zeiten eingetragen"
        yield Violation(
            "availability",
            f"{', '.join(outside)} liegt außerhalb der Zeiten, zu denen {v.name} kann ({known}).",
            "slots" if isinstance(case, Placement) else "start",
            False,
        )


def has_capacity(p: Placement, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """The volunteer has a free place (maximum seniors) and minutes left in the week."""
    v = p.volunteer
    others = [w for w in c.weekly if w.pairing_id != p.pairing_id]
    if len(others) + 1 > v.max_seniors:
        yield Violation(
            "capacity",
            f"{v.name} begleitet schon {len(others)} Senior:innen (höchstens {v.max_seniors}).",
            "volunteer_id",
            False,
        )
    used = sum(w.minutes_per_week for w in others)
    new = sum(e - s for _w, s, e in p.slots) // p.interval_weeks
    if used + new > v.max_minutes_per_week:
        yield Violation(
            "capacity",
            f"{v.name} hätte dann {used + new} Minuten pro Woche (höchstens {v.max_minutes_per_week}, "
            f"schon vergeben {used}).",
            "slots",
            False,
        )


def has_minutes_left(v: Visit, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """A stand-in visit fits into the minutes the volunteer has left in that week."""
    monday = v.on - timedelta(days=v.on.weekday())
    week = [monday + timedelta(days=i) for i in range(7)]
    used = sum(d.end - d.start for d in c.dated if monday <= d.on <= week[-1] and not _same_item(d, v))
    for other in c.weekly:
        for day in week:
            if other.generated_until is None or other.generated_until < day:
                used += sum(s.duration_minutes for s in other.rule.slots_on(day))
    if used + v.end - v.start > v.volunteer.max_minutes_per_week:
        yield Violation(
            "capacity",
            f"{v.volunteer.name} hätte in dieser Woche {used + v.end - v.start} Minuten "
            f"(höchstens {v.volunteer.max_minutes_per_week}).",
            "start",
            False,
        )


def speaks_language(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """The volunteer speaks one of the wished languages (if any are wished)."""
    v = case.volunteer
    if case.languages and not set(case.languages) & set(v.language_list):
        yield Violation(
            "language",
            f"{v.name} spricht keine der gewünschten Sprachen ({', '.join(case.languages)}).",
            "volunteer_id",
            False,
        )


def meets_gender(case, c: Commitments, ctx: Context) -> Iterator[Violation]:
    """The volunteer has the wished gender (if one is wished)."""
    v = case.volunteer
    if case.gender and v.gender != case.gender:
        yield Violation(
            "gender",
            f"Gewünscht ist eine Begleitung „{GENDERS.get(case.gender, case.gender)}“; "
            f"{v.name} ist „{GENDERS.get(v.gender, v.gender)}“.",
            "volunteer_id",
            False,
        )


QUALIFICATION_RULES = (is_active, offers_service, fits_senior, is_qualified, certificate_valid)
PLACEMENT_RULES = (
    *QUALIFICATION_RULES,
    free_at_slots,
    covers_district,
    within_availability,
    has_capacity,
    speaks_language,
    meets_gender,
)
VISIT_RULES = (
    *QUALIFICATION_RULES,
    is_present,
    free_on_day,
    covers_district,
    within_availability,
    has_minutes_left,
    speaks_language,
    meets_gender,
)
# What an extra visit of a Begleitung's own volunteer must obey: they are there and not elsewhere.
TIME_RULES = (is_present, free_on_day)
# A volunteer on a Demenzgruppe session's roster (a ``Visit`` with ``group_session_id``, no senior): qualified
# for the group service, there, and not at a home visit or another group at the same time.
GROUP_SESSION_RULES = (is_active, offers_service, certificate_valid, is_present, free_on_day)
