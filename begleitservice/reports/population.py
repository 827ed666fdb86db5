"""Import of the city's residents aged 65+ per Sozialraum: every row checked, saved only when all are right."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..extensions import db
from ..inputs import InputError
from ..models import District, Sozialraum, SozialraumPopulation

COLUMNS = ("Sozialraum", "Stadtbezirk", "Jahr", "Einwohner 65+")
_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")


@dataclass
class PopulationImport:
    """What an import did or would do: German problems per row, counts for the summary."""

    problems: list[str] = field(default_factory=list)
    saved: int = 0
    replaced: int = 0
    new_sozialraeume: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def summary(self) -> str:
        if self.problems:
            return f"{len(self.problems)} Fehler – nichts importiert."
        verb = "würden importiert" if self.dry_run else "importiert"
        text = f"{self.saved} Zeilen {verb} ({self.replaced} ersetzt)"
        if self.new_sozialraeume:
            text += f", neue Sozialräume: {', '.join(self.new_sozialraeume)}"
        return text + ("; Probelauf, nichts gespeichert." if self.dry_run else ".")


def _number(raw, *, low: int, high: int) -> int:
    from ..cli.tabular import text

    value = text(raw).replace(" ", "")
    if _THOUSANDS.fullmatch(value):
        value = value.replace(".", "")
    if not value:
        raise InputError("fehlt")
    from ..inputs import parse_int

    return parse_int(value, low=low, high=high)


def import_population(table, *, dry_run: bool) -> PopulationImport:
    """Check every row of ``table``; without problems store (replace) the figures, unless ``dry_run``. Flushes only."""
    from ..cli.tabular import text

    result = PopulationImport(dry_run=dry_run)
    missing = [name for name in COLUMNS if name not in table.headers]
    if missing:
        result.problems.append(f"Zeile 1: Spalte(n) fehlen: {', '.join(missing)}.")
        return result
    column = {name: table.headers.index(name) for name in COLUMNS}
    districts = {d.name.casefold(): d for d in db.session.scalars(sa.select(District))}
    sozialraeume = {s.name.casefold(): s for s in db.session.scalars(sa.select(Sozialraum))}
    seen: dict[tuple[str, int], int] = {}
    values = []
    for line, record in table.rows:
        cells = {name: (record[i] if i < len(record) else None) for name, i in column.items()}
        errors = []
        name = text(cells["Sozialraum"])
        if not name or len(name) > 80:
            errors.append("Feld Sozialraum: bitte einen Namen (höchstens 80 Zeichen) angeben.")
        district_name = text(cells["Stadtbezirk"])
        district = districts.get(district_name.casefold())
        if district is None:
            errors.append(f"Feld Stadtbezirk: „{district_name[:40]}“ ist kein Dortmunder Stadtbezirk.")
        known = sozialraeume.get(name.casefold())
        if known is not None and district is not None and known.district_id != district.id:
            errors.append(f"Feld Stadtbezirk: der Sozialraum „{name}“ liegt in {known.district.name}.")
        year = residents = None
        try:
            year = _number(cells["Jahr"], low=2000, high=2100)
        except InputError as error:
            errors.append(f"Feld Jahr: {error} (ein Jahr von 2000 bis 2100)")
        try:
            residents = _number(cells["Einwohner 65+"], low=0, high=1_000_000)
        except InputError as error:
            errors.append(f"Feld Einwohner 65+: {error} (eine ganze Zahl von 0 bis 1000000)")
        if not errors and (name.casefold(), year) in seen:
            errors.append(f"Feld Sozialraum: „{name}“ steht für {year} schon in Zeile {seen[(name.casefold(), year)]}.")
        if errors:
            result.problems.extend(f"Zeile {line}, {error}" for error in errors)
            continue
        seen[(name.casefold(), year)] = line
        values.append((name, district, year, residents))
    if result.problems:
        return result
    if not values:
        result.problems.append("Die Datei enthält keine Zeilen mit Einwohnerzahlen.")
        return result
    for name, district, year, residents in values:
        sozialraum = sozialraeume.get(name.casefold())
        if sozialraum is None:
            sozialraum = Sozialraum(name=name, district=district, is_aktionsraum=False)
            db.session.add(sozialraum)
            sozialraeume[name.casefold()] = sozialraum
            result.new_sozialraeume.append(name)
            db.session.flush()
        row = db.session.scalar(
            sa.select(SozialraumPopulation).where(
                SozialraumPopulation.sozialraum_id == sozialraum.id, SozialraumPopulation.year == year
            )
        )
        if row is None:
            db.session.add(SozialraumPopulation(sozialraum_id=sozialraum.id, year=year, residents_65plus=residents))
        else:
            row.residents_65plus = residents
            result.replaced += 1
        result.saved += 1
    db.session.flush()
    return result
