"""State changes of matching: start a run, store its proposals, accept or reject a proposal.

Every function takes model objects, flushes and never commits: the view, the CLI command or the run worker commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa

import matching

from .. import clock
from ..database import lock
from ..extensions import db
from ..inputs import date_error
from ..models import REQUEST_STATUSES, Pairing, Request, RequestStatus, User, Volunteer
from ..models.matching import (
    DECISIONS,
    MatchProposal,
    MatchRejection,
    MatchRun,
    MatchRunStatus,
    MatchUnserved,
    ProposalDecision,
)
from ..pairings.operations import PairingError, PairingRuleError, create_pairing
from ..requests.operations import change_status
from .instance import BuiltInstance, build_instance, engine_settings

log = logging.getLogger(__name__)

# A run still "läuft" after its time limit plus this much is taken as lost (the web process was restarted).
STALE_GRACE_SECONDS = 120


class MatchError(ValueError):
    """A run or a decision cannot be carried out; the message is German and names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def running_run(*, now: datetime, time_limit_s: float) -> MatchRun | None:
    """The run that is computing now, if any; a run left "läuft" long past its time limit is marked failed."""
    run = db.session.scalar(sa.select(MatchRun).where(MatchRun.status == MatchRunStatus.LAEUFT))
    if run is None:
        return None
    if now - run.started_at > timedelta(seconds=time_limit_s + STALE_GRACE_SECONDS):
        fail_run(run, "Die Berechnung wurde unterbrochen (Server neu gestartet?). Bitte neu starten.", now=now)
        return None
    return run


def start_run(*, user: User | None, now: datetime, time_limit_s: float) -> tuple[MatchRun, bool]:
    """A new run in status "läuft", or the one already running (then ``False``): one run at a time."""
    if (current := running_run(now=now, time_limit_s=time_limit_s)) is not None:
        return current, False
    run = MatchRun(status=MatchRunStatus.LAEUFT, started_at=now, started_by=user, notes=[])
    db.session.add(run)
    db.session.flush()
    log.info("match run %s started by %s", run.id, user.id if user else "cli")
    return run, True


def fail_run(run: MatchRun, message: str, *, now: datetime | None = None) -> MatchRun:
    """Record that ``run`` failed, with a German message for the page."""
    run.status, run.error, run.finished_at = MatchRunStatus.FEHLER, message[:500], now or clock.now()
    db.session.flush()
    log.warning("match run %s failed: %s", run.id, message)
    return run


LOADING = "Anfragen und Ehrenamtliche werden geladen"


def compute(
    *, today: date, time_limit_s: float | None = None, progress: Callable[[str], None] | None = None
) -> tuple[BuiltInstance, matching.Solution]:
    """Build the instance from the database and solve it; refuse a solution that breaks a hard rule. ``progress``
    hears each step (German) as it begins."""
    if progress:
        progress(LOADING)
    built = build_instance(today=today, settings=engine_settings(time_limit_s=time_limit_s))
    solution = matching.solve(built.instance, progress=progress)
    problems = matching.validate(built.instance, solution)
    if problems:
        log.error("matching produced an invalid solution: %s", problems)
        raise MatchError("run", "Der Vorschlag verletzt Regeln der Vermittlung und wurde verworfen: " + problems[0])
    return built, solution


