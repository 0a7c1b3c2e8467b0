"""notifications (the inbox: one row per recipient and occasion, and how its e-mail went) and each
user's mail choice

Revision ID: 00116de35df0
Revises: a1c3e5f7b9d2
Create Date: 2026-12-04 19:59:42.762563

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '00116de35df0'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mail_state', sa.Enum('none', 'pending', 'digest', 'sending', 'sent', 'failed', name='mailstate', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('mail_attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mail_error', sa.String(length=300), nullable=True),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name=op.f('fk_notification_user_id_ab_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('user_id', 'kind', 'entity', 'row_id', 'key', name='uq_notification_occasion')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_mail_state_next_try_at', ['mail_state', 'next_try_at'], unique=False)
        batch_op.create_index('ix_notification_user_id_read_at_id', ['user_id', 'read_at', 'id'], unique=False)

    with op.batch_alter_table('user_preference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_mode', sa.Enum('immediately', 'digest', 'never', name='mailmode', native_enum=False, create_constraint=True, length=24), nullable=False, server_default='immediately'))



def downgrade():
    with op.batch_alter_table('user_preference', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_preference_mailmode'), type_='check')
        batch_op.drop_column('mail_mode')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_id_read_at_id')
        batch_op.drop_index('ix_notification_mail_state_next_try_at')

    op.drop_table('notification')
