"""Seniors as table rows: the columns, export, validation of every row, and applying valid rows.

A row updates the senior with the same Versichertennummer; without one (or when no senior has it), the senior
with the same first name, last name and birth date who has no other Versichertennummer; otherwise it is new.
A new row whose name (as people write it) and birth date match a stored senior or an earlier new row is
flagged as a possible duplicate (``Parsed.duplicates``); the import leaves it out unless told otherwise.
"""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from billing.identifiers import ik_error, kvnr_error

from ..budget.periods import apply_imported_abtretung, import_abtretung_error
from ..extensions import db
from ..models import (
    GENDERS,
    SENIOR_STATUSES,
    Pflegekasse,
    Senior,
    SeniorStatus,
    Sozialraum,
)
from ..rules import grade_change_error
from ..seniors.operations import duplicate_message, possible_duplicates, same_person
from . import tabular as cell
from .transfer import Problem, RowReader, check_headers, district_parser, districts_by_name, keep, languages, limited

COLUMNS = [
    "Vorname",
    "Nachname",
    "Geburtsdatum",
    "Straße",
    "PLZ",
    "Ort",
    "Stadtbezirk",
    "Sozialraum",
    "Telefon",
    "Kontaktperson",
    "Kontakt Beziehung",
    "Kontakt Telefon",
    "Kontakt E-Mail",
    "Pflegegrad",
    "Pflegekasse",
    "Pflegekasse IK",
    "Versichertennummer",
    "Sprachen",
    "Gewünschtes Geschlecht",
    "Demenz",
    "Einwilligung am",
    "Einwilligung Umfang",
    "Abtretung am",
    "Abtretung widerrufen am",
    "Status",
    "Pflegehinweise",
    "Hinweise für Vertretungen",
]
REQUIRED = ["Vorname", "Nachname", "Geburtsdatum", "Straße", "PLZ", "Stadtbezirk"]


@dataclass
class Parsed:
    """A valid row: the values to set and the senior it updates (None: a new one)."""

    line: int
    values: dict
    existing: Senior | None
    duplicates: list[str] = field(default_factory=list)  # German: whom a new row may duplicate


def export_rows() -> list[list]:
    """All seniors as typed rows in COLUMNS order, sorted by name, birth date and KVNR."""
    seniors = db.session.scalars(
        sa.select(Senior)
        .options(selectinload(Senior.district), selectinload(Senior.sozialraum), selectinload(Senior.pflegekasse))
        .order_by(Senior.sort_name, Senior.birth_on, Senior.kvnr)
    )
    return [
        [
            s.first_name,
            s.last_name,
            s.birth_on,
            s.street,
            s.postal_code,
            s.city,
            s.district.name,
            s.sozialraum.name if s.sozialraum else None,
            s.phone,
            s.contact_name,
            s.contact_relation,
            s.contact_phone,
            s.contact_email,
            s.pflegegrad,
            s.pflegekasse.name if s.pflegekasse else None,
            s.pflegekasse.ik if s.pflegekasse else None,
            s.kvnr,
            s.languages,
            s.preferred_volunteer_gender,
            s.has_dementia,
            s.consent_on,
            s.consent_scope,
            s.latest_abtretung.given_on if s.latest_abtretung else None,
            s.latest_abtretung.revoked_on if s.latest_abtretung else None,
            s.status,
            s.care_notes,
            s.stand_in_notes,
        ]
        for s in seniors
    ]


def _birth_date(raw):
    return cell.parse_date(raw, "birth")


def _postal_code(raw):
    value = cell.text(raw)
    if value and not re.fullmatch(r"[0-9]{5}", value):
        raise ValueError(f"„{value}“ ist keine fünfstellige Postleitzahl.")
    return value


def _checked(check):
    def parse(raw):
        value = cell.text(raw).upper().replace(" ", "")
        if value and (error := check(value)):
            raise ValueError(error)
        return value or None

    return parse


def _sozialraum(raw):
    value = cell.text(raw)
    if not value:
        return None
    found = db.session.scalar(sa.select(Sozialraum).where(sa.func.lower(Sozialraum.name) == value.lower()))
    if found is None:
        raise ValueError(f"„{value}“ ist kein bekannter Sozialraum.")
    return found


