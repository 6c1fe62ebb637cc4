"""jobs: background jobs (steering packs, imports) with their state and result in the store

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('owner_role', sa.String(length=16), nullable=True),
    sa.Column('owner_unit', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('input_data', sa.LargeBinary(), nullable=True),
    sa.Column('input_path', sa.String(length=255), nullable=True),
    sa.Column('result_name', sa.String(length=255), nullable=True),
    sa.Column('result_mime', sa.String(length=128), nullable=True),
    sa.Column('result_size', sa.Integer(), nullable=True),
    sa.Column('result_data', sa.LargeBinary(), nullable=True),
    sa.Column('result_path', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('waiting', 'running', 'done', 'failed')", name=op.f('ck_jobs_known_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index('ix_jobs_owner_state', 'jobs', ['owner', 'state'], unique=False)
    op.create_index(op.f('ix_jobs_created_at'), 'jobs', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_jobs_created_at'), table_name='jobs')
    op.drop_index('ix_jobs_owner_state', table_name='jobs')
    op.drop_table('jobs')
