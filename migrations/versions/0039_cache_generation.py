"""cache_generation: the write generation that keys the page cache (begleitservice.pages)

Revision ID: 0039
Revises: 0038
Create Date: 2026-11-29 21:10:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'cache_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_generation')),
    )
    # a random start: a database created anew never repeats the generation of the one it replaced
    op.bulk_insert(table, [{'id': 1, 'value': secrets.randbits(62)}])


def downgrade():
    op.drop_table('cache_generation')