def parse_rows(table: cell.Table) -> tuple[list[Parsed], list[Problem]]:
    """Validate every row; return the parsed rows and all problems (import only when there are none)."""
    problems = check_headers(table, COLUMNS, REQUIRED)
    if problems:
        return [], problems
    districts = districts_by_name()
    kassen = {k.ik: k for k in db.session.scalars(sa.select(Pflegekasse))}
    seniors = list(
        db.session.scalars(sa.select(Senior).options(selectinload(Senior.pairings), selectinload(Senior.requests)))
    )
    by_kvnr = {s.kvnr: s for s in seniors if s.kvnr}
    by_person = {(s.first_name, s.last_name, s.birth_on): s for s in seniors}
    first_line: dict = {}
    parsed = []
    for line, record in table.rows:
        row = RowReader(line, table.headers, record, problems)
        values = _read_values(row, districts)
        _resolve_pflegekasse(row, values, kassen)
        kvnr, person = values.get("kvnr"), (values.get("first_name"), values.get("last_name"), values.get("birth_on"))
        key = kvnr or (person if all(person) else None)
        if key in first_line:
            field = "Versichertennummer" if kvnr else "Geburtsdatum"
            row.fail(field, f"Dieselbe Person steht schon in Zeile {first_line[key]}.")
        elif key:
            first_line[key] = line
        senior = by_kvnr.get(kvnr) if kvnr else None
        if senior is None and all(person):
            candidate = by_person.get(person)
            senior = candidate if candidate and candidate.kvnr in (None, kvnr) else None
        _check_rules(row, values, senior)
        if not row.failed:
            parsed.append(Parsed(line, values, senior, [] if senior else _duplicates(values, person, parsed)))
    return parsed, problems


def _duplicates(values: dict, person: tuple, earlier: list[Parsed]) -> list[str]:
    """Why a new row may be a senior already stored or already in the file (empty: it is not)."""
    found = []
    if stored := possible_duplicates(values):
        found.append(duplicate_message(stored))
    lines = [
        str(row.line)
        for row in earlier
        if row.existing is None
        and same_person(person, (row.values["first_name"], row.values["last_name"], row.values["birth_on"]))
    ]
    if lines:
        found.append(f"Mit demselben Namen und Geburtsdatum steht schon Zeile {', '.join(lines)} in der Datei.")
    return found


def _read_values(row: RowReader, districts) -> dict:
    values: dict = {}
    keep(values, "first_name", row.read("Vorname", limited(80), required=True))
    keep(values, "last_name", row.read("Nachname", limited(80), required=True))
    keep(values, "birth_on", row.read("Geburtsdatum", _birth_date, required=True))
    keep(values, "street", row.read("Straße", limited(120), required=True))
    keep(values, "postal_code", row.read("PLZ", _postal_code, required=True))
    city = row.read("Ort", limited(80))
    keep(values, "city", city or "Dortmund")
    keep(values, "district", row.read("Stadtbezirk", district_parser(districts), required=True))
    keep(values, "sozialraum", row.read("Sozialraum", _sozialraum))
    keep(values, "phone", row.read("Telefon", limited(40)))
    keep(values, "contact_name", row.read("Kontaktperson", limited(120)))
    keep(values, "contact_relation", row.read("Kontakt Beziehung", limited(60)))
    keep(values, "contact_phone", row.read("Kontakt Telefon", limited(40)))
    keep(values, "contact_email", row.read("Kontakt E-Mail", lambda r: cell.parse_email(r) or None))
    keep(values, "pflegegrad", row.read("Pflegegrad", lambda r: cell.parse_int(r, low=1, high=5)))
    keep(values, "kasse_name", row.read("Pflegekasse", limited(120)))
    keep(values, "kasse_ik", row.read("Pflegekasse IK", _checked(ik_error)))
    keep(values, "kvnr", row.read("Versichertennummer", _checked(kvnr_error)))
    keep(values, "languages", row.read("Sprachen", languages))
    gender = row.read("Gewünschtes Geschlecht", lambda r: cell.choice(r, GENDERS, "Gewünschtes Geschlecht"))
    keep(values, "preferred_volunteer_gender", gender or None)
    keep(values, "has_dementia", row.read("Demenz", cell.parse_bool))
    keep(values, "consent_on", row.read("Einwilligung am", cell.parse_date))
    keep(values, "consent_scope", row.read("Einwilligung Umfang", limited(200)))
    keep(values, "abtretung_on", row.read("Abtretung am", cell.parse_date))
    keep(values, "abtretung_revoked_on", row.read("Abtretung widerrufen am", cell.parse_date))
    status = row.read("Status", lambda r: cell.choice(r, SENIOR_STATUSES, "Status"))
    keep(values, "status", status or SeniorStatus.AKTIV)
    keep(values, "care_notes", row.read("Pflegehinweise", lambda r: cell.text(r) or None))
    keep(values, "stand_in_notes", row.read("Hinweise für Vertretungen", lambda r: cell.text(r) or None))
    return values


