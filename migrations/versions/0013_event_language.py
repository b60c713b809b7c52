"""event language: the language a party's title and description are written in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 13:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('language', sa.String(length=35), nullable=True))


def downgrade():
    with op.batch_alter_table('events') as batch:
        batch.drop_column('language')
