"""order review signers: a setting naming who may sign off for each department

policy_setting's CHECK constraint on its key admits the new key ``order_review_signers`` (issue 9:
a department's sign-off is recorded by that department's users or by the employees an
administrator names for it).

Revision ID: b7d41c9e2a65
Revises: 30c378ce96a4
Create Date: 2026-12-01 18:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41c9e2a65'
down_revision = '30c378ce96a4'
branch_labels = None
depends_on = None

OLD_POLICY_KEYS = (
    'contract_finance_threshold', 'notice_days_before_due', 'dunning_level_days', 'risk_red_days',
    'risk_overdue_share', 'risk_late_payments', 'risk_late_window_months', 'legal_min_dunning',
    'legal_after_days', 'order_review_departments', 'work_start', 'work_end', 'leave_notice_days',
    'ticket_due_days', 'return_visit_window_days', 'penalty_scale', 'login_lock_failures',
    'login_lock_minutes')
NEW_POLICY_KEYS = OLD_POLICY_KEYS + ('order_review_signers',)


def upgrade():
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(NEW_POLICY_KEYS))


def downgrade():
    op.execute("DELETE FROM policy_setting WHERE key = 'order_review_signers'")
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(OLD_POLICY_KEYS))
