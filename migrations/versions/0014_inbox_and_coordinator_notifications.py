"""inbox and coordinator notifications: human state of inbox items, lapsing budgets, notification settings, events

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbox_item_state',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('snoozed_until', sa.Date(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('done_note', sa.String(length=500), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('done_at IS NOT NULL OR done_note IS NULL', name=op.f('ck_inbox_item_state_note_when_done')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_inbox_item_state_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('fk_inbox_item_state_done_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_inbox_item_state'))
    )
    with op.batch_alter_table('inbox_item_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_item_state_assignee_id'), ['assignee_id'], unique=False)

    op.create_table('notification_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('delivery', sa.String(length=20), nullable=False),
    sa.CheckConstraint("delivery IN ('sofort', 'zusammenfassung', 'keine')", name=op.f('ck_notification_setting_delivery')),
    sa.CheckConstraint("kind IN ('absage_kurzfristig', 'unbestaetigt', 'vertretung', 'absage', 'ausgefallen')", name=op.f('ck_notification_setting_kind')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_setting_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_setting')),
    sa.UniqueConstraint('user_id', 'kind', name='uq_notification_setting_kind')
    )
    op.create_table('budget_lapse',
    sa.Column('senior_id', sa.Integer(), nullable=False),
    sa.Column('lapses_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_budget_lapse_amount')),
    sa.ForeignKeyConstraint(['senior_id'], ['senior.id'], name=op.f('fk_budget_lapse_senior_id_senior'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('senior_id', name=op.f('pk_budget_lapse'))
    )
    op.create_table('coordinator_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('absage_kurzfristig', 'unbestaetigt', 'vertretung', 'absage', 'ausgefallen')", name=op.f('ck_coordinator_event_kind')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_coordinator_event_appointment_id_appointment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordinator_event'))
    )
    with op.batch_alter_table('coordinator_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coordinator_event_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coordinator_event_occurred_at'), ['occurred_at'], unique=False)



def downgrade():
    with op.batch_alter_table('coordinator_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coordinator_event_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_coordinator_event_appointment_id'))

    op.drop_table('coordinator_event')
    op.drop_table('budget_lapse')
    op.drop_table('notification_setting')
    with op.batch_alter_table('inbox_item_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_item_state_assignee_id'))

    op.drop_table('inbox_item_state')
