"""exact money checks: invoice and billed-visit totals compared in whole cents (SQLite stores NUMERIC as a float)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

PARTS = ('entlastungsbetrag', 'umwandlung', 'private')
CHECKS = (('invoice', 'total', 'total'), ('billed_visit', 'split', 'amount'))


def _cents(column):
    return f'round({column} * 100)'


def _exact(total):
    return f'{_cents(total)} = ' + ' + '.join(_cents(part) for part in PARTS)


def _float(total):
    return f'{total} = ' + ' + '.join(PARTS)


def _replace(sql_of):
    # SQLite cannot alter a CHECK: batch mode copies the table (no triggers on these two tables; the partial
    # unique index of billed_visit is dropped and created again around the copy).
    sqlite = op.get_context().dialect.name == 'sqlite'
    if sqlite:
        op.drop_index('uq_billed_visit_active', table_name='billed_visit')
    for table, name, total in CHECKS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            batch.create_check_constraint(op.f(f'ck_{table}_{name}'), sql_of(total))
    if sqlite:
        op.create_index(
            'uq_billed_visit_active', 'billed_visit', ['appointment_id'], unique=True,
            sqlite_where=sa.text('NOT is_cancelled'),
        )


def upgrade():
    _replace(_exact)


def downgrade():
    _replace(_float)
