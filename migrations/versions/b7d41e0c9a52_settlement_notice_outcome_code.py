"""settlement notice: what the daily job did is a code (shown translated), not English in the note

The job wrote "e-mailed", "to send by hand", "mail not configured" or "mail failed: <error>" into
the notice's note (data a Chinese user read in English). It now sets ``outcome``; existing notes
written by the job become their code and the note is emptied (a mail error stays in the log).

Revision ID: b7d41e0c9a52
Revises: b7d41c9e2a65
Create Date: 2026-12-01 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41e0c9a52'
down_revision = 'b7d41c9e2a65'
branch_labels = None
depends_on = None

# The job's English notes -> the code that replaces them (and back, for a downgrade).
NOTES = {"e-mailed": "mailed", "to send by hand": "by_hand", "mail not configured": "mail_not_configured"}


def upgrade():
    with op.batch_alter_table('settlement_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.Enum('mailed', 'by_hand', 'mail_not_configured', 'mail_failed', name='noticeoutcome', native_enum=False, create_constraint=True, length=24), nullable=True))
        batch_op.create_index(batch_op.f('ix_settlement_notice_outcome'), ['outcome'], unique=False)
    notice = sa.table('settlement_notice', sa.column('note', sa.String), sa.column('outcome', sa.String))
    for note, code in NOTES.items():
        op.execute(notice.update().where(notice.c.note == note).values(outcome=code, note=None))
    op.execute(notice.update().where(notice.c.note.like('mail failed:%')).values(outcome='mail_failed', note=None))


def downgrade():
    notice = sa.table('settlement_notice', sa.column('note', sa.String), sa.column('outcome', sa.String))
    for note, code in {**NOTES, "mail failed": "mail_failed"}.items():
        op.execute(notice.update().where(notice.c.outcome == code).values(note=note))
    with op.batch_alter_table('settlement_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_notice_outcome'))
        batch_op.drop_constraint(op.f('ck_settlement_notice_noticeoutcome'), type_='check')
        batch_op.drop_column('outcome')
