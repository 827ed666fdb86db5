"""Who may use the Entlastungsbetrag and the Umwandlung on which day: Pflegegrad and living situation by the day.

- §45b SGB XI (Entlastungsbetrag): Pflegegrad 1–5 *and* living at home on the day.
- §45a Abs. 4 SGB XI (Umwandlung of the Pflegesachleistung, §36, which is for care at home): Pflegegrad 2–5
  *and* living at home on the day.
- Pflegegrad periods run from ``valid_from`` to ``valid_until`` inclusive (None: still valid).
- Living-situation periods likewise; a day no period covers counts as at home (the service visits people at
  home; the history records the exceptions: a move into a care home, death).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from billing.money import format_date
from billing.month import Month


class Living(StrEnum):
    """Where a senior lives; only ZU_HAUSE allows the Entlastungsbetrag."""

    ZU_HAUSE = "zu_hause"
    PFLEGEHEIM = "pflegeheim"
    VERSTORBEN = "verstorben"


LIVING_LABELS = {Living.ZU_HAUSE: "zu Hause", Living.PFLEGEHEIM: "im Pflegeheim", Living.VERSTORBEN: "verstorben"}


@dataclass(frozen=True)
class GradePeriod:
    """A Pflegegrad held from ``valid_from`` to ``valid_until`` (inclusive; None: still valid)."""

    grade: int
    valid_from: date
    valid_until: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def overlaps(self, month: Month) -> bool:
        return self.valid_from <= month.last_day and (self.valid_until is None or self.valid_until >= month.first_day)


@dataclass(frozen=True)
class LivingPeriod:
    """The senior lived ``situation`` from ``valid_from`` to ``valid_until`` (inclusive; None: still)."""

    situation: Living
    valid_from: date
    valid_until: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Eligibility:
    """The dated facts that decide, day by day, what the Pflegekasse pays for."""

    grades: tuple[GradePeriod, ...] = ()
    living: tuple[LivingPeriod, ...] = ()

    def grade_on(self, day: date) -> int | None:
        """The Pflegegrad (1–5) held on ``day`` (the highest if periods overlap), or None."""
        grades = [p.grade for p in self.grades if 1 <= p.grade <= 5 and p.covers(day)]
        return max(grades) if grades else None

    def living_on(self, day: date) -> Living:
        """Where the senior lived on ``day`` (at home unless a period says otherwise)."""
        return next((p.situation for p in self.living if p.covers(day)), Living.ZU_HAUSE)

    def entlastung_on(self, day: date) -> bool:
        """§45b: Pflegegrad 1–5 and at home on ``day``."""
        return self.grade_on(day) is not None and self.living_on(day) is Living.ZU_HAUSE

    def umwandlung_grade_on(self, day: date) -> int | None:
        """§45a Abs. 4: the Pflegegrad (2–5) on ``day`` if at home that day, else None."""
        grade = self.grade_on(day)
        if grade is None or grade < 2 or self.living_on(day) is not Living.ZU_HAUSE:
            return None
        return grade

    def entlastung_days(self, month: Month) -> list[date]:
        """The days of ``month`` with a claim to the Entlastungsbetrag."""
        return [d for d in _days(month) if self.entlastung_on(d)]

    def highest_grade_in(self, month: Month) -> int | None:
        """Highest Pflegegrad held on any day of ``month`` (for display only: coverage goes by the day)."""
        grades = [p.grade for p in self.grades if 1 <= p.grade <= 5 and p.overlaps(month)]
        return max(grades) if grades else None

    def why_not(self, day: date) -> str:
        """German reason why ``day`` has no claim to the Entlastungsbetrag ("" if it has one)."""
        living = self.living_on(day)
        if living is not Living.ZU_HAUSE:
            return f"am {format_date(day)} {LIVING_LABELS[living]}"
        if self.grade_on(day) is None:
            return f"am {format_date(day)} kein Pflegegrad"
        return ""


def _days(month: Month) -> list[date]:
    return [date(month.year, month.month, d) for d in range(1, month.last_day.day + 1)]
