"""German reasons why a session stays short: what keeps each volunteer who does group sessions away from it."""

from __future__ import annotations

from collections import Counter

from matching.staffing.candidates import clash, pair_reasons
from matching.staffing.schema import Id, Instance


def unstaffed_reasons(inst: Instance, s: int, roster: dict[Id, list[Id]]) -> list[str]:
    """Counted reasons over all volunteers not on the session: pair rules, monthly maximum, another session."""
    session = inst.sessions[s]
    on_it = set(roster.get(session.id, []))
    counts: Counter[str] = Counter()
    by_id = {x.id: x for x in inst.sessions}
    for v in inst.volunteers:
        if v.id in on_it:
            continue
        broken = pair_reasons(v, session, inst.buffer)
        if broken:
            counts[broken[0]] += 1
            continue
        mine = [by_id[sid] for sid, vols in roster.items() if v.id in vols]
        if any(o.on == session.on and clash(o.start, o.end, session.start, session.end, inst.buffer) for o in mine):
            counts["zur selben Zeit in einer anderen Gruppe eingeteilt"] += 1
        elif len(mine) >= v.max_sessions:
            counts["Monatsmaximum an Gruppenterminen erreicht"] += 1
        else:
            counts["frei, aber nicht eingeteilt (Berechnung nicht bis zum Beweis gelaufen)"] += 1
    if not inst.volunteers:
        return ["Keine Ehrenamtlichen für Demenzgruppen eingetragen."]
    return [f"{reason}: {n} Ehrenamtliche" for reason, n in counts.most_common()]
