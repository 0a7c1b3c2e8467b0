"""search: trigram indexes (pg_trgm GIN) on the text the navbar's search and the lists' quick
search match, on PostgreSQL only (SQLite scans); the extension pg_trgm is created if missing (a
trusted extension since PostgreSQL 13: the database's owner may create it)

Revision ID: b3d5f7a9c1e2
Revises: 57f69190017d
Create Date: 2026-12-04 20:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e2'
down_revision = '57f69190017d'
branch_labels = None
depends_on = None

COLUMNS = (('customer', 'code'), ('customer', 'name'), ('contact', 'name'), ('contact', 'phone'),
           ('quotation', 'number'), ('contract', 'number'), ('sales_order', 'number'),
           ('receivable', 'number'), ('service_ticket', 'number'))


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, column in COLUMNS:
        op.create_index(f'ix_{table}_{column}_trgm', table, [column], postgresql_using='gin',
                        postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, column in COLUMNS:
        op.drop_index(f'ix_{table}_{column}_trgm', table_name=table)
