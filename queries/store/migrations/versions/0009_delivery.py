"""delivery: subscriptions to the monthly steering pack, the archive of every release's packs, their mailings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=True),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("format IN ('pptx', 'pdf', 'xlsx')", name=op.f('ck_subscriptions_known_format')),
    sa.CheckConstraint("language IN ('nl', 'en')", name=op.f('ck_subscriptions_known_language')),
    sa.CheckConstraint("role IN ('programme', 'unit', 'admin')", name=op.f('ck_subscriptions_known_role')),
    sa.CheckConstraint("role <> 'unit' OR scope = unit_code", name=op.f('ck_subscriptions_unit_gets_own_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions'))
    )
    op.create_index(op.f('ix_subscriptions_username'), 'subscriptions', ['username'], unique=False)
    op.create_table('pack_archive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['catalogue_refreshes.id'],
                            name=op.f('fk_pack_archive_release_id_catalogue_refreshes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_archive')),
    sa.UniqueConstraint('release_id', 'scope', 'format', 'language',
                        name=op.f('uq_pack_archive_release_id_scope_format_language'))
    )
    op.create_index(op.f('ix_pack_archive_created_at'), 'pack_archive', ['created_at'], unique=False)
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=255), nullable=True),
    sa.Column('claimed_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('archive_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_deliveries_known_state')),
    sa.ForeignKeyConstraint(['archive_id'], ['pack_archive.id'], name=op.f('fk_deliveries_archive_id_pack_archive'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['release_id'], ['catalogue_refreshes.id'],
                            name=op.f('fk_deliveries_release_id_catalogue_refreshes')),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'],
                            name=op.f('fk_deliveries_subscription_id_subscriptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('subscription_id', 'release_id', name=op.f('uq_deliveries_subscription_id_release_id'))
    )
    op.create_index(op.f('ix_deliveries_release_id'), 'deliveries', ['release_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_deliveries_release_id'), table_name='deliveries')
    op.drop_table('deliveries')
    op.drop_index(op.f('ix_pack_archive_created_at'), table_name='pack_archive')
    op.drop_table('pack_archive')
    op.drop_index(op.f('ix_subscriptions_username'), table_name='subscriptions')
    op.drop_table('subscriptions')
