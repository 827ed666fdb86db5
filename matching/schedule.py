"""Timetable of one volunteer: place the visits of a set of pairs on days and start times, or prove it impossible.

A volunteer takes few seniors, so a complete backtracking search is small: choose k weekdays per request, and
per weekday try every order of that day's visits, each at its earliest start after the previous one plus the
buffer (earliest placement is optimal for a fixed order, so this is exact).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence

from matching.candidates import Pair

logger = logging.getLogger(__name__)

EXACT_ORDERS_UP_TO = 6
NODE_LIMIT = 20000

Timetable = dict[int, list[tuple[int, int]]]


def earliest_start(pair: Pair, day: int, not_before: int, slot: int) -> int | None:
    """First grid start of this pair on this day that is not before the given minute."""
    t = -(-not_before // slot) * slot
    for lo, hi in pair.starts[day]:
        if hi >= t:
            return max(lo, t)
    return None


class DayPlanner:
    """Checks whether a set of visits fits into one weekday of one volunteer, with a cache."""

    def __init__(self, slot: int, buffer: int):
        self.slot = slot
        self.buffer = buffer
        self._cache: dict[tuple[int, tuple[int, ...]], list[tuple[int, int]] | None] = {}
        # how often a search was not exact (heuristic day order, node limit): a None may then be wrong
        self.inexact = 0

    def plan(self, day: int, pairs: Sequence[Pair]) -> list[tuple[int, int]] | None:
        """Return [(pair index, start)] for a feasible order of the visits on this day, else None."""
        key = (day, tuple(sorted(p.index for p in pairs)))
        if key not in self._cache:
            self._cache[key] = self._plan(day, sorted(pairs, key=lambda p: p.index))
        return self._cache[key]

    def _plan(self, day: int, pairs: list[Pair]) -> list[tuple[int, int]] | None:
        if len(pairs) <= EXACT_ORDERS_UP_TO:
            orders = itertools.permutations(pairs)
        else:
            self.inexact += 1
            orders = iter([sorted(pairs, key=lambda p: (p.starts[day][-1][1], p.index))])
        for order in orders:
            placed, cursor = [], -(10**9)
            for pair in order:
                start = earliest_start(pair, day, cursor, self.slot)
                if start is None:
                    break
                placed.append((pair.index, start))
                cursor = start + pair.minutes + self.buffer
            else:
                return placed
        return None


def timetable(pairs: Sequence[Pair], planner: DayPlanner) -> Timetable | None:
    """Place all visits of these pairs (one volunteer) or return None if impossible (or search limit hit)."""
    order = sorted(pairs, key=lambda p: (len(p.starts) - p.visits, -p.minutes, p.index))
    on_day: dict[int, list[Pair]] = {d: [] for d in range(7)}
    chosen: dict[int, tuple[int, ...]] = {}
    nodes = 0

    def place(i: int) -> bool:
        nonlocal nodes
        if i == len(order):
            return True
        pair = order[i]
        combos = itertools.combinations(sorted(pair.starts), pair.visits)
        for days in sorted(combos, key=lambda ds: (sum(len(on_day[d]) for d in ds), ds)):
            nodes += 1
            if nodes > NODE_LIMIT:
                return False
            if all(planner.plan(d, [*on_day[d], pair]) is not None for d in days):
                for d in days:
                    on_day[d].append(pair)
                chosen[pair.index] = days
                if place(i + 1):
                    return True
                for d in days:
                    on_day[d].remove(pair)
        return False

    if not place(0):
        if nodes > NODE_LIMIT:
            planner.inexact += 1
            logger.warning("timetable search limit hit for %d pairs", len(pairs))
        return None
    result: Timetable = {p.index: [] for p in pairs}
    for day, day_pairs in on_day.items():
        if day_pairs:
            for index, start in planner.plan(day, day_pairs) or []:
                result[index].append((day, start))
    return result


def proven_impossible(pairs: Sequence[Pair], planner: DayPlanner) -> bool:
    """True only if the search was exact and found no timetable (safe for cuts and bounds)."""
    before = planner.inexact
    return timetable(pairs, planner) is None and planner.inexact == before


def minimal_conflict(pairs: Sequence[Pair], planner: DayPlanner) -> list[Pair]:
    """A minimal subset of an impossible set of pairs that is still impossible (deletion filter)."""
    core = sorted(pairs, key=lambda p: p.index)
    for pair in list(core):
        trial = [p for p in core if p is not pair]
        if trial and proven_impossible(trial, planner):
            core = trial
    return core
