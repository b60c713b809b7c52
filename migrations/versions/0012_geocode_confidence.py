"""geocode confidence: how sure the geocoder was of each event's point, for the queue

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('geocode_confidence', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('events') as batch:
        batch.drop_column('geocode_confidence')
