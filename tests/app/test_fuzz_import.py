"""Property-based fuzzing (Hypothesis) of the import: generated cells in every column of both tables.

The properties: the command never fails with a traceback or a refusal by the database (every bad cell is a German
"Zeile N, Feld X: …" line), and a file with any problem imports nothing. Rows start valid; one or two cells per row
get a troublemaker of their kind (tests/app/fuzz_values.py). ``FUZZ_EXAMPLES`` scales the examples as in
test_fuzz.py.
"""

import csv
import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from begleitservice.cli.importexport import KINDS, import_command
from begleitservice.extensions import db
from begleitservice.models import Senior, Volunteer
from tests.app.fuzz_values import anything, bad_value

EXAMPLES = 20 * int(os.environ.get("FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("FUZZ_SEED", "0"))
VALID = {
    "volunteers": {
        "Vorname": "Erika",
        "Nachname": "Muster",
        "E-Mail": "erika{n}@example.org",
        "Telefon": "0231 123",
        "Geschlecht": "w",
        "Stadtbezirk": "Eving",
        "Weitere Stadtbezirke": "Hörde, Brackel",
        "Besuchsdienst": "ja",
        "Entlastung": "ja",
        "Demenzgruppe": "nein",
        "Sprachen": "Deutsch, Türkisch",
        "Max. Stunden pro Woche": "4,5",
        "Max. Senior:innen": "2",
        "Basisqualifizierung am": "01.03.2024",
        "Basisqualifizierung Nachweis": "Zertifikat 12",
        "Führungszeugnis vom": "2025-02-01",
        "Status": "aktiv",
        "Verfügbarkeit": "Mo 09:00-12:00; Mi 14:00-17:00",
        "Notizen": "",
    },
    "seniors": {
        "Vorname": "Hilde",
        "Nachname": "Gut{n}",
        "Geburtsdatum": "17.05.1938",
        "Straße": "Evinger Straße 1",
        "PLZ": "44339",
        "Ort": "Dortmund",
        "Stadtbezirk": "Eving",
        "Sozialraum": "",
        "Telefon": "0231 1",
        "Kontaktperson": "Anna Gut",
        "Kontakt Beziehung": "Tochter",
        "Kontakt Telefon": "0170 1",
        "Kontakt E-Mail": "anna@example.org",
        "Pflegegrad": "",
        "Pflegekasse": "",
        "Pflegekasse IK": "",
        "Versichertennummer": "",
        "Sprachen": "Deutsch",
        "Gewünschtes Geschlecht": "w",
        "Demenz": "nein",
        "Einwilligung am": "01.02.2025",
        "Einwilligung Umfang": "Begleitung",
        "Abtretung am": "",
        "Abtretung widerrufen am": "",
        "Status": "aktiv",
        "Pflegehinweise": "",
    },
}


def kind_of_column(column: str) -> str:
    """What a column holds, for its troublemakers."""
    if column.endswith((" am", " vom")) or column == "Geburtsdatum":
        return "date"
    if column in ("Max. Senior:innen", "Pflegegrad", "PLZ"):
        return "int"
    if column == "Max. Stunden pro Woche":
        return "amount"
    if column == "Verfügbarkeit":
        return "intervals"
    return "text"


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_import_of_generated_cells_reports_every_problem_and_saves_nothing_then(app_ctx, tmp_path, kind):
    """Never a traceback or a database refusal; a file with a problem leaves the database as it was."""
    model = {"volunteers": Volunteer, "seniors": Senior}[kind]
    columns = list(KINDS[kind].COLUMNS)
    path = tmp_path / "import.csv"
    runner = app_ctx.test_cli_runner()
    tried = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        print_blob=False,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @seed(SEED)
    @given(data=st.data())
    def run(data):
        rows = []
        for n in range(data.draw(st.integers(1, 3), label="rows")):
            row = {c: value.format(n=n) for c, value in VALID[kind].items()}
            for column in data.draw(st.lists(st.sampled_from(columns), min_size=1, max_size=2, unique=True)):
                row[column] = data.draw(st.one_of(bad_value(kind_of_column(column)), anything))
            rows.append(row)
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.DictWriter(file, columns, delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
        tried.append(len(rows))

        result = runner.invoke(import_command, [kind, str(path)])

        report = f"rows={rows!r}\noutput={result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), report + repr(result.exception)
        assert "Die Datenbank hat den Import abgelehnt" not in result.output, report
        if result.exit_code != 0:
            assert "Zeile " in result.output and "nichts importiert" in result.output, report
            assert count(model) == 0, report
        db.session.rollback()
        for saved in db.session.scalars(sa.select(model)):  # the next example starts from the same empty table
            db.session.delete(saved)
        db.session.commit()

    run()
    print(f"\nimport fuzz {kind}: {len(tried)} files, {sum(tried)} rows")
