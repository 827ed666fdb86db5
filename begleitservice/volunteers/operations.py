"""Saving volunteers and their absences (used by the pages and by imports); reading their workload.

The functions take plain values, check every rule with a German message per field, change nothing when a
rule is broken, and flush but never commit.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from .. import clock
from ..appointments.operations import follow_rule
from ..extensions import db
from ..inputs import date_error
from ..intervals import Interval, format_intervals, parse_intervals
from ..models import (
    GENDERS,
    SERVICES,
    VOLUNTEER_STATUSES,
    District,
    Pairing,
    PairingSlot,
    PairingStatus,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
    VolunteerStatus,
)
from ..models.base import join_list, split_list
from ..models.names import phone_digits, same_name
from ..models.volunteer import PAGE_LANGUAGES

logger = logging.getLogger(__name__)

MAX_MINUTES_PER_WEEK = 2400
MAX_SENIORS = 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESTRICTED = "Diese Person ist gesperrt (DSGVO) und wird nicht mehr bearbeitet."


class VolunteerError(ValueError):
    """A volunteer cannot be saved; ``errors`` maps field names to German messages.

    ``same_email`` is the volunteer who already has the e-mail address (an error: it must be unique);
    ``duplicates`` are others with the same name and phone number (saving needs ``allow_duplicate``).
    """

    def __init__(
        self, errors: dict[str, str], *, same_email: Volunteer | None = None, duplicates: list[Volunteer] = ()
    ):
        parts = list(errors.values()) + ([duplicate_message(duplicates)] if duplicates else [])
        super().__init__(" ".join(parts))
        self.errors = errors
        self.same_email = same_email
        self.duplicates = list(duplicates)


@dataclass
class VolunteerData:
    """Everything a coordinator records about a volunteer, as plain values.

    Districts may be given as District objects, ids or names; ``services`` as service codes; ``languages`` as
    "Deutsch, Türkisch" or a list; ``availability`` as "Mo 09:00-12:00; Mi 14:00-17:00" or (weekday, start
    minute, end minute) tuples; ``max_minutes_per_week`` in minutes.
    """

    first_name: str
    last_name: str
    email: str | None
    home_district: District | int | str | None
    gender: str
    phone: str | None = None
    travel_districts: Iterable[District | int | str] = ()
    services: Iterable[str] = ()
    languages: str | Iterable[str] = "Deutsch"
    language: str = "de"  # of mails and pages (begleitservice.i18n.LANGUAGES)
    availability: str | Iterable[Interval] = ()
    max_minutes_per_week: int = 240
    max_seniors: int = 2
    max_group_sessions_per_month: int | None = None  # None: keep (a new volunteer: 4)
    basisqualifizierung_on: date | None = None
    basisqualifizierung_ref: str | None = None
    fuehrungszeugnis_on: date | None = None
    status: str = VolunteerStatus.AKTIV
    notes: str | None = None


def save_volunteer(
    volunteer: Volunteer, data: VolunteerData, *, today: date | None = None, allow_duplicate: bool = False
) -> Volunteer:
    """Set all of a volunteer's fields, replace their availability, and flush; raise VolunteerError if invalid.

    A new name or phone number that another volunteer already has together is refused (``duplicates``)
    unless ``allow_duplicate``.
    """
    today = today or clock.today()
    if volunteer.restricted_at is not None:
        raise VolunteerError({"status": RESTRICTED})
    errors: dict[str, str] = {}
    same_email = None
    email = (data.email or "").strip().lower()
    if not (data.first_name or "").strip():
        errors["first_name"] = "Bitte den Vornamen eintragen."
    if not (data.last_name or "").strip():
        errors["last_name"] = "Bitte den Nachnamen eintragen."
    if not email:
        email = None  # optional: a volunteer who only uses the phone
    elif not _EMAIL.match(email):
        errors["email"] = f"„{email}“ ist keine gültige E-Mail-Adresse."
    elif (clash := _volunteer_with_email(email)) is not None and clash is not volunteer:
        errors["email"] = f"Diese E-Mail-Adresse ist schon bei {clash.name} eingetragen."
        same_email = clash
    home = _district(data.home_district, errors, "home_district")
    travel = [d for d in (_district(item, errors, "travel_districts") for item in data.travel_districts) if d]
    if home is None and "home_district" not in errors:
        errors["home_district"] = "Bitte den Wohnbezirk wählen."
    if data.gender not in GENDERS:
        errors["gender"] = "Bitte das Geschlecht wählen (w, m oder d)."
    if data.language not in PAGE_LANGUAGES:
        errors["language"] = "Bitte eine der angebotenen Sprachen für Mails und Seiten wählen."
    if data.status not in VOLUNTEER_STATUSES:
        errors["status"] = f"Unbekannter Status „{data.status}“."
    services = set(data.services)
    if unknown := services - set(SERVICES):
        errors["services"] = f"Unbekannter Dienst „{', '.join(sorted(unknown))}“."
    if "entlastung" in services and data.basisqualifizierung_on is None:
        errors["basisqualifizierung_on"] = (
            "Für die Häusliche Entlastung ist die Basisqualifizierung nötig: bitte das Datum eintragen."
        )
    for name, label in (("basisqualifizierung_on", "Basisqualifizierung"), ("fuehrungszeugnis_on", "Führungszeugnis")):
        value = getattr(data, name)
        if value is not None and value > today:
            errors.setdefault(name, f"Das Datum der {label} liegt in der Zukunft.")
        if message := date_error(value, "any"):
            errors.setdefault(name, message)
    if not _in_range(data.max_minutes_per_week, MAX_MINUTES_PER_WEEK):
        errors["max_minutes_per_week"] = "Bitte höchstens 40 Stunden pro Woche eintragen (0 bis 40)."
    if not _in_range(data.max_seniors, MAX_SENIORS):
        errors["max_seniors"] = f"Bitte eine Zahl von 0 bis {MAX_SENIORS} eintragen."
    if data.max_group_sessions_per_month is not None and not _in_range(data.max_group_sessions_per_month, 31):
        errors["max_group_sessions_per_month"] = "Bitte eine Zahl von 0 bis 31 eintragen."
    try:
        intervals = _intervals(data.availability)
    except ValueError as error:
        errors["availability"] = str(error)
    duplicates = []
    if not allow_duplicate and _identity_changed(volunteer, data):
        duplicates = possible_duplicates(data.first_name, data.last_name, data.phone, volunteer=volunteer)
    if errors or duplicates:
        raise VolunteerError(errors, same_email=same_email, duplicates=duplicates)

    volunteer.first_name = data.first_name.strip()
    volunteer.last_name = data.last_name.strip()
    volunteer.email = email
    volunteer.phone = _blank_to_none(data.phone)
    volunteer.home_district = home
    volunteer.travel_districts = [d for d in dict.fromkeys(travel) if d is not home]
    volunteer.offers_besuchsdienst = "besuchsdienst" in services
    volunteer.offers_entlastung = "entlastung" in services
    volunteer.offers_demenzgruppe = "demenzgruppe" in services
    volunteer.languages = _languages(data.languages)
    volunteer.gender = data.gender
    volunteer.language = data.language
    volunteer.max_minutes_per_week = data.max_minutes_per_week
    volunteer.max_seniors = data.max_seniors
    if data.max_group_sessions_per_month is not None:
        volunteer.max_group_sessions_per_month = data.max_group_sessions_per_month
    volunteer.basisqualifizierung_on = data.basisqualifizierung_on
    volunteer.basisqualifizierung_ref = _blank_to_none(data.basisqualifizierung_ref)
    volunteer.fuehrungszeugnis_on = data.fuehrungszeugnis_on
    volunteer.status = data.status
    volunteer.notes = _blank_to_none(data.notes)
    replace_availability(volunteer, intervals)
    db.session.add(volunteer)
    db.session.flush()
    logger.info("Volunteer %s saved", volunteer.id)
    return volunteer


def possible_duplicates(
    first_name: str | None, last_name: str | None, phone: str | None, *, volunteer: Volunteer | None = None
) -> list[Volunteer]:
    """Other volunteers with the same name (as people write it) and the same phone number (its digits);
    volunteers locked under the DSGVO are left out."""
    digits = phone_digits(phone)
    if not ((first_name or "").strip() and (last_name or "").strip() and digits):
        return []
    query = sa.select(Volunteer).where(Volunteer.search_text.contains(digits), Volunteer.restricted_at.is_(None))
    if volunteer is not None and volunteer.id is not None:
        query = query.where(Volunteer.id != volunteer.id)
    with db.session.no_autoflush:
        candidates = db.session.scalars(query.order_by(Volunteer.sort_name, Volunteer.id)).all()
    return [v for v in candidates if same_person((first_name, last_name, phone), (v.first_name, v.last_name, v.phone))]


def same_person(one: tuple, other: tuple) -> bool:
    """The duplicate rule for volunteers: (first name, last name, phone) alike, names as people write them and
    phone numbers by their digits."""
    (first, last, phone), (other_first, other_last, other_phone) = one, other
    digits = phone_digits(phone)
    return (
        bool(digits)
        and digits == phone_digits(other_phone)
        and same_name(first, other_first)
        and same_name(last, other_last)
    )


def duplicate_message(duplicates: list[Volunteer]) -> str:
    """German: who is probably the same person ('Ayşe Öztürk (Nr. 4), Tel. 0231 12 34')."""
    people = ", ".join(f"{v.name} (Nr. {v.id}), Tel. {v.phone}" for v in duplicates)
    return f"Mit demselben Namen und derselben Telefonnummer ist schon eingetragen: {people}."


def _identity_changed(volunteer: Volunteer, data: VolunteerData) -> bool:
    """Whether the row is new or its name or phone number changes (only then it may become a duplicate)."""
    if volunteer.id is None:
        return True
    stored = (volunteer.first_name, volunteer.last_name, phone_digits(volunteer.phone))
    return stored != ((data.first_name or "").strip(), (data.last_name or "").strip(), phone_digits(data.phone))


def replace_availability(volunteer: Volunteer, intervals: Iterable[Interval]) -> None:
    """Make the volunteer's weekly availability exactly ``intervals`` (rows are kept when nothing changed)."""
    wanted = sorted(intervals)
    current = [(a.weekday, a.start_minute, a.end_minute) for a in volunteer.availability]
    if current == wanted:
        return
    volunteer.availability = [VolunteerAvailability(weekday=d, start_minute=s, end_minute=e) for d, s, e in wanted]


