"""Page weight and load time of the shop's pages in production mode, against Reflex's blank page.

    python -m bench.page_weight            # prints a table; ratios are against the blank app

Both apps are built and served the same way (`reflex run --env prod`) in this run, and loaded in
Debian's Chromium through Playwright with an empty cache. Weight = bytes of every response body
the page fetched; time = navigation start to the load event and to network idle (median of 5 loads).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live import CHROMIUM, CHROMIUM_ARGS, free_port, start_app  # noqa: E402

LOADS = 5


def start_blank_app(workdir: Path):
    """A `reflex init --template blank` app, served in production mode."""
    app_dir = workdir / "blank"
    app_dir.mkdir()
    reflex = str(Path(sys.executable).with_name("reflex"))
    env = {**os.environ, "REFLEX_USE_NPM": "1", "REFLEX_CHECK_LATEST_VERSION": "0",
           "REFLEX_TELEMETRY_ENABLED": "false"}
    subprocess.run([reflex, "init", "--name", "blank", "--template", "blank", "--no-agents"], cwd=app_dir,
                   env=env, check=True, capture_output=True, timeout=600)
    port = free_port()
    proc = subprocess.Popen([reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(port),
                             "--backend-port", str(port), "--backend-host", "127.0.0.1"], cwd=app_dir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/", timeout=2).status_code == 200:
                return base, proc
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError("the blank app did not start")


def measure(browser, url: str, token: str | None = None) -> tuple[int, float, float]:
    loads, idles, weights = [], [], []
    for _ in range(LOADS):
        context = browser.new_context()
        if token:
            context.add_init_script(f"window.localStorage.setItem('kh_session', {token!r});")
        page = context.new_page()
        sizes = []
        page.on("response", lambda r: sizes.append(len(r.body()) if r.ok and r.status != 204 else 0))
        start = time.perf_counter()
        page.goto(url, wait_until="load")
        loads.append(time.perf_counter() - start)
        page.wait_for_load_state("networkidle")
        idles.append(time.perf_counter() - start)
        weights.append(sum(sizes))
        context.close()
    return int(statistics.median(weights)), statistics.median(loads), statistics.median(idles)


def customer_token(database_url: str) -> str:
    from kmerhosting.core.sessions import create_session
    from kmerhosting.db import make_engine
    from kmerhosting.models import User, utcnow
    from sqlmodel import Session
    from kmerhosting.core.passwords import hash_password

    engine = make_engine(database_url)
    with Session(engine) as s:
        user = User(email="bench@example.cm", name="Bench", password_hash=hash_password("bench-password", 4),
                    email_verified_at=utcnow())
        s.add(user)
        s.commit()
        token = create_session(s, user.id)
        s.commit()
    engine.dispose()
    return token


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="kmer-bench-"))
    shop = start_app(work)
    blank_base, blank_proc = start_blank_app(work)
    try:
        token = customer_token(shop.database_url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            base_w, base_l, base_i = measure(browser, blank_base + "/")
            rows = [("reflex blank /", base_w, base_l, base_i)]
            for path, tok in (("/", None), ("/hosting", None), ("/dashboard/services", token)):
                rows.append((f"kmerhosting {path}", *measure(browser, shop.url(path), tok)))
            browser.close()
        print(f"{'page':32} {'bytes':>10} {'x blank':>8} {'load s':>8} {'x blank':>8} {'idle s':>8} {'x blank':>8}")
        for name, w, load, idle in rows:
            print(f"{name:32} {w:>10} {w / base_w:>8.2f} {load:>8.3f} {load / base_l:>8.2f} {idle:>8.3f} "
                  f"{idle / base_i:>8.2f}")
    finally:
        shop.stop()
        os.killpg(blank_proc.pid, 15)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
