"""Vorschläge: run the matching, show proposals and unserved requests with reasons, accept or reject."""

import logging

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from matching.progress import STEPS

from ..auth.access import CARE, restrict
from ..budget.operations import budget_warnings
from ..clock import now, today
from ..extensions import db
from ..inputs import query_int, query_page
from ..models import Request, RequestStatus, Senior, Volunteer
from ..models.matching import (
    MatchProposal,
    MatchRejection,
    MatchRun,
    MatchRunStatus,
    MatchUnserved,
    ProposalDecision,
)
from ..pages import cached
from . import runner
from .forms import StartForm, UndoForm, accept_form, reject_form
from .instance import next_monday
from .operations import (
    ALREADY_ACCEPTED,
    LOADING,
    MatchError,
    accept_proposal,
    reject_proposal,
    running_run,
    start_run,
    undo_rejection,
)
from .runner import SAVING
from .texts import status_line, visit_label

log = logging.getLogger(__name__)

bp = Blueprint("matches", __name__, url_prefix="/vorschlaege")
restrict(bp, *CARE)


def _time_limit() -> float:
    return current_app.config["MATCH_TIME_LIMIT_S"]


def _load_run(run_id: int | None) -> MatchRun | None:
    query = sa.select(MatchRun).options(joinedload(MatchRun.started_by))
    if run_id is None:
        return db.session.scalar(query.order_by(MatchRun.id.desc()).limit(1))
    return db.session.scalar(query.where(MatchRun.id == run_id))


def _per_page() -> int:
    return current_app.config["PROPOSALS_PER_PAGE"]


def _proposals(run: MatchRun, page: int):
    """One page of the run's proposals (in the order the engine stored them) with their people."""
    return db.paginate(
        sa.select(MatchProposal)
        .where(MatchProposal.run_id == run.id)
        .options(
            joinedload(MatchProposal.request).joinedload(Request.senior).joinedload(Senior.district),
            joinedload(MatchProposal.volunteer),
            joinedload(MatchProposal.decided_by),
        )
        .order_by(MatchProposal.id),
        page=page,
        per_page=_per_page(),
        error_out=False,
    )


def _unserved(run: MatchRun, page: int):
    """One page of the requests the run left open, with their reasons."""
    return db.paginate(
        sa.select(MatchUnserved)
        .where(MatchUnserved.run_id == run.id)
        .options(joinedload(MatchUnserved.request).joinedload(Request.senior).joinedload(Senior.district))
        .order_by(MatchUnserved.id),
        page=page,
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )


def _page_of(proposal: MatchProposal) -> int:
    """The page of its run's proposals that shows ``proposal``."""
    before = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(MatchProposal)
        .where(MatchProposal.run_id == proposal.run_id, MatchProposal.id < proposal.id)
    )
    return before // _per_page() + 1


def _back(proposal: MatchProposal) -> str:
    """The run's page with ``proposal``'s card, scrolled to it."""
    page = _page_of(proposal)
    return url_for(
        ".detail", run_id=proposal.run_id, page=page if page > 1 else None, _anchor=f"vorschlag-{proposal.id}"
    )


def _render(
    run: MatchRun | None,
    *,
    forms: dict | None = None,
    reject_forms: dict | None = None,
    page: int | None = None,
):
    """The run's page: one page of proposals (``page``, else the query's) and one page of the unserved (``offen``),
    so neither the page nor its cost grows with the number of open requests."""
    latest_id = db.session.scalar(sa.select(sa.func.max(MatchRun.id)))
    default_start = next_monday(today())
    forms = forms or {}
    reject_forms = reject_forms or {}
    proposals = unserved = None
    shown: list[MatchProposal] = []
    if run is not None and run.status == MatchRunStatus.FERTIG:
        proposals = _proposals(run, page or query_page())
        unserved = _unserved(run, query_page("offen"))
        shown = proposals.items
        for proposal in shown:
            forms.setdefault(proposal.id, accept_form(proposal.id, data={"starts_on": default_start}))
            for alt in proposal.alternatives:
                key = (proposal.id, alt["volunteer_id"])
                forms.setdefault(
                    key, accept_form(proposal.id, alternative=alt["volunteer_id"], data={"starts_on": default_start})
                )
            reject_forms.setdefault(proposal.id, reject_form(proposal.id, formdata=None))
    open_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Request).where(Request.status.in_(RequestStatus.OPEN))
    )
    running_for = (
        int((now() - run.started_at).total_seconds()) if run is not None and run.status == MatchRunStatus.LAEUFT else 0
    )
    steps = (LOADING, *STEPS, SAVING)
    step = steps.index(run.progress) + 1 if run is not None and run.progress in steps else 0
    return render_template(
        "matches/index.html",
        run=run,
        proposals=proposals,
        unserved=unserved,
        is_latest=run is None or run.id == latest_id,
        accept_forms=forms,
        reject_forms=reject_forms,
        undo_form=UndoForm(),
        rejections=_rejections(shown),
        alternative_people=_alternative_people(shown),
        start_form=StartForm(),
        open_count=open_count,
        running_for=running_for,
        step=step,
        steps=len(steps),
        time_limit=_time_limit(),
        status_line=status_line,
        visit_label=visit_label,
        budget_warnings=_budget_warnings(shown),
    )


def _alternative_people(shown: list[MatchProposal]) -> dict[int, Volunteer]:
    """The volunteers named as alternatives on these cards, loaded at once."""
    if not shown:
        return {}
    ids = {alt["volunteer_id"] for p in shown for alt in p.alternatives}  # one query, even when empty
    return {v.id: v for v in db.session.scalars(sa.select(Volunteer).where(Volunteer.id.in_(ids)))}