def add_absence(
    volunteer: Volunteer, *, starts_on: date | None, ends_on: date | None, reason: str | None = None
) -> VolunteerAbsence:
    """Record that a volunteer is away from ``starts_on`` to ``ends_on`` (inclusive); raise VolunteerError."""
    if volunteer.restricted_at is not None:
        raise VolunteerError({"starts_on": RESTRICTED})
    errors = {}
    if starts_on is None:
        errors["starts_on"] = "Bitte das Datum „von“ eintragen."
    if ends_on is None:
        errors["ends_on"] = "Bitte das Datum „bis“ eintragen."
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "Das Datum „bis“ darf nicht vor „von“ liegen."
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if message := date_error(day, "plan"):
            errors[field] = message
    if errors:
        raise VolunteerError(errors)
    absence = VolunteerAbsence(starts_on=starts_on, ends_on=ends_on, reason=_blank_to_none(reason))
    volunteer.absences.append(absence)
    db.session.flush()
    _follow_absences(volunteer)
    logger.info("Absence %s to %s added for volunteer %s", starts_on, ends_on, volunteer.id)
    return absence


def delete_absence(absence: VolunteerAbsence) -> None:
    """Remove a recorded absence."""
    logger.info("Absence %s of volunteer %s deleted", absence.id, absence.volunteer_id)
    volunteer = absence.volunteer
    db.session.delete(absence)
    db.session.flush()
    db.session.expire(volunteer, ["absences"])
    _follow_absences(volunteer)