def store_solution(run: MatchRun, built: BuiltInstance, solution: matching.Solution, *, now: datetime) -> MatchRun:
    """Save proposals and unserved requests of ``run``; earlier open proposals are replaced; statuses follow."""
    user = run.started_by
    older = db.session.scalars(
        sa.select(MatchProposal).where(MatchProposal.decision == ProposalDecision.OFFEN, MatchProposal.run_id != run.id)
    ).all()
    proposed = {a.request for a in solution.assignments}
    for proposal in older:
        proposal.decision, proposal.decided_at = ProposalDecision.ERSETZT, now
        request = proposal.request
        if request.status == RequestStatus.VORGESCHLAGEN and request.id not in proposed:
            change_status(
                request, RequestStatus.OFFEN, user=user, note="Neue Berechnung ohne Vorschlag für diese Anfrage"
            )
    for assignment in solution.assignments:
        request = built.requests[assignment.request]
        reasons = list(assignment.reasons)
        if note := built.absence_notes.get(assignment.volunteer):
            reasons.append(note)
        run.proposals.append(
            MatchProposal(
                request=request,
                volunteer=built.volunteers[assignment.volunteer],
                visits=[[v.weekday, v.start, v.end] for v in assignment.visits],
                reasons=reasons,
                alternatives=[
                    {
                        "volunteer_id": built.volunteers[alt.volunteer].id,
                        "visits": [[v.weekday, v.start, v.end] for v in alt.visits],
                        "reasons": alt.reasons,
                    }
                    for alt in assignment.alternatives
                ],
            )
        )
        if request.status == RequestStatus.OFFEN:
            change_status(request, RequestStatus.VORGESCHLAGEN, user=user, note=f"Vorschlag aus Berechnung {run.id}")
    for unserved in solution.unserved:
        run.unserved.append(
            MatchUnserved(
                request=built.requests[unserved.request],
                reasons=list(unserved.reasons),
                reason_codes=list(unserved.reason_codes),
            )
        )
    run.status, run.finished_at, run.error = MatchRunStatus.FERTIG, now, None
    run.solver_status, run.wall_s = solution.status, solution.wall_s
    run.served, run.served_bound, run.served_proven = solution.served, solution.served_bound, solution.served_proven
    run.requests_count, run.volunteers_count = len(built.requests), len(built.volunteers)
    run.notes = list(built.notes)
    db.session.flush()
    log.info("match run %s: %s, %d of %d served", run.id, solution.status, solution.served, len(built.requests))
    return run


ALREADY_ACCEPTED = "Dieser Vorschlag wurde bereits angenommen."


def _check_open(proposal: MatchProposal) -> None:
    if proposal.decision == ProposalDecision.ANGENOMMEN:
        raise MatchError("decision", ALREADY_ACCEPTED)
    if proposal.decision != ProposalDecision.OFFEN:
        raise MatchError("decision", f"Über diesen Vorschlag ist schon entschieden: {DECISIONS[proposal.decision]}.")
    _check_request_open(proposal)


def _check_request_open(proposal: MatchProposal, *, then: str = "") -> None:
    if proposal.request.status not in RequestStatus.OPEN:
        raise MatchError(
            "decision",
            f"Die Anfrage von {proposal.request.senior.name} ist nicht mehr offen "
            f"(Status „{REQUEST_STATUSES[proposal.request.status]}“){then}.",
        )


def accept_proposal(
    proposal: MatchProposal, *, starts_on: date, today: date, user: User | None, alternative: int | None = None
) -> Pairing:
    """Create the pairing with the proposed weekly slots from ``starts_on``; the request becomes "vermittelt".

    ``alternative``: the volunteer id of one of the proposal's alternatives, taken instead (with its visits).

    Two clicks at once (a double-click, two coordinators) make one pairing: the request, the proposal and the
    volunteer are locked and read afresh before deciding, so the later click sees the first one's outcome.
    """
    lock(Request, proposal.request_id)  # also serialises a Begleitung created by hand from the same request
    lock(MatchProposal, proposal.id)
    _check_open(proposal)
    if starts_on < today:
        raise MatchError("starts_on", "Der Beginn darf nicht in der Vergangenheit liegen.")
    if message := date_error(starts_on, "plan", today=today):
        raise MatchError("starts_on", message)
    request = proposal.request
    volunteer, visits = proposal.volunteer, proposal.visits
    if alternative is not None:
        chosen = next((a for a in proposal.alternatives if a["volunteer_id"] == alternative), None)
        if chosen is None:
            raise MatchError("decision", "Diese Alternative gehört nicht zu diesem Vorschlag.")
        volunteer, visits = db.session.get(Volunteer, alternative), chosen["visits"]
    try:
        pairing = create_pairing(
            volunteer=volunteer,
            senior=request.senior,
            service=request.service,
            slots=[tuple(visit) for visit in visits],
            starts_on=starts_on,
            request=request,
            user=user,
        )
    except PairingRuleError as error:  # the volunteer took on something since the run
        hint = " Sie können die Begleitung unter „Neue Begleitung“ mit Begründung trotzdem anlegen."
        raise MatchError("starts_on", str(error) + (hint if error.overridable else "")) from error
    except PairingError as error:
        raise MatchError("starts_on", str(error)) from error
    proposal.decision, proposal.decided_at, proposal.decided_by, proposal.pairing = (
        ProposalDecision.ANGENOMMEN,
        clock.now(),
        user,
        pairing,
    )
    db.session.flush()
    log.info("proposal %s accepted: pairing %s", proposal.id, pairing.id)
    return pairing


