"""published_cells: a partial index of the revised cells, so a page reads its revision notes in one query

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_published_cells_revised', 'published_cells', ['period_type', 'scope', 'period'],
                    unique=False, sqlite_where=sa.text('revised = 1'), postgresql_where=sa.text('revised'))


def downgrade() -> None:
    op.drop_index('ix_published_cells_revised', table_name='published_cells')
