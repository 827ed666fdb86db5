"""A quick warm start for the solver: teams built group by group, the same volunteers week after week.

It obeys every rule (pair rules by construction of the candidates, one place at a time, monthly maxima, hand
placements kept) and may leave places open that the solver then fills; it only makes the first answers good.
"""

from __future__ import annotations

from collections import defaultdict

from matching.staffing.candidates import Candidates, overlapping
from matching.staffing.schema import Instance


def warm_start(inst: Instance, cand: Candidates) -> set[int]:
    """Pair indices of a greedy roster."""
    pair_index = {pair: i for i, pair in enumerate(cand.pairs)}
    clashes: dict[int, set[int]] = defaultdict(set)
    for a, b in overlapping(inst):
        clashes[a].add(b)
        clashes[b].add(a)
    chosen = {i for i, pair in enumerate(cand.pairs) if pair in cand.fixed}
    taken: dict[int, set[int]] = defaultdict(set)  # volunteer → sessions
    for i in chosen:
        v, s = cand.pairs[i]
        taken[v].add(s)
    by_group: dict = defaultdict(list)
    for s, session in enumerate(inst.sessions):
        by_group[session.group].append(s)
    order = sorted(by_group, key=lambda g: sum(len(cand.by_session.get(s, [])) for s in by_group[g]))
    for group in order:
        team: list[int] = []
        for s in sorted(by_group[group], key=lambda s: (inst.sessions[s].on, inst.sessions[s].start)):
            on_it = {cand.pairs[i][0] for i in cand.by_session.get(s, []) if i in chosen}
            free = inst.sessions[s].need - len(on_it)
            options = []
            for i in cand.by_session.get(s, []):
                v = cand.pairs[i][0]
                if v in on_it or len(taken[v]) >= inst.volunteers[v].max_sessions or taken[v] & clashes[s]:
                    continue
                regular = inst.volunteers[v].history.get(group, 0)
                options.append((v not in team, -regular, len(taken[v]), v))
            for _new, _regular, _load, v in sorted(options)[: max(free, 0)]:
                chosen.add(pair_index[(v, s)])
                taken[v].add(s)
                if v not in team:
                    team.append(v)
    return chosen
