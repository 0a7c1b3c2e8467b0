"""settlement notice: the due date it announces, unique per receivable; idempotency keys

A notice now records the due date it announces, one per receivable and due date (issue 8: two
daily jobs at once wrote duplicates). Existing notices take their receivable's current due date;
of duplicates the first one is kept. API writes' idempotency keys get their table.

Revision ID: 30c378ce96a4
Revises: f613a15897e2
Create Date: 2026-12-01 10:01:25.782867

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '30c378ce96a4'
down_revision = 'f613a15897e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name=op.f('fk_idempotency_key_user_id_ab_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
    sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_key_user_key')
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_idempotency_key_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('settlement_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
    op.execute(
        "UPDATE settlement_notice SET due_date = (SELECT receivable.due_date FROM receivable"
        " WHERE receivable.id = settlement_notice.receivable_id)"
    )
    op.execute(
        "DELETE FROM settlement_notice WHERE id NOT IN (SELECT min(id) FROM settlement_notice"
        " GROUP BY receivable_id, due_date)"
    )
    with op.batch_alter_table('settlement_notice', schema=None) as batch_op:
        batch_op.alter_column('due_date', existing_type=sa.Date(), nullable=False)
        batch_op.create_unique_constraint('uq_settlement_notice_receivable_due', ['receivable_id', 'due_date'])


def downgrade():
    with op.batch_alter_table('settlement_notice', schema=None) as batch_op:
        batch_op.drop_constraint('uq_settlement_notice_receivable_due', type_='unique')
        batch_op.drop_column('due_date')

    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_user_id'))
        batch_op.drop_index(batch_op.f('ix_idempotency_key_created_at'))

    op.drop_table('idempotency_key')
