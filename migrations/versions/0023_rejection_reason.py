"""match_rejection.reason: why the team rejected a proposed pair

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 16:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_rejection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('match_rejection', schema=None) as batch_op:
        batch_op.drop_column('reason')
