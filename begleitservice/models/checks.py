"""Check digits and cross-table rules as SQL, so the database refuses what the forms refuse.

The KVNR and IK rules (shared/DOMAIN.md, implemented in Python in billing.identifiers) are written out as
portable SQL expressions (SQLite and PostgreSQL). Rules that look at another table are triggers, one body
per dialect, attached to the tables so that both ``create_all`` and the migrations install them.
"""

import sqlalchemy as sa


def _digit(column: str, position: int) -> str:
    return f"CAST(substr({column}, {position}, 1) AS INTEGER)"


def _digit_sum_times_two(expr: str) -> str:
    return f"((2 * {expr}) % 10 + (2 * {expr}) / 10)"


def kvnr_check_sql(column: str = "kvnr") -> str:
    """SQL that is true when ``column`` is a KVNR with the right check digit (or NULL)."""
    letter = "CASE substr({c}, 1, 1) {whens} END".format(
        c=column, whens=" ".join(f"WHEN '{chr(65 + i)}' THEN {i + 1}" for i in range(26))
    )
    # letter → two digits (weights 1 and 2), then digits 2..9 with weights 1,2,1,2,...
    terms = [f"(({letter}) / 10)", _digit_sum_times_two(f"(({letter}) % 10)")]
    for i, position in enumerate(range(2, 10)):
        digit = _digit(column, position)
        terms.append(digit if i % 2 == 0 else _digit_sum_times_two(digit))
    digits = " AND ".join(f"substr({column}, {p}, 1) BETWEEN '0' AND '9'" for p in range(2, 11))
    return (
        f"{column} IS NULL OR (length({column}) = 10 AND ({letter}) IS NOT NULL AND {digits} "
        f"AND ({' + '.join(terms)}) % 10 = {_digit(column, 10)})"
    )


def ik_check_sql(column: str = "ik") -> str:
    """SQL that is true when ``column`` is a nine-digit IK with the right check digit."""
    terms = [
        _digit_sum_times_two(_digit(column, p)) if w == 2 else _digit(column, p)
        for p, w in zip(range(3, 9), (2, 1, 2, 1, 2, 1), strict=True)
    ]
    return f"{digits_only_sql(column, 9)} AND ({' + '.join(terms)}) % 10 = {_digit(column, 9)}"


def digits_only_sql(column: str, length: int) -> str:
    """SQL true when ``column`` has exactly ``length`` characters 0-9 (works on SQLite and PostgreSQL)."""
    return f"length({column}) = {length} AND " + " AND ".join(
        f"substr({column}, {i}, 1) BETWEEN '0' AND '9'" for i in range(1, length + 1)
    )


def cents_sql(column: str) -> str:
    """SQL for ``column`` in whole cents. SQLite keeps NUMERIC as a binary float, so sums of amounts must be
    compared in rounded cents there; PostgreSQL's exact numeric gives the same result."""
    return f"round({column} * 100)"


def money_sum_sql(total: str, *parts: str) -> str:
    """SQL true when the amount ``total`` is exactly the sum of the amounts ``parts``, to the cent, on SQLite
    and PostgreSQL alike (each side rounded to whole cents, which a float holds exactly)."""
    return f"{cents_sql(total)} = " + " + ".join(cents_sql(part) for part in parts)


# --- triggers --------------------------------------------------------------------------------------------

SERVICE_RULE_MESSAGE = (
    "Besuchsdienst nur ohne Pflegegrad, Häusliche Entlastung nur mit Pflegegrad 1–5; "
    "Entlastung nur durch Ehrenamtliche mit Basisqualifizierung"
)

_REQUEST_CONDITION = (
    "(NEW.service = 'besuchsdienst' AND (SELECT pflegegrad FROM senior WHERE id = NEW.senior_id) IS NOT NULL) "
    "OR (NEW.service = 'entlastung' AND (SELECT pflegegrad FROM senior WHERE id = NEW.senior_id) IS NULL)"
)
_PAIRING_CONDITION = (
    _REQUEST_CONDITION + " OR (NEW.service = 'entlastung' AND "
    "(SELECT basisqualifizierung_on FROM volunteer WHERE id = NEW.volunteer_id) IS NULL)"
)


def _watched_columns(table: str) -> str:
    return "service, senior_id" + (", volunteer_id" if table == "pairing" else "")


def _sqlite_trigger(table: str, condition: str, event: str) -> str:
    name = f"trg_{table}_service_rule_{event.split()[0].lower()}"
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{SERVICE_RULE_MESSAGE}'); END"
    )


def _postgres_trigger(table: str, condition: str) -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION fn_{table}_service_rule() RETURNS trigger AS $$ "
        f"BEGIN IF {condition} THEN RAISE EXCEPTION '{SERVICE_RULE_MESSAGE}' USING ERRCODE = 'check_violation'; "
        f"END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER trg_{table}_service_rule BEFORE INSERT OR UPDATE OF {_watched_columns(table)} "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION fn_{table}_service_rule()",
    ]


def service_rule_ddl(table: str, dialect: str) -> list[str]:
    """The statements that install the service rule trigger on ``table`` for ``dialect``."""
    condition = _PAIRING_CONDITION if table == "pairing" else _REQUEST_CONDITION
    if dialect == "sqlite":
        return [
            _sqlite_trigger(table, condition, "INSERT"),
            _sqlite_trigger(table, condition, f"UPDATE OF {_watched_columns(table)}"),
        ]
    if dialect == "postgresql":
        return _postgres_trigger(table, condition)
    return []


def attach_service_rule(table: sa.Table) -> None:
    """Install the service rule trigger whenever ``table`` is created through SQLAlchemy."""
    for dialect in ("sqlite", "postgresql"):
        for statement in service_rule_ddl(table.name, dialect):
            sa.event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect=dialect))
