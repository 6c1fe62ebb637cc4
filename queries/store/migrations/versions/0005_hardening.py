"""hardening: successful sign-ins per user and address, so that failures elsewhere cannot lock a user out there

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_successes',
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('username', 'address', name=op.f('pk_login_successes'))
    )
    with op.batch_alter_table('login_successes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_successes_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_successes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_successes_at'))
    op.drop_table('login_successes')
