"""pending_correction: billed months a retroactive change may affect, offered as a correction plan

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('senior_id', sa.Integer(), nullable=False),
    sa.Column('from_month', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['senior_id'], ['senior.id'], name=op.f('fk_pending_correction_senior_id_senior'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_correction'))
    )
    op.create_index(op.f('ix_pending_correction_senior_id'), 'pending_correction', ['senior_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_pending_correction_senior_id'), table_name='pending_correction')
    op.drop_table('pending_correction')
