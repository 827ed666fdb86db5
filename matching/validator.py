"""Check a solution against the instance WITHOUT the solver: the per-pair rules of ``PAIR_RULES`` and every rule
across pairs (times, buffer, capacity), re-checked plainly on the chosen visits."""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict

from matching.candidates import PAIR_RULES
from matching.schema import Instance, Solution

logger = logging.getLogger(__name__)


def _inside(slots, weekday: int, start: int, end: int) -> bool:
    return any(s.weekday == weekday and s.start <= start and end <= s.end for s in slots)


def _clear_of(slots, weekday: int, start: int, end: int, buffer: int) -> bool:
    return all(s.weekday != weekday or end + buffer <= s.start or s.end + buffer <= start for s in slots)


def validate(inst: Instance, sol: Solution) -> list[str]:
    """Return a list of broken rules (empty when the solution is valid)."""
    errors: list[str] = []
    settings = inst.settings
    slot, buffer = settings.slot_minutes, settings.travel_buffer_minutes
    volunteers = {v.id: v for v in inst.volunteers}
    requests = {r.id: r for r in inst.requests}
    seen: set = set()
    minutes: dict = defaultdict(int)
    seniors: dict = defaultdict(int)
    day_visits: dict = defaultdict(list)
    for a in sol.assignments:
        req, vol = requests.get(a.request), volunteers.get(a.volunteer)
        tag = f"request {a.request!r} / volunteer {a.volunteer!r}"
        if req is None or vol is None:
            errors.append(f"{tag}: unknown id")
            continue
        if a.request in seen:
            errors.append(f"{tag}: request assigned twice")
        seen.add(a.request)
        errors.extend(f"{tag}: {broken}" for rule, broken in PAIR_RULES if not rule(req, vol))
        if len(a.visits) != req.visits_per_week:
            errors.append(f"{tag}: {len(a.visits)} visits instead of {req.visits_per_week}")
        if len({v.weekday for v in a.visits}) != len(a.visits):
            errors.append(f"{tag}: two visits on one weekday")
        seniors[vol.id] += 1
        for visit in a.visits:
            where = f"{tag} day {visit.weekday} {visit.start}-{visit.end}"
            if visit.end - visit.start != req.minutes_per_visit:
                errors.append(f"{where}: length is not minutes_per_visit")
            if visit.start % slot:
                errors.append(f"{where}: start off the {slot}-minute grid")
            if not _inside(req.windows, visit.weekday, visit.start, visit.end):
                errors.append(f"{where}: outside the request's windows")
            if not _inside(vol.availability, visit.weekday, visit.start, visit.end):
                errors.append(f"{where}: outside the volunteer's availability")
            if not _clear_of(vol.busy, visit.weekday, visit.start, visit.end, buffer):
                errors.append(f"{where}: too close to a busy time")
            minutes[vol.id] += visit.end - visit.start
            day_visits[(vol.id, visit.weekday)].append((visit.start, visit.end, a.request))
    for (vid, day), visits in day_visits.items():
        visits.sort()
        for (_s1, e1, r1), (s2, _e2, r2) in itertools.pairwise(visits):
            if e1 + buffer > s2:
                errors.append(f"volunteer {vid!r} day {day}: visits of {r1!r} and {r2!r} closer than the buffer")
    for vid, used in minutes.items():
        if used > volunteers[vid].max_minutes_per_week:
            errors.append(f"volunteer {vid!r}: {used} minutes > {volunteers[vid].max_minutes_per_week}")
    for vid, count in seniors.items():
        if count > volunteers[vid].max_seniors:
            errors.append(f"volunteer {vid!r}: {count} seniors > {volunteers[vid].max_seniors}")
    if sol.served != len(sol.assignments):
        errors.append(f"served {sol.served} != {len(sol.assignments)} assignments")
    unserved = [u.request for u in sol.unserved]
    if sorted(map(repr, [*seen, *unserved])) != sorted(repr(r.id) for r in inst.requests):
        errors.append("assignments and unserved do not list every request exactly once")
    for u in sol.unserved:
        if not u.reasons:
            errors.append(f"request {u.request!r}: unserved without a reason")
    if sol.served > sol.served_bound or sol.objective > sol.bound:
        errors.append("value above its own bound")
    return errors
