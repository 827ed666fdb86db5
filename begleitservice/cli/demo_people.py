"""Invented people for the demo data: volunteers with availability and absences, seniors with care data.

All randomness comes from the ``random.Random`` passed in, so the same seed gives the same people.
"""

import random
from datetime import date, timedelta

from billing.identifiers import kvnr_check_digit

from ..models import (
    AbtretungPeriod,
    District,
    Pflegekasse,
    Senior,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
    VolunteerStatus,
)
from ..reference import DISTRICTS
from . import demo_names as names

_BLOCKS = [(540, 720), (600, 780), (840, 1020), (900, 1080), (540, 960), (480, 660), (780, 1020), (570, 750)]
CONSENT_SCOPE = "Vermittlung, Terminplanung und Abrechnung (Art. 9 DSGVO)"


def _weighted(rng: random.Random, options: dict):
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


class PeopleFactory:
    """Makes volunteers and seniors from one random generator, relative to ``today``."""

    def __init__(self, rng: random.Random, today: date, districts: list[District], kassen: list[Pflegekasse]):
        self.rng, self.today = rng, today
        self.districts = districts
        self.by_name = {d.name: d for d in districts}
        self.kassen = kassen
        self.emails: set[str] = set()
        self.kvnrs: set[str] = set()
        self.sozialraeume = {d.name: list(d.sozialraeume) for d in districts}

    # --- shared bits ---------------------------------------------------------------------------------------

    def origin(self, *, senior: bool) -> str:
        """An origin drawn with the volunteer or senior shares."""
        return _weighted(self.rng, {o: shares[1 if senior else 0] for o, shares in names.ORIGINS.items()})

    def name(self, origin: str, gender: str, age: str) -> tuple[str, str]:
        """First and last name for an origin, gender (w/m/d) and generation ('old' or 'young')."""
        pool_gender = gender if gender in ("w", "m") else self.rng.choice("wm")
        first = self.rng.choice(names.FIRST_NAMES[(origin, pool_gender, age)])
        return first, names.last_name_for(origin, self.rng.choice(names.LAST_NAMES[origin]), pool_gender)

    def days_ago(self, low: int, high: int) -> date:
        """A date between ``high`` and ``low`` days before today."""
        return self.today - timedelta(days=self.rng.randint(low, high))

    def phone(self, *, mobile: bool = False) -> str:
        """An invented Dortmund landline or mobile number."""
        if mobile:
            return f"01{self.rng.choice(['51', '57', '60', '70', '76'])} {self.rng.randint(1000000, 9999999)}"
        return f"0231 {self.rng.randint(100000, 9999999)}"

    def email(self, first: str, last: str) -> str:
        """A unique address under example.org (reserved, never delivered)."""
        local = names.mail_local_part(first, last)
        address, n = f"{local}@example.org", 1
        while address in self.emails:
            n += 1
            address = f"{local}{n}@example.org"
        self.emails.add(address)
        return address

    def nearby(self, district: District, count: int) -> list[District]:
        """The ``count`` districts nearest to ``district`` (by reference point)."""
        lat, lon = DISTRICTS[district.name]
        others = sorted(
            (d for d in self.districts if d is not district),
            key=lambda d: (DISTRICTS[d.name][0] - lat) ** 2 + (DISTRICTS[d.name][1] - lon) ** 2,
        )
        return sorted(self.rng.sample(others[:3], count), key=lambda d: d.name)

    # --- volunteers ----------------------------------------------------------------------------------------

    def volunteer(self, number: int, *, entlastung: bool) -> Volunteer:
        """One volunteer; Entlastung volunteers carry a Basisqualifizierung."""
        rng = self.rng
        origin = self.origin(senior=False)
        gender = _weighted(rng, {"w": 80, "m": 19, "d": 1})
        first, last = self.name(origin, gender, "young" if rng.random() < 0.6 else "old")
        languages = ["Deutsch"] if origin == "de" else [names.ORIGINS[origin][2], "Deutsch"]
        if rng.random() < 0.2:
            languages.append("Englisch")
        home = rng.choice(self.districts)
        volunteer = Volunteer(
            first_name=first,
            last_name=last,
            email=self.email(first, last),
            phone=self.phone(mobile=rng.random() < 0.5),
            home_district=home,
            offers_besuchsdienst=not entlastung,
            offers_entlastung=entlastung,
            offers_demenzgruppe=rng.random() < (0.25 if entlastung else 0.06),
            languages=", ".join(languages),
            gender=gender,
            max_minutes_per_week=rng.choice([180, 240, 240, 300, 360, 480]),
            max_seniors=_weighted(rng, {1: 40, 2: 45, 3: 15}),
            status=_weighted(
                rng,
                {
                    VolunteerStatus.AKTIV: 90,
                    VolunteerStatus.BEWERBUNG: 4,
                    VolunteerStatus.PAUSIERT: 4,
                    VolunteerStatus.AUSGESCHIEDEN: 2,
                },
            ),
            fuehrungszeugnis_on=self._fuehrungszeugnis(),
        )
        volunteer.travel_districts = self.nearby(home, _weighted(rng, {0: 40, 1: 40, 2: 20}))
        if entlastung:
            course = self.days_ago(60, 3000)
            provider = rng.choice(names.QUALIFICATION_PROVIDERS)
            volunteer.basisqualifizierung_on = course
            volunteer.basisqualifizierung_ref = f"BQ-{course.year}-{number:03d} ({provider})"
        days = sorted(rng.sample(range(5), rng.choice([1, 2, 2, 3])) + ([5] if rng.random() < 0.1 else []))
        volunteer.availability = [
            VolunteerAvailability(weekday=day, start_minute=start, end_minute=end)
            for day in days
            for start, end in [rng.choice(_BLOCKS)]
        ]
        if rng.random() < 0.08:
            volunteer.absences = [self._absence()]
        if rng.random() < 0.1:
            volunteer.notes = rng.choice(["Fährt Auto.", "Nur mit ÖPNV unterwegs.", "Spricht gern über Musik."])
        return volunteer

    def _fuehrungszeugnis(self) -> date | None:
        roll = self.rng.random()
        if roll < 0.03:
            return None
        if roll < 0.07:
            return self.days_ago(5 * 365 + 30, 7 * 365)  # older than the default five years
        return self.days_ago(30, 4 * 365)

    def _absence(self) -> VolunteerAbsence:
        rng = self.rng
        start = self.today + timedelta(days=rng.randint(-50, 35))
        reason = _weighted(rng, {"Urlaub": 70, "Krankheit": 20, "Reha": 10})
        return VolunteerAbsence(starts_on=start, ends_on=start + timedelta(days=rng.randint(5, 20)), reason=reason)

    # --- seniors -------------------------------------------------------------------------------------------

    def senior(self, *, service: str, status: str) -> Senior:
        """One senior without district yet; Entlastung seniors get a Pflegegrad, KVNR and Pflegekasse."""
        rng = self.rng
        origin = self.origin(senior=True)
        gender = _weighted(rng, {"w": 70, "m": 30})
        first, last = self.name(origin, gender, "old")
        own = names.ORIGINS[origin][2]
        languages = [own] if origin != "de" and rng.random() < names.ORIGINS[origin][3] else [own, "Deutsch"]
        entlastung = service == "entlastung"
        senior = Senior(
            first_name=first,
            last_name=last,
            birth_on=date(self.today.year - rng.randint(68, 96), rng.randint(1, 12), rng.randint(1, 28)),
            phone=self.phone(),
            languages=", ".join(dict.fromkeys(languages)),
            preferred_volunteer_gender=("w" if gender == "w" and rng.random() < 0.3 else None),
            has_dementia=entlastung and rng.random() < 0.35,
            status=status,
            care_notes=rng.choice(names.CARE_NOTES) if rng.random() < 0.5 else None,
        )
        if rng.random() < 0.7:
            relation = rng.choice(names.RELATIONS[gender])
            contact_first, contact_last = self.name(origin, "m" if relation in ("Sohn", "Enkel") else "w", "young")
            senior.contact_name = f"{contact_first} {last if relation != 'Nachbarin' else contact_last}"
            senior.contact_relation = relation
            senior.contact_phone = self.phone(mobile=True)
            if rng.random() < 0.5:
                senior.contact_email = self.email(contact_first, f"{contact_last}.angehoerige")
        if entlastung:
            senior.pflegegrad = _weighted(rng, {1: 15, 2: 40, 3: 28, 4: 12, 5: 5})
            senior.pflegekasse = rng.choices(self.kassen, weights=names.KASSEN_SHARES[: len(self.kassen)])[0]
            senior.kvnr = self.kvnr()
        return senior

    def kvnr(self) -> str:
        """A new Versichertennummer with the right check digit."""
        while True:
            first_nine = self.rng.choice("ABCDEFGHIJKLMNOPRSTUVWZ") + f"{self.rng.randint(0, 99999999):08d}"
            value = first_nine + str(kvnr_check_digit(first_nine))
            if value not in self.kvnrs:
                self.kvnrs.add(value)
                return value

    def place(self, senior: Senior, district: District, *, since: date) -> None:
        """Give the senior an address in ``district`` and consent (and often an Abtretung) from ``since``."""
        rng = self.rng
        codes, streets = names.STREETS[district.name]
        senior.district = district
        senior.street = f"{rng.choice(streets)} {rng.randint(1, 140)}"
        senior.postal_code = rng.choice(codes)
        areas = self.sozialraeume[district.name]
        if areas and rng.random() < 0.35:
            senior.sozialraum = rng.choice(areas)
        senior.consent_on, senior.consent_scope = since, CONSENT_SCOPE
        if senior.pflegegrad and rng.random() < 0.75:
            revoked = None
            if rng.random() < 0.06 and (self.today - since).days > 30:
                revoked = since + timedelta(days=rng.randint(20, (self.today - since).days))
            senior.abtretungen.append(AbtretungPeriod(given_on=since, document_on=since, revoked_on=revoked))
