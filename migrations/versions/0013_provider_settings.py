"""provider settings: the provider's data and the dated rates, kept as history (who, when, valid from)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('ik', sa.String(length=9), nullable=False),
    sa.Column('recognition', sa.String(length=300), nullable=False),
    sa.Column('account_holder', sa.String(length=200), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=False),
    sa.Column('bic', sa.String(length=11), nullable=False),
    sa.Column('payment_days', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('payment_days BETWEEN 0 AND 365', name=op.f('ck_provider_version_payment_days')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_provider_version_changed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_version'))
    )
    op.create_index(op.f('ix_provider_version_valid_from'), 'provider_version', ['valid_from'], unique=False)
    op.create_table('billing_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('hourly_rate', 'allowance_per_hour', 'km_rate')", name=op.f('ck_billing_rate_kind')),
    sa.CheckConstraint('amount >= 0 AND amount <= 1000', name=op.f('ck_billing_rate_amount')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_billing_rate_changed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_rate'))
    )
    op.create_index('ix_billing_rate_kind_valid_from', 'billing_rate', ['kind', 'valid_from'], unique=False)


def downgrade():
    op.drop_index('ix_billing_rate_kind_valid_from', table_name='billing_rate')
    op.drop_table('billing_rate')
    op.drop_index(op.f('ix_provider_version_valid_from'), table_name='provider_version')
    op.drop_table('provider_version')
