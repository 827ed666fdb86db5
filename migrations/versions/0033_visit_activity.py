"""appointment.activity: what was done on a visit, in a few words (printed on the Leistungsnachweis and invoice)

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-29 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD/DROP COLUMN (SQLite has both): a batch copy of appointment would trip the triggers naming it.
    op.add_column('appointment', sa.Column('activity', sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column('appointment', 'activity')
