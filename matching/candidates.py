"""Candidate generation: which (request, volunteer, weekday, start) placements obey the per-pair rules.

Everything that does not depend on other requests is decided here, once, with interval arithmetic, so the
optimisation model only sees pairs that can really happen. Start times are kept as ranges on the slot grid.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from matching.geo import DistanceTable
from matching.schema import Instance, Request, Slot, Volunteer

logger = logging.getLogger(__name__)

GERMAN = "Deutsch"

Ranges = list[tuple[int, int]]


def merge(intervals: list[tuple[int, int]]) -> Ranges:
    """Union of half-open intervals, sorted and without overlaps."""
    out: Ranges = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(base: Ranges, holes: Ranges) -> Ranges:
    """Parts of base not covered by holes (both sorted, merged)."""
    out: Ranges = []
    for start, end in base:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                out.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def by_weekday(slots: list[Slot], *, merged: bool = True) -> dict[int, Ranges]:
    """Intervals per weekday, sorted; merged into a union unless told otherwise.

    Windows and availability are kept unmerged: a visit must lie inside ONE window and ONE availability
    interval, not across two adjacent ones.
    """
    days: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for slot in slots:
        if slot.end > slot.start:
            days[slot.weekday].append((slot.start, slot.end))
    return {day: merge(items) if merged else sorted(set(items)) for day, items in days.items()}


def free_time(volunteer: Volunteer, buffer: int) -> dict[int, Ranges]:
    """Per weekday, where a visit may lie: each availability interval minus busy times widened by the buffer."""
    busy = by_weekday(volunteer.busy)
    out = {}
    for day, ranges in by_weekday(volunteer.availability, merged=False).items():
        holes = merge([(s - buffer, e + buffer) for s, e in busy.get(day, [])])
        free = sorted(set(piece for interval in ranges for piece in subtract([interval], holes)))
        if free:
            out[day] = free
    return out


def start_ranges(spans: Ranges, minutes: int, slot: int) -> Ranges:
    """Grid-aligned ranges [lo, hi] of start times so that [start, start+minutes] fits inside one span."""
    out: Ranges = []
    for start, end in spans:
        lo = -(-start // slot) * slot
        hi = (end - minutes) // slot * slot
        if lo <= hi:
            out.append((lo, hi))
    return sorted(set(out))


def day_starts(windows: dict[int, Ranges], free: dict[int, Ranges], minutes: int, slot: int) -> dict[int, Ranges]:
    """Feasible start ranges per weekday: inside one window and one free piece, on the slot grid."""
    out = {}
    for day, wins in windows.items():
        if day not in free:
            continue
        spans = [(max(a, c), min(b, d)) for a, b in wins for c, d in free[day] if min(b, d) > max(a, c)]
        ranges = start_ranges(spans, minutes, slot)
        if ranges:
            out[day] = ranges
    return out


def offers_service(req: Request, vol: Volunteer) -> bool:
    return req.service in vol.services


def covers_district(req: Request, vol: Volunteer) -> bool:
    return req.district in vol.districts


def speaks_language(req: Request, vol: Volunteer) -> bool:
    return not req.languages or any(lang in vol.languages for lang in req.languages)


def meets_gender(req: Request, vol: Volunteer) -> bool:
    return not req.volunteer_gender or vol.gender == req.volunteer_gender


def allowed_by_coordinator(req: Request, vol: Volunteer) -> bool:
    """Pinned pairs allow only the pinned volunteer; rejected pairs are excluded."""
    if req.pinned_volunteer is not None and vol.id != req.pinned_volunteer:
        return False
    return vol.id not in req.excluded_volunteers


def has_capacity(req: Request, vol: Volunteer) -> bool:
    return vol.max_seniors >= 1 and vol.max_minutes_per_week >= req.weekly_minutes


def shared_extra_languages(req: Request, vol: Volunteer) -> list[str]:
    """Languages other than German that the request names and the volunteer speaks."""
    return [lang for lang in req.languages if lang != GERMAN and lang in vol.languages]


# Every per-pair hard rule, with what the validator reports when it is broken. Candidate generation, the
# unserved reasons (which walk the same functions in a coordinator's order) and the validator use this one list.
PAIR_RULES = (
    (offers_service, "service not offered"),
    (covers_district, "district not covered"),
    (speaks_language, "no common language"),
    (meets_gender, "gender preference not met"),
    (allowed_by_coordinator, "pinned to another volunteer or rejected"),
    (has_capacity, "no capacity left"),
)


@dataclass
class Pair:
    """A (request, volunteer) pair that obeys every rule that does not involve other requests."""

    index: int
    r: int
    v: int
    starts: dict[int, Ranges]
    visits: int
    minutes: int
    need: int
    km: float | None
    home: bool
    languages: list[str]
    cost: int


@dataclass
class Candidates:
    """All feasible pairs, indexed by request and by volunteer."""

    pairs: list[Pair] = field(default_factory=list)
    by_request: list[list[int]] = field(default_factory=list)
    by_volunteer: list[list[int]] = field(default_factory=list)
    free: list[dict[int, Ranges]] = field(default_factory=list)
    windows: list[dict[int, Ranges]] = field(default_factory=list)

    def pair_of(self, r: int, v: int) -> Pair | None:
        for index in self.by_request[r]:
            if self.pairs[index].v == v:
                return self.pairs[index]
        return None


def pair_cost(inst: Instance, req: Request, km: float | None, languages: list[str], distances: DistanceTable) -> int:
    """Rule-3 cost of a pair without load balance: travel per visit, a malus without a shared extra language."""
    travel = round(10 * (distances.unknown_km if km is None else km)) * req.visits_per_week
    wants_extra = any(lang != GERMAN for lang in req.languages)
    malus = inst.settings.language_bonus if wants_extra and not languages else 0
    return travel + malus


def build_candidates(inst: Instance) -> Candidates:
    """Compute every feasible pair with its start-time ranges per weekday."""
    settings = inst.settings
    slot, buffer = settings.slot_minutes, settings.travel_buffer_minutes
    distances = DistanceTable(extra=settings.district_coordinates, unknown_km=settings.unknown_distance_km)
    cand = Candidates(
        by_request=[[] for _ in inst.requests],
        by_volunteer=[[] for _ in inst.volunteers],
        free=[free_time(vol, buffer) for vol in inst.volunteers],
        windows=[by_weekday(req.windows, merged=False) for req in inst.requests],
    )
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for v, vol in enumerate(inst.volunteers):
        for service in dict.fromkeys(vol.services):
            for district in dict.fromkeys(vol.districts):
                index[(service, district)].append(v)
    for r, req in enumerate(inst.requests):
        if req.visits_per_week < 1 or req.minutes_per_visit < 1:
            continue
        for v in index.get((req.service, req.district), []):
            vol = inst.volunteers[v]
            if not all(rule(req, vol) for rule, _ in PAIR_RULES):
                continue
            starts = day_starts(cand.windows[r], cand.free[v], req.minutes_per_visit, slot)
            if len(starts) < req.visits_per_week:
                continue
            km = distances.km(vol.home, req.district)
            languages = shared_extra_languages(req, vol)
            pair = Pair(
                index=len(cand.pairs),
                r=r,
                v=v,
                starts=starts,
                visits=req.visits_per_week,
                minutes=req.minutes_per_visit,
                need=req.weekly_minutes,
                km=km,
                home=vol.home == req.district,
                languages=languages,
                cost=pair_cost(inst, req, km, languages, distances),
            )
            cand.pairs.append(pair)
            cand.by_request[r].append(pair.index)
            cand.by_volunteer[v].append(pair.index)
    logger.info("candidates: %d pairs for %d requests", len(cand.pairs), len(inst.requests))
    return cand
