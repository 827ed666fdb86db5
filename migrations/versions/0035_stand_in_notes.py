"""senior.stand_in_notes: what a stand-in needs at the door, printed on the Adressblatt instead of the care notes

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-29 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN (SQLite has both): a batch copy of the senior table would break the triggers that name it.
def upgrade():
    op.add_column('senior', sa.Column('stand_in_notes', sa.String(length=500), nullable=True))


def downgrade():
    op.drop_column('senior', 'stand_in_notes')
