"""credit control (3.3.3): orders awaiting finance's credit approval (sales_order.status CHECK);
the credit settings in policy_setting's key CHECK

Revision ID: 7b3e9d2f4a61
Revises: 3d827940e48b
Create Date: 2026-12-06 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e9d2f4a61'
down_revision = '3d827940e48b'
branch_labels = None
depends_on = None

OLD_POLICY_KEYS = (
    'contract_finance_threshold', 'notice_days_before_due', 'dunning_level_days', 'risk_red_days',
    'risk_overdue_share', 'risk_late_payments', 'risk_late_window_months', 'legal_min_dunning',
    'legal_after_days', 'order_review_departments', 'work_start', 'work_end', 'leave_notice_days',
    'ticket_due_days', 'return_visit_window_days', 'penalty_scale', 'login_lock_failures',
    'login_lock_minutes', 'order_review_signers', 'export_max_rows', 'follow_up_days', 'number_patterns')
NEW_POLICY_KEYS = OLD_POLICY_KEYS + ('credit_limit_share', 'credit_review_risk')
OLD_ORDER_STATES = ('received', 'under_review', 'scheduled', 'purchasing', 'in_production', 'shipped',
                    'delivered', 'cancelled')
NEW_ORDER_STATES = ('received', 'credit_review', 'under_review', 'scheduled', 'purchasing', 'in_production',
                    'shipped', 'delivered', 'cancelled')


def _checks(policy_keys, order_states):
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(policy_keys))
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sales_order_orderstatus'), type_='check')
        batch_op.create_check_constraint('orderstatus', sa.column('status').in_(order_states))


def upgrade():
    _checks(NEW_POLICY_KEYS, NEW_ORDER_STATES)


def downgrade():
    op.execute("DELETE FROM policy_setting WHERE key IN ('credit_limit_share', 'credit_review_risk')")
    op.execute("UPDATE sales_order SET status = 'received' WHERE status = 'credit_review'")
    _checks(OLD_POLICY_KEYS, OLD_ORDER_STATES)
