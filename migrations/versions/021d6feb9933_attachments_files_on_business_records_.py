"""attachments: files on business records (the bytes in the file store), and their settings in policy_setting's key CHECK

Revision ID: 021d6feb9933
Revises: 6c777927b85e
Create Date: 2026-12-06 22:37:26.619646

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '021d6feb9933'
down_revision = '6c777927b85e'
branch_labels = None
depends_on = None

OLD_POLICY_KEYS = (
    'contract_finance_threshold', 'notice_days_before_due', 'dunning_level_days', 'risk_red_days',
    'risk_overdue_share', 'risk_late_payments', 'risk_late_window_months', 'legal_min_dunning',
    'legal_after_days', 'order_review_departments', 'work_start', 'work_end', 'leave_notice_days',
    'ticket_due_days', 'return_visit_window_days', 'penalty_scale', 'login_lock_failures',
    'login_lock_minutes', 'order_review_signers', 'export_max_rows', 'follow_up_days', 'number_patterns',
    'credit_limit_share', 'credit_review_risk', 'letterhead_name', 'letterhead_address',
    'letterhead_contact', 'letterhead_bank')
NEW_POLICY_KEYS = OLD_POLICY_KEYS + ('attachment_max_mb', 'attachment_types')


def _check(keys):
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(keys))


def upgrade():
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_attachment_size_pos')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['ab_user.id'], name=op.f('fk_attachment_uploaded_by_id_ab_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('key', name=op.f('uq_attachment_key'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index('ix_attachment_entity_row_id', ['entity', 'row_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    _check(NEW_POLICY_KEYS)


def downgrade():
    op.execute("DELETE FROM policy_setting WHERE key IN ('attachment_max_mb', 'attachment_types')")
    _check(OLD_POLICY_KEYS)
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_uploaded_by_id'))
        batch_op.drop_index('ix_attachment_entity_row_id')

    op.drop_table('attachment')
