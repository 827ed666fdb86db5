"""The data model: one module per entity, all importable from here."""

from ..extensions import db
from .base import GENDERS, SERVICES, WEEKDAYS
from .budget import BudgetOpening, BudgetOtherUse, PflegegradPeriod, UmwandlungDeclaration  # noqa: F401
from .district import District, Sozialraum
from .invoicing import BilledVisit, BillingRun, Invoice, InvoiceCounter, LeistungsnachweisDocument  # noqa: F401
from .matching import MatchProposal, MatchRejection, MatchRun, MatchUnserved  # noqa: F401
from .names import install_trigram_extension
from .pairing import APPOINTMENT_STATUSES, PAIRING_STATUSES, Appointment, Pairing, PairingSlot
from .pflegekasse import Pflegekasse
from .privacy import PrivacyEvent  # noqa: F401
from .request import REQUEST_STATUSES, URGENCIES, Request, RequestStatusChange, RequestWindow
from .scheduling import AppointmentAlert, NotificationMarker, OutboxMessage, UsedLink
from .senior import SENIOR_STATUSES, Senior
from .user import ROLES, User
from .volunteer import VOLUNTEER_STATUSES, Volunteer, VolunteerAbsence, VolunteerAvailability

install_trigram_extension(db.metadata)

__all__ = [
    "APPOINTMENT_STATUSES",
    "GENDERS",
    "PAIRING_STATUSES",
    "REQUEST_STATUSES",
    "ROLES",
    "SENIOR_STATUSES",
    "SERVICES",
    "URGENCIES",
    "VOLUNTEER_STATUSES",
    "WEEKDAYS",
    "Appointment",
    "AppointmentAlert",
    "District",
    "NotificationMarker",
    "OutboxMessage",
    "Pairing",
    "PairingSlot",
    "Pflegekasse",
    "Request",
    "RequestStatusChange",
    "RequestWindow",
    "Senior",
    "Sozialraum",
    "UsedLink",
    "User",
    "Volunteer",
    "VolunteerAbsence",
    "VolunteerAvailability",
]
