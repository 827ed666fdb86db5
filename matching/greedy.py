"""Fast heuristics and bounds around the model: the greedy baseline, a warm start, repair, the flow bound."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from ortools.graph.python import max_flow

from matching.candidates import Candidates, Pair
from matching.schedule import DayPlanner, timetable
from matching.schema import Instance

logger = logging.getLogger(__name__)


class Plan:
    """A feasible partial assignment: request -> pair, with each volunteer's load and timetable."""

    def __init__(self, inst: Instance, cand: Candidates, planner: DayPlanner):
        self.inst, self.cand, self.planner = inst, cand, planner
        self.pair_of: dict[int, Pair] = {}
        self.on_volunteer: dict[int, list[Pair]] = {v: [] for v in range(len(inst.volunteers))}
        self.minutes = [0] * len(inst.volunteers)

    def fits(self, pair: Pair) -> bool:
        """Whether the pair can be added without breaking a rule."""
        vol = self.inst.volunteers[pair.v]
        current = self.on_volunteer[pair.v]
        if len(current) + 1 > vol.max_seniors or self.minutes[pair.v] + pair.need > vol.max_minutes_per_week:
            return False
        return timetable([*current, pair], self.planner) is not None

    def add(self, pair: Pair) -> None:
        self.pair_of[pair.r] = pair
        self.on_volunteer[pair.v].append(pair)
        self.minutes[pair.v] += pair.need

    def remove(self, pair: Pair) -> None:
        del self.pair_of[pair.r]
        self.on_volunteer[pair.v].remove(pair)
        self.minutes[pair.v] -= pair.need

    def try_add(self, pair: Pair) -> bool:
        if pair.r in self.pair_of or not self.fits(pair):
            return False
        self.add(pair)
        return True

    def pairs(self) -> list[Pair]:
        return sorted(self.pair_of.values(), key=lambda p: p.index)


def priority_order(inst: Instance) -> list[int]:
    """Requests most urgent first, then longest waiting."""
    return sorted(
        range(len(inst.requests)), key=lambda r: (-inst.requests[r].urgency, -inst.requests[r].waiting_days, r)
    )


def greedy_baseline(inst: Instance, cand: Candidates, planner: DayPlanner) -> Plan:
    """The coordinator's rule of thumb: most urgent first, first volunteer (input order) that fits."""
    plan = Plan(inst, cand, planner)
    for r in priority_order(inst):
        for index in cand.by_request[r]:
            if plan.try_add(cand.pairs[index]):
                break
    return plan


def insert_unserved(plan: Plan, order: Iterable[int]) -> None:
    """Add unserved requests where they fit, trying one eviction-and-move (an ejection chain of length 2)."""
    cand = plan.cand
    for r in order:
        if r in plan.pair_of:
            continue
        options = sorted((cand.pairs[i] for i in cand.by_request[r]), key=lambda p: (p.cost, p.index))
        if any(plan.try_add(p) for p in options):
            continue
        for pair in options:
            if _move_one_away(plan, pair):
                break


def _move_one_away(plan: Plan, pair: Pair) -> bool:
    """Make room for pair on its volunteer by moving one of that volunteer's requests to another volunteer."""
    cand = plan.cand
    for other in list(plan.on_volunteer[pair.v]):
        plan.remove(other)
        if plan.fits(pair):
            for index in cand.by_request[other.r]:
                alt = cand.pairs[index]
                if alt.v != pair.v and plan.fits(alt):
                    plan.add(alt)
                    plan.add(pair)
                    return True
        plan.add(other)
    return False


def warm_start(inst: Instance, cand: Candidates, planner: DayPlanner) -> Plan:
    """A good feasible plan: scarce requests first, to the least contested volunteer, then repair moves."""
    demand = [len(pairs) for pairs in cand.by_volunteer]
    plan = Plan(inst, cand, planner)
    order = sorted(
        range(len(inst.requests)),
        key=lambda r: (len(cand.by_request[r]), -inst.requests[r].urgency, -inst.requests[r].waiting_days, r),
    )
    for r in order:
        options = sorted(
            (cand.pairs[i] for i in cand.by_request[r]),
            key=lambda p: (demand[p.v] / max(1, inst.volunteers[p.v].max_seniors), p.cost, p.index),
        )
        for pair in options:
            if plan.try_add(pair):
                break
    insert_unserved(plan, priority_order(inst))
    return plan


