"""hardening: one live service per domain, who suspended a service

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

services.live_domain holds the domain while the service is not cancelled (NULL once it is), under
a unique index: the database itself refuses a second live service on a domain. Existing rows are
filled in; if two live services already share a domain the upgrade stops and names them (an admin
cancels one, then migrates again) rather than choose which customer keeps it.

services.suspended_by says who suspended a service (admin | expiry); "" for the services suspended
before it existed, which a renewal lifts as it did then.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _refuse_shared_live_domains() -> None:
    rows = op.get_bind().execute(sa.text(
        "SELECT domain, COUNT(*) FROM services WHERE status <> 'cancelled' GROUP BY domain HAVING COUNT(*) > 1"
    )).all()
    if rows:
        shared = ", ".join(f"{domain} ({count} services)" for domain, count in rows)
        raise RuntimeError(f"Several live services share a domain: {shared}. Cancel all but one of each "
                           "in /admin/services, then run the migration again.")


def upgrade() -> None:
    _refuse_shared_live_domains()
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_domain', sa.String(length=253), nullable=True))
        batch_op.add_column(sa.Column('suspended_by', sa.String(length=16), nullable=False, server_default=''))
    op.execute("UPDATE services SET live_domain = domain WHERE status <> 'cancelled'")
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index('ux_services_live_domain', ['live_domain'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index('ux_services_live_domain')
    # SQLite (3.35+) drops a plain column in place: no table copy, so rows that reference services
    # are left alone.
    with op.batch_alter_table('services', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('suspended_by')
        batch_op.drop_column('live_domain')
