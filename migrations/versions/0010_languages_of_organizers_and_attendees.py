"""the language each organizer and attendee used, for the e-mail written to them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # A locale tag like pt_BR; NULL (imported parties, older answers) means the site's default.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organizer_locale', sa.String(length=16), nullable=True))
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('organizer_locale')
