"""Hosting accounts on the servers' control panels: created at payment, suspended, restored, removed.

The business events write jobs in their own transaction (the outbox, as for domains and payments):

- checkout (`plan_account`): for a hosting service whose panel kind has an active server with room,
  the server and the username are chosen and stored with `account_status=creating` before any call,
  the service stays `pending` and a `panel.create` job is queued;
- the notifier's expiry suspension, an admin's suspension, a renewal that lifts it, an admin's restore
  (`queue_suspend` / `queue_unsuspend`);
- an admin's cancellation (`queue_terminate`): the account is removed PROVISION_TERMINATE_DAYS later;
- an admin moving a service to another pack (`queue_change_package`).

The worker's handlers (core/job_handlers.py) call `carry_out_*` here. Each attempt reads what the
service records, asks the panel, and records every call as a `ProvisionEvent` (action, outcome,
message with secrets scrubbed, duration). A lost answer (`PanelUnavailable`) is never taken as done or
undone: creation goes through `ensure_account`, which looks the username up before creating, so a
service never gets two accounts. The service becomes `active` only once its account exists.

A service without a server (no server for its pack's panel kind) keeps the manual flow: its status is
NEW_SERVICE_STATUS and an admin sets its panel address by hand.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import get_settings
from ..db import session_scope
from ..integrations import panels
from ..models import (AccountStatus, Job, JobStatus, Pack, ProvisionEvent, Server, Service, ServiceStatus, User,
                      utcnow)
from . import jobs, mailer
from .servers import panel_for, pick_server

log = logging.getLogger(__name__)

CREATE_JOB = "panel.create"
SUSPEND_JOB = "panel.suspend"
UNSUSPEND_JOB = "panel.unsuspend"
TERMINATE_JOB = "panel.terminate"
CHANGE_PACKAGE_JOB = "panel.change_package"
USAGE_JOB = "panel.usage"
PANEL_JOBS = (CREATE_JOB, SUSPEND_JOB, UNSUSPEND_JOB, TERMINATE_JOB, CHANGE_PACKAGE_JOB, USAGE_JOB)

USAGE_EVERY = timedelta(hours=6)
AUTH_RETRY = timedelta(minutes=30)  # the server's credentials are wrong: an admin fixes them, the job waits
WAIT_FOR_ACCOUNT = timedelta(minutes=1)  # a suspension asked while the account is still being created

OK, REFUSED, UNKNOWN, FAILED = "ok", "refused", "unknown", "failed"
# Calls whose success is not listed in the history: the usage reading runs every few hours for every
# account and its time is on the service (`usage_at`); a failed reading is listed like any call.
QUIET_WHEN_OK = ("usage",)


# --- keys ---------------------------------------------------------------------------------------------


def job_prefix(service_id: int) -> str:
    """Every panel job of a service has a dedupe key starting with this (the admin's retry finds them)."""
    return f"panel:{service_id}:"


def _key(service_id: int, action: str, unique: bool = False) -> str:
    tail = f":{utcnow().strftime('%Y%m%d%H%M%S')}{secrets.token_hex(3)}" if unique else ""
    return f"{job_prefix(service_id)}{action}{tail}"


# --- queuing (in the caller's transaction) --------------------------------------------------------------


def package_for(pack: Pack, server: Server) -> str:
    """The panel package of `pack` on `server`'s panel kind (Pack.panel_packages), or the pack's slug."""
    return str((pack.panel_packages or {}).get(server.panel) or pack.slug)


def usernames_on(session: Session, server_id: int, *, but: int | None = None) -> set[str]:
    """Usernames the shop has given out on a server (removed accounts free theirs)."""
    stmt = select(Service.panel_username).where(Service.server_id == server_id, Service.panel_username != "",
                                                Service.account_status != AccountStatus.terminated)
    if but is not None:
        stmt = stmt.where(Service.id != but)
    return set(session.exec(stmt).all())


def plan_account(session: Session, service: Service, pack: Pack) -> bool:
    """At checkout, after the service's insert: choose its server and username, store them, queue the
    creation. False (nothing changed, the manual flow) when no active server of the pack's panel kind
    has room."""
    server = pick_server(session, pack.control_panel)
    if server is None:
        return False
    service.server_id = server.id
    service.panel_username = panels.make_username(service.domain, taken=usernames_on(session, server.id))
    service.account_status = AccountStatus.creating
    service.account_error = ""
    service.status = ServiceStatus.pending  # active once the account exists, whatever NEW_SERVICE_STATUS says
    session.add(service)
    session.flush()
    jobs.enqueue(session, CREATE_JOB, {"service_id": service.id}, dedupe_key=_key(service.id, "create"),
                 user_id=service.user_id)
    return True


def has_account(service: Service) -> bool:
    """The service has (or is getting) an account on a server the shop manages."""
    return service.server_id is not None and service.account_status in (AccountStatus.creating,
                                                                         AccountStatus.created)


def awaiting_account(service: Service) -> bool:
    """Provisioned by the shop, but its account does not exist yet: the service may not show as active."""
    return service.server_id is not None and service.account_status != AccountStatus.created \
        and service.account_status != AccountStatus.none


def queue_suspend(session: Session, service: Service) -> None:
    if has_account(service):
        jobs.enqueue(session, SUSPEND_JOB, {"service_id": service.id}, dedupe_key=_key(service.id, "suspend", True),
                     user_id=service.user_id)


def queue_unsuspend(session: Session, service: Service) -> None:
    if has_account(service):
        jobs.enqueue(session, UNSUSPEND_JOB, {"service_id": service.id},
                     dedupe_key=_key(service.id, "unsuspend", True), user_id=service.user_id)


def queue_terminate(session: Session, service: Service) -> None:
    """At cancellation: note when, and remove the account PROVISION_TERMINATE_DAYS later."""
    service.cancelled_at = utcnow()
    session.add(service)
    if has_account(service):
        jobs.enqueue(session, TERMINATE_JOB, {"service_id": service.id}, dedupe_key=_key(service.id, "terminate"),
                     user_id=service.user_id, delay=timedelta(days=get_settings().provision_terminate_days))


def queue_change_package(session: Session, service: Service) -> None:
    if has_account(service):
        jobs.enqueue(session, CHANGE_PACKAGE_JOB, {"service_id": service.id},
                     dedupe_key=_key(service.id, "change_package", True), user_id=service.user_id)


def queue_usage(session: Session, service_id: int, user_id: int | None = None) -> None:
    jobs.enqueue(session, USAGE_JOB, {"service_id": service_id}, dedupe_key=_key(service_id, "usage"),
                 user_id=user_id)


def queue_suspended_by_notifier(session: Session, service_ids: list[int]) -> int:
    """The notifier suspended these services (expiry + grace): their accounts follow."""
    count = 0
    for service in session.exec(select(Service).where(Service.id.in_(service_ids))).all():
        if service.status == ServiceStatus.suspended and has_account(service):
            queue_suspend(session, service)
            count += 1
    return count


# --- calling the panel -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a handler needs, read in one short transaction (no transaction is open during a call)."""

    service: Service
    server: Server | None
    pack: Pack
    user: User


def _load(service_id: int) -> Target | None:
    with session_scope() as session:
        service = session.get(Service, service_id)
        if service is None:
            return None
        server = session.get(Server, service.server_id) if service.server_id else None
        pack, user = session.get(Pack, service.pack_id), session.get(User, service.user_id)
        for row in (service, server, pack, user):
            if row is not None:
                session.expunge(row)
        return Target(service, server, pack, user)


def record(service_id: int, server_id: int | None, action: str, outcome: str, message: str = "",
           duration_ms: int = 0) -> None:
    with session_scope() as session:
        session.add(ProvisionEvent(service_id=service_id, server_id=server_id, action=action, outcome=outcome,
                                   message=message[:500], duration_ms=duration_ms))


def _outcome_of(exc: BaseException) -> str:
    if isinstance(exc, panels.PanelUnavailable):
        return UNKNOWN
    if isinstance(exc, panels.PanelRejected):
        return REFUSED
    return FAILED


def call(target: Target, action: str, fn, *, hidden: tuple[str, ...] = ()):
    """Run one panel call, record it (outcome, scrubbed message, duration), return its result or raise."""
    started = time.monotonic()
    try:
        result = fn()
    except Exception as exc:
        message = panels.scrub(f"{type(exc).__name__}: {exc}", hidden)
        record(target.service.id, target.server.id if target.server else None, action, _outcome_of(exc),
               message, int((time.monotonic() - started) * 1000))
        raise
    if action not in QUIET_WHEN_OK:
        record(target.service.id, target.server.id if target.server else None, action, OK,
               _ok_message(result), int((time.monotonic() - started) * 1000))
    return result


# The panel's methods that reach the server, and the action each is recorded as.
RECORDED_ACTIONS = {"find_account": "find", "create_account": "create", "suspend": "suspend",
                    "unsuspend": "unsuspend", "terminate": "terminate", "change_package": "change_package",
                    "usage": "usage", "login_url": "login"}


class Recorded:
    """A panel whose every call is recorded (`call`): `ensure_account` through it leaves one event per
    look-up and per create, so the history shows what was asked, in order."""

    def __init__(self, panel, target: Target, hidden: tuple[str, ...] = ()):
        self._panel, self._target, self._hidden = panel, target, hidden

    def __getattr__(self, name: str):
        method = getattr(self._panel, name)
        action = RECORDED_ACTIONS.get(name)
        if action is None:
            return method
        return lambda *args, **kwargs: call(self._target, action, lambda: method(*args, **kwargs),
                                            hidden=self._hidden)


def _ok_message(result) -> str:
    if result is None:
        return "none"
    if isinstance(result, panels.Account):
        return f"{result.username} · {result.domain} · {result.package}" + (" · suspended" if result.suspended else "")
    if isinstance(result, panels.Usage):
        return f"disk {result.disk_used_mb} MiB, bandwidth {result.bandwidth_used_mb} MiB"
    return ""


def _recorded(target: Target) -> Recorded:
    return Recorded(panel_for(target.server), target)


@dataclass(frozen=True)
class Attempt:
    """What a handler returns to the job runner."""

    status: str  # "done" | "retry" | "fail"
    message: str = ""
    delay: timedelta | None = None


def _done(message: str = "") -> Attempt:
    return Attempt("done", message)


def _retry(message: str, delay: timedelta | None = None) -> Attempt:
    return Attempt("retry", message, delay)


def _error_attempt(exc: panels.PanelError) -> Attempt:
    if isinstance(exc, panels.PanelAuthFailed):
        return _retry(f"the server refused the shop's credentials: {exc}", AUTH_RETRY)
    return _retry(f"{type(exc).__name__}: {exc} (outcome unknown; the next attempt looks first)")


# --- create ------------------------------------------------------------------------------------------------


def panel_address(server: Server) -> str:
    """Where the customer logs in: cPanel on the server's host, or the sandbox's note."""
    if server.sandbox:
        return ""
    return f"https://{server.host}:2083"


def carry_out_create(service_id: int) -> Attempt:
    """One attempt at creating the service's account (find first: never two accounts)."""
    target = _load(service_id)
    if target is None or target.server is None:
        return _done("no service or no server")
    service = target.service
    if service.account_status == AccountStatus.created:
        _account_ready(service_id, None)  # an earlier attempt died between the panel and the database
        return _done("already created")
    if service.account_status != AccountStatus.creating:
        return _done(f"account {service.account_status or 'not managed'}")
    password = panels.strong_password()
    spec = panels.AccountSpec(username=service.panel_username, domain=service.domain, password=password,
                              package=package_for(target.pack, target.server), email=target.user.email,
                              contact_name=target.user.name or "")
    try:
        panel = Recorded(panel_for(target.server), target, hidden=(password,))
        account, _created = panels.ensure_account(panel, spec)
    except panels.UsernameTaken:
        return _next_username(target)
    except panels.PanelRejected as exc:
        message = panels.scrub(str(exc), (password,))[:500]
        with session_scope() as session:
            session.execute(sa.update(Service).where(Service.id == service_id,
                                                     Service.account_status == AccountStatus.creating)
                            .values(account_status=AccountStatus.failed, account_error=message, updated_at=utcnow()))
        return Attempt("fail", f"the panel refused the account: {message}")
    except panels.PanelError as exc:
        return _error_attempt(exc)
    _account_ready(service_id, account)
    return _done(f"account {account.username}")


def _next_username(target: Target) -> Attempt:
    """The panel has this name (someone else's account or a system user): store the next one, try again."""
    service = target.service
    with session_scope() as session:
        taken = usernames_on(session, target.server.id, but=service.id)
        # The names before the current one in the sequence were taken or refused already.
        for _ in range(1000):
            name = panels.make_username(service.domain, taken=taken)
            taken.add(name)
            if name == service.panel_username:
                break
        following = panels.make_username(service.domain, taken=taken)
        session.execute(sa.update(Service).where(Service.id == service.id,
                                                 Service.panel_username == service.panel_username,
                                                 Service.account_status == AccountStatus.creating)
                        .values(panel_username=following, updated_at=utcnow()))
    return _retry(f"username {service.panel_username} is taken on the server; next: {following}",
                  timedelta(seconds=0))


def _account_ready(service_id: int, account: panels.Account | None) -> None:
    """The account exists: record it, make the service active (only now), welcome the customer once."""
    with session_scope() as session:
        values = {"account_status": AccountStatus.created, "account_error": "", "updated_at": utcnow()}
        if account is not None and account.disk_limit_mb is not None:
            values["disk_limit_mb"] = account.disk_limit_mb
        first = session.execute(sa.update(Service).where(Service.id == service_id,
                                                         Service.account_status == AccountStatus.creating)
                                .values(**values)).rowcount == 1
        service = session.exec(select(Service).where(Service.id == service_id).with_for_update()
                               .execution_options(populate_existing=True)).one()
        if service.status == ServiceStatus.pending:
            service.status = ServiceStatus.active
            session.add(service)
        if not first:
            return
        server = session.get(Server, service.server_id)
        if not service.panel_url and not server.sandbox:
            service.panel_url = panel_address(server)
            session.add(service)
        user, pack = session.get(User, service.user_id), session.get(Pack, service.pack_id)
        mailer.send_later(session, "hosting_ready", user.email, user.language,
                          {"name": user.name or "", "domain": service.domain, "pack": pack.name,
                           "username": service.panel_username, "panel_url": panel_address(server),
                           "sandbox": bool(server.sandbox),
                           "nameservers": [ns.strip() for ns in server.nameservers.split(",") if ns.strip()]},
                          user_id=user.id, service_id=service.id)
        queue_usage(session, service.id, service.user_id)


# --- suspend, unsuspend, terminate, change package ---------------------------------------------------------


def _wait_or_skip(service: Service) -> Attempt | None:
    if service.account_status == AccountStatus.creating:
        return _retry("the account is still being created", WAIT_FOR_ACCOUNT)
    if service.account_status != AccountStatus.created:
        return _done(f"account {service.account_status or 'not managed'}: nothing to do")
    return None


def carry_out_suspend(service_id: int) -> Attempt:
    target = _load(service_id)
    if target is None or target.server is None:
        return _done("no service or no server")
    if target.service.status != ServiceStatus.suspended:
        return _done("no longer suspended")  # a renewal or an admin restored it since
    early = _wait_or_skip(target.service)
    if early:
        return early
    reason = f"KmerHosting: {target.service.suspended_by or 'suspended'}"
    try:
        _recorded(target).suspend(target.service.panel_username, reason)
    except panels.PanelRejected as exc:
        return Attempt("fail", f"the panel refused: {exc}")
    except panels.PanelError as exc:
        return _error_attempt(exc)
    return _done("suspended")


def carry_out_unsuspend(service_id: int) -> Attempt:
    target = _load(service_id)
    if target is None or target.server is None:
        return _done("no service or no server")
    if target.service.status in (ServiceStatus.suspended, ServiceStatus.cancelled):
        return _done(f"service {target.service.status}: stays suspended")
    early = _wait_or_skip(target.service)
    if early:
        return early
    try:
        _recorded(target).unsuspend(target.service.panel_username)
    except panels.PanelRejected as exc:
        return Attempt("fail", f"the panel refused: {exc}")
    except panels.PanelError as exc:
        return _error_attempt(exc)
    return _done("unsuspended")


def carry_out_terminate(service_id: int) -> Attempt:
    target = _load(service_id)
    if target is None or target.server is None:
        return _done("no service or no server")
    service = target.service
    if service.status != ServiceStatus.cancelled:
        return _done(f"service {service.status}: kept")
    early = _wait_or_skip(service)
    if early:
        return early
    panel = _recorded(target)
    try:
        panel.terminate(service.panel_username)
    except panels.AccountNotFound:
        # After a lost answer this means "already removed"; ask to be sure before saying so.
        try:
            if panel.find_account(service.panel_username) is not None:
                return _retry("the panel says the account is missing but lists it")
        except panels.PanelError as exc:
            return _error_attempt(exc)
    except panels.PanelRejected as exc:
        return Attempt("fail", f"the panel refused: {exc}")
    except panels.PanelError as exc:
        return _error_attempt(exc)
    with session_scope() as session:
        session.execute(sa.update(Service).where(Service.id == service_id)
                        .values(account_status=AccountStatus.terminated, updated_at=utcnow()))
    return _done("terminated")


def carry_out_change_package(service_id: int) -> Attempt:
    """Put the account on the package of the service's pack as it is now (several moves converge)."""
    target = _load(service_id)
    if target is None or target.server is None:
        return _done("no service or no server")
    if target.service.status == ServiceStatus.cancelled:
        return _done("service cancelled")
    early = _wait_or_skip(target.service)
    if early:
        return early
    package = package_for(target.pack, target.server)
    try:
        _recorded(target).change_package(target.service.panel_username, package)
    except panels.PanelRejected as exc:
        return Attempt("fail", f"the panel refused: {exc}")
    except panels.PanelError as exc:
        return _error_attempt(exc)
    return _done(f"package {package}")


def carry_out_usage(service_id: int) -> Attempt:
    """Read disk and bandwidth used; again in USAGE_EVERY while the account lives."""
    target = _load(service_id)
    if target is None or target.server is None:
        return _done("no service or no server")
    if target.service.account_status != AccountStatus.created or target.service.status == ServiceStatus.cancelled:
        return _done("no live account")
    try:
        usage = _recorded(target).usage(target.service.panel_username)
    except panels.PanelError as exc:
        return _retry(f"{type(exc).__name__}: {exc}", USAGE_EVERY / 6)
    with session_scope() as session:
        session.execute(sa.update(Service).where(Service.id == service_id).values(
            disk_used_mb=usage.disk_used_mb, disk_limit_mb=usage.disk_limit_mb,
            bandwidth_used_mb=usage.bandwidth_used_mb, usage_at=utcnow()))
    return _retry("next refresh", USAGE_EVERY)


# --- admin ----------------------------------------------------------------------------------------------------


def service_jobs(session: Session, service_id: int) -> list[Job]:
    return list(session.exec(select(Job).where(Job.dedupe_key.like(f"{job_prefix(service_id)}%"))
                             .order_by(Job.id)).all())


def history(session: Session, service_id: int, limit: int = 200) -> list[ProvisionEvent]:
    return list(session.exec(select(ProvisionEvent).where(ProvisionEvent.service_id == service_id)
                             .order_by(ProvisionEvent.id.desc()).limit(limit)).all())


def retry_failed(session: Session, service: Service) -> int:
    """Queue the service's failed panel jobs again (a refused creation starts over as `creating`).
    Returns how many jobs were queued."""
    failed = [job for job in service_jobs(session, service.id) if job.status == JobStatus.failed]
    count = sum(1 for job in failed if jobs.requeue(session, job.id))
    if service.account_status == AccountStatus.failed:
        service.account_status = AccountStatus.creating
        service.account_error = ""
        service.updated_at = utcnow()
        session.add(service)
        if not any(job.kind == CREATE_JOB for job in failed):
            jobs.enqueue(session, CREATE_JOB, {"service_id": service.id},
                         dedupe_key=_key(service.id, "create", True), user_id=service.user_id)
            count += 1
    return count


def requeue_stalled(limit: int = 500) -> dict[str, int]:
    """The notifier's safety net: an account still `creating` whose job gave up (a panel down for days)
    gets a new round of attempts, and one without any creation job gets one. Returns {kind: count}."""
    count = 0
    with session_scope() as session:
        rows = session.exec(select(Service.id, Service.user_id).where(
            Service.account_status == AccountStatus.creating, Service.server_id.is_not(None)).limit(limit)).all()
        for service_id, user_id in rows:
            creates = [job for job in service_jobs(session, service_id) if job.kind == CREATE_JOB]
            if not creates:
                jobs.enqueue(session, CREATE_JOB, {"service_id": service_id}, dedupe_key=_key(service_id, "create"),
                             user_id=user_id)
                count += 1
            elif all(job.status == JobStatus.failed for job in creates):
                count += sum(1 for job in creates if jobs.requeue(session, job.id))
    return {CREATE_JOB: count} if count else {}


def failed_jobs(session: Session) -> int:
    """Panel jobs that gave up (the admin overview shows how many)."""
    return session.exec(select(sa.func.count()).select_from(Job).where(
        Job.kind.in_(PANEL_JOBS), Job.status == JobStatus.failed)).one()
