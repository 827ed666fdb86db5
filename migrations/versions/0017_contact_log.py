"""contact_entry: the contact log of seniors, volunteers and requests

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('with_whom', sa.String(length=120), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('senior_id', sa.Integer(), nullable=True),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('telefon', 'besuch', 'email', 'brief')", name=op.f('ck_contact_entry_channel')),
    sa.CheckConstraint('(senior_id IS NULL) <> (volunteer_id IS NULL)', name=op.f('ck_contact_entry_one_person')),
    sa.CheckConstraint('request_id IS NULL OR senior_id IS NOT NULL', name=op.f('ck_contact_entry_request_has_senior')),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_contact_entry_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_contact_entry_request_id_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['senior_id'], ['senior.id'], name=op.f('fk_contact_entry_senior_id_senior'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_contact_entry_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_entry'))
    )
    op.create_index('ix_contact_entry_request_on', 'contact_entry', ['request_id', 'on'], unique=False)
    op.create_index('ix_contact_entry_senior_on', 'contact_entry', ['senior_id', 'on'], unique=False)
    op.create_index('ix_contact_entry_volunteer_on', 'contact_entry', ['volunteer_id', 'on'], unique=False)


def downgrade():
    op.drop_index('ix_contact_entry_volunteer_on', table_name='contact_entry')
    op.drop_index('ix_contact_entry_senior_on', table_name='contact_entry')
    op.drop_index('ix_contact_entry_request_on', table_name='contact_entry')
    op.drop_table('contact_entry')
