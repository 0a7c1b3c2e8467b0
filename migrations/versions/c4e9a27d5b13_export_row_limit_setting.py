"""export row limit: a setting for the most rows one XLSX export holds

policy_setting's CHECK constraint on its key admits the new key ``export_max_rows`` (issue 11:
the export streams its rows, and an administrator sets how many one file may hold).

Revision ID: c4e9a27d5b13
Revises: b7d41e0c9a52
Create Date: 2026-12-02 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e9a27d5b13'
down_revision = 'b7d41e0c9a52'
branch_labels = None
depends_on = None

OLD_POLICY_KEYS = (
    'contract_finance_threshold', 'notice_days_before_due', 'dunning_level_days', 'risk_red_days',
    'risk_overdue_share', 'risk_late_payments', 'risk_late_window_months', 'legal_min_dunning',
    'legal_after_days', 'order_review_departments', 'work_start', 'work_end', 'leave_notice_days',
    'ticket_due_days', 'return_visit_window_days', 'penalty_scale', 'login_lock_failures',
    'login_lock_minutes', 'order_review_signers')
NEW_POLICY_KEYS = OLD_POLICY_KEYS + ('export_max_rows',)


def upgrade():
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(NEW_POLICY_KEYS))


def downgrade():
    op.execute("DELETE FROM policy_setting WHERE key = 'export_max_rows'")
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(OLD_POLICY_KEYS))
