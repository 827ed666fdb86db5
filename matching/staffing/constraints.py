"""Constraints of the staffing model, one function each (the pair rules are enforced by candidate generation:
a pair that breaks one has no variable)."""

from __future__ import annotations

from matching.staffing.candidates import Candidates, overlapping
from matching.staffing.schema import Instance
from matching.staffing.variables import Variables


def fixed_stay(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """Volunteers already on a session's roster stay on it."""
    for i, pair in enumerate(cand.pairs):
        if pair in cand.fixed:
            vars_.model.add(vars_.x[i] == 1)


def staffing_rule(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """Each session gets its need in volunteers (staffing rule), short only by ``short`` places, never more."""
    for s, session in enumerate(inst.sessions):
        xs = vars_.of_session(cand, s)
        fixed = sum(1 for i in cand.by_session.get(s, []) if cand.pairs[i] in cand.fixed)
        need = max(session.need, fixed)
        vars_.model.add(sum(xs) + vars_.short[s] == need)


def one_place_at_a_time(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """A volunteer staffs at most one of two sessions whose times meet on a day (with the buffer)."""
    pair_index = {pair: i for i, pair in enumerate(cand.pairs)}
    for a, b in overlapping(inst):
        for v in range(len(inst.volunteers)):
            ia, ib = pair_index.get((v, a)), pair_index.get((v, b))
            if ia is None or ib is None:
                continue
            if (v, a) in cand.fixed and (v, b) in cand.fixed:
                continue  # placed by hand on both: kept as the coordination decided
            vars_.model.add_at_most_one([vars_.x[ia], vars_.x[ib]])


def monthly_maximum(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """A volunteer staffs no more sessions in the month than their maximum (hand placements never removed)."""
    for v, volunteer in enumerate(inst.volunteers):
        xs = vars_.of_volunteer(cand, v)
        fixed = sum(1 for i in cand.by_volunteer.get(v, []) if cand.pairs[i] in cand.fixed)
        vars_.model.add(vars_.load[v] == sum(xs))
        vars_.model.add(vars_.load[v] <= max(volunteer.max_sessions, fixed))


def team_link(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """A volunteer staffs a session of a group only as a member of that group's team this month."""
    for i, (v, s) in enumerate(cand.pairs):
        vars_.model.add_implication(vars_.x[i], vars_.team[(v, inst.sessions[s].group)])


def team_size(vars_: Variables, inst: Instance, cand: Candidates) -> None:
    """Redundant, for the bound: a member staffs at most min(group sessions, monthly maximum) of a group's
    sessions, and a group's team has at least as many members as any of its sessions has volunteers."""
    sessions_of: dict = {}
    for s, session in enumerate(inst.sessions):
        sessions_of.setdefault(session.group, []).append(s)
    pairs_of: dict = {}
    for i, (v, s) in enumerate(cand.pairs):
        pairs_of.setdefault((v, inst.sessions[s].group), []).append(i)
    for (v, group), indices in pairs_of.items():
        fixed = sum(1 for i in indices if cand.pairs[i] in cand.fixed)
        cap = max(min(len(indices), inst.volunteers[v].max_sessions), fixed)
        vars_.model.add(sum(vars_.x[i] for i in indices) <= cap * vars_.team[(v, group)])
    members_of: dict = {}
    for (_v, group), member in vars_.team.items():
        members_of.setdefault(group, []).append(member)
    for group, indices in sessions_of.items():
        for s in indices:  # every volunteer on a session is a member of the group's team
            if vars_.of_session(cand, s):
                vars_.model.add(sum(members_of.get(group, [])) >= sum(vars_.of_session(cand, s)))


def at_most(vars_: Variables, expr, value: int) -> None:
    """Keep an earlier stage's proven optimum: ``expr`` may not get worse (minimised terms)."""
    vars_.model.add(expr <= value)


ALL = (fixed_stay, staffing_rule, one_place_at_a_time, monthly_maximum, team_link, team_size)
