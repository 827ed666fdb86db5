"""form_submission: one-time tokens of saved create forms (the same form sent twice saves once)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submission',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('endpoint', sa.String(length=120), nullable=False),
    sa.Column('target', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submission'))
    )
    op.create_index(op.f('ix_form_submission_created_at'), 'form_submission', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_form_submission_created_at'), table_name='form_submission')
    op.drop_table('form_submission')