def repair(inst: Instance, cand: Candidates, planner: DayPlanner, chosen: Iterable[Pair]) -> Plan:
    """Turn a relaxed choice of pairs into a feasible plan: keep what fits (most urgent first), then insert."""
    plan = Plan(inst, cand, planner)
    rank = {r: i for i, r in enumerate(priority_order(inst))}
    for pair in sorted(chosen, key=lambda p: (rank[p.r], p.index)):
        plan.try_add(pair)
    insert_unserved(plan, priority_order(inst))
    return plan


def volunteer_count_capacity(inst: Instance, cand: Candidates, v: int) -> int:
    """How many of its candidate requests a volunteer could take at most: seniors left, and smallest needs first."""
    vol = inst.volunteers[v]
    needs = sorted(cand.pairs[i].need for i in cand.by_volunteer[v])
    count = used = 0
    for need in needs:
        if count >= vol.max_seniors or used + need > vol.max_minutes_per_week:
            break
        count, used = count + 1, used + need
    return count


def flow_bound(inst: Instance, cand: Candidates) -> int:
    """Upper bound on served requests: max flow request -> compatible volunteer -> capacity in requests."""
    n_req, n_vol = len(inst.requests), len(inst.volunteers)
    source, sink = n_req + n_vol, n_req + n_vol + 1
    flow = max_flow.SimpleMaxFlow()
    for r in range(n_req):
        if cand.by_request[r]:
            flow.add_arc_with_capacity(source, r, 1)
    for pair in cand.pairs:
        flow.add_arc_with_capacity(pair.r, n_req + pair.v, 1)
    for v in range(n_vol):
        capacity = volunteer_count_capacity(inst, cand, v)
        if capacity:
            flow.add_arc_with_capacity(n_req + v, sink, capacity)
    if flow.solve(source, sink) != flow.OPTIMAL:
        logger.warning("max flow did not solve; falling back to the trivial bound")
        return sum(1 for pairs in cand.by_request if pairs)
    return flow.optimal_flow()


def relocate(plan: Plan, balance_penalty: int, *, deadline: float) -> int:
    """Move served requests to volunteers where they cost less (travel, language, balance); served set kept."""
    cand, moves, improved = plan.cand, 0, True
    while improved and time.perf_counter() < deadline:
        improved = False
        for r in sorted(plan.pair_of):
            current = plan.pair_of[r]
            for index in cand.by_request[r]:
                other = cand.pairs[index]
                if other.v == current.v:
                    continue
                gain = current.cost - other.cost
                gain += balance_penalty * (len(plan.on_volunteer[current.v]) >= 2)
                gain -= balance_penalty * (len(plan.on_volunteer[other.v]) >= 1)
                if gain <= 0:
                    continue
                plan.remove(current)
                if plan.try_add(other):
                    moves, improved, current = moves + 1, True, other
                else:
                    plan.add(current)
    return moves


def upgrade(plan: Plan, weights: list[int], *, deadline: float) -> int:
    """Swap an open request in for a served one of lower priority on the same volunteer (served count kept)."""
    cand, swaps = plan.cand, 0
    for r in sorted(range(len(cand.by_request)), key=lambda r: (-weights[r], r)):
        if time.perf_counter() > deadline:
            break
        if r in plan.pair_of:
            continue
        for index in cand.by_request[r]:
            pair = cand.pairs[index]
            if _swap_in(plan, pair, weights):
                swaps += 1
                break
    return swaps


def _swap_in(plan: Plan, pair: Pair, weights: list[int]) -> bool:
    for other in sorted(plan.on_volunteer[pair.v], key=lambda p: (weights[p.r], p.index)):
        if weights[other.r] >= weights[pair.r]:
            return False
        plan.remove(other)
        if plan.try_add(pair):
            for index in plan.cand.by_request[other.r]:
                if plan.try_add(plan.cand.pairs[index]):
                    break
            return True
        plan.add(other)
    return False
