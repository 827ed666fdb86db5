"""Creating and changing seniors (used by the seniors pages and reusable by the CSV import)."""

import logging
import re
from datetime import date

import sqlalchemy as sa

from billing.identifiers import kvnr_error

from .. import clock
from ..accounting.corrections import note_retroactive_change
from ..budget.grades import grade_since_error, record_grade_change
from ..extensions import db
from ..inputs import date_error
from ..models import (
    GENDERS,
    SENIOR_STATUSES,
    District,
    Pflegekasse,
    Senior,
    Sozialraum,
)
from ..models.base import join_list, split_list
from ..models.names import same_name
from ..rules import grade_change_error

log = logging.getLogger(__name__)

FIELDS = (
    "first_name",
    "last_name",
    "birth_on",
    "street",
    "postal_code",
    "city",
    "district_id",
    "sozialraum_id",
    "phone",
    "contact_name",
    "contact_relation",
    "contact_phone",
    "contact_email",
    "pflegegrad",
    "pflegekasse_id",
    "kvnr",
    "languages",
    "preferred_volunteer_gender",
    "has_dementia",
    "consent_on",
    "consent_scope",
    "status",
    "care_notes",
    "stand_in_notes",
)
REQUIRED = {
    "first_name": "Bitte den Vornamen angeben.",
    "last_name": "Bitte den Nachnamen angeben.",
    "birth_on": "Bitte das Geburtsdatum angeben.",
    "street": "Bitte Straße und Hausnummer angeben.",
    "postal_code": "Bitte die PLZ angeben.",
    "city": "Bitte den Ort angeben.",
    "district_id": "Bitte den Stadtbezirk wählen.",
}
MIN_AGE, MAX_AGE = 50, 120
DORTMUND_POSTAL_CODES = range(44135, 44389)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class SeniorError(ValueError):
    """A senior cannot be saved; ``errors`` maps field names to German messages.

    ``duplicates`` are other seniors with the same name and birth date: saving needs ``allow_duplicate``.
    """

    def __init__(self, errors: dict[str, str], *, duplicates: list[Senior] = ()):
        parts = [f"{field}: {message}" for field, message in errors.items()]
        if duplicates:
            parts.append(duplicate_message(duplicates))
        super().__init__("; ".join(parts))
        self.errors = errors
        self.duplicates = list(duplicates)


def save_senior(senior: Senior, *, today: date | None = None, allow_duplicate: bool = False, **values) -> Senior:
    """Check and set a senior's fields, then flush; on any error raise SeniorError and change nothing.

    ``values`` are plain values keyed by column name (strings, ints, dates, bools, None); fields not given keep
    their current value, so a new senior needs at least the required ones. A new name or birth date that
    another senior already has is refused (``SeniorError.duplicates``) unless ``allow_duplicate``.
    """
    today = today or clock.today()
    if senior.restricted_at is not None:
        raise SeniorError({"status": "Diese Person ist gesperrt (DSGVO) und wird nicht mehr bearbeitet."})
    given_since = values.pop("pflegegrad_since", None)  # when a changed Pflegegrad applies from
    since = given_since or today
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown senior fields: {', '.join(sorted(unknown))}")
    merged = {name: getattr(senior, name) for name in FIELDS} | {k: _clean(k, v) for k, v in values.items()}
    if merged["city"] is None and "city" not in values:
        merged["city"] = "Dortmund"
    errors = senior_errors(merged, senior=senior, today=today)
    old_grade = senior.pflegegrad if senior.id is not None else None
    # A new senior's grade is recorded only with a date; without one it counts from the first visit (budget.inputs).
    grade_changed = merged["pflegegrad"] != old_grade and (senior.id is not None or given_since is not None)
    since_error = date_error(given_since, "plan", today=today)
    if not since_error and grade_changed and "pflegegrad" not in errors:
        since_error = grade_since_error(senior, since, today=today)
    if since_error:
        errors["pflegegrad_since"] = since_error
    duplicates = [] if allow_duplicate or not _identity_changed(senior, merged) else possible_duplicates(merged, senior)
    if errors or duplicates:
        raise SeniorError(errors, duplicates=duplicates)
    for name, value in merged.items():
        setattr(senior, name, value)
    db.session.add(senior)
    db.session.flush()
    if grade_changed:
        record_grade_change(senior, old_grade, merged["pflegegrad"], since)
        new_grade = merged["pflegegrad"]
        note_retroactive_change(
            senior,
            since,
            f"Pflegegrad {old_grade or 'keiner'} → {new_grade or 'keiner'} ab {since:%d.%m.%Y} eingetragen",
        )
    log.info("senior %s saved", senior.id)
    return senior


