"""Progress: a solve names each of its steps, in order, to whoever asks (the app shows them while a run computes)."""

import matching
from matching.progress import STEPS
from matching.schema import Instance
from tests.matching.match_factories import instance, request, volunteer


def test_solve_reports_every_step_in_order():
    heard = []
    data = instance([volunteer("anna", districts=["Eving"])], [request(1)])
    solution = matching.solve(Instance.from_dict(data), progress=heard.append)
    assert heard == list(STEPS)
    assert solution.served == 1
