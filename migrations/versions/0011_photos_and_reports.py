"""photos and reports: pictures after each party, and the organizer's report

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STATUSES = ('pending', 'published', 'rejected')
KEYS = ('thumb_webp', 'thumb_jpeg', 'page_webp', 'page_jpeg', 'full_webp', 'full_jpeg')


def upgrade():
    op.create_table(
        'photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('caption', sa.String(length=300), nullable=False),
        sa.Column('consent', sa.Boolean(), nullable=False),
        sa.Column('delete_token_hash', sa.String(length=64), nullable=False),
        sa.Column(
            'status',
            sa.Enum(*STATUSES, name='photo_status', native_enum=False, create_constraint=True,
                    length=16),
            nullable=False,
        ),
        sa.Column('rejection_reason', sa.Text(), nullable=True),
        sa.Column('reported_count', sa.Integer(), nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('sizes', sa.JSON(), nullable=False),
        *(sa.Column(key, sa.String(length=80), nullable=False) for key in KEYS),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_photos_delete_token_hash', 'photos', ['delete_token_hash'])
    op.create_index('ix_photos_thumb_webp', 'photos', ['thumb_webp'])
    op.create_index('ix_photos_event_status', 'photos', ['event_id', 'status'])
    op.create_index('ix_photos_status_decided_at', 'photos', ['status', 'decided_at', 'id'])
    op.create_table(
        'event_reports',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('attendance', sa.Integer(), nullable=True),
        sa.Column('words', sa.Text(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id'),
    )


def downgrade():
    op.drop_table('event_reports')
    op.drop_index('ix_photos_status_decided_at', table_name='photos')
    op.drop_index('ix_photos_event_status', table_name='photos')
    op.drop_index('ix_photos_thumb_webp', table_name='photos')
    op.drop_index('ix_photos_delete_token_hash', table_name='photos')
    op.drop_table('photos')
