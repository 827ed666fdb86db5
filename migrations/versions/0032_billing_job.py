"""billing_job: a billing run started on the page runs in the background; its status and outcome

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-29 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'billing_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('accept_open', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('created', sa.Boolean(), nullable=False),
        sa.Column('documents', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=2000), nullable=False),
        sa.CheckConstraint("status IN ('laeuft', 'fertig', 'fehler')", name=op.f('ck_billing_job_status')),
        sa.ForeignKeyConstraint(
            ['started_by_id'], ['user.id'], name=op.f('fk_billing_job_started_by_id_user'), ondelete='SET NULL'
        ),
        sa.ForeignKeyConstraint(
            ['run_id'], ['billing_run.id'], name=op.f('fk_billing_job_run_id_billing_run'), ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_job')),
    )


def downgrade():
    op.drop_table('billing_job')
