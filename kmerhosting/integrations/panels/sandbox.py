"""The sandbox panel: the zero-config default. It creates nothing real and pages say so (`is_test`).

It behaves like a panel so the shop's provisioning can be tried end to end without a server: usernames
follow cPanel's rules, a taken one is refused with WHM's words, suspend/unsuspend/terminate/change_package
change what `find_account` reports, and unknown accounts raise AccountNotFound.

Where the accounts live: the web process and the worker both use the panel, so accounts are kept in
one JSON file (`sandbox-panel.json`) in the directory given to the constructor, not in memory. Every
change takes an exclusive `fcntl.flock` on a lock file next to it, reads, changes and writes the file
atomically (a temporary file renamed over it), so two processes never lose each other's changes and
a crash never leaves half a file. The shop's database would be the natural home, but would need a
model for a test-only feature.

`login_url` returns a link on the shop itself, `{public_base_url}/sandbox-panel?user=<username>`,
where a page may one day show the pretend account; it is not secret and not one-time (nothing is
behind it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from . import (
    KIND_SANDBOX,
    Account,
    AccountNotFound,
    AccountSpec,
    LoginUrl,
    PanelPackage,
    PanelRejected,
    ServerInfo,
    Usage,
    UsernameTaken,
    ensure_account,
    username_problem,
)

FILE_NAME = "sandbox-panel.json"
LOCK_NAME = "sandbox-panel.lock"
DEFAULT_PACKAGES = ("starter", "pro", "business")


class SandboxPanel:
    """A pretend panel whose accounts live in `directory` (shared by every process given the same one)."""

    kind = KIND_SANDBOX
    is_test = True

    def __init__(self, directory: str | os.PathLike, public_base_url: str = "",
                 packages: Iterable[str] | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.public_base_url = public_base_url.rstrip("/")
        # None: any package name is accepted (the shop's hosting packs name them); a list restricts them.
        self._packages = tuple(packages) if packages is not None else None

    def __repr__(self) -> str:
        return f"SandboxPanel(directory={str(self.directory)!r})"

    # --- the shared file ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[dict]:
        """The accounts, under the lock; with exclusive=True whatever the block changed is written back."""
        with open(self.directory / LOCK_NAME, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                state = self._read()
                yield state
                if exclusive:
                    self._write(state)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict:
        try:
            with open(self.directory / FILE_NAME, encoding="utf-8") as f:
                state = json.load(f)
        except FileNotFoundError:
            state = {}
        state.setdefault("accounts", {})
        return state

    def _write(self, state: dict) -> None:
        fd, temporary = tempfile.mkstemp(prefix=".sandbox-panel.", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(state, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, self.directory / FILE_NAME)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    @staticmethod
    def _account(record: dict) -> Account:
        return Account(username=record["username"], domain=record["domain"], package=record["package"],
                       suspended=record["suspended"], suspend_reason=record.get("suspend_reason", ""),
                       disk_used_mb=record.get("disk_used_mb", 0), disk_limit_mb=record.get("disk_limit_mb"),
                       bandwidth_used_mb=record.get("bandwidth_used_mb", 0), ip="127.0.0.1",
                       email=record.get("email", ""), owner="sandbox")

    @staticmethod
    def _record(state: dict, username: str) -> dict:
        record = state["accounts"].get(username)
        if record is None:
            raise AccountNotFound(f"sandbox panel: account {username!r} does not exist", code="not_found")
        return record

    def _check_package(self, package: str) -> None:
        if not package or (self._packages is not None and package not in self._packages):
            raise PanelRejected(f'sandbox panel: "{package}" is not a valid package name', code="unknown_package")

    # --- Panel ----------------------------------------------------------------------------------

    def test_connection(self) -> ServerInfo:
        with self._locked(exclusive=False) as state:
            return ServerInfo(kind=self.kind, version="sandbox", accounts=len(state["accounts"]))

    def find_account(self, username: str) -> Account | None:
        with self._locked(exclusive=False) as state:
            record = state["accounts"].get(username)
            return self._account(record) if record else None

    def create_account(self, spec: AccountSpec) -> Account:
        problem = username_problem(spec.username)
        if problem == "reserved name":
            raise UsernameTaken(f'sandbox panel: "{spec.username}" is a reserved username', code="username_reserved")
        if problem:
            raise PanelRejected(f"sandbox panel: invalid username ({problem})", code="invalid_username")
        self._check_package(spec.package)
        domain = spec.domain.strip().lower()
        with self._locked(exclusive=True) as state:
            if spec.username in state["accounts"]:
                raise UsernameTaken("sandbox panel: Sorry, a group for that username already exists.",
                                    code="username_taken")
            if any(r["domain"] == domain for r in state["accounts"].values()):
                raise PanelRejected(f"sandbox panel: the domain {domain} already exists", code="domain_taken")
            record = {"username": spec.username, "domain": domain, "package": spec.package, "suspended": False,
                      "suspend_reason": "", "email": spec.email, "contact_name": spec.contact_name,
                      "disk_used_mb": 0, "disk_limit_mb": None, "bandwidth_used_mb": 0,
                      "created_at": datetime.now(UTC).isoformat()}
            state["accounts"][spec.username] = record  # the password is not kept: nothing logs in here
            return self._account(record)

    def ensure_account(self, spec: AccountSpec) -> tuple[Account, bool]:
        return ensure_account(self, spec)

    def suspend(self, username: str, reason: str = "") -> None:
        with self._locked(exclusive=True) as state:
            record = self._record(state, username)
            record.update(suspended=True, suspend_reason=reason or "Suspended by the shop")

    def unsuspend(self, username: str) -> None:
        with self._locked(exclusive=True) as state:
            self._record(state, username).update(suspended=False, suspend_reason="")

    def terminate(self, username: str) -> None:
        with self._locked(exclusive=True) as state:
            self._record(state, username)
            del state["accounts"][username]

    def change_package(self, username: str, package: str) -> None:
        self._check_package(package)
        with self._locked(exclusive=True) as state:
            self._record(state, username)["package"] = package

    def login_url(self, username: str, service: str = "cpaneld") -> LoginUrl:
        """A link to the shop's own sandbox page (see the module docstring); it expires never."""
        if self.find_account(username) is None:
            raise AccountNotFound(f"sandbox panel: account {username!r} does not exist", code="not_found")
        return LoginUrl(url=f"{self.public_base_url}/sandbox-panel?user={quote(username)}", expires_at=None)

    def change_password(self, username: str, password: str) -> None:
        """Accepted and forgotten (nothing logs in here); an unknown account is refused as on WHM."""
        if self.find_account(username) is None:
            raise AccountNotFound(f"sandbox panel: account {username!r} does not exist", code="not_found")

    def usage(self, username: str) -> Usage:
        with self._locked(exclusive=False) as state:
            record = self._record(state, username)
            return Usage(disk_used_mb=record.get("disk_used_mb", 0), disk_limit_mb=record.get("disk_limit_mb"),
                         bandwidth_used_mb=record.get("bandwidth_used_mb", 0), bandwidth_limit_mb=None)

    def packages(self) -> list[PanelPackage]:
        if self._packages is not None:
            names = self._packages
        else:
            with self._locked(exclusive=False) as state:
                used = {r["package"] for r in state["accounts"].values()}
            names = tuple(dict.fromkeys([*DEFAULT_PACKAGES, *sorted(used)]))
        return [PanelPackage(name=name) for name in names]

    # --- sandbox controls (demos and tests) -----------------------------------------------------

    def set_usage(self, username: str, *, disk_used_mb: int | None = None, disk_limit_mb: int | None = None,
                  bandwidth_used_mb: int | None = None) -> None:
        """Pretend the account uses this much (the sandbox has no files to measure)."""
        with self._locked(exclusive=True) as state:
            record = self._record(state, username)
            if disk_used_mb is not None:
                record["disk_used_mb"] = disk_used_mb
            if disk_limit_mb is not None:
                record["disk_limit_mb"] = disk_limit_mb
            if bandwidth_used_mb is not None:
                record["bandwidth_used_mb"] = bandwidth_used_mb
