"""covering indexes for collection figures: receivables by due date, and by status and due date,
with customer and amount; payments by receivable with date and amount

Issue 11: a finance dashboard's aging, overdue and collection trend sum the unpaid receivables
and six months of receivables and of their payments; read from these indexes alone (SQLite
600 -> 180 ms for the trend at 1,000,000 orders). They replace the indexes on
receivable.due_date, receivable (status, due_date) and payment.receivable_id.

Revision ID: e6b2c4d9f1a8
Revises: d5f1a3c8e2b7
Create Date: 2026-12-02 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e6b2c4d9f1a8'
down_revision = 'd5f1a3c8e2b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('receivable', schema=None) as batch_op:
        batch_op.create_index('ix_receivable_due_date_customer_id_amount', ['due_date', 'customer_id', 'amount'],
                              unique=False)
        batch_op.drop_index(batch_op.f('ix_receivable_due_date'))
        batch_op.create_index('ix_receivable_status_due_date_customer_id_amount',
                              ['status', 'due_date', 'customer_id', 'amount'], unique=False)
        batch_op.drop_index('ix_receivable_status_due_date')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_receivable_id_paid_on_amount', ['receivable_id', 'paid_on', 'amount'],
                              unique=False)
        batch_op.drop_index(batch_op.f('ix_payment_receivable_id'))


def downgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_receivable_id'), ['receivable_id'], unique=False)
        batch_op.drop_index('ix_payment_receivable_id_paid_on_amount')
    with op.batch_alter_table('receivable', schema=None) as batch_op:
        batch_op.create_index('ix_receivable_status_due_date', ['status', 'due_date'], unique=False)
        batch_op.drop_index('ix_receivable_status_due_date_customer_id_amount')
        batch_op.create_index(batch_op.f('ix_receivable_due_date'), ['due_date'], unique=False)
        batch_op.drop_index('ix_receivable_due_date_customer_id_amount')
