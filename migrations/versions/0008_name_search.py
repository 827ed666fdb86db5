"""name search: folded search text and German sort key on senior, volunteer and pflegekasse, filled for every row

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from begleitservice.models.names import name_columns


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The searched columns as they were when this revision was written (the models may name more later).
SEARCHED = {
    'senior': dict(
        names=('first_name', 'last_name'),
        phones=('phone',),
        codes=('kvnr', 'contact_email', 'postal_code'),
        sort_by=('last_name', 'first_name'),
    ),
    'volunteer': dict(
        names=('first_name', 'last_name'), phones=('phone',), codes=('email',), sort_by=('last_name', 'first_name')
    ),
    'pflegekasse': dict(names=('name',), codes=('ik',), sort_by=('name',)),
}
SORT_KEY = sa.String(length=200).with_variant(postgresql.VARCHAR(length=200, collation='C'), 'postgresql')


def upgrade():
    bind = op.get_bind()
    trigram_ops = 'gin_trgm_ops'
    if bind.dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        # The extension may live in another schema than the tables (installed earlier): name its operator class.
        schema = bind.execute(sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )).scalar_one()
        trigram_ops = f'"{schema}".gin_trgm_ops'
    # Plain ALTER TABLE (no batch recreate): on SQLite, recreating "senior"/"volunteer" breaks the pairing triggers.
    for table in SEARCHED:
        op.add_column(table, sa.Column('search_text', sa.Text(), server_default='', nullable=False))
        op.add_column(table, sa.Column('sort_name', SORT_KEY, server_default='', nullable=False))
    for table, spec in SEARCHED.items():
        _backfill(bind, table, spec)
        op.create_index(f'ix_{table}_sort_name', table, ['sort_name'], unique=False)
        # A trigram index on PostgreSQL (serves LIKE '%…%'); SQLite ignores the options and makes a plain one.
        op.create_index(
            f'ix_{table}_search_text',
            table,
            ['search_text'],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={'search_text': trigram_ops},
        )


def _backfill(bind, table: str, spec: dict) -> None:
    columns = sorted({column for group in spec.values() for column in group})
    rows = sa.table(table, sa.column('id'), sa.column('search_text'), sa.column('sort_name'),
                    *(sa.column(c) for c in columns))
    for row in bind.execute(sa.select(rows.c.id, *(rows.c[c] for c in columns))).mappings().all():
        search_text, sort_name = name_columns(row.get, **spec)
        bind.execute(rows.update().where(rows.c.id == row['id']).values(search_text=search_text, sort_name=sort_name))


def downgrade():
    for table in reversed(list(SEARCHED)):
        op.drop_index(f'ix_{table}_search_text', table_name=table)
        op.drop_index(f'ix_{table}_sort_name', table_name=table)
        op.drop_column(table, 'sort_name')
        op.drop_column(table, 'search_text')
