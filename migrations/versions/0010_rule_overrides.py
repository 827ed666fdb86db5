"""rule overrides: which soft placing rules a coordinator overrode on a Begleitung, why, by whom and when

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch recreate): on SQLite, recreating "pairing" would drop its service-rule triggers.
    op.add_column('pairing', sa.Column('override_rules', sa.String(length=200), nullable=True))
    op.add_column('pairing', sa.Column('override_reason', sa.String(length=500), nullable=True))
    op.add_column('pairing', sa.Column('override_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('pairing', sa.Column('override_by', sa.String(length=120), nullable=True))
    if op.get_context().dialect.name == 'postgresql':  # SQLite cannot add a CHECK to an existing table
        op.create_check_constraint(
            op.f('ck_pairing_override_has_reason'), 'pairing', '(override_rules IS NULL) = (override_reason IS NULL)'
        )


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_pairing_override_has_reason'), 'pairing', type_='check')
    for column in ('override_at', 'override_by', 'override_reason', 'override_rules'):
        op.drop_column('pairing', column)
