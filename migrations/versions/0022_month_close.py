"""month close: the open points confirmed when a month was closed, and the visits its run left out

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'billing_run', sa.Column('open_problems', sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
    )
    op.create_table('left_out_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.CheckConstraint("reason IN ('ohne_minuten', 'nicht_abgeschlossen')", name=op.f('ck_left_out_visit_reason')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_left_out_visit_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['run_id'], ['billing_run.id'], name=op.f('fk_left_out_visit_run_id_billing_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_left_out_visit')),
    sa.UniqueConstraint('run_id', 'appointment_id', name='uq_left_out_visit_run_appointment')
    )
    op.create_index(op.f('ix_left_out_visit_appointment_id'), 'left_out_visit', ['appointment_id'], unique=False)
    op.create_index(op.f('ix_left_out_visit_run_id'), 'left_out_visit', ['run_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_left_out_visit_run_id'), table_name='left_out_visit')
    op.drop_index(op.f('ix_left_out_visit_appointment_id'), table_name='left_out_visit')
    op.drop_table('left_out_visit')
    op.drop_column('billing_run', 'open_problems')
