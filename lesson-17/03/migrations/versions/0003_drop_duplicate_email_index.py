"""drop the duplicate email index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 14:20:00

0002 gave `email` two indexes: the unique constraint's own (uq_users_email), and
idx_user_email, as the lesson's document wrote it. A unique constraint is an index
already; the second one answers no query faster and costs every write. Released
revisions stay as they are: a new revision removes it. Written by hand, and checked
with `alembic check` (advanced_migrate.py): after it, models and database agree.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("idx_user_email")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("idx_user_email", ["email"], unique=False)
