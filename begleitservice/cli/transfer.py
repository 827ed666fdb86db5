"""Shared parts of the import: problems per row and field, and reading one row's cells with parsers."""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..inputs import text_error
from ..models import District
from ..models.base import join_list
from .tabular import Table, text

LANGUAGES_LENGTH = 200  # the languages columns of seniors and volunteers
ABSENT = object()  # the column is not in the file: keep the stored value (or the default for new rows)
INVALID = object()  # the cell was wrong; the problem is recorded


@dataclass(frozen=True)
class Problem:
    """One reason why a row cannot be imported."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"Zeile {self.line}, Feld {self.field}" if self.field else f"Zeile {self.line}"
        return f"{where}: {self.message}"


def check_headers(table: Table, known: list[str], required: list[str]) -> list[Problem]:
    """Problems with the header line: unknown, doubled or missing required columns."""
    problems = []
    seen: set[str] = set()
    for header in table.headers:
        if header and header not in known:
            problems.append(Problem(1, header, f"unbekannte Spalte (erwartet: {', '.join(known)})."))
        if header in seen:
            problems.append(Problem(1, header, "Spalte kommt doppelt vor."))
        seen.add(header)
    problems.extend(Problem(1, h, "Pflichtspalte fehlt.") for h in required if h not in seen)
    return problems


class RowReader:
    """The cells of one row by header; ``read`` parses a cell and records a problem instead of raising."""

    def __init__(self, line: int, headers: list[str], record: list, problems: list[Problem]):
        self.line = line
        self.cells = {h: (record[i] if i < len(record) else None) for i, h in enumerate(headers) if h}
        self.problems = problems
        self.failed_fields: set[str] = set()

    @property
    def failed(self) -> bool:
        """Whether any cell of this row has a problem."""
        return bool(self.failed_fields)

    def fail(self, field: str, message: str) -> None:
        """Record a problem with ``field`` in this row."""
        self.problems.append(Problem(self.line, field, message))
        self.failed_fields.add(field)

    def peek(self, header: str, parse: Callable):
        """The parsed cell without recording anything (None when absent or wrong)."""
        try:
            return parse(self.cells[header]) if header in self.cells else None
        except ValueError:
            return None

    def read(self, header: str, parse: Callable = text, *, required: bool = False):
        """The parsed cell, ABSENT (no such column) or INVALID (problem recorded)."""
        if header not in self.cells:
            return ABSENT
        try:
            value = parse(self.cells[header])
        except ValueError as error:
            self.fail(header, str(error))
            return INVALID
        if required and value in ("", None):
            self.fail(header, "Pflichtfeld ist leer.")
            return INVALID
        return value


def limited(length: int) -> Callable:
    """A text parser that refuses more than ``length`` characters; empty text becomes None."""

    def parse(raw):
        value = text(raw)
        if message := text_error(value, multiline=False):
            raise ValueError(message)
        if len(value) > length:
            raise ValueError(f"höchstens {length} Zeichen erlaubt (hier {len(value)}).")
        return value or None

    return parse


def languages(raw) -> str:
    """Languages separated by commas, stored as "Deutsch, Türkisch" (at most 200 characters); empty: Deutsch."""
    value = join_list((limited(LANGUAGES_LENGTH)(raw) or "").split(","))
    if len(value) > LANGUAGES_LENGTH:
        raise ValueError(f"höchstens {LANGUAGES_LENGTH} Zeichen erlaubt (hier {len(value)}).")
    return value or "Deutsch"


def districts_by_name() -> dict[str, District]:
    """All districts by lower-case name."""
    return {d.name.lower(): d for d in db.session.scalars(sa.select(District))}


def district_parser(districts: dict[str, District]) -> Callable:
    """A parser for one district name (case-insensitive); None when empty."""

    def parse(raw):
        value = text(raw)
        if not value:
            return None
        district = districts.get(value.lower())
        if district is None:
            raise ValueError(f"„{value}“ ist kein Dortmunder Stadtbezirk.")
        return district

    return parse


def district_list_parser(districts: dict[str, District]) -> Callable:
    """A parser for comma-separated district names."""
    one = district_parser(districts)

    def parse(raw):
        found = []
        for part in text(raw).split(","):
            district = one(part)
            if district is not None and district not in found:
                found.append(district)
        return found

    return parse


def keep(values: dict, attr: str, value) -> None:
    """Put ``value`` under ``attr`` unless the column was absent or the cell invalid."""
    if value is not ABSENT and value is not INVALID:
        values[attr] = value
