"""notification kind 'abwesenheit': a volunteer reported an absence in "Mein Bereich"

Revision ID: 0038
Revises: 0037
Create Date: 2026-11-29 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

OLD = "kind IN ('absage_kurzfristig', 'unbestaetigt', 'vertretung', 'absage', 'ausgefallen')"
NEW = "kind IN ('absage_kurzfristig', 'unbestaetigt', 'vertretung', 'absage', 'ausgefallen', 'abwesenheit')"
TABLES = ('notification_setting', 'coordinator_event')


def upgrade():
    _replace_check(OLD, NEW)


def downgrade():
    op.execute("DELETE FROM coordinator_event WHERE kind = 'abwesenheit'")
    op.execute("DELETE FROM notification_setting WHERE kind = 'abwesenheit'")
    _replace_check(NEW, OLD)


def _replace_check(old: str, new: str) -> None:
    for table in TABLES:
        name = f'ck_{table}_kind'
        if op.get_context().dialect.name == 'sqlite':
            _sqlite_table_sql(table, old, new)
        else:
            op.drop_constraint(op.f(name), table, type_='check')
            op.create_check_constraint(op.f(name), table, new)


def _sqlite_table_sql(table: str, old: str, new: str) -> None:
    """Change a CHECK in a SQLite table's stored definition without recreating the table: the procedure of
    https://sqlite.org/lang_altertable.html ("writable_schema"); the stored rows satisfy both versions."""
    bind = op.get_bind()
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {'t': table}).scalar()
    assert sql.count(old) == 1, sql
    version = bind.execute(sa.text('PRAGMA schema_version')).scalar()
    bind.execute(sa.text('PRAGMA writable_schema = ON'))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
        {'sql': sql.replace(old, new), 't': table},
    )
    bind.execute(sa.text(f'PRAGMA schema_version = {version + 1}'))
    bind.execute(sa.text('PRAGMA writable_schema = OFF'))
