"""cover: stand-in offers (Vertretung) for declined visits, and the covering volunteer of a visit

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 06:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cover_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'offen' AND decided_at IS NULL) OR (status <> 'offen' AND decided_at IS NOT NULL)", name=op.f('ck_cover_offer_decided')),
    sa.CheckConstraint("status IN ('offen', 'angenommen', 'vergeben', 'zurueckgezogen')", name=op.f('ck_cover_offer_status')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_cover_offer_appointment_id_appointment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_cover_offer_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cover_offer')),
    sa.UniqueConstraint('appointment_id', 'volunteer_id', name='uq_cover_offer_volunteer')
    )
    with op.batch_alter_table('cover_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cover_offer_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cover_offer_volunteer_id'), ['volunteer_id'], unique=False)
        batch_op.create_index('uq_cover_offer_accepted', ['appointment_id'], unique=True, sqlite_where=sa.text("status = 'angenommen'"), postgresql_where=sa.text("status = 'angenommen'"))

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_volunteer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_appointment_cover_volunteer_id'), ['cover_volunteer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_appointment_cover_volunteer_id_volunteer'), 'volunteer', ['cover_volunteer_id'], ['id'])


def downgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointment_cover_volunteer_id_volunteer'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_appointment_cover_volunteer_id'))
        batch_op.drop_column('cover_volunteer_id')

    with op.batch_alter_table('cover_offer', schema=None) as batch_op:
        batch_op.drop_index('uq_cover_offer_accepted', sqlite_where=sa.text("status = 'angenommen'"), postgresql_where=sa.text("status = 'angenommen'"))
        batch_op.drop_index(batch_op.f('ix_cover_offer_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_cover_offer_appointment_id'))

    op.drop_table('cover_offer')
