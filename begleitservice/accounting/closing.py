"""Closing a month: its open points with where each one is fixed, the totals per payer, and the record of the
visits a confirmed run left out. The rules themselves are billing.completeness."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import joinedload

from billing.completeness import Problem, ProblemKind, Visit, visit_problems
from billing.money import ZERO
from billing.month import Month
from billing.run import MonthRun

from ..appointments.convert import appointment_volunteer
from ..appointments.links.tokens import external_url
from ..extensions import db
from ..models import Appointment, AppointmentStatus, BillingRun, LeftOutVisit, Pairing, Senior

ENTLASTUNG = "entlastung"


@dataclass(frozen=True)
class OpenPoint:
    """A problem of the month with the page where it is fixed."""

    problem: Problem
    endpoint: str
    values: dict = field(default_factory=dict)
    label: str = ""

    @property
    def url(self) -> str:
        """The link on a page (needs a request)."""
        return url_for(self.endpoint, **self.values)

    @property
    def external_url(self) -> str:
        """The absolute link under BASE_URL (for the CLI)."""
        return external_url(self.endpoint, **self.values)


@dataclass(frozen=True)
class KasseTotal:
    """What the insured of one Pflegekasse are charged to the Entlastungsbetrag and the Umwandlung; ``direct``:
    the part billed to the Kasse itself (Abtretung)."""

    name: str
    entlastungsbetrag: Decimal = ZERO
    umwandlung: Decimal = ZERO
    direct: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.entlastungsbetrag + self.umwandlung


@dataclass(frozen=True)
class PayerTotals:
    entlastungsbetrag: Decimal
    umwandlung: Decimal
    private: Decimal
    per_kasse: tuple[KasseTotal, ...]

    @property
    def total(self) -> Decimal:
        return self.entlastungsbetrag + self.umwandlung + self.private


@dataclass(frozen=True)
class MonthCheck:
    """The preview of a month with its open points."""

    month: Month
    preview: MonthRun
    points: tuple[OpenPoint, ...]
    totals: PayerTotals
    statuses: dict[str, str]  # appointment id (text) → its status now, for the visits that would be left out

    @property
    def is_complete(self) -> bool:
        return not self.points

    @property
    def left_out(self) -> tuple[OpenPoint, ...]:
        return tuple(p for p in self.points if p.problem.leaves_out)

    def summary(self) -> str:
        """German: how many open points, how many visits they leave out."""
        points, left = len(self.points), len(self.left_out)
        text = f"{points} offene{'r' if points == 1 else ''} Punkt{'' if points == 1 else 'e'}"
        if left:
            text += f", davon {left} Termin{'' if left == 1 else 'e'}, die nicht abgerechnet würden"
        return text


def check_month(month: Month, preview: MonthRun, *, today: date) -> MonthCheck:
    """The open points of ``month`` (visits first, then the seniors' billing data) and its totals per payer."""
    appointments = _entlastung_visits(month, today=today)
    visits = [_visit(a) for a in appointments]
    percent = current_app.config["BILLING_DEVIATION_PERCENT"]
    found = visit_problems(visits, deviation_percent=percent)
    by_id = {str(a.id): a for a in appointments}
    points = [_visit_point(p, by_id[p.visit_ref]) for p in found]
    kasse_of = _kasse_ids({int(p.senior_ref) for p in preview.problems})
    points += [_senior_point(p, kasse_of) for p in preview.problems]
    statuses = {p.visit_ref: by_id[p.visit_ref].status for p in found if p.leaves_out}
    return MonthCheck(month, preview, tuple(points), payer_totals(preview), statuses)


def _entlastung_visits(month: Month, *, today: date) -> list[Appointment]:
    """The month's Entlastung visits that were not called off and lie before ``today``."""
    query = (
        sa.select(Appointment)
        .join(Appointment.pairing)
        .where(
            Appointment.on >= month.first_day,
            Appointment.on <= min(month.last_day, today - timedelta(days=1)),
            Appointment.status.in_((*AppointmentStatus.OPEN, AppointmentStatus.STATTGEFUNDEN)),
            Pairing.service == ENTLASTUNG,
        )
        .options(
            joinedload(Appointment.pairing).joinedload(Pairing.volunteer),
            joinedload(Appointment.pairing).joinedload(Pairing.senior),
            joinedload(Appointment.cover_volunteer),
        )
    )
    return list(db.session.scalars(query).unique())


def _visit(appointment: Appointment) -> Visit:
    senior = appointment.pairing.senior
    return Visit(
        ref=str(appointment.id),
        senior_ref=str(senior.id),
        senior_name=senior.name,
        volunteer_name=appointment_volunteer(appointment).name,
        day=appointment.on,
        start=appointment.planned_start,
        end=appointment.planned_end,
        status_label=AppointmentStatus(appointment.status).label,
        held=appointment.status == AppointmentStatus.STATTGEFUNDEN,
        minutes=appointment.actual_minutes,
    )


def _visit_point(problem: Problem, appointment: Appointment) -> OpenPoint:
    values = {"pairing_id": appointment.pairing_id, "appointment_id": appointment.id}
    return OpenPoint(problem, "pairings.edit_appointment", values, "Termin bearbeiten")


def _kasse_ids(senior_ids: set[int]) -> dict[str, int | None]:
    rows = db.session.execute(sa.select(Senior.id, Senior.pflegekasse_id).where(Senior.id.in_(sorted(senior_ids))))
    return {str(sid): kasse_id for sid, kasse_id in rows}


def _senior_point(problem: Problem, kasse_of: dict[str, int | None]) -> OpenPoint:
    kasse_id = kasse_of.get(problem.senior_ref)
    if problem.kind is ProblemKind.IK and kasse_id is not None:
        return OpenPoint(problem, "pflegekassen.edit", {"kasse_id": kasse_id}, "Pflegekasse bearbeiten")
    if problem.kind in (ProblemKind.NOT_ELIGIBLE, ProblemKind.BALANCE):
        return OpenPoint(problem, "budget.detail", {"senior_id": int(problem.senior_ref)}, "Entlastungsbetrag ansehen")
    return OpenPoint(problem, "seniors.edit", {"senior_id": int(problem.senior_ref)}, "Senior:in bearbeiten")


def payer_totals(preview: MonthRun) -> PayerTotals:
    """What the month would charge to the Entlastungsbetrag, the Umwandlung and privately, and per Pflegekasse."""
    e = u = p = ZERO
    kassen: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for result in preview.seniors:
        kasse = result.senior.pflegekasse
        for billed in result.billed:
            split = billed.split
            e, u, p = e + split.entlastungsbetrag, u + split.umwandlung, p + split.private
            if not (split.entlastungsbetrag or split.umwandlung):
                continue
            own = kassen[kasse.name if kasse else "ohne Pflegekasse"]
            own[0] += split.entlastungsbetrag
            own[1] += split.umwandlung
            if billed.to_pflegekasse:
                own[2] += split.entlastungsbetrag + split.umwandlung
    per_kasse = tuple(KasseTotal(name, *figures) for name, figures in sorted(kassen.items()))
    return PayerTotals(e, u, p, per_kasse)


def record_left_out(run: BillingRun, check: MonthCheck) -> None:
    """Store the open points confirmed at closing and one row per visit the run leaves out."""
    run.open_problems = [point.problem.text for point in check.points]
    for point in check.left_out:
        problem = point.problem
        db.session.add(
            LeftOutVisit(
                run=run,
                appointment_id=int(problem.visit_ref),
                reason=problem.kind.value,
                status=check.statuses[problem.visit_ref],
                text=problem.text[:500],
            )
        )