def _rejections(shown: list[MatchProposal]) -> dict[tuple[int, int], MatchRejection]:
    """The team's rejections of these cards' pairs, by (request, volunteer): who, when and why."""
    pairs = [(p.request_id, p.volunteer_id) for p in shown if p.decision == ProposalDecision.ABGELEHNT]
    if not pairs:
        return {}
    found = db.session.scalars(
        sa.select(MatchRejection)
        .options(joinedload(MatchRejection.created_by))
        .where(sa.tuple_(MatchRejection.request_id, MatchRejection.volunteer_id).in_(pairs))
    )
    return {(r.request_id, r.volunteer_id): r for r in found}


def _budget_warnings(shown: list[MatchProposal]) -> dict[int, str]:
    """For open Entlastung proposals: a warning when the senior's Entlastungsbetrag won't cover the new hours."""
    planned = {
        proposal.id: (proposal.request.senior, sum(end - start for _weekday, start, end in proposal.visits))
        for proposal in shown
        if proposal.decision == ProposalDecision.OFFEN and proposal.request.service == "entlastung"
    }
    return budget_warnings(planned, today=today())


@bp.route("/")
@cached
def index():
    """The latest run: its running state, or its proposals and unserved requests."""
    running_run(now=now(), time_limit_s=_time_limit())  # marks a lost run as failed
    db.session.commit()
    return _render(_load_run(None))


@bp.route("/laeufe/<int:run_id>")
@cached
def detail(run_id: int):
    """An earlier run, read-only where it has been replaced."""
    return _render(_load_run(run_id) or abort(404))


@bp.route("/berechnen", methods=["POST"])
def start():
    """Start a run on all open requests, unless one is running (then show that one)."""
    if not StartForm().validate_on_submit():
        abort(400)
    try:
        run, created = start_run(user=current_user._get_current_object(), now=now(), time_limit_s=_time_limit())
        db.session.commit()
    except IntegrityError:  # another click started one at the same moment
        db.session.rollback()
        created = False
    if not created:
        flash(_("Eine Berechnung läuft bereits; hier ist ihr Stand."), "info")
        return redirect(url_for(".index"))
    runner.launch(run.id)
    return redirect(url_for(".index"))


def _proposal(proposal_id: int) -> MatchProposal:
    return db.get_or_404(MatchProposal, proposal_id)


@bp.route("/<int:proposal_id>/annehmen", methods=["POST"])
def accept(proposal_id: int):
    """Accept a proposal: create the pairing from the chosen start, the request becomes "vermittelt"."""
    proposal = _proposal(proposal_id)
    alternative = query_int("alternative")
    form = accept_form(proposal.id, alternative=alternative)
    back = _back(proposal)
    if form.validate_on_submit():
        try:
            pairing = accept_proposal(
                proposal,
                starts_on=form.starts_on.data,
                today=today(),
                user=current_user._get_current_object(),
                alternative=alternative,
            )
            db.session.commit()
        except MatchError as error:
            db.session.rollback()
            if error.field == "decision":  # decided meanwhile (another click): the page shows the outcome
                flash(str(error), "info")
                return redirect(back)
            form.starts_on.errors.append(str(error))
        except IntegrityError:  # the database's one-running-pairing-per-request rule, should a click slip past
            db.session.rollback()
            log.warning("proposal %d: accepted concurrently", proposal_id)
            flash(ALREADY_ACCEPTED, "info")
            return redirect(back)
        else:
            flash(
                _(
                    "Begleitung %(volunteer)s ↔ %(senior)s angelegt.",
                    volunteer=pairing.volunteer.name,
                    senior=pairing.senior.name,
                ),
                "success",
            )
            return redirect(back)
    key = proposal_id if alternative is None else (proposal_id, alternative)
    return _render(_load_run(proposal.run_id), forms={key: form}, page=_page_of(proposal))


@bp.route("/<int:proposal_id>/ablehnen", methods=["POST"])
def reject(proposal_id: int):
    """Reject a proposal with a reason: this pair is not proposed again (until undone), the request is open again."""
    proposal = _proposal(proposal_id)
    form = reject_form(proposal.id)
    if not form.validate_on_submit():
        return _render(_load_run(proposal.run_id), reject_forms={proposal.id: form}, page=_page_of(proposal)), 400
    try:
        reject_proposal(proposal, reason=form.reason.data, user=current_user._get_current_object())
    except MatchError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _(
                (
                    "Vorschlag %(volunteer)s für %(senior)s abgelehnt; dieses Paar wird "
                    "nicht mehr vorgeschlagen. „Ablehnung zurücknehmen“ macht das "
                    "rückgängig."
                ),
                volunteer=proposal.volunteer.name,
                senior=proposal.request.senior.name,
            ),
            "success",
        )
    return redirect(_back(proposal))


@bp.route("/<int:proposal_id>/ablehnung-zuruecknehmen", methods=["POST"])
def undo_reject(proposal_id: int):
    """Take a rejection back: the pair may be proposed again; on the latest run the proposal is open again."""
    proposal = _proposal(proposal_id)
    if not UndoForm().validate_on_submit():
        abort(400)
    try:
        undo_rejection(proposal, user=current_user._get_current_object())
    except MatchError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _(
                "Ablehnung von %(volunteer)s für %(senior)s zurückgenommen.",
                volunteer=proposal.volunteer.name,
                senior=proposal.request.senior.name,
            ),
            "success",
        )
    return redirect(_back(proposal))
