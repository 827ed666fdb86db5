"""privacy: restriction columns on senior and volunteer, the data-protection log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 07:28:53.887058

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('privacy_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('person_kind', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.CheckConstraint("kind IN ('export', 'restrict', 'erase')", name=op.f('ck_privacy_event_kind')),
    sa.CheckConstraint("person_kind IN ('senior', 'volunteer')", name=op.f('ck_privacy_event_person_kind')),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_privacy_event_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_event'))
    )
    op.create_index('ix_privacy_event_person', 'privacy_event', ['person_kind', 'person_id'], unique=False)
    # Plain ALTER TABLE (no batch recreate): on SQLite, recreating "senior"/"volunteer" breaks the pairing triggers.
    for table in ('senior', 'volunteer'):
        op.add_column(table, sa.Column('restricted_at', sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column('retain_until', sa.Date(), nullable=True))


def downgrade():
    for table in ('volunteer', 'senior'):
        op.drop_column(table, 'retain_until')
        op.drop_column(table, 'restricted_at')
    op.drop_index('ix_privacy_event_person', table_name='privacy_event')
    op.drop_table('privacy_event')