def reject_proposal(proposal: MatchProposal, *, reason: str, user: User | None) -> MatchRejection:
    """Never propose this volunteer for this request again (until undone); a "vorgeschlagen" request goes back to
    "offen". ``reason`` is the team's short explanation, shown with the rejection."""
    lock(Request, proposal.request_id)  # in the same order as accept_proposal: one decision wins
    lock(MatchProposal, proposal.id)
    _check_open(proposal)
    rejection = db.session.scalar(
        sa.select(MatchRejection).where(
            MatchRejection.request_id == proposal.request_id, MatchRejection.volunteer_id == proposal.volunteer_id
        )
    )
    if rejection is None:
        rejection = MatchRejection(request=proposal.request, volunteer=proposal.volunteer, created_by=user)
        db.session.add(rejection)
    rejection.reason = reason.strip()[:300]
    proposal.decision, proposal.decided_at, proposal.decided_by = ProposalDecision.ABGELEHNT, clock.now(), user
    if proposal.request.status == RequestStatus.VORGESCHLAGEN:
        change_status(
            proposal.request,
            RequestStatus.OFFEN,
            user=user,
            note=f"Vorschlag {proposal.volunteer.name} abgelehnt: {reason.strip()}"[:200],
        )
    db.session.flush()
    log.info("proposal %s rejected", proposal.id)
    return rejection


def undo_rejection(proposal: MatchProposal, *, user: User | None) -> None:
    """Take a rejection back: the pair may be proposed again and this proposal is open for a decision again.

    Only while the request is still open: once it is placed, the rejection no longer matters.
    """
    lock(Request, proposal.request_id)  # the same order as accept and reject
    lock(MatchProposal, proposal.id)
    if proposal.decision != ProposalDecision.ABGELEHNT:
        raise MatchError("decision", f"Dieser Vorschlag ist nicht abgelehnt ({DECISIONS[proposal.decision]}).")
    _check_request_open(proposal, then="; die Ablehnung bleibt bestehen")
    db.session.execute(
        sa.delete(MatchRejection).where(
            MatchRejection.request_id == proposal.request_id, MatchRejection.volunteer_id == proposal.volunteer_id
        )
    )
    latest = db.session.scalar(sa.select(sa.func.max(MatchRun.id)))
    if proposal.run_id != latest:  # a newer run has been computed since: the pair may come up there next time
        proposal.decision, proposal.decided_at, proposal.decided_by = ProposalDecision.ERSETZT, clock.now(), user
        db.session.flush()
        return
    proposal.decision, proposal.decided_at, proposal.decided_by = ProposalDecision.OFFEN, None, None
    if proposal.request.status == RequestStatus.OFFEN:
        change_status(
            proposal.request,
            RequestStatus.VORGESCHLAGEN,
            user=user,
            note=f"Ablehnung von {proposal.volunteer.name} zurückgenommen"[:200],
        )
    db.session.flush()
    log.info("proposal %s: rejection undone", proposal.id)
