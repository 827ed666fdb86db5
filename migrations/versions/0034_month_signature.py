"""month_signature: the month's Leistungsnachweis signed on the volunteer's phone

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-29 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('month_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('senior_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('signer_name', sa.String(length=120), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lines_hash', sa.String(length=64), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint('length(signer_name) > 0', name=op.f('ck_month_signature_signer_name')),
    sa.CheckConstraint('line_count > 0', name=op.f('ck_month_signature_line_count')),
    sa.ForeignKeyConstraint(['senior_id'], ['senior.id'], name=op.f('fk_month_signature_senior_id_senior'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_month_signature_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_signature')),
    sa.UniqueConstraint('senior_id', 'volunteer_id', 'month', name='uq_month_signature_month')
    )
    with op.batch_alter_table('month_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_month_signature_senior_id'), ['senior_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_month_signature_volunteer_id'), ['volunteer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('month_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_month_signature_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_month_signature_senior_id'))
    op.drop_table('month_signature')
