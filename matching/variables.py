"""The variables of the CP-SAT model: one Boolean per feasible (request, volunteer) pair, plus load helpers.

Weekdays and start times are not variables: all objective terms depend on the pairs only, and a volunteer's
timetable is checked exactly outside the model (matching.schedule); what cannot be timetabled is cut off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from matching.candidates import Candidates
from matching.schema import Instance

logger = logging.getLogger(__name__)


@dataclass
class Variables:
    """Model and its decision variables."""

    model: cp_model.CpModel
    x: list[cp_model.IntVar]
    extra_seniors: dict[int, cp_model.IntVar] = field(default_factory=dict)

    def pairs_of_request(self, cand: Candidates, r: int) -> list[cp_model.IntVar]:
        return [self.x[i] for i in cand.by_request[r]]

    def pairs_of_volunteer(self, cand: Candidates, v: int) -> list[cp_model.IntVar]:
        return [self.x[i] for i in cand.by_volunteer[v]]


def make_variables(inst: Instance, cand: Candidates) -> Variables:
    """Create one Boolean per candidate pair."""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x_{p.r}_{p.v}") for p in cand.pairs]
    logger.info("model: %d pair variables", len(x))
    return Variables(model=model, x=x)
