"""The troublemakers the fuzz test (test_fuzz.py) sends: per kind of parameter the values that broke pages before,
and Hypothesis strategies that mostly pick one of them and sometimes anything at all."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import strategies as st

from begleitservice.inputs import MAX_ID

HUGE = ["9" * 20, str(MAX_ID + 1), str(2**63)]
BAD = {
    "int": [*HUGE, "²", "١٢", "１２", "-1", "0", "1e309", "abc", " 12 "],
    "date": ["0001-01-01", "1800-01-01", "1899-12-31", "9999-12-31", "2026-02-30", "31.12.2026", "2026-10-", "abc"],
    "month": ["02/0000", "0000-01", "2026-13", "13/2026", "10000-01", "1800-01", "12/9999", "abc", "2026-10-01"],
    "time": ["24:00", "25:61", "-1:00", "9", "abc"],
    "amount": ["1e999999", "NaN", "-Infinity", "99999999999", "1.234,567", "-1", "12,5 €"],
    "intervals": ["Mo 23:00-24:00", "Mo 24:30-25:00", "Mo 10:00-10:05", "Xy 10:00-12:00", "Mo 12:00-10:00"],
    "text": [
        "a\x00b",
        "\x00" * 24,
        "\x1b[31m",
        "Zeile 1\r\nZeile 2",
        "\r\nSet-Cookie: x=1",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "https://evil.example/",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%_",
        "Öztürk Çelik Şahin Yıldırım ß",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
        "x" * 400,
        "y" * 6000,
    ],
}
NASTY = sorted({value for values in BAD.values() for value in values} | {"", " "})
EXTRA_NAMES = ["page", "monat", "q", "next", "format", "status", "district", "von", "senior_id", "request_id"]

_INT_NAMES = re.compile(
    r"(^|_)(id|ids|page|district|pflegekasse|pflegegrad|urgency|ehrenamtliche|minutes|seniors|weeks|week)$"
)
_DATE_NAMES = re.compile(r"(_on|^von|as_of|_since)$")
_AMOUNT_NAMES = re.compile(r"(amount|current_year|carried)$")
_TIME_NAMES = re.compile(r"^(start|end)$")
_INTERVAL_NAMES = re.compile(r"(slots|windows|availability)$")
_MONTH_NAMES = re.compile(r"(month|monat)$")

anything = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.dates(min_value=date(1, 1, 1)).map(lambda d: d.strftime("%m/%Y")),
)


def kind_of(name: str, html_type: str = "", offered: list[str] = ()) -> str:
    """What a parameter holds, from its name, its HTML input type and the values the page offered."""
    short = name.rsplit("-", 1)[-1]  # prefixed budget fields: "use-month"
    if html_type in ("date", "time", "number"):
        return {"date": "date", "time": "time", "number": "int"}[html_type]
    for pattern, kind in (
        (_MONTH_NAMES, "month"),
        (_DATE_NAMES, "date"),
        (_AMOUNT_NAMES, "amount"),
        (_TIME_NAMES, "time"),
        (_INTERVAL_NAMES, "intervals"),
        (_INT_NAMES, "int"),
    ):
        if pattern.search(short):
            return kind
    filled = [v for v in offered if v]
    if filled and all(v.isascii() and v.isdigit() for v in filled):
        return "int"
    return "text"


def bad_value(kind: str) -> st.SearchStrategy[str]:
    """Mostly a value that broke this kind of parameter before (or any text troublemaker), sometimes anything."""
    known = st.sampled_from(BAD[kind] + (BAD["text"][:6] if kind != "text" else []))
    return st.one_of(known, known, known, anything)
