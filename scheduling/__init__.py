"""Pure scheduling domain: recurrence, due notifications, calendars, week view, cover ranking."""

from scheduling.cover import CoverCandidate, RankedCandidate, rank_cover
from scheduling.due import (
    CertificateStatus,
    DueItem,
    DueKind,
    Recipient,
    WeeklySummary,
    due_certificate_reminders,
    due_confirmation_requests,
    due_escalations,
    due_hours_requests,
    due_reminders,
    marker,
    weekly_summary,
)
from scheduling.grid import CalendarGrid, GridDay, Span, build_calendar, grid_bounds, period_bounds
from scheduling.ical import build_feed
from scheduling.model import BERLIN, Absence, Appointment, Status
from scheduling.recurrence import Conflict, Move, Occurrence, Plan, SkippedDate, generate, reconcile
from scheduling.rules import RuleError, Slot, VisitRule, check_rule, validate_rule
from scheduling.weekview import WeekView, build_week

__all__ = [
    "BERLIN",
    "Absence",
    "Appointment",
    "CalendarGrid",
    "CertificateStatus",
    "Conflict",
    "CoverCandidate",
    "DueItem",
    "DueKind",
    "GridDay",
    "Move",
    "Occurrence",
    "Plan",
    "RankedCandidate",
    "Recipient",
    "RuleError",
    "SkippedDate",
    "Slot",
    "Span",
    "Status",
    "VisitRule",
    "WeekView",
    "WeeklySummary",
    "build_calendar",
    "build_feed",
    "build_week",
    "check_rule",
    "due_certificate_reminders",
    "due_confirmation_requests",
    "due_escalations",
    "due_hours_requests",
    "due_reminders",
    "generate",
    "grid_bounds",
    "marker",
    "period_bounds",
    "rank_cover",
    "reconcile",
    "validate_rule",
    "weekly_summary",
]
