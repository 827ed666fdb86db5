"""volunteer.link_version (revocable "Mein Bereich" links), volunteer_absence.reported_at (reported by the volunteer)

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-29 18:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD/DROP COLUMN (SQLite has both): a batch copy of volunteer would trip the pairing triggers naming it.
    op.add_column('volunteer', sa.Column('link_version', sa.Integer(), server_default='0', nullable=False))
    op.add_column('volunteer_absence', sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('volunteer_absence', 'reported_at')
    op.drop_column('volunteer', 'link_version')
