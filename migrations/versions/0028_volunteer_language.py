"""volunteer.language: the language of a volunteer's mails, link pages and printed plan (default German)

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-29 18:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


CHECK = "language IN ('de', 'tr', 'en', 'ru', 'pl', 'ar')"


def upgrade():
    # Plain ALTER TABLE like 0016: no batch recreate of a table other tables hang on.
    op.add_column('volunteer', sa.Column('language', sa.String(length=5), server_default='de', nullable=False))
    if op.get_context().dialect.name == 'postgresql':  # SQLite cannot add a CHECK to an existing table
        op.create_check_constraint(op.f('ck_volunteer_language'), 'volunteer', CHECK)


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_volunteer_language'), 'volunteer', type_='check')
    op.drop_column('volunteer', 'language')
