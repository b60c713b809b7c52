"""index events by campaign and approval time, for the Atom feed's newest 50

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # The feed reads the newest approvals of one campaign: ORDER BY approved_at DESC, id DESC
    # LIMIT 50 walks this index backwards instead of sorting every event of the campaign.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_events_campaign_approved_at', ['campaign_id', 'approved_at', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_campaign_approved_at')
