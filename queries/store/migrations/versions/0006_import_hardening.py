"""import hardening: the store knows when a refresh of the published catalogue is due

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('refresh_due',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_refresh_due_batch_id_import_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_due'))
    )


def downgrade() -> None:
    op.drop_table('refresh_due')
