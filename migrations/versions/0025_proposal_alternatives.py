"""match_proposal.alternatives: up to two other volunteers who could take the request instead

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-29 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alternatives', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('match_proposal', schema=None) as batch_op:
        batch_op.drop_column('alternatives')
