"""Tables in files for import and export: CSV as German Excel writes it, or XLSX; and typed cells.

CSV: ``;`` separator, UTF-8 (a BOM is written and accepted but not required), CRLF, dates ``03.11.2026``,
decimal comma. XLSX: the first sheet, header in row 1, dates as date cells, numbers as numbers.
Row numbers in messages are the line (CSV) or row (XLSX) in the file, the header being line 1.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from billing.cells import neutralise, restore
from billing.money import format_date, format_decimal

from .. import inputs
from ..inputs import check_date, clean_text

FORMATS = (".csv", ".xlsx")
_TRUE = {"ja", "j", "x", "1", "wahr", "true", "yes"}
_FALSE = {"nein", "n", "0", "falsch", "false", "no", ""}


class TableError(ValueError):
    """A file that cannot be read as a table at all (German message)."""


@dataclass(frozen=True)
class Table:
    """The header and the non-empty data rows of a file, each with its line number."""

    headers: list[str]
    rows: list[tuple[int, list]]


def file_format(path: str | Path) -> str:
    """``.csv`` or ``.xlsx`` from the file name; anything else is refused."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TableError(f"Unbekanntes Dateiformat „{suffix or Path(path).name}“: bitte .csv oder .xlsx verwenden.")
    return suffix


def read_table(path: str | Path) -> Table:
    """Read a CSV or XLSX file; empty rows are skipped but counted."""
    if file_format(path) == ".xlsx":
        return _read_xlsx(Path(path))
    return _read_csv(Path(path))


def _read_csv(path: Path) -> Table:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError("Die CSV-Datei ist nicht in UTF-8 gespeichert (in Excel: „CSV UTF-8“ wählen).") from error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    rows, headers, line = [], None, 1
    for record in reader:
        if headers is None:
            headers = [cell.strip() for cell in record]
        elif any(cell.strip() for cell in record):
            rows.append((line, record))
        line = reader.line_num + 1
    if not headers:
        raise TableError("Die Datei ist leer: in Zeile 1 werden die Spaltenüberschriften erwartet.")
    return Table(headers, rows)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook  # loaded on use: openpyxl pulls in numpy

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise TableError("Die XLSX-Datei kann nicht gelesen werden.") from error
    sheet = workbook.worksheets[0]
    rows, headers = [], None
    for number, record in enumerate(sheet.iter_rows(values_only=True), start=1):
        if headers is None:
            headers = [str(cell).strip() if cell is not None else "" for cell in record]
            continue
        if any(cell not in (None, "") for cell in record):
            rows.append((number, list(record)))
    workbook.close()
    if not headers:
        raise TableError("Die Datei ist leer: in Zeile 1 werden die Spaltenüberschriften erwartet.")
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers, rows)


def write_table(path: str | Path, headers: list[str], rows: list[list], *, title: str) -> None:
    """Write typed rows (str, int, Decimal, date, bool, None) as CSV or XLSX, by the file's extension."""
    if file_format(path) == ".xlsx":
        _write_xlsx(Path(path), headers, rows, title=title)
        return
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_text(neutralise(value)) for value in row])
    Path(path).write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))


def _write_xlsx(path: Path, headers: list[str], rows: list[list], *, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\\/*?:\[\]]", "", title)[:31]  # Excel forbids these in sheet names
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(neutralise(value)) for value in row])
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(header) + 2)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, datetime):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    workbook.save(path)


def _xlsx_value(value):
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def csv_text(value) -> str:
    """The CSV text of a typed value: dates German, decimals with comma, booleans ja/nein."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)


# --- cells: each parser takes a raw cell (str, number, datetime or None) and raises ValueError in German ----


def text(raw) -> str:
    """The cell as stripped text ('' when empty); whole numbers from XLSX lose their '.0'; control characters
    (a NUL byte, escape sequences) are refused, line breaks kept."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        raw = int(raw)
    if isinstance(raw, datetime):
        return format_date(raw.date())
    if isinstance(raw, str):
        raw = restore(raw)  # undo the export's formula guard
    return clean_text(raw)


def parse_date(raw, kind: str = "any") -> date | None:
    """A date from a date cell, ``31.12.2025`` or ``2025-12-31``, in the window ``kind`` of begleitservice.inputs;
    None when empty."""
    if isinstance(raw, datetime):
        return check_date(raw.date(), kind)
    if isinstance(raw, date):
        return check_date(raw, kind)
    value = text(raw)
    if not value:
        return None
    return inputs.parse_date(value, kind)


def parse_bool(raw) -> bool:
    """ja/nein (also x, 1/0, wahr/falsch); empty means nein."""
    if isinstance(raw, bool):
        return raw
    value = text(raw).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"„{text(raw)}“: bitte „ja“ oder „nein“ eintragen.")


def parse_int(raw, *, low: int, high: int) -> int | None:
    """A whole number between ``low`` and ``high``; None when empty."""
    value = text(raw)
    if not value:
        return None
    return inputs.parse_int(value, low=low, high=high)


def parse_hours_as_minutes(raw, *, high_minutes: int) -> int | None:
    """Hours with decimal comma (``4,5``; a dot is accepted too) as whole minutes; None when empty."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not -1e6 < raw < 1e6:  # also infinity and NaN
            raise ValueError(f"Es sind höchstens {high_minutes // 60} Stunden möglich.")
        hours = Decimal(str(raw))
    else:
        value = text(raw).replace(" ", "")
        if not value:
            return None
        if not re.fullmatch(r"[0-9]{1,6}([,.][0-9]{1,6})?", value):
            raise ValueError(f"„{value}“ ist keine Stundenzahl wie 4 oder 4,5.")
        try:
            hours = Decimal(value.replace(",", "."))
        except InvalidOperation as error:  # pragma: no cover - the pattern already guards this
            raise ValueError(f"„{value}“ ist keine Stundenzahl.") from error
    minutes = int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if not 0 <= minutes <= high_minutes:
        raise ValueError(f"Es sind höchstens {high_minutes // 60} Stunden möglich.")
    return minutes


def minutes_as_hours(minutes: int) -> Decimal:
    """Minutes as hours with two places, the form ``parse_hours_as_minutes`` reads back exactly."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_email(raw) -> str:
    """A syntactically valid email address in lower case ('' when empty)."""
    value = text(raw)
    if not value:
        return ""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"„{value}“ ist keine gültige E-Mail-Adresse.") from error
    return value.lower()


def choice(raw, options: dict[str, str], what: str) -> str:
    """The key of ``options`` given as key or label (case-insensitive); '' when empty."""
    value = text(raw)
    if not value:
        return ""
    for key, label in options.items():
        if value.lower() in (key.lower(), label.lower()):
            return key
    raise ValueError(f"„{value}“ ist kein gültiger Wert für {what} (erlaubt: {', '.join(options)}).")