def _resolve_pflegekasse(row: RowReader, values: dict, kassen: dict[str, Pflegekasse]) -> None:
    """Turn IK (and name) into a Pflegekasse: a stored one, or a new one when the file names it."""
    name, ik = values.pop("kasse_name", None), values.pop("kasse_ik", None)
    if "Pflegekasse IK" not in row.cells or "Pflegekasse IK" in row.failed_fields:
        return
    if not ik:
        if name:
            row.fail("Pflegekasse IK", "Zur Pflegekasse fehlt das Institutionskennzeichen (IK).")
        values["pflegekasse"] = None
        return
    if ik not in kassen:
        if not name:
            row.fail("Pflegekasse IK", f"Keine Pflegekasse mit IK {ik} angelegt (Spalte „Pflegekasse“ leer).")
            return
        kassen[ik] = Pflegekasse(name=name, ik=ik)
    values["pflegekasse"] = kassen[ik]


def _check_rules(row: RowReader, values: dict, senior: Senior | None) -> None:
    """Rules across fields (billing data, Abtretung, consent) and against running requests and Begleitungen."""

    latest = senior.latest_abtretung if senior is not None else None
    current = {"abtretung_on": latest and latest.given_on, "abtretung_revoked_on": latest and latest.revoked_on}

    def effective(attr):
        if attr in values:
            return values[attr]
        return current[attr] if attr in current else getattr(senior, attr, None)

    if senior is not None and senior.status == SeniorStatus.GESPERRT:
        row.fail("Status", "Diese Person ist gesperrt (DSGVO) und wird nicht geändert.")
    grade, failed = effective("pflegegrad"), row.failed_fields
    if grade and not effective("kvnr") and "Versichertennummer" not in failed:
        row.fail("Versichertennummer", "Mit Pflegegrad ist die Versichertennummer nötig (Abrechnung).")
    if grade and not effective("pflegekasse") and "Pflegekasse IK" not in failed:
        row.fail("Pflegekasse IK", "Mit Pflegegrad ist die Pflegekasse nötig (Abrechnung).")
    if not grade and effective("abtretung_on") and "Pflegegrad" not in failed:
        row.fail("Abtretung am", "Eine Abtretungserklärung gibt es nur mit Pflegegrad (Entlastungsbetrag).")
    given, revoked = effective("abtretung_on"), effective("abtretung_revoked_on")
    if message := import_abtretung_error(senior, given, revoked):
        column = "Abtretung widerrufen am" if revoked and (not given or revoked < given) else "Abtretung am"
        row.fail(column, message)
    area, district = effective("sozialraum"), effective("district")
    if area and district and area.district_id != district.id:
        row.fail("Sozialraum", f"Der Sozialraum {area.name} liegt nicht im Stadtbezirk {district.name}.")
    if effective("consent_on") and not effective("consent_scope"):
        row.fail("Einwilligung Umfang", "Zur Einwilligung gehört ihr Umfang.")
    if senior is None or "Pflegegrad" in failed:
        return
    if message := grade_change_error(senior, grade):
        row.fail("Pflegegrad", message)


def apply_rows(parsed: list[Parsed]) -> tuple[int, int]:
    """Create or update the seniors of valid rows and flush; return (created, updated)."""
    created = updated = 0
    for row in parsed:
        senior = row.existing or Senior()
        values, latest = dict(row.values), senior.latest_abtretung if row.existing else None
        given = values.pop("abtretung_on", latest.given_on if latest else None)
        kept = latest.revoked_on if latest and latest.given_on == given else None
        revoked = values.pop("abtretung_revoked_on", kept)
        for attr, value in values.items():
            setattr(senior, attr, value)
        db.session.add(senior)
        apply_imported_abtretung(senior, given, revoked)
        created, updated = (created + 1, updated) if row.existing is None else (created, updated + 1)
    db.session.flush()
    return created, updated
