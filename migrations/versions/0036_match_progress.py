"""match_run.progress: the step a running computation is at, shown on the Vorschläge page

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-29 18:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('match_run', sa.Column('progress', sa.String(length=120), nullable=True))


def downgrade():
    op.drop_column('match_run', 'progress')
