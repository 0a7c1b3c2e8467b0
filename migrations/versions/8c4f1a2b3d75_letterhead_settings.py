"""letterhead of printed documents: the factory's name, address, contact and bank account in
policy_setting's key CHECK

Revision ID: 8c4f1a2b3d75
Revises: 7b3e9d2f4a61
Create Date: 2026-12-06 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c4f1a2b3d75'
down_revision = '7b3e9d2f4a61'
branch_labels = None
depends_on = None

OLD_POLICY_KEYS = (
    'contract_finance_threshold', 'notice_days_before_due', 'dunning_level_days', 'risk_red_days',
    'risk_overdue_share', 'risk_late_payments', 'risk_late_window_months', 'legal_min_dunning',
    'legal_after_days', 'order_review_departments', 'work_start', 'work_end', 'leave_notice_days',
    'ticket_due_days', 'return_visit_window_days', 'penalty_scale', 'login_lock_failures',
    'login_lock_minutes', 'order_review_signers', 'export_max_rows', 'follow_up_days', 'number_patterns',
    'credit_limit_share', 'credit_review_risk')
LETTERHEAD = ('letterhead_name', 'letterhead_address', 'letterhead_contact', 'letterhead_bank')
NEW_POLICY_KEYS = OLD_POLICY_KEYS + LETTERHEAD


def _check(keys):
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(keys))


def upgrade():
    _check(NEW_POLICY_KEYS)


def downgrade():
    op.execute("DELETE FROM policy_setting WHERE key IN ('letterhead_name', 'letterhead_address', "
               "'letterhead_contact', 'letterhead_bank')")
    _check(OLD_POLICY_KEYS)