def _clean(name: str, value):
    """Normalise one plain value: trim text, empty → None, KVNR upper case, languages as a clean list."""
    if isinstance(value, str):
        value = value.strip()
        if name == "kvnr":
            value = value.replace(" ", "").upper()
        if name == "languages":
            value = join_list(split_list(value))
        if value == "":
            value = None
    if name == "has_dementia":
        value = bool(value)
    if name == "languages" and value is None:
        value = "Deutsch"
    return value


def senior_errors(values: dict, *, senior: Senior | None = None, today: date) -> dict[str, str]:
    """German messages per field for ``values`` (already cleaned); empty when they can be saved."""
    errors = {name: message for name, message in REQUIRED.items() if values.get(name) in (None, "")}
    checks = (
        _check_dates,
        _check_birth_on,
        _check_postal_code,
        _check_references,
        _check_billing,
        _check_contact,
        _check_stand_in_notes,
        _check_consent,
        _check_choices,
    )
    for check in checks:
        for name, message in check(values, today).items():
            errors.setdefault(name, message)
    kvnr = values["kvnr"]
    if kvnr is not None and "kvnr" not in errors and (holder := _kvnr_holder(kvnr, senior)) is not None:
        errors["kvnr"] = f"Diese Versichertennummer ist schon bei {holder.name} eingetragen."
    existing = senior is not None and senior.id is not None
    if existing and "pflegegrad" not in errors and (message := grade_change_error(senior, values["pflegegrad"])):
        errors["pflegegrad"] = message
    return errors


def possible_duplicates(values: dict, senior: Senior | None = None) -> list[Senior]:
    """Other seniors with the same first name, last name and birth date as ``values``, names compared as people
    write them (case, accents, ß/ss, ü/ue); seniors locked under the DSGVO are left out."""
    first, last, birth_on = values.get("first_name"), values.get("last_name"), values.get("birth_on")
    if not (first and last and isinstance(birth_on, date)):
        return []
    query = sa.select(Senior).where(Senior.birth_on == birth_on, Senior.restricted_at.is_(None))
    if senior is not None and senior.id is not None:
        query = query.where(Senior.id != senior.id)
    with db.session.no_autoflush:
        candidates = db.session.scalars(query.order_by(Senior.sort_name, Senior.id)).all()
    return [s for s in candidates if same_person((first, last, birth_on), (s.first_name, s.last_name, s.birth_on))]


def same_person(one: tuple, other: tuple) -> bool:
    """The duplicate rule for seniors: (first name, last name, birth date) alike, names as people write them."""
    (first, last, born), (other_first, other_last, other_born) = one, other
    return born == other_born and same_name(first, other_first) and same_name(last, other_last)


def duplicate_message(duplicates: list[Senior]) -> str:
    """German: who is probably the same person ('Ayşe Öztürk (Nr. 12), geb. 09.03.1941')."""
    people = ", ".join(f"{s.name} (Nr. {s.id}), geb. {s.birth_on:%d.%m.%Y}" for s in duplicates)
    return f"Mit demselben Namen und Geburtsdatum ist schon angelegt: {people}."


def _identity_changed(senior: Senior, values: dict) -> bool:
    """Whether the row is new or its name or birth date changes (only then it may become a duplicate)."""
    if senior.id is None:
        return True
    return any(getattr(senior, name) != values[name] for name in ("first_name", "last_name", "birth_on"))


def age_on(birth_on: date, day: date) -> int:
    """Full years of age on ``day``."""
    return day.year - birth_on.year - ((day.month, day.day) < (birth_on.month, birth_on.day))


def _check_dates(values: dict, today: date) -> dict[str, str]:
    """Every date within the window of all dates (begleitservice.inputs); the birth date has its own check."""
    names = ("consent_on",)
    return {name: message for name in names if (message := date_error(values[name], "any"))}


def _check_birth_on(values: dict, today: date) -> dict[str, str]:
    birth_on = values["birth_on"]
    if birth_on is None:
        return {}
    if birth_on > today:
        return {"birth_on": "Das Geburtsdatum liegt in der Zukunft."}
    age = age_on(birth_on, today)
    if not MIN_AGE <= age <= MAX_AGE:
        return {
            "birth_on": f"Bitte das Geburtsdatum prüfen: Daraus ergibt sich ein Alter von {age} Jahren "
            f"(erwartet {MIN_AGE} bis {MAX_AGE})."
        }
    return {}


