"""protected blocks: the secondary-suppression cache of the catalogue refresh, and its use per refresh

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('protected_blocks',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('hidden', sa.LargeBinary(), nullable=False),
    sa.Column('cells', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_protected_blocks'))
    )
    with op.batch_alter_table('catalogue_refreshes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocks', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('blocks_protected', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('catalogue_refreshes', schema=None) as batch_op:
        batch_op.drop_column('blocks_protected')
        batch_op.drop_column('blocks')
    op.drop_table('protected_blocks')
