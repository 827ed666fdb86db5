"""One import of volunteers or seniors from a table: check every row, report, and save only when all are fine.

The CLI command ``import`` and the upload page both call :func:`import_table`; the caller commits.
"""

import logging
from dataclasses import dataclass, field

from ..cli import senior_rows, volunteer_rows
from ..cli.tabular import Table
from ..cli.transfer import Problem
from ..extensions import db

log = logging.getLogger(__name__)

KINDS = {"volunteers": volunteer_rows, "seniors": senior_rows}
TITLES = {"volunteers": "Ehrenamtliche", "seniors": "Senior:innen"}


@dataclass
class ImportReport:
    """What an import found and did (nothing is saved when ``problems`` is not empty or on a dry run)."""

    kind: str
    dry_run: bool
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    skipped: int = 0

    @property
    def saved(self) -> bool:
        return not self.problems and not self.dry_run

    @property
    def summary(self) -> str:
        """The German one-line outcome, as the CLI prints it."""
        if self.problems:
            lines = len({p.line for p in self.problems})
            return f"{lines} fehlerhafte Zeile(n), {len(self.problems)} Fehler: nichts importiert."
        note = skipped_note(self.skipped)
        if self.dry_run:
            return (
                f"Probelauf: alle {self.rows} Zeilen sind in Ordnung "
                f"({self.new} neu, {self.updated} zu aktualisieren{note}). Nichts gespeichert."
            )
        return f"{TITLES[self.kind]}: {self.new} neu angelegt, {self.updated} aktualisiert{note}."


def skipped_note(skipped: int) -> str:
    if not skipped:
        return ""
    what = "mögliche Doppelung" if skipped == 1 else "mögliche Doppelungen"
    return f", {skipped} {what} nicht angelegt (mit --allow-duplicates trotzdem anlegen)"


def import_table(kind: str, table: Table, *, dry_run: bool, allow_duplicates: bool) -> ImportReport:
    """Check every row of ``table``; unless there are problems or it is a dry run, save them (flush, no commit).

    A row that looks like a stored person (or an earlier row) is not created but reported, unless
    ``allow_duplicates``. On problems or a dry run the session is rolled back: nothing changes.
    """
    module = KINDS[kind]
    parsed, problems = module.parse_rows(table)
    report = ImportReport(kind=kind, dry_run=dry_run, problems=problems)
    if problems:
        db.session.rollback()
        return report
    doubtful = [row for row in parsed if row.duplicates]
    for row in doubtful:
        outcome = "Wird trotzdem angelegt." if allow_duplicates else "Nicht angelegt."
        report.warnings.append(f"Warnung: Zeile {row.line}: {' '.join(row.duplicates)} {outcome}")
    report.rows = len(parsed)
    if not allow_duplicates:
        report.skipped = len(doubtful)
        parsed = [row for row in parsed if not row.duplicates]
    report.new = sum(1 for row in parsed if row.existing is None)
    report.updated = len(parsed) - report.new
    if dry_run:
        db.session.rollback()
        return report
    report.new, report.updated = module.apply_rows(parsed)
    log.info("imported %s: %d new, %d updated", kind, report.new, report.updated)
    return report
