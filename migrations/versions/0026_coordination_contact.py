"""provider_version.contact_*: the coordination's phone, office hours and reply address for mails and link pages

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('provider_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_hours', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('provider_version', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_hours')
        batch_op.drop_column('contact_phone')
