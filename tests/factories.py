"""Factory helpers with sensible defaults: ``make_volunteer(...)`` etc. commit what they make."""

import itertools
from datetime import date, time

import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import (
    AbtretungPeriod,
    Appointment,
    District,
    Pairing,
    PairingSlot,
    Pflegekasse,
    Request,
    RequestWindow,
    Senior,
    User,
    Volunteer,
    VolunteerAvailability,
)
from billing.identifiers import kvnr_check_digit

_seq = itertools.count(1)
VALID_KVNRS = [f"{p}{kvnr_check_digit(p)}" for p in ("A12345678", "B98765432", "C11111111", "D22222222")]
VALID_IKS = ["260326822", "100696012"]


def district(name: str = "Eving") -> District:
    """The district with that name (reference data is loaded per test)."""
    return db.session.scalar(sa.select(District).where(District.name == name))


def _save(obj):
    db.session.add(obj)
    db.session.commit()
    return obj


def make_user(*, role: str = "coordinator", password: str = "richtig-geheim-123", **kw) -> User:
    n = next(_seq)
    user = User(
        email=kw.pop("email", f"user{n}@example.org"),
        name=kw.pop("name", f"Test {role} {n}"),
        role=role,
        **kw,
    )
    user.set_password(password)
    return _save(user)


def make_pflegekasse(**kw) -> Pflegekasse:
    kw.setdefault("name", "AOK NordWest")
    kw.setdefault("ik", VALID_IKS[0])
    return _save(Pflegekasse(**kw))


WEEKDAYS_8_TO_20 = tuple((day, 8 * 60, 20 * 60) for day in range(5))


def make_volunteer(*, availability=WEEKDAYS_8_TO_20, district_name: str = "Eving", **kw) -> Volunteer:
    n = next(_seq)
    kw.setdefault("first_name", "Erika")
    kw.setdefault("last_name", f"Muster{n}")
    kw.setdefault("email", f"ehrenamt{n}@example.org")
    kw.setdefault("gender", "w")
    kw.setdefault("offers_besuchsdienst", True)
    kw.setdefault("fuehrungszeugnis_on", date(2025, 1, 15))
    if kw.get("offers_entlastung"):
        kw.setdefault("basisqualifizierung_on", date(2024, 3, 1))
    volunteer = Volunteer(home_district=district(district_name), **kw)
    volunteer.availability = [
        VolunteerAvailability(weekday=d, start_minute=s, end_minute=e) for d, s, e in availability
    ]
    return _save(volunteer)


def make_senior(*, district_name: str = "Eving", **kw) -> Senior:
    n = next(_seq)
    kw.setdefault("first_name", "Hildegard")
    kw.setdefault("last_name", f"Beispiel{n}")
    kw.setdefault("birth_on", date(1938, 5, 17))
    kw.setdefault("street", "Evinger Straße 1")
    kw.setdefault("postal_code", "44339")
    if kw.get("pflegegrad"):
        kw.setdefault("kvnr", VALID_KVNRS[n % len(VALID_KVNRS)])
    given, revoked = kw.pop("abtretung_on", None), kw.pop("abtretung_revoked_on", None)
    senior = Senior(district=district(district_name), **kw)
    if given is not None:  # an Abtretungserklärung dated the day it applies from
        senior.abtretungen.append(AbtretungPeriod(given_on=given, document_on=given, revoked_on=revoked))
    return _save(senior)


def make_request(*, senior: Senior | None = None, windows=((0, 9 * 60, 12 * 60),), **kw) -> Request:
    senior = senior or make_senior()
    kw.setdefault("service", "entlastung" if senior.pflegegrad else "besuchsdienst")
    kw.setdefault("received_on", date(2026, 10, 1))
    request = Request(senior=senior, **kw)
    request.windows = [RequestWindow(weekday=d, start_minute=s, end_minute=e) for d, s, e in windows]
    return _save(request)


def make_pairing(*, volunteer: Volunteer | None = None, senior: Senior | None = None, slots=((0, 10 * 60, 120),), **kw):
    volunteer = volunteer or make_volunteer()
    senior = senior or make_senior()
    kw.setdefault("service", "entlastung" if senior.pflegegrad else "besuchsdienst")
    kw.setdefault("starts_on", date(2026, 1, 5))
    pairing = Pairing(volunteer=volunteer, senior=senior, **kw)
    pairing.slots = [PairingSlot(weekday=d, start_minute=s, duration_minutes=m) for d, s, m in slots]
    return _save(pairing)


def make_appointment(*, pairing: Pairing | None = None, on: date = date(2026, 11, 2), **kw) -> Appointment:
    pairing = pairing or make_pairing()
    kw.setdefault("planned_start", time(10, 0))
    kw.setdefault("planned_end", time(12, 0))
    return _save(Appointment(pairing=pairing, on=on, **kw))


TEST_IBAN = "DE02120300000000202051"


def make_provider(*, valid_from: date = date(2020, 1, 1), **kw):
    """A complete provider version (fictional, valid IK and IBAN), so months can be billed."""
    from begleitservice.models import ProviderVersion

    values = {
        "name": "Seniorenbegleitservice Musterstadt (Test)",
        "address": "Musterstraße 1\n44135 Musterstadt",
        "ik": VALID_IKS[1],
        "recognition": "Anerkennung nach AnFöVO NRW, Az. TEST-42",
        "account_holder": "Seniorenbegleitservice Musterstadt",
        "iban": TEST_IBAN,
        "bic": "BYLADEM1001",
        "payment_days": 14,
        "note": "",
    }
    return _save(ProviderVersion(valid_from=valid_from, **{**values, **kw}))


def make_group(*, district_name: str = "Hörde", **kw):
    """A Demenzgruppe meeting Wednesdays 14:00–17:00 from 2026-01-07, 1 volunteer per 3 participants, at least 2."""
    from begleitservice.models import DementiaGroup

    n = next(_seq)
    kw.setdefault("name", f"Demenzgruppe Test {n}")
    kw.setdefault("place", "Begegnungsstätte Hörde")
    kw.setdefault("street", "Hörder Bahnhofstraße 1")
    kw.setdefault("postal_code", "44263")
    kw.setdefault("weekday", 2)
    kw.setdefault("start_minute", 14 * 60)
    kw.setdefault("end_minute", 17 * 60)
    kw.setdefault("starts_on", date(2026, 1, 7))
    kw.setdefault("capacity", 10)
    kw.setdefault("lead_name", "Petra Fachkraft")
    return _save(DementiaGroup(district=district(district_name), **kw))
