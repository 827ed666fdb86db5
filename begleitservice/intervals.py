"""Weekly time intervals as people write them: "Mo 09:00-12:00; Mi 14:00-17:30".

One format for forms, imports and exports, so a coordinator reads what they typed.
"""

import re
from itertools import pairwise

from .models.base import WEEKDAYS, minutes_label

_ABBREVIATIONS = {name[:2].lower(): i for i, name in enumerate(WEEKDAYS)}
_TIME = r"([0-9]{1,2})[:.]([0-9]{2})"
_ITEM = re.compile(rf"^\s*([A-Za-zäöüÄÖÜ]+)\.?\s+{_TIME}\s*[-–]\s*{_TIME}\s*$")

Interval = tuple[int, int, int]  # weekday (0 = Montag), start minute, end minute


def parse_intervals(text: str | None) -> list[Interval]:
    """Parse "Mo 09:00-12:00; Mi 14:00-17:00" (also one per line); raise ValueError with a German message."""
    result: list[Interval] = []
    items = [item for item in re.split(r"[;\n]", text or "") if item.strip()]
    for item in items:
        match = _ITEM.match(item)
        if not match:
            raise ValueError(f"„{item.strip()}“ ist keine Zeitangabe wie „Mo 09:00-12:00“.")
        day, h1, m1, h2, m2 = match.groups()
        weekday = _ABBREVIATIONS.get(day[:2].lower())
        if weekday is None or not WEEKDAYS[weekday].lower().startswith(day.lower()):
            raise ValueError(f"„{day}“ ist kein Wochentag (Mo, Di, Mi, Do, Fr, Sa, So).")
        start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if int(m1) > 59 or int(m2) > 59 or start > 1440 or end > 1440:
            raise ValueError(f"„{item.strip()}“ enthält eine ungültige Uhrzeit.")
        if end <= start:
            raise ValueError(f"„{item.strip()}“: das Ende muss nach dem Beginn liegen.")
        result.append((weekday, start, end))
    result.sort()
    for (d1, _s1, e1), (d2, s2, _e2) in pairwise(result):
        if d1 == d2 and s2 < e1:
            raise ValueError(f"Die Zeiten am {WEEKDAYS[d1]} überschneiden sich.")
    return result


def format_intervals(intervals) -> str:
    """The text form of intervals (tuples or objects with weekday/start_minute/end_minute)."""
    parts = []
    for item in intervals:
        weekday, start, end = item if isinstance(item, tuple) else (item.weekday, item.start_minute, item.end_minute)
        parts.append(f"{WEEKDAYS[weekday][:2]} {minutes_label(start)}-{minutes_label(end)}")
    return "; ".join(parts)
