"""The data model: one module per entity, all importable from here."""

from ..extensions import db
from .audit import AuditEvent
from .base import GENDERS, SERVICES, WEEKDAYS
from .budget import (  # noqa: F401
    AbtretungPeriod,
    BudgetOpening,
    BudgetOtherUse,
    LivingSituation,
    PflegegradPeriod,
    UmwandlungDeclaration,
)
from .cache import CacheGeneration  # noqa: F401
from .contact import CONTACT_CHANNELS, ContactChannel, ContactEntry
from .district import District, Sozialraum, SozialraumPopulation
from .group import (  # noqa: F401
    ATTENDANCES,
    PARTICIPANT_STATUSES,
    PRICE_UNITS,
    SESSION_STATUSES,
    Attendance,
    DementiaGroup,
    GroupAttendance,
    GroupClosure,
    GroupParticipant,
    GroupPrice,
    GroupRosterEntry,
    GroupSession,
    GroupStaffingAnswer,
    ParticipantStatus,
    PriceUnit,
    RosterSource,
    SessionStatus,
    StaffingAnswer,
)
from .inbox import (  # noqa: F401
    BudgetLapse,
    CoordinatorEvent,
    Delivery,
    InboxItemState,
    NotificationKind,
    NotificationSetting,
)
from .invoicing import (  # noqa: F401
    BilledVisit,
    BillingJob,
    BillingJobStatus,
    BillingRun,
    Invoice,
    InvoiceCounter,
    LeftOutVisit,
    LeistungsnachweisDocument,
    PendingCorrection,
)
from .matching import MatchProposal, MatchRejection, MatchRun, MatchRunStatus, MatchUnserved, ProposalDecision
from .names import install_trigram_extension
from .pairing import (
    APPOINTMENT_STATUSES,
    PAIRING_END_REASONS,
    PAIRING_STATUSES,
    Appointment,
    AppointmentStatus,
    Pairing,
    PairingEndReason,
    PairingSlot,
    PairingStatus,
)
from .pflegekasse import Pflegekasse
from .privacy import PrivacyEvent  # noqa: F401
from .provider import RATE_KINDS, BillingRate, ProviderVersion, RateKind  # noqa: F401
from .request import REQUEST_STATUSES, URGENCIES, Request, RequestStatus, RequestStatusChange, RequestWindow
from .scheduling import (  # noqa: F401
    AlertKind,
    AppointmentAlert,
    CoverOffer,
    CoverOfferStatus,
    NotificationMarker,
    OutboxMessage,
    OutboxStatus,
    UsedLink,
)
from .senior import SENIOR_STATUSES, Senior, SeniorStatus
from .signature import MonthSignature
from .submission import FormSubmission
from .user import ROLES, RecoveryCode, User
from .volunteer import VOLUNTEER_STATUSES, Volunteer, VolunteerAbsence, VolunteerAvailability, VolunteerStatus

install_trigram_extension(db.metadata)


__all__ = [
    "APPOINTMENT_STATUSES",
    "CONTACT_CHANNELS",
    "GENDERS",
    "PAIRING_END_REASONS",
    "PAIRING_STATUSES",
    "REQUEST_STATUSES",
    "ROLES",
    "SENIOR_STATUSES",
    "SERVICES",
    "URGENCIES",
    "VOLUNTEER_STATUSES",
    "WEEKDAYS",
    "AlertKind",
    "Appointment",
    "AppointmentAlert",
    "AppointmentStatus",
    "AuditEvent",
    "ContactChannel",
    "ContactEntry",
    "CoverOfferStatus",
    "District",
    "FormSubmission",
    "MatchProposal",
    "MatchRejection",
    "MatchRun",
    "MatchRunStatus",
    "MatchUnserved",
    "MonthSignature",
    "NotificationMarker",
    "OutboxMessage",
    "OutboxStatus",
    "Pairing",
    "PairingEndReason",
    "PairingSlot",
    "PairingStatus",
    "Pflegekasse",
    "ProposalDecision",
    "RecoveryCode",
    "Request",
    "RequestStatus",
    "RequestStatusChange",
    "RequestWindow",
    "Senior",
    "SeniorStatus",
    "Sozialraum",
    "SozialraumPopulation",
    "UsedLink",
    "User",
    "Volunteer",
    "VolunteerAbsence",
    "VolunteerAvailability",
    "VolunteerStatus",
]
