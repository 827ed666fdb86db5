"""The variables of the staffing model: one Boolean per candidate pair, one per (volunteer, group) team
membership, the missing places per session and each volunteer's load."""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from matching.staffing.candidates import Candidates
from matching.staffing.schema import Id, Instance


@dataclass
class Variables:
    """Model and its decision variables."""

    model: cp_model.CpModel
    x: list[cp_model.IntVar]  # pair index → volunteer staffs the session
    team: dict[tuple[int, Id], cp_model.IntVar] = field(default_factory=dict)  # (volunteer, group) → member
    short: dict[int, cp_model.IntVar] = field(default_factory=dict)  # session → missing places
    load: dict[int, cp_model.IntVar] = field(default_factory=dict)  # volunteer → sessions this month

    def of_session(self, cand: Candidates, s: int) -> list[cp_model.IntVar]:
        return [self.x[i] for i in cand.by_session.get(s, [])]

    def of_volunteer(self, cand: Candidates, v: int) -> list[cp_model.IntVar]:
        return [self.x[i] for i in cand.by_volunteer.get(v, [])]


def make_variables(inst: Instance, cand: Candidates) -> Variables:
    """Create the pair Booleans, team memberships, shortfalls and loads."""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x_{v}_{s}") for v, s in cand.pairs]
    vars_ = Variables(model=model, x=x)
    for v, s in cand.pairs:
        key = (v, inst.sessions[s].group)
        if key not in vars_.team:
            vars_.team[key] = model.new_bool_var(f"team_{v}_{key[1]}")
    for s, session in enumerate(inst.sessions):
        vars_.short[s] = model.new_int_var(0, session.need, f"short_{s}")
    for v in range(len(inst.volunteers)):
        pairs = cand.by_volunteer.get(v, [])
        vars_.load[v] = model.new_int_var(0, len(pairs), f"load_{v}")
    return vars_
