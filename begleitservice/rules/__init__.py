"""The placing rules of the service, in one place: every entry point asks here, nothing decides on its own.

- ``check_placement`` — may this volunteer take this weekly Begleitung? Manual create and edit
  (``pairings.operations``), accepting a proposal (``matches.operations``).
- ``check_visit`` / ``check_visits`` — may this volunteer make this one dated visit? One-off visits
  (``appointments.operations.add_one_off``, time rules only), stand-in candidates and their acceptance
  (``appointments.cover``).
- ``check_visit(..., rules=GROUP_SESSION_RULES)`` — may this volunteer be on a Demenzgruppe session's roster
  (``groups.operations``)? Group sessions on rosters count as dated commitments (``commitments.load``), so a home
  visit at the same time is refused too, and the staffing proposal gets them as busy times.
- the single rules in ``checks`` (``clash``, ``qualification_error``, ``certificate_error``,
  ``senior_service_error``) for the matching instance (``matches.instance``), the volunteer form and import
  (``volunteers.operations``), request forms (``requests.operations``) and the demo data (``cli.demo_plan``).
  The ``matching`` package keeps its own pure copy for the solver and its solver-free validator.

Hard rules always block. Soft rules block unless a coordinator ticks an override and gives a reason, which is stored
on the Begleitung (``enforce``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app

from .. import clock
from ..models import Volunteer
from . import commitments as commitments_
from .checks import (
    GROUP_SESSION_RULES,
    PLACEMENT_RULES,
    QUALIFICATION_RULES,
    TIME_RULES,
    VISIT_RULES,
    Context,
    Placement,
    Violation,
    Visit,
    certificate_error,
    clash,
    qualification_error,
    senior_service_error,
)
from .commitments import Commitments, week_of
from .seniors import grade_change_error

__all__ = [
    "GROUP_SESSION_RULES",
    "PLACEMENT_RULES",
    "QUALIFICATION_RULES",
    "SOFT_RULE_LABELS",
    "TIME_RULES",
    "VISIT_RULES",
    "Commitments",
    "Context",
    "Override",
    "Placement",
    "RuleError",
    "Violation",
    "Visit",
    "certificate_error",
    "check_placement",
    "check_visit",
    "check_visits",
    "clash",
    "context",
    "enforce",
    "grade_change_error",
    "load_commitments",
    "qualification_error",
    "senior_service_error",
    "wishes",
]

SOFT_RULE_LABELS = {
    "district": "Stadtbezirk",
    "availability": "Verfügbarkeit",
    "capacity": "Kapazität",
    "language": "Sprache",
    "gender": "Geschlechtswunsch",
}


class RuleError(ValueError):
    """The case breaks rules that are not overridden: ``violations`` holds them, the message joins their texts."""

    def __init__(self, violations: Sequence[Violation]):
        super().__init__(" ".join(v.message for v in violations))
        self.violations = list(violations)

    @property
    def overridable(self) -> bool:
        """Only soft rules are broken: a coordinator may save anyway with a reason."""
        return all(not v.hard for v in self.violations)


@dataclass(frozen=True)
class Override:
    """A coordinator's decision to save despite the soft rules, with the reason that is stored and shown."""

    reason: str
    rules: frozenset[str] = frozenset()  # soft rules overridden before (kept on an edit without a new tick)
    confirmed: bool = False  # the tick: every soft rule broken now is overridden


def wishes(senior, request=None) -> dict:
    """The languages and gender wished for the volunteer: the request's, else the senior's own."""
    languages = (request.language_list if request is not None else None) or senior.language_list
    gender = (request.volunteer_gender if request is not None else None) or senior.preferred_volunteer_gender
    return {"languages": tuple(languages), "gender": gender}


def context() -> Context:
    """The rules' context from the app: today by the app's clock, the travel buffer and certificate period."""
    config = current_app.config
    return Context(
        today=clock.today(),
        buffer=config["TRAVEL_BUFFER_MINUTES"],
        certificate_years=config["FUEHRUNGSZEUGNIS_MAX_YEARS"],
    )


def load_commitments(volunteers: Iterable[Volunteer], *, since, until=None, dated=True) -> dict[int, Commitments]:
    """What each volunteer has taken on from ``since`` (dated visits up to ``until``, none when ``dated`` is off;
    see ``rules.commitments``)."""
    return commitments_.load(list(volunteers), since=since, until=until, dated=dated)


def check_placement(
    placement: Placement, *, rules=PLACEMENT_RULES, ctx: Context | None = None, commitments: Commitments | None = None
) -> list[Violation]:
    """Every rule the weekly Begleitung breaks (empty when it may be saved as it is)."""
    ctx = ctx or context()
    if commitments is None:
        since = placement.first_day(ctx.today)
        commitments = load_commitments([placement.volunteer], since=since).get(
            placement.volunteer.id, Commitments(placement.volunteer.id)
        )
    return [violation for rule in rules for violation in rule(placement, commitments, ctx)]


def check_visit(
    visit: Visit, *, rules=VISIT_RULES, ctx: Context | None = None, commitments: Commitments | None = None
) -> list[Violation]:
    """Every rule the dated visit breaks (empty when the volunteer may make it)."""
    ctx = ctx or context()
    if commitments is None:
        monday, sunday = week_of(visit.on)
        commitments = load_commitments([visit.volunteer], since=monday, until=sunday).get(
            visit.volunteer.id, Commitments(visit.volunteer.id)
        )
    return [violation for rule in rules for violation in rule(visit, commitments, ctx)]


def check_visits(visits: Sequence[Visit], *, rules=VISIT_RULES) -> list[list[Violation]]:
    """``check_visit`` for many volunteers at once (their commitments loaded together)."""
    ctx = context()
    if not visits:
        return []
    first, last = week_of(min(v.on for v in visits))[0], week_of(max(v.on for v in visits))[1]
    loaded = load_commitments([v.volunteer for v in visits], since=first, until=last)
    return [
        check_visit(v, rules=rules, ctx=ctx, commitments=loaded.get(v.volunteer.id, Commitments(v.volunteer.id)))
        for v in visits
    ]


def enforce(violations: Sequence[Violation], *, override: Override | None = None) -> list[Violation]:
    """Raise RuleError unless only soft rules are broken and each is overridden; return the overridden ones.

    A soft rule counts as overridden when the coordinator ticked the override now (with a reason), or when it was
    already overridden on this Begleitung before (``override.rules``) and the reason still stands.
    """
    hard = [v for v in violations if v.hard]
    soft = [v for v in violations if not v.hard]
    if hard:
        raise RuleError(hard + soft)
    if not soft:
        return []
    reason = (override.reason if override else "").strip()
    accepted = override is not None and reason and (override.confirmed or {v.rule for v in soft} <= override.rules)
    if not accepted:
        raise RuleError(soft)
    return soft
