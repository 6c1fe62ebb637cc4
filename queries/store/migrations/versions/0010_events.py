"""events: what happened on the timeline (a mailing, a change of product), national or for one unit

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('retired_by', sa.String(length=80), nullable=True),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('length(text) BETWEEN 1 AND 200', name=op.f('ck_events_text_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_index(op.f('ix_events_day'), 'events', ['day'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_events_day'), table_name='events')
    op.drop_table('events')
