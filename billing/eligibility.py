"""Who may use the Entlastungsbetrag and the Umwandlung on which day: Pflegegrad and living situation by the day.

- §45b SGB XI (Entlastungsbetrag): Pflegegrad 1–5 *and* living at home on the day.
- §45a Abs. 4 SGB XI (Umwandlung of the Pflegesachleistung, §36, which is for care at home): Pflegegrad 2–5
  *and* living at home on the day.
- Pflegegrad periods run from ``valid_from`` to ``valid_until`` inclusive (None: still valid).
- Living-situation periods likewise; a day no period covers counts as at home (the service visits people at
  home; the history records the exceptions: a move into a care home, death).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property

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

    @cached_property
    def _segments(self) -> tuple[list[date], list[tuple[int | None, Living]]]:
        """The days on which grade or living situation may change, and the state from each of them on."""
        points = {date.min}
        for period in (*self.grades, *self.living):
            points.add(period.valid_from)
            if period.valid_until is not None and period.valid_until < date.max:
                points.add(period.valid_until + timedelta(days=1))
        starts = sorted(points)
        return starts, [(self._grade_at(day), self._living_at(day)) for day in starts]

    def _grade_at(self, day: date) -> int | None:
        grades = [p.grade for p in self.grades if 1 <= p.grade <= 5 and p.covers(day)]
        return max(grades) if grades else None

    def _living_at(self, day: date) -> Living:
        return next((p.situation for p in self.living if p.covers(day)), Living.ZU_HAUSE)

    def _state(self, day: date) -> tuple[int | None, Living]:
        starts, states = self._segments
        return states[bisect_right(starts, day) - 1]

    def grade_on(self, day: date) -> int | None:
        """The Pflegegrad (1–5) held on ``day`` (the highest if periods overlap), or None."""
        return self._state(day)[0]

    def living_on(self, day: date) -> Living:
        """Where the senior lived on ``day`` (at home unless a period says otherwise)."""
        return self._state(day)[1]

    def entlastung_on(self, day: date) -> bool:
        """§45b: Pflegegrad 1–5 and at home on ``day``."""
        grade, living = self._state(day)
        return grade is not None and living is Living.ZU_HAUSE

    def umwandlung_grade_on(self, day: date) -> int | None:
        """§45a Abs. 4: the Pflegegrad (2–5) on ``day`` if at home that day, else None."""
        grade, living = self._state(day)
        if grade is None or grade < 2 or living is not Living.ZU_HAUSE:
            return None
        return grade

    def spans(self, month: Month) -> list[tuple[date, date, int | None, Living]]:
        """``month`` cut where grade or living situation change: (first day, last day, grade, living)."""
        starts, states = self._segments
        first, last = month.first_day, month.last_day
        index = bisect_right(starts, first) - 1
        result = []
        while index < len(starts) and starts[index] <= last:
            begin = max(starts[index], first)
            end = min(starts[index + 1] - timedelta(days=1), last) if index + 1 < len(starts) else last
            result.append((begin, end, *states[index]))
            index += 1
        return result

    def entlastung_spans(self, month: Month) -> list[tuple[date, date, int]]:
        """The runs of days of ``month`` with a claim to the Entlastungsbetrag: (first, last, grade)."""
        return [(a, b, g) for a, b, g, living in self.spans(month) if g is not None and living is Living.ZU_HAUSE]

    def entlastung_days(self, month: Month) -> list[date]:
        """The days of ``month`` with a claim to the Entlastungsbetrag."""
        return [a + timedelta(days=n) for a, b, _g in self.entlastung_spans(month) for n in range((b - a).days + 1)]

    def highest_grade_in(self, month: Month) -> int | None:
        """Highest Pflegegrad held on any day of ``month`` (for display only: coverage goes by the day)."""
        grades = [p.grade for p in self.grades if 1 <= p.grade <= 5 and p.overlaps(month)]
        return max(grades) if grades else None

    def why_not(self, day: date) -> str:
        """German reason why ``day`` has no claim to the Entlastungsbetrag ("" if it has one)."""
        grade, living = self._state(day)
        if living is not Living.ZU_HAUSE:
            return f"am {format_date(day)} {LIVING_LABELS[living]}"
        if grade is None:
            return f"am {format_date(day)} kein Pflegegrad"
        return ""
