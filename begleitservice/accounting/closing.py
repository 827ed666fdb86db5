"""Closing a month: its open points with where each one is fixed, the totals per payer, and the record of the
visits a confirmed run left out. The rules themselves are billing.completeness."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import aliased

from billing.completeness import Problem, ProblemKind, Visit, visit_problems
from billing.money import ZERO
from billing.month import Month
from billing.run import MonthRun

from ..appointments.links.tokens import external_url
from ..extensions import db
from ..models import Appointment, AppointmentStatus, BillingRun, LeftOutVisit, Pairing, Senior, Volunteer

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
    rows = {str(row.id): row for row in _entlastung_visits(month, today=today)}
    percent = current_app.config["BILLING_DEVIATION_PERCENT"]
    found = visit_problems((_visit(row) for row in rows.values()), deviation_percent=percent)
    points = [_visit_point(p, rows[p.visit_ref]) for p in found]
    kasse_of = _kasse_ids({int(p.senior_ref) for p in preview.problems})
    points += [_senior_point(p, kasse_of) for p in preview.problems]
    statuses = {p.visit_ref: rows[p.visit_ref].status for p in found if p.leaves_out}
    return MonthCheck(month, preview, tuple(points), payer_totals(preview), statuses)


def _entlastung_visits(month: Month, *, today: date) -> list[sa.Row]:
    """The month's Entlastung visits that were not called off and lie before ``today``: the columns the check
    reads (plain rows: at 10x size loading them as objects took most of the check's time)."""
    cover = aliased(Volunteer)
    query = (
        sa.select(
            Appointment.id,
            Appointment.pairing_id,
            Appointment.on,
            Appointment.planned_start,
            Appointment.planned_end,
            Appointment.status,
            Appointment.actual_minutes,
            Senior.id.label("senior_id"),
            Senior.first_name.label("senior_first"),
            Senior.last_name.label("senior_last"),
            sa.func.coalesce(cover.first_name, Volunteer.first_name).label("volunteer_first"),
            sa.func.coalesce(cover.last_name, Volunteer.last_name).label("volunteer_last"),
        )
        .select_from(Appointment)
        .join(Appointment.pairing)
        .join(Pairing.senior)
        .join(Pairing.volunteer)
        .outerjoin(cover, Appointment.cover_volunteer_id == cover.id)
        .where(
            Appointment.on >= month.first_day,
            Appointment.on <= min(month.last_day, today - timedelta(days=1)),
            Appointment.status.in_((*AppointmentStatus.OPEN, AppointmentStatus.STATTGEFUNDEN)),
            Pairing.service == ENTLASTUNG,
        )
    )
    return list(db.session.execute(query))


def _visit(row: sa.Row) -> Visit:
    return Visit(
        ref=str(row.id),
        senior_ref=str(row.senior_id),
        senior_name=f"{row.senior_first} {row.senior_last}",
        volunteer_name=f"{row.volunteer_first} {row.volunteer_last}",
        day=row.on,
        start=row.planned_start,
        end=row.planned_end,
        status_label=AppointmentStatus(row.status).label,
        held=row.status == AppointmentStatus.STATTGEFUNDEN,
        minutes=row.actual_minutes,
    )


def _visit_point(problem: Problem, row: sa.Row) -> OpenPoint:
    values = {"pairing_id": row.pairing_id, "appointment_id": row.id}
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