def _check_postal_code(values: dict, today: date) -> dict[str, str]:
    code = values["postal_code"]
    if code is not None and not re.fullmatch(r"[0-9]{5}", str(code)):
        return {"postal_code": "Die PLZ besteht aus fünf Ziffern."}
    return {}


def _check_references(values: dict, today: date) -> dict[str, str]:
    errors = {}
    district_id, sozialraum_id = values["district_id"], values["sozialraum_id"]
    if district_id is not None and db.session.get(District, district_id) is None:
        errors["district_id"] = "Diesen Stadtbezirk gibt es nicht."
    if sozialraum_id is not None:
        sozialraum = db.session.get(Sozialraum, sozialraum_id)
        if sozialraum is None:
            errors["sozialraum_id"] = "Diesen Sozialraum gibt es nicht."
        elif district_id is not None and sozialraum.district_id != district_id:
            errors["sozialraum_id"] = (
                f"Der Sozialraum „{sozialraum.name}“ liegt im Stadtbezirk {sozialraum.district.name}, "
                "nicht im gewählten Stadtbezirk."
            )
    if values["pflegekasse_id"] is not None and db.session.get(Pflegekasse, values["pflegekasse_id"]) is None:
        errors["pflegekasse_id"] = "Diese Pflegekasse gibt es nicht."
    return errors


def _check_billing(values: dict, today: date) -> dict[str, str]:
    """Pflegegrad 1–5; a valid, unique KVNR; with a Pflegegrad both KVNR and Pflegekasse (billing needs them)."""
    errors = {}
    grade, kvnr = values["pflegegrad"], values["kvnr"]
    if grade is not None and grade not in range(1, 6):
        errors["pflegegrad"] = "Der Pflegegrad ist 1 bis 5 (oder keiner)."
    if kvnr is not None and (message := kvnr_error(kvnr)):
        errors["kvnr"] = message
    if grade is not None:
        if kvnr is None:
            errors["kvnr"] = "Mit Pflegegrad ist die Versichertennummer Pflicht (Abrechnung mit der Pflegekasse)."
        if values["pflegekasse_id"] is None:
            errors["pflegekasse_id"] = "Mit Pflegegrad bitte die Pflegekasse wählen (Abrechnung nach §45b SGB XI)."
    return errors


def _kvnr_holder(kvnr: str, senior: Senior | None) -> Senior | None:
    """Another senior who already has this KVNR."""
    query = sa.select(Senior).where(Senior.kvnr == kvnr)
    if senior is not None and senior.id is not None:
        query = query.where(Senior.id != senior.id)
    return db.session.scalars(query.limit(1)).first()


def _check_contact(values: dict, today: date) -> dict[str, str]:
    email = values["contact_email"]
    if email is not None and not _EMAIL.fullmatch(email):
        return {"contact_email": "Bitte eine gültige E-Mail-Adresse angeben."}
    return {}


STAND_IN_NOTES_MAX = 500


def _check_stand_in_notes(values: dict, today: date) -> dict[str, str]:
    """The notes for stand-ins fit on the address sheet."""
    notes = values.get("stand_in_notes")
    if notes is not None and len(notes) > STAND_IN_NOTES_MAX:
        return {"stand_in_notes": f"Bitte höchstens {STAND_IN_NOTES_MAX} Zeichen."}
    return {}


def _check_consent(values: dict, today: date) -> dict[str, str]:
    errors = {}
    if values["consent_on"] is not None and values["consent_on"] > today:
        errors["consent_on"] = "Das Datum der Einwilligung liegt in der Zukunft."
    if values["consent_on"] is not None and values["consent_scope"] is None:
        errors["consent_scope"] = "Bitte den Umfang der Einwilligung angeben."
    if values["consent_on"] is None and values["consent_scope"] is not None:
        errors["consent_on"] = "Bitte das Datum der Einwilligung angeben."
    return errors


def _check_choices(values: dict, today: date) -> dict[str, str]:
    errors = {}
    gender = values["preferred_volunteer_gender"]
    if gender is not None and gender not in GENDERS:
        errors["preferred_volunteer_gender"] = "Bitte w, m, d oder keine Vorgabe wählen."
    if values["status"] is not None and values["status"] not in SENIOR_STATUSES:
        errors["status"] = f"Unbekannter Status (erlaubt: {', '.join(SENIOR_STATUSES)})."
    return errors


def outside_dortmund(postal_code: str | None) -> bool:
    """Whether a five-digit PLZ lies outside Dortmund's 44135–44388 (a hint, not an error)."""
    return bool(postal_code and postal_code.isdigit() and int(postal_code) not in DORTMUND_POSTAL_CODES)
