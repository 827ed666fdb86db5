"""The report as tables: CSV for German Excel (the districts), XLSX with one sheet per table, and the PDF.

CSV: ``;``, UTF-8 with BOM, CRLF, decimal comma; every cell passes billing.cells.neutralise (no formulas).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from billing.cells import neutralise
from billing.money import format_decimal

from ..models import SERVICES
from ..models.names import sort_key
from .queries import Area, Missing, Report

FORMATS = ("csv", "xlsx", "pdf")
HOURS_COLUMNS = {
    "besuchsdienst": "Stunden Besuchsdienst",
    "entlastung": "Stunden Entlastung",
    "demenzgruppe": "Stunden Demenzgruppen",
}
CAPACITY_HEADERS = ["wartende Anfragen", "Ehrenamtliche", "freie Stunden je Woche"]
OFFER_NAMES = {"besuchsdienst": "Besuchsdienst", "entlastung": "Häusliche Entlastung", "demenzgruppe": "Demenzgruppen"}


@dataclass(frozen=True)
class Table:
    """One table of the report: a title (sheet name), German headers and typed rows."""

    title: str
    headers: list[str]
    rows: list[list]


def _median(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _area_row(area: Area) -> list:
    figures = area.total
    return [
        area.name,
        figures.received,
        figures.placed,
        figures.seniors,
        figures.volunteers,
        *(area.offers[code].hours for code in HOURS_COLUMNS),
        figures.withdrawn,
        figures.waiting,
        _median(figures.median_days),
        area.volunteers_new,
        area.volunteers_left,
        area.pairs_ended,
        area.group_volunteer_hours,
    ]


def area_headers(first: str) -> list[str]:
    return [
        first,
        "Anfragen eingegangen",
        "vermittelt",
        "Senior:innen begleitet",
        "Ehrenamtliche aktiv",
        *HOURS_COLUMNS.values(),
        "zurückgezogen",
        "wartet noch",
        "Median Tage bis Vermittlung",
        "Ehrenamtliche neu",
        "Ehrenamtliche ausgeschieden",
        "Begleitungen beendet",
        "Ehrenamtsstunden Demenzgruppen",
    ]


def district_table(report: Report) -> Table:
    """One row per Stadtbezirk (alphabetical), then ``Gesamt``."""
    rows = [_area_row(area) for area in sorted(report.areas, key=lambda a: sort_key(a.name))]
    return Table("Stadtbezirke", area_headers("Stadtbezirk"), [*rows, _area_row(report.total)])


def offer_table(report: Report) -> Table:
    """Per offer for the whole city."""
    headers = [
        "Angebot",
        "Anfragen eingegangen",
        "vermittelt",
        "zurückgezogen",
        "wartet noch",
        "Median Tage bis Vermittlung",
        "Senior:innen begleitet",
        "Ehrenamtliche aktiv",
        "Stunden",
    ]
    rows = []
    for code in SERVICES:
        f = report.total.offers[code]
        rows.append(
            [
                OFFER_NAMES[code],
                f.received,
                f.placed,
                f.withdrawn,
                f.waiting,
                _median(f.median_days),
                f.seniors,
                f.volunteers,
                f.hours,
            ]
        )
    return Table("Angebote", headers, rows)


def sozialraum_table(report: Report) -> Table:
    """One row per Sozialraum with its district, the Aktionsraum mark and rates per 1,000 residents 65+."""
    headers = [
        "Sozialraum",
        "Stadtbezirk",
        "Aktionsraum",
        *area_headers("")[1:],
        "Einwohner 65+",
        "Anfragen je 1.000",
        "Begleitete je 1.000",
    ]
    rows = []
    for area in [*report.areas, report.total]:
        row = _area_row(area)
        rows.append(
            [
                row[0],
                area.district,
                area.is_aktionsraum,
                *row[1:],
                area.residents_65plus,
                area.per_1000(area.total.received),
                area.per_1000(area.total.seniors),
            ]
        )
    return Table("Sozialräume", headers, rows)


def share_tables(report: Report) -> list[Table]:
    return [
        Table("Senior-innen nach Sprache", ["Sprache", "Senior:innen"], [list(r) for r in report.seniors_by_language]),
        Table("Senior-innen nach Alter", ["Altersgruppe", "Senior:innen"], [list(r) for r in report.seniors_by_age]),
        Table(
            "Ehrenamtliche nach Sprache", ["Sprache", "Ehrenamtliche"], [list(r) for r in report.volunteers_by_language]
        ),
        Table("Beendete Begleitungen", ["Grund", "Begleitungen"], [list(r) for r in report.ended_by_reason]),
    ]


def missing_tables(missing: Missing) -> list[Table]:
    headers = [
        "Stadtbezirk",
        *(f"wartend {OFFER_NAMES[c]}" for c in SERVICES),
        "Stunden je Woche gewünscht",
        "Ehrenamtliche aktiv",
        *(f"davon {OFFER_NAMES[c]}" for c in SERVICES),
        "freie Stunden je Woche",
    ]
    rows = [
        [
            g.name,
            *(g.waiting[c] for c in SERVICES),
            g.needed_hours,
            g.volunteers,
            *(g.offering[c] for c in SERVICES),
            g.free_hours,
        ]
        for g in [*missing.gaps, missing.total]
    ]
    return [
        Table("Fehlende Hilfe", headers, rows),
        Table(
            "Wartend nach Angebot",
            ["Angebot", *CAPACITY_HEADERS],
            [[OFFER_NAMES[code], *rest] for code, *rest in missing.by_offer],
        ),
        Table("Wartend nach Sprache", ["Sprachwunsch", *CAPACITY_HEADERS], [list(r) for r in missing.by_language]),
        Table("Wartend nach Tageszeit", ["Wunschzeit", *CAPACITY_HEADERS], [list(r) for r in missing.by_daytime]),
        Table("Gründe ohne Vorschlag", ["Grund", "Anfragen"], [list(r) for r in missing.reasons]),
        Table(
            "Wartelisten Demenzgruppen",
            ["Gruppe", "Stadtbezirk", "Plätze", "belegt oder angeboten", "Warteliste"],
            [list(r) for r in missing.group_waiting],
        ),
    ]


def csv_text(value) -> str:
    """The CSV text of a typed cell: decimal comma, ja/nein, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Decimal):
        return format_decimal(value, max(0, -value.as_tuple().exponent))
    return str(value)


def csv_bytes(table: Table) -> bytes:
    """``table`` as CSV for German Excel: ``;``, UTF-8 with BOM, CRLF, decimal comma, no formulas."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(neutralise(h)) for h in table.headers])
    for row in table.rows:
        writer.writerow([csv_text(neutralise(value)) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(tables: list[Table]) -> bytes:
    """The tables as one workbook, one sheet each (numbers as numbers, hours with two places)."""
    from openpyxl import Workbook  # loaded on use: openpyxl pulls in numpy
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(re.sub(r"[\\/*?:\[\]]", "", table.title)[:31])
        sheet.append([neutralise(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(neutralise(value)) for value in row])
        for index, header in enumerate(table.headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(header) + 2))
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, Decimal):
                    cell.number_format = "0.00" if cell.value.as_tuple().exponent == -2 else "0.0"
        sheet.freeze_panes = "B2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value):
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return value


def annual_tables(report: Report, sozialraeume: Report, missing: Missing) -> list[Table]:
    """Every table of the annual report, districts first."""
    return [
        district_table(report),
        offer_table(report),
        *share_tables(report),
        sozialraum_table(sozialraeume),
        *missing_tables(missing),
    ]


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file beside it, so a failed write leaves no half file."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
