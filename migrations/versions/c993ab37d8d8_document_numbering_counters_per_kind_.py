"""document numbering: counters per kind and year; number patterns in policy_setting's key CHECK

Revision ID: c993ab37d8d8
Revises: b3d5f7a9c1e2
Create Date: 2026-12-06 21:50:15.770729

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c993ab37d8d8'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None

OLD_POLICY_KEYS = (
    'contract_finance_threshold', 'notice_days_before_due', 'dunning_level_days', 'risk_red_days',
    'risk_overdue_share', 'risk_late_payments', 'risk_late_window_months', 'legal_min_dunning',
    'legal_after_days', 'order_review_departments', 'work_start', 'work_end', 'leave_notice_days',
    'ticket_due_days', 'return_visit_window_days', 'penalty_scale', 'login_lock_failures',
    'login_lock_minutes', 'order_review_signers', 'export_max_rows', 'follow_up_days')
NEW_POLICY_KEYS = OLD_POLICY_KEYS + ('number_patterns',)


def upgrade():
    op.create_table('document_sequence',
    sa.Column('kind', sa.Enum('quotation', 'contract', 'order', 'receivable', 'ticket', 'customer', 'product', name='numberedkind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'period', name=op.f('pk_document_sequence'))
    )
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(NEW_POLICY_KEYS))


def downgrade():
    op.execute("DELETE FROM policy_setting WHERE key = 'number_patterns'")
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(OLD_POLICY_KEYS))
    op.drop_table('document_sequence')
