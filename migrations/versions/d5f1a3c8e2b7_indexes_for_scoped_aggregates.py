"""indexes for scoped aggregates: a customer's orders by date, unpaid receivables by due date

Issue 11: "is this the customer's first order" (6.1.1 new customers) and the row scope of orders
are lookups in (customer_id, order_date), which replaces the index on customer_id alone; the
aging and overdue figures start from the unpaid receivables' (status, due_date).

Revision ID: d5f1a3c8e2b7
Revises: c4e9a27d5b13
Create Date: 2026-12-02 14:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5f1a3c8e2b7'
down_revision = 'c4e9a27d5b13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_customer_id_order_date', ['customer_id', 'order_date'], unique=False)
        batch_op.drop_index(batch_op.f('ix_sales_order_customer_id'))
    with op.batch_alter_table('receivable', schema=None) as batch_op:
        batch_op.create_index('ix_receivable_status_due_date', ['status', 'due_date'], unique=False)


def downgrade():
    with op.batch_alter_table('receivable', schema=None) as batch_op:
        batch_op.drop_index('ix_receivable_status_due_date')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_order_customer_id'), ['customer_id'], unique=False)
        batch_op.drop_index('ix_sales_order_customer_id_order_date')
