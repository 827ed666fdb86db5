"""Rank feasible stand-ins for a declined visit: same district, knows the senior, light week."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from scheduling.formatting import format_duration
from scheduling.model import Appointment, Status
from scheduling.rules import monday_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CoverCandidate:
    """A volunteer already known to be feasible (hard rules checked elsewhere)."""

    volunteer_id: int | str
    name: str
    district: str


@dataclass(frozen=True)
class RankedCandidate:
    """A candidate with its place, the criteria and German reasons."""

    rank: int
    candidate: CoverCandidate
    same_district: bool
    visits_with_senior: int
    week_minutes: int
    reasons: tuple[str, ...]

    @property
    def knows_senior(self) -> bool:
        """True when the volunteer has visited this senior before."""
        return self.visits_with_senior > 0


def _reasons(declined: Appointment, same: bool, visits: int, minutes: int) -> tuple[str, ...]:
    senior = declined.senior_label or "die Seniorin/den Senior"
    reasons = []
    if same:
        reasons.append(f"Im selben Stadtbezirk ({declined.district})")
    if visits:
        word = "Besuch" if visits == 1 else "Besuche"
        reasons.append(f"Kennt {senior} ({visits} {word})")
    if minutes:
        reasons.append(f"Diese Woche bereits {format_duration(minutes)} eingeplant")
    else:
        reasons.append("Diese Woche noch keine Termine")
    return tuple(reasons)


def rank_cover(
    declined: Appointment,
    candidates: Iterable[CoverCandidate],
    *,
    history: Iterable[Appointment] = (),
) -> list[RankedCandidate]:
    """Order candidates: same district, knows the senior, fewer minutes in that week, name.

    The candidates are those who may take the visit (the app's rule module decides, clashes included);
    ``history`` holds their appointments: past visits (to see who knows the senior) and those of the declined
    visit's week (for load). The declining volunteer is left out.
    """
    history = tuple(history)
    week = monday_of(declined.on)
    scored = []
    for candidate in candidates:
        if candidate.volunteer_id == declined.volunteer_id:
            continue
        own = [a for a in history if a.volunteer_id == candidate.volunteer_id and a.id != declined.id]
        visits = sum(
            1
            for a in own
            if declined.senior_id is not None
            and a.senior_id == declined.senior_id
            and a.status == Status.STATTGEFUNDEN
            and a.on <= declined.on
        )
        this_week = [a for a in own if monday_of(a.on) == week and not a.is_cancelled]
        minutes = sum(a.duration_minutes for a in this_week)
        same = bool(declined.district) and candidate.district == declined.district
        key = (not same, visits == 0, minutes, -visits, candidate.name, str(candidate.volunteer_id))
        scored.append((key, candidate, same, visits, minutes))
    scored.sort(key=lambda row: row[0])
    ranked = [
        RankedCandidate(
            rank=place,
            candidate=candidate,
            same_district=same,
            visits_with_senior=visits,
            week_minutes=minutes,
            reasons=_reasons(declined, same, visits, minutes),
        )
        for place, (_, candidate, same, visits, minutes) in enumerate(scored, start=1)
    ]
    log.debug("cover ranking for appointment %s: %d candidates", declined.id, len(ranked))
    return ranked
