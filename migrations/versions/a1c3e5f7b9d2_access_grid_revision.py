"""access grid revision: one number that every change of FAB's permission tables bumps, by a
trigger, so that a process may keep a set of roles' permissions while it is unchanged

Issue 11: the permissions of a user's roles were read in a statement of their own on every
request (and parsed into the row scopes). ``app.security.grants`` keeps them per process, keyed
by this number, which the login session check reads with the session row.

The triggers fire on any change however it is made (ORM, FAB's API, ``roles sync``, plain SQL).
On SQLite a ``batch_alter_table`` of one of these tables rebuilds it without its triggers: such
a migration must create them again (``create_triggers``); ``tests/test_grants.py`` fails if they
are missing.

The first value is the time of the build, so that a database built anew under a running process
does not repeat the numbers of the one before.

Revision ID: a1c3e5f7b9d2
Revises: e6b2c4d9f1a8
Create Date: 2026-12-04 02:30:00

"""
import time

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = 'e6b2c4d9f1a8'
branch_labels = None
depends_on = None

GRID_TABLES = ("ab_permission", "ab_view_menu", "ab_permission_view", "ab_permission_view_role")
# A step of random size, not 1: a change rolled back leaves the number where it was, and the next
# change must not give it the value that the rolled-back one gave it (a test's transaction is
# rolled back after its requests saw that value).
BUMP = {"postgresql": "UPDATE access_revision SET value = value + 1 + (random() * 1000000)::bigint",
        "sqlite": "UPDATE access_revision SET value = value + 1 + abs(random() % 1000000)"}


def create_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION access_revision_bump() RETURNS trigger LANGUAGE plpgsql "
                   f"AS $$ BEGIN {BUMP['postgresql']}; RETURN NULL; END $$")
        for table in GRID_TABLES:
            op.execute(f"CREATE TRIGGER {table}_access_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION access_revision_bump()")
        return
    for table in GRID_TABLES:  # SQLite: row triggers only
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_access_revision_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP['sqlite']}; END")


def drop_triggers():
    if op.get_bind().dialect.name == "postgresql":
        for table in GRID_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_access_revision ON {table}")
        op.execute("DROP FUNCTION IF EXISTS access_revision_bump()")
        return
    for table in GRID_TABLES:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_access_revision_{event}")


def upgrade():
    table = op.create_table('access_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_revision'))
    )
    op.bulk_insert(table, [{"id": 1, "value": time.time_ns() // 1000}])
    create_triggers()


def downgrade():
    drop_triggers()
    op.drop_table('access_revision')
