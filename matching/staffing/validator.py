"""Check a staffing solution against the instance WITHOUT the solver: the pair rules of ``PAIR_RULES`` and every
rule across pairs (one place at a time, monthly maximum, staffing rule unless reported unstaffed)."""

from __future__ import annotations

from collections import defaultdict

from matching.staffing.candidates import clash, pair_reasons
from matching.staffing.schema import Instance, Solution


def validate(inst: Instance, sol: Solution) -> list[str]:
    """Return the broken rules (empty when the solution is valid)."""
    errors: list[str] = []
    sessions = {s.id: s for s in inst.sessions}
    volunteers = {v.id: v for v in inst.volunteers}
    short = {u.session: u.missing for u in sol.unstaffed}
    mine: dict = defaultdict(list)
    for sid, vids in sol.roster.items():
        session = sessions.get(sid)
        if session is None:
            errors.append(f"session {sid!r}: unknown")
            continue
        if len(set(vids)) != len(vids):
            errors.append(f"session {sid!r}: a volunteer twice")
        for vid in vids:
            volunteer = volunteers.get(vid)
            if volunteer is None:
                errors.append(f"session {sid!r}: unknown volunteer {vid!r}")
                continue
            mine[vid].append(session)
            if vid in session.fixed:
                continue  # placed by hand: kept as the coordination decided
            for reason in pair_reasons(volunteer, session, inst.buffer):
                errors.append(f"session {sid!r} / volunteer {vid!r}: {reason}")
    for session in inst.sessions:
        staffed = len(sol.roster.get(session.id, []))
        if staffed + short.get(session.id, 0) < session.need:
            errors.append(f"session {session.id!r}: {staffed} of {session.need} volunteers and not reported short")
        for fixed in session.fixed:
            if fixed not in sol.roster.get(session.id, []):
                errors.append(f"session {session.id!r}: volunteer {fixed!r} on the roster was removed")
    for vid, taken in mine.items():
        volunteer = volunteers[vid]
        placed_by_hand = sum(1 for s in taken if vid in s.fixed)
        if len(taken) > max(volunteer.max_sessions, placed_by_hand):
            errors.append(f"volunteer {vid!r}: {len(taken)} sessions, maximum {volunteer.max_sessions}")
        for i, a in enumerate(taken):
            for b in taken[i + 1 :]:
                both_fixed = vid in a.fixed and vid in b.fixed
                if a.on == b.on and not both_fixed and clash(a.start, a.end, b.start, b.end, inst.buffer):
                    errors.append(f"volunteer {vid!r}: sessions {a.id!r} and {b.id!r} at the same time")
    return errors
