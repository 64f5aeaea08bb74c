"""Admin: list hosting services, move them through their life cycle, set the control-panel URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, select

from ...db import lock_service
from ...models import (AccountStatus, Job, Pack, ProvisionEvent, Server, Service, ServiceStatus, SuspendedBy, User,
                       utcnow)
from .. import audit, provisioning
from ..args import parse_choice
from ..errors import InvalidInput, NotFound
from .common import Page, as_id, clean_text, ilike, paginate, require_admin

S = ServiceStatus
# What the history of a hosting account may show (ProvisionEvent.action / .outcome).
EVENT_ACTIONS = ("create", "find", "suspend", "unsuspend", "terminate", "change_package", "usage", "login")
EVENT_OUTCOMES = ("ok", "refused", "unknown", "failed")
# Which status an admin may set from which: provisioning (pending -> active), suspension and its end,
# cancellation. An expired service comes back only through a paid renewal, never by hand.
TRANSITIONS: dict[str, set[str]] = {
    S.pending: {S.active, S.cancelled},
    S.active: {S.suspended, S.cancelled},
    S.suspended: {S.active, S.cancelled},
    S.expired: {S.cancelled},
    S.cancelled: set(),
}


def list_services(session: Session, actor_id: int, *, status: str = "", search: str = "", page=1,
                  per_page=25) -> Page:
    """Services by status and domain / owner e-mail fragment. Rows: (Service, User.email, Pack.name)."""
    require_admin(session, actor_id)
    stmt = (select(Service, User.email, Pack.name).join(User, User.id == Service.user_id)
            .join(Pack, Pack.id == Service.pack_id))
    if status:
        status = parse_choice(status, ServiceStatus.__members__, "admin.error.bad_filter")
        stmt = stmt.where(Service.status == status)
    search = clean_text(search, 120)
    if search:
        stmt = stmt.where(sa.or_(ilike(Service.domain, search), ilike(User.email, search)))
    return paginate(session, stmt.order_by(Service.id.desc()), page, per_page)


def _lock(session: Session, service_id) -> Service:
    """The service, locked after its owner: a renewal in flight (which holds the owner) finishes before
    an admin's change reads the status, and one that starts later sees the change."""
    service = lock_service(session, as_id(service_id))
    if service is None:
        raise NotFound()
    return service


def set_status(session: Session, actor_id: int, service_id, status: str) -> Service:
    actor = require_admin(session, actor_id)
    status = parse_choice(status, ServiceStatus.__members__, "admin.error.bad_status")
    service = _lock(session, service_id)
    if status not in TRANSITIONS.get(service.status, set()):
        raise InvalidInput("admin.error.transition", old=service.status, new=status)
    if status == S.active and service.expires_at <= utcnow():
        raise InvalidInput("admin.error.service_expired")
    if status == S.active and service.status == S.pending and provisioning.awaiting_account(service):
        raise InvalidInput("admin.error.account_not_ready")  # active only once its account exists
    before = {"status": service.status}
    service.status = status
    if status == S.suspended:
        service.suspended_by = SuspendedBy.admin  # lifted only here, never by the customer's renewal
    service.updated_at = utcnow()
    session.add(service)
    # The hosting account follows, from the worker (jobs written in this transaction).
    if status == S.suspended:
        provisioning.queue_suspend(session, service)
    elif status == S.active and before["status"] == S.suspended:
        provisioning.queue_unsuspend(session, service)
    elif status == S.cancelled:
        provisioning.queue_terminate(session, service)
    audit.record(session, actor.id, "service.status", "service", service.id, before, {"status": status})
    session.flush()
    return service