def _follow_absences(volunteer: Volunteer) -> None:
    """Planned appointments of the volunteer's active pairings follow the changed absences."""
    for pairing in volunteer.pairings:
        if pairing.status == PairingStatus.AKTIV:
            follow_rule(pairing)


@dataclass(frozen=True)
class Workload:
    """A volunteer's current commitments: seniors in active pairings and planned minutes per week."""

    seniors: int = 0
    minutes_per_week: int = 0


def workloads(volunteer_ids: Iterable[int], *, today: date) -> dict[int, Workload]:
    """The workload of each volunteer in ``volunteer_ids``, from their active pairings, in one query."""
    ids = list(volunteer_ids)
    if not ids:
        return {}
    # A fortnightly slot counts half: sum in half-minutes and halve once at the end.
    half_minutes = sa.func.sum(
        sa.case((Pairing.interval_weeks == 1, PairingSlot.duration_minutes * 2), else_=PairingSlot.duration_minutes)
    )
    rows = db.session.execute(
        sa.select(Pairing.volunteer_id, sa.func.count(sa.distinct(Pairing.senior_id)), half_minutes)
        .outerjoin(PairingSlot, PairingSlot.pairing_id == Pairing.id)
        .where(
            Pairing.volunteer_id.in_(ids),
            Pairing.status == PairingStatus.AKTIV,
            sa.or_(Pairing.ends_on.is_(None), Pairing.ends_on >= today),
        )
        .group_by(Pairing.volunteer_id)
    )
    return {vid: Workload(seniors, (half or 0) // 2) for vid, seniors, half in rows}


def _volunteer_with_email(email: str) -> Volunteer | None:
    with db.session.no_autoflush:
        return db.session.scalar(sa.select(Volunteer).where(sa.func.lower(Volunteer.email) == email))


def _district(value, errors: dict[str, str], name: str) -> District | None:
    if value is None or isinstance(value, District):
        return value
    if isinstance(value, int):
        found = db.session.get(District, value)
    else:
        found = db.session.scalar(sa.select(District).where(District.name == str(value).strip()))
    if found is None:
        errors[name] = f"Unbekannter Stadtbezirk „{value}“."
    return found


def _intervals(value) -> list[Interval]:
    if value is None or isinstance(value, str):
        return parse_intervals(value)
    intervals = [tuple(int(x) for x in item) for item in value]
    for weekday, start, end in intervals:
        if not (0 <= weekday <= 6 and 0 <= start < end <= 1440):
            raise ValueError(f"Ungültige Zeitangabe ({weekday}, {start}, {end}).")
    return parse_intervals(format_intervals(sorted(intervals)))  # same overlap check as typed text


def _languages(value) -> str:
    items = split_list(value) if isinstance(value, str) or value is None else [str(v) for v in value]
    return join_list(item.strip()[:1].upper() + item.strip()[1:] for item in items) or "Deutsch"


def _in_range(value, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


def _blank_to_none(value: str | None) -> str | None:
    return (value.strip() or None) if value else None
