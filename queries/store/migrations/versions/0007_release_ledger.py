"""release ledger: what every release published (append-only), the true counts behind each version, revised cells

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _cell_columns():
    return [sa.Column('table_name', sa.String(length=48), nullable=False),
            sa.Column('scope', sa.String(length=8), nullable=False),
            sa.Column('period_type', sa.String(length=8), nullable=False),
            sa.Column('period', sa.String(length=8), nullable=False),
            sa.Column('category', sa.String(length=48), nullable=False)]


def upgrade() -> None:
    op.create_table('release_cells',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    *_cell_columns(),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('revised', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['catalogue_refreshes.id'],
                            name=op.f('fk_release_cells_release_id_catalogue_refreshes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_cells'))
    )
    op.create_index(op.f('ix_release_cells_release_id'), 'release_cells', ['release_id'], unique=False)
    op.create_table('cell_truths',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    *_cell_columns(),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cell_truths'))
    )
    with op.batch_alter_table('published_cells', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revised', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('catalogue_refreshes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_digest', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('revised_cells', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('loss', sa.Text(), nullable=True))
    # Protection patterns cached under the old engine are not valid under the new one.
    op.execute("DELETE FROM protected_blocks")


def downgrade() -> None:
    with op.batch_alter_table('catalogue_refreshes', schema=None) as batch_op:
        batch_op.drop_column('loss')
        batch_op.drop_column('revised_cells')
        batch_op.drop_column('code_digest')
    with op.batch_alter_table('published_cells', schema=None) as batch_op:
        batch_op.drop_column('revised')
    op.drop_table('cell_truths')
    op.drop_index(op.f('ix_release_cells_release_id'), table_name='release_cells')
    op.drop_table('release_cells')