def change_pack(session: Session, actor_id: int, service_id, pack_id) -> Service:
    """Move a live service to another pack (no charge here); its account moves to that pack's panel
    package, from the worker."""
    actor = require_admin(session, actor_id)
    pack = session.get(Pack, as_id(pack_id))
    if pack is None:
        raise NotFound()
    service = _lock(session, service_id)
    if service.status == S.cancelled:
        raise InvalidInput("admin.error.transition", old=service.status, new=service.status)
    if pack.id == service.pack_id:
        return service
    if service.server_id is not None and pack.control_panel != service.control_panel:
        raise InvalidInput("admin.error.pack_other_panel")  # its account can't move to another kind of panel
    before = {"pack_id": service.pack_id}
    service.pack_id = pack.id
    service.updated_at = utcnow()
    session.add(service)
    provisioning.queue_change_package(session, service)
    audit.record(session, actor.id, "service.pack", "service", service.id, before, {"pack_id": pack.id})
    session.flush()
    return service


@dataclass(frozen=True)
class AccountDetail:
    """A service's hosting account as the admin sees it: server, username, status, every panel call."""

    service_id: int
    domain: str
    server_name: str
    server_sandbox: bool
    username: str
    account_status: str
    account_error: str
    disk_used_mb: int | None
    disk_limit_mb: int | None
    bandwidth_used_mb: int | None
    usage_at: object
    cancelled_at: object
    pack_id: int
    events: list[ProvisionEvent]
    jobs: list[Job]

    @property
    def failed_jobs(self) -> int:
        return sum(1 for job in self.jobs if job.status == "failed")

    @property
    def can_retry(self) -> bool:
        return self.failed_jobs > 0 or self.account_status == AccountStatus.failed


def pack_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every pack, for moving a service."""
    return [(pack_id, name) for pack_id, name in session.exec(select(Pack.id, Pack.name).order_by(Pack.sort_order,
                                                                                                Pack.id)).all()]


def account_detail(session: Session, actor_id: int, service_id) -> AccountDetail:
    require_admin(session, actor_id)
    service = session.get(Service, as_id(service_id))
    if service is None:
        raise NotFound()
    server = session.get(Server, service.server_id) if service.server_id else None
    return AccountDetail(service_id=service.id, domain=service.domain, server_name=server.name if server else "",
                         server_sandbox=bool(server and server.sandbox), username=service.panel_username,
                         account_status=service.account_status, account_error=service.account_error,
                         disk_used_mb=service.disk_used_mb, disk_limit_mb=service.disk_limit_mb,
                         bandwidth_used_mb=service.bandwidth_used_mb, usage_at=service.usage_at,
                         cancelled_at=service.cancelled_at, pack_id=service.pack_id,
                         events=provisioning.history(session, service.id),
                         jobs=provisioning.service_jobs(session, service.id))


def retry_provisioning(session: Session, actor_id: int, service_id) -> int:
    """Queue the service's failed panel jobs again (a refused creation starts over). Audited. Returns
    how many jobs were queued."""
    actor = require_admin(session, actor_id)
    service = _lock(session, service_id)
    if service.server_id is None:
        raise InvalidInput("admin.error.no_account")
    before = {"account_status": service.account_status}
    count = provisioning.retry_failed(session, service)
    if not count:
        raise InvalidInput("admin.error.nothing_to_retry")
    audit.record(session, actor.id, "service.provision_retry", "service", service.id, before,
                 {"account_status": service.account_status, "jobs": count})
    session.flush()
    return count


def validate_panel_url(value) -> str:
    """An absolute http(s) URL with a host, or empty to clear it."""
    url = clean_text(value, 1000)
    if not url:
        return ""
    if len(url) > 255:
        raise InvalidInput("admin.error.panel_url")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        raise InvalidInput("admin.error.panel_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or any(c.isspace() for c in url):
        raise InvalidInput("admin.error.panel_url")
    return url


def set_panel_url(session: Session, actor_id: int, service_id, url) -> Service:
    actor = require_admin(session, actor_id)
    url = validate_panel_url(url)
    service = _lock(session, service_id)
    before = {"panel_url": service.panel_url}
    service.panel_url = url
    service.updated_at = utcnow()
    session.add(service)
    audit.record(session, actor.id, "service.panel_url", "service", service.id, before, {"panel_url": url})
    session.flush()
    return service
