"""saved lists (favourites): a user's list arguments under a name, shared with their team or not

Revision ID: 57f69190017d
Revises: 2c0199ee0580
Create Date: 2026-12-04 20:34:14.493760

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '57f69190017d'
down_revision = '2c0199ee0580'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_filter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('query', sa.String(length=1000), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_saved_filter_team_id_team'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name=op.f('fk_saved_filter_user_id_ab_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filter')),
    sa.UniqueConstraint('user_id', 'entity', 'name', name='uq_saved_filter_user_entity_name')
    )
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_filter_entity'), ['entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_filter_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_filter_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_filter_user_id'))
        batch_op.drop_index(batch_op.f('ix_saved_filter_team_id'))
        batch_op.drop_index(batch_op.f('ix_saved_filter_entity'))

    op.drop_table('saved_filter')
