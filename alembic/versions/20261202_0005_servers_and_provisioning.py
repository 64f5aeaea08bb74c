"""Servers and provisioning: panel servers, the calls made to them, each service's hosting account

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('servers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('panel', sa.String(length=16), nullable=False),
    sa.Column('sandbox', sa.Boolean(), nullable=False),
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('api_user', sa.String(length=64), nullable=False),
    sa.Column('token_sealed', sa.Text(), nullable=False),
    sa.Column('verify_tls', sa.Boolean(), nullable=False),
    sa.Column('ca_pem', sa.Text(), nullable=False),
    sa.Column('nameservers', sa.String(length=500), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_test_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_test_ok', sa.Boolean(), nullable=True),
    sa.Column('last_test_message', sa.String(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('servers', schema=None) as batch_op:
        batch_op.create_index('ix_servers_panel_active', ['panel', 'active'], unique=False)

    op.create_table('provision_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['server_id'], ['servers.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('provision_events', schema=None) as batch_op:
        batch_op.create_index('ix_provision_events_service', ['service_id', 'id'], unique=False)

    # Plain ADD COLUMN (no table copy): SQLite would have to drop and rebuild `packs` and `services`,
    # which other tables reference.
    op.add_column('packs', sa.Column('panel_packages', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    if op.get_bind().dialect.name == "sqlite":  # SQLite takes the reference inline, not as a constraint
        op.execute("ALTER TABLE services ADD COLUMN server_id INTEGER REFERENCES servers (id)")
    else:
        op.add_column('services', sa.Column('server_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_services_server_id', 'services', 'servers', ['server_id'], ['id'])
    for name, length in (('panel_username', 32), ('account_status', 16), ('account_error', 500)):
        op.add_column('services', sa.Column(name, sa.String(length=length), nullable=False, server_default=''))
    for name in ('disk_used_mb', 'disk_limit_mb', 'bandwidth_used_mb'):
        op.add_column('services', sa.Column(name, sa.Integer(), nullable=True))
    for name in ('usage_at', 'cancelled_at'):
        op.add_column('services', sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('fk_services_server_id', 'services', type_='foreignkey')
    with op.batch_alter_table('services', schema=None) as batch_op:
        for column in ('cancelled_at', 'usage_at', 'bandwidth_used_mb', 'disk_limit_mb', 'disk_used_mb',
                       'account_error', 'account_status', 'panel_username', 'server_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('packs', schema=None) as batch_op:
        batch_op.drop_column('panel_packages')
    # Dropping a table drops its indexes.
    op.drop_table('provision_events')
    op.drop_table('servers')
