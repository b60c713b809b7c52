"""rsvps: "I'm going" answers, their tallies, and the events' capacity and closing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

STATUSES = ('unconfirmed', 'going', 'waitlist', 'cancelled')


def upgrade():
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('rsvp_capacity', sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column('rsvp_closed', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column('rsvp_summary_sent_at', sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        'rsvps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('email_key', sa.String(length=254), nullable=True),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column(
            'status',
            sa.Enum(*STATUSES, name='rsvp_status', native_enum=False, create_constraint=True,
                    length=16),
            nullable=False,
        ),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('people BETWEEN 1 AND 5', name='ck_rsvps_people'),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'position', 'email_key', name='uq_rsvps_address'),
    )
    op.create_index('ix_rsvps_token_hash', 'rsvps', ['token_hash'], unique=True)
    op.create_index(
        'ix_rsvps_event_position_status', 'rsvps', ['event_id', 'position', 'status']
    )
    op.create_table(
        'rsvp_tallies',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('going', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', 'position'),
    )


def downgrade():
    op.drop_table('rsvp_tallies')
    op.drop_index('ix_rsvps_event_position_status', table_name='rsvps')
    op.drop_index('ix_rsvps_token_hash', table_name='rsvps')
    op.drop_table('rsvps')
    with op.batch_alter_table('events') as batch:
        batch.drop_column('rsvp_summary_sent_at')
        batch.drop_column('rsvp_closed')
        batch.drop_column('rsvp_capacity')
