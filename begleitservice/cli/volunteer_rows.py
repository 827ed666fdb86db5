"""Volunteers as table rows: the columns, export, validation of every row, and applying valid rows."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..intervals import format_intervals, parse_intervals
from ..models import GENDERS, VOLUNTEER_STATUSES, PairingStatus, Volunteer, VolunteerAvailability, VolunteerStatus
from ..volunteers.operations import duplicate_message, possible_duplicates, same_person
from . import tabular as cell
from .transfer import (
    Problem,
    RowReader,
    check_headers,
    district_list_parser,
    district_parser,
    districts_by_name,
    keep,
    languages,
    limited,
)

COLUMNS = [
    "Vorname",
    "Nachname",
    "E-Mail",
    "Telefon",
    "Geschlecht",
    "Stadtbezirk",
    "Weitere Stadtbezirke",
    "Besuchsdienst",
    "Entlastung",
    "Demenzgruppe",
    "Sprachen",
    "Max. Stunden pro Woche",
    "Max. Senior:innen",
    "Basisqualifizierung am",
    "Basisqualifizierung Nachweis",
    "Führungszeugnis vom",
    "Status",
    "Verfügbarkeit",
    "Notizen",
]
REQUIRED = ["Vorname", "Nachname", "E-Mail", "Geschlecht", "Stadtbezirk"]


@dataclass
class Parsed:
    """A valid row: the values to set and the volunteer it updates (None: a new one)."""

    line: int
    values: dict
    existing: Volunteer | None
    duplicates: list[str] = field(default_factory=list)  # German: whom a new row may duplicate


def export_rows() -> list[list]:
    """All volunteers as typed rows in COLUMNS order, sorted by name and email."""
    volunteers = db.session.scalars(
        sa.select(Volunteer)
        .options(
            selectinload(Volunteer.home_district),
            selectinload(Volunteer.travel_districts),
            selectinload(Volunteer.availability),
        )
        .order_by(Volunteer.sort_name, Volunteer.email)
    )
    return [
        [
            v.first_name,
            v.last_name,
            v.email,
            v.phone,
            v.gender,
            v.home_district.name,
            ", ".join(d.name for d in v.travel_districts),
            v.offers_besuchsdienst,
            v.offers_entlastung,
            v.offers_demenzgruppe,
            v.languages,
            cell.minutes_as_hours(v.max_minutes_per_week),
            v.max_seniors,
            v.basisqualifizierung_on,
            v.basisqualifizierung_ref,
            v.fuehrungszeugnis_on,
            v.status,
            format_intervals(v.availability),
            v.notes,
        ]
        for v in volunteers
    ]


def _intervals(raw):
    return parse_intervals(cell.text(raw))


def _past_date(raw):
    day = cell.parse_date(raw)
    if day and day > clock.today():
        raise ValueError("Das Datum liegt in der Zukunft.")
    return day


def parse_rows(table: cell.Table) -> tuple[list[Parsed], list[Problem]]:
    """Validate every row; return the parsed rows and all problems (import only when there are none)."""
    problems = check_headers(table, COLUMNS, REQUIRED)
    if problems:
        return [], problems
    districts = districts_by_name()
    readers = [RowReader(line, table.headers, record, problems) for line, record in table.rows]
    emails = {r.peek("E-Mail", cell.parse_email) for r in readers} - {None, ""}
    existing = {
        v.email: v
        for v in db.session.scalars(
            sa.select(Volunteer).where(Volunteer.email.in_(emails)).options(selectinload(Volunteer.pairings))
        )
    }
    first_line: dict[str, int] = {}
    parsed = []
    for row in readers:
        values = _read_values(row, districts)
        email = values.get("email")
        if email in first_line:
            row.fail("E-Mail", f"Die E-Mail-Adresse steht schon in Zeile {first_line[email]}.")
        elif email:
            first_line[email] = row.line
        volunteer = existing.get(email)
        _check_rules(row, values, volunteer)
        if not row.failed:
            parsed.append(Parsed(row.line, values, volunteer, [] if volunteer else _duplicates(values, parsed)))
    return parsed, problems


def _duplicates(values: dict, earlier: list[Parsed]) -> list[str]:
    """Why a new row may be a volunteer already stored or already in the file (same name and phone number)."""
    person = (values["first_name"], values["last_name"], values.get("phone"))
    found = []
    if stored := possible_duplicates(*person):
        found.append(duplicate_message(stored))
    lines = [
        str(row.line)
        for row in earlier
        if row.existing is None
        and same_person(person, (row.values["first_name"], row.values["last_name"], row.values.get("phone")))
    ]
    if lines:
        found.append(
            f"Mit demselben Namen und derselben Telefonnummer steht schon Zeile {', '.join(lines)} in der Datei."
        )
    return found


def _read_values(row: RowReader, districts) -> dict:
    values: dict = {}
    keep(values, "first_name", row.read("Vorname", limited(80), required=True))
    keep(values, "last_name", row.read("Nachname", limited(80), required=True))
    keep(values, "email", row.read("E-Mail", cell.parse_email) or None)  # optional: some only use the phone
    keep(values, "phone", row.read("Telefon", limited(40)))
    keep(values, "gender", row.read("Geschlecht", lambda r: cell.choice(r, GENDERS, "Geschlecht"), required=True))
    keep(values, "home_district", row.read("Stadtbezirk", district_parser(districts), required=True))
    keep(values, "travel_districts", row.read("Weitere Stadtbezirke", district_list_parser(districts)))
    keep(values, "offers_besuchsdienst", row.read("Besuchsdienst", cell.parse_bool))
    keep(values, "offers_entlastung", row.read("Entlastung", cell.parse_bool))
    keep(values, "offers_demenzgruppe", row.read("Demenzgruppe", cell.parse_bool))
    keep(values, "languages", row.read("Sprachen", languages))
    minutes = row.read("Max. Stunden pro Woche", lambda r: cell.parse_hours_as_minutes(r, high_minutes=2400))
    keep(values, "max_minutes_per_week", 240 if minutes is None else minutes)
    seniors = row.read("Max. Senior:innen", lambda r: cell.parse_int(r, low=0, high=20))
    keep(values, "max_seniors", 2 if seniors is None else seniors)
    keep(values, "basisqualifizierung_on", row.read("Basisqualifizierung am", _past_date))
    keep(values, "basisqualifizierung_ref", row.read("Basisqualifizierung Nachweis", limited(80)))
    keep(values, "fuehrungszeugnis_on", row.read("Führungszeugnis vom", _past_date))
    status = row.read("Status", lambda r: cell.choice(r, VOLUNTEER_STATUSES, "Status"))
    keep(values, "status", status or VolunteerStatus.AKTIV)
    keep(values, "availability", row.read("Verfügbarkeit", _intervals))
    keep(values, "notes", row.read("Notizen", lambda r: cell.text(r) or None))
    return values


def _check_rules(row: RowReader, values: dict, volunteer: Volunteer | None) -> None:
    """Rules across fields and against the stored Begleitungen."""

    def effective(attr, default=None):
        return values[attr] if attr in values else getattr(volunteer, attr, default)

    qualified = effective("basisqualifizierung_on") or "Basisqualifizierung am" in row.failed_fields
    if effective("offers_entlastung", False) and not qualified:
        row.fail("Basisqualifizierung am", "Für die Häusliche Entlastung ist die Basisqualifizierung nötig.")
    if volunteer is None:
        return
    running = [p for p in volunteer.pairings if p.status != PairingStatus.BEENDET and p.service == "entlastung"]
    if running and not effective("offers_entlastung", False):
        row.fail("Entlastung", "Es laufen noch Begleitungen in der Häuslichen Entlastung.")


def apply_rows(parsed: list[Parsed]) -> tuple[int, int]:
    """Create or update the volunteers of valid rows and flush; return (created, updated)."""
    created = updated = 0
    for row in parsed:
        values = dict(row.values)
        volunteer = row.existing or Volunteer()
        availability = values.pop("availability", None)
        travel = values.pop("travel_districts", None)
        for attr, value in values.items():
            setattr(volunteer, attr, value)
        if travel is not None:
            volunteer.travel_districts = travel
        if availability is not None:
            volunteer.availability = [
                VolunteerAvailability(weekday=d, start_minute=s, end_minute=e) for d, s, e in availability
            ]
        db.session.add(volunteer)
        created, updated = (created + 1, updated) if row.existing is None else (created, updated + 1)
    db.session.flush()
    return created, updated
