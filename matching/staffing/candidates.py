"""The hard rules for one (volunteer, session) pair, one function each, and the candidate pairs they leave.

Every rule returns the German reason why the volunteer cannot take the session, or None. ``PAIR_RULES`` lists
them all: candidate generation, the reasons for unstaffed sessions and the validator iterate the same tuple.
The app decides beforehand who may do group sessions at all (active, offers the Demenzgruppe, valid
Führungszeugnis: ``begleitservice.rules``) and passes only those volunteers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matching.staffing.schema import Id, Instance, Session, Volunteer


def clash(start: int, end: int, other_start: int, other_end: int, buffer: int) -> bool:
    """Pure copy of ``begleitservice.rules.checks.clash``: two times on one day need ``buffer`` minutes between."""
    return start < other_end + buffer and other_start < end + buffer


def serves_group(v: Volunteer, s: Session, buffer: int) -> str | None:
    """The group is one the volunteer goes to (in their districts, or one they signed up for)."""
    return None if v.groups is None or s.group in v.groups else "nicht für diese Gruppe (Einsatzbezirke)"


def not_declined(v: Volunteer, s: Session, buffer: int) -> str | None:
    """The volunteer has not said "kann nicht" to the session."""
    return "für diesen Termin abgesagt" if s.id in v.declined else None


def within_availability(v: Volunteer, s: Session, buffer: int) -> str | None:
    """The session lies inside the volunteer's weekly availability, unless they said "kann" to it."""
    if s.id in v.accepted:
        return None
    weekday = s.on.weekday()
    if any(w == weekday and a <= s.start and s.end <= b for w, a, b in v.availability):
        return None
    return "zu dieser Zeit nicht verfügbar"


def is_present(v: Volunteer, s: Session, buffer: int) -> str | None:
    """The volunteer is not away on the day of the session."""
    return "an dem Tag abwesend" if any(a <= s.on <= b for a, b in v.absences) else None


def free_of_visits(v: Volunteer, s: Session, buffer: int) -> str | None:
    """The session does not meet a home visit or other commitment of the volunteer that day (with the buffer)."""
    for day, start, end in v.busy:
        if day == s.on and clash(s.start, s.end, start, end, buffer):
            return "zu der Zeit bei einem Besuch"
    return None


PAIR_RULES = (serves_group, not_declined, within_availability, is_present, free_of_visits)


def pair_reasons(v: Volunteer, s: Session, buffer: int) -> list[str]:
    """Every pair rule the volunteer breaks for the session (empty: a candidate)."""
    return [reason for rule in PAIR_RULES if (reason := rule(v, s, buffer))]


@dataclass
class Candidates:
    """The (volunteer, session) pairs that pass every pair rule (or are fixed on the roster already)."""

    pairs: list[tuple[int, int]] = field(default_factory=list)  # (volunteer index, session index)
    fixed: set[tuple[int, int]] = field(default_factory=set)
    by_session: dict[int, list[int]] = field(default_factory=dict)  # session → pair indices
    by_volunteer: dict[int, list[int]] = field(default_factory=dict)

    def add(self, v: int, s: int, *, fixed: bool = False) -> None:
        index = len(self.pairs)
        self.pairs.append((v, s))
        if fixed:
            self.fixed.add((v, s))
        self.by_session.setdefault(s, []).append(index)
        self.by_volunteer.setdefault(v, []).append(index)


def build_candidates(inst: Instance) -> Candidates:
    """All pairs that pass the pair rules, plus the volunteers already on a session's roster."""
    cand = Candidates()
    index_of: dict[Id, int] = {v.id: i for i, v in enumerate(inst.volunteers)}
    for si, session in enumerate(inst.sessions):
        fixed = {index_of[f] for f in session.fixed if f in index_of}
        for vi, volunteer in enumerate(inst.volunteers):
            if vi in fixed:
                cand.add(vi, si, fixed=True)
            elif not pair_reasons(volunteer, session, inst.buffer):
                cand.add(vi, si)
    return cand


def overlapping(inst: Instance) -> list[tuple[int, int]]:
    """Pairs of sessions (indices) on the same day whose times meet within the buffer."""
    by_day: dict = {}
    for i, s in enumerate(inst.sessions):
        by_day.setdefault(s.on, []).append(i)
    found = []
    for indices in by_day.values():
        for a_pos, a in enumerate(indices):
            for b in indices[a_pos + 1 :]:
                sa, sb = inst.sessions[a], inst.sessions[b]
                if clash(sa.start, sa.end, sb.start, sb.end, inst.buffer):
                    found.append((a, b))
    return found
