"""appointment.km: kilometres a volunteer drove for a visit or cover trip (Fahrtkosten)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE like 0010: no batch recreate of a table other tables hang on.
    op.add_column('appointment', sa.Column('km', sa.Numeric(precision=4, scale=1), nullable=True))
    if op.get_context().dialect.name == 'postgresql':  # SQLite cannot add a CHECK to an existing table
        op.create_check_constraint(
            op.f('ck_appointment_km'), 'appointment', "km IS NULL OR (status = 'stattgefunden' AND km BETWEEN 0 AND 500)"
        )


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_appointment_km'), 'appointment', type_='check')
    op.drop_column('appointment', 'km')
