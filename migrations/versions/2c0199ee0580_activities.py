"""activities: the next action on a customer, quotation, contract, order, receivable or ticket,
for one employee (issue 12); and the follow-up setting (2.2.2) in policy_setting's key CHECK

Revision ID: 2c0199ee0580
Revises: 00116de35df0
Create Date: 2026-12-04 20:21:28.550125

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2c0199ee0580'
down_revision = '00116de35df0'
branch_labels = None
depends_on = None

OLD_POLICY_KEYS = (
    'contract_finance_threshold', 'notice_days_before_due', 'dunning_level_days', 'risk_red_days',
    'risk_overdue_share', 'risk_late_payments', 'risk_late_window_months', 'legal_min_dunning',
    'legal_after_days', 'order_review_departments', 'work_start', 'work_end', 'leave_notice_days',
    'ticket_due_days', 'return_visit_window_days', 'penalty_scale', 'login_lock_failures',
    'login_lock_minutes', 'order_review_signers', 'export_max_rows')
NEW_POLICY_KEYS = OLD_POLICY_KEYS + ('follow_up_days',)


def upgrade():
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('call', 'visit', 'email', 'meeting', 'todo', name='activitykind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'done', 'cancelled', name='activitystatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('quotation_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('receivable_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('(CASE WHEN customer_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN quotation_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN contract_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN order_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN receivable_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN ticket_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_activity_one_subject')),
    sa.ForeignKeyConstraint(['assignee_id'], ['employee.id'], name=op.f('fk_activity_assignee_id_employee')),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_activity_contract_id_contract'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_activity_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_activity_order_id_sales_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quotation_id'], ['quotation.id'], name=op.f('fk_activity_quotation_id_quotation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['receivable_id'], ['receivable.id'], name=op.f('fk_activity_receivable_id_receivable'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['service_ticket.id'], name=op.f('fk_activity_ticket_id_service_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_activity_assignee_id_status_due_date', ['assignee_id', 'status', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_quotation_id'), ['quotation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_receivable_id'), ['receivable_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_ticket_id'), ['ticket_id'], unique=False)
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(NEW_POLICY_KEYS))


def downgrade():
    op.execute("DELETE FROM policy_setting WHERE key = 'follow_up_days'")
    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policy_setting_policykey'), type_='check')
        batch_op.create_check_constraint('policykey', sa.column('key').in_(OLD_POLICY_KEYS))
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_activity_receivable_id'))
        batch_op.drop_index(batch_op.f('ix_activity_quotation_id'))
        batch_op.drop_index(batch_op.f('ix_activity_order_id'))
        batch_op.drop_index(batch_op.f('ix_activity_due_date'))
        batch_op.drop_index(batch_op.f('ix_activity_customer_id'))
        batch_op.drop_index(batch_op.f('ix_activity_contract_id'))
        batch_op.drop_index('ix_activity_assignee_id_status_due_date')
        batch_op.drop_index(batch_op.f('ix_activity_assignee_id'))

    op.drop_table('activity')
