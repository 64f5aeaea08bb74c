"""Start the real app the way the README does (production mode) for browser journeys."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kmerhosting.config import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "artifacts"
CHROMIUM = os.environ.get("KMER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
ADMIN_EMAIL = "admin@kmerhosting.test"
ADMIN_PASSWORD = "admin-password-123"
# The event handlers each app started here has run, one file per app (kmerhosting/event_recorder.py):
# tests/browser/test_handler_coverage.py reads them all.
EVENT_LOGS: list[Path] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveApp:
    base_url: str
    database_url: str
    env: dict
    process: subprocess.Popen
    log_path: Path
    extra: dict = field(default_factory=dict)
    worker: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        for process in (self.process, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def start_worker(workdir: Path, env: dict, name: str = "worker") -> subprocess.Popen:
    """`jobs/worker.py` as the README runs it beside the app (it does what pages queue as jobs)."""
    return subprocess.Popen([sys.executable, "jobs/worker.py"], cwd=PROJECT_ROOT, env=env,
                            stdout=open(workdir / f"{name}.log", "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def own_web_dir(workdir: Path) -> Path:
    """A private copy of the frontend project for a second app: the build bakes the backend's port into
    it, so two apps built from one `.web` (this one and the session's live_app) would talk to each
    other's backend. Copying the installed packages spares a second `npm install`."""
    target = workdir / "web"
    source = PROJECT_ROOT / ".web"
    if source.is_dir():
        # Only the top-level build output stays behind (packages have "build" folders of their own).
        def outputs(folder, names):
            return {"build", ".react-router"} & set(names) if Path(folder) == source else set()

        shutil.copytree(source, target, symlinks=True, ignore=outputs)
    return target


def start_app(workdir: Path, database_url: str | None = None, extra_env: dict | None = None,
              timeout: float = 400, with_worker: bool = True, own_frontend: bool = False) -> LiveApp:
    """The shop as the README starts it. `own_frontend`: build into a private copy of `.web` (for an app
    that runs beside the session's live_app; start that one first, its packages are copied)."""
    if own_frontend:
        extra_env = {**(extra_env or {}), "REFLEX_WEB_WORKDIR": str(own_web_dir(workdir))}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database_url = database_url or f"sqlite:///{workdir / 'live.db'}"
    env = {
        **os.environ,
        "KMER_ENV": "development",
        "KMER_ENV_FILE": "/nonexistent",
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": base,
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "KMER_RECORD_EVENTS": str(workdir / "events.log"),
        "WORKER_POLL_SECONDS": "0.2",
        "PAYMENT_POLL_SECONDS": "1",
        **(extra_env or {}),
    }
    EVENT_LOGS.append(Path(env["KMER_RECORD_EVENTS"]))
    subprocess.run([sys.executable, "-m", "kmerhosting.manage", "setup"], cwd=PROJECT_ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    log_path = workdir / "app.log"
    reflex = str(Path(sys.executable).with_name("reflex"))
    process = subprocess.Popen(
        [reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(port),
         "--backend-port", str(port), "--backend-host", "127.0.0.1"],
        cwd=PROJECT_ROOT, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    app = LiveApp(base_url=base, database_url=database_url, env=env, process=process, log_path=log_path,
                  worker=start_worker(workdir, env) if with_worker else None)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(base + "/ping", timeout=2).status_code == 200 and \
                    httpx.get(base + "/", timeout=5).status_code == 200:
                return app
        except httpx.HTTPError:
            pass
        time.sleep(1)
    app.stop()
    raise RuntimeError(f"the app did not answer within {timeout}s:\n{log_path.read_text()[-4000:]}")
