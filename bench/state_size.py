"""How much state the browser gets: the count of state vars sent to it, and the bytes of state that
`/dashboard/services` and `/cart` receive over the websocket when they load (a logged-in customer with
two services, a ledger and a cart of two lines).

    python -m bench.state_size

Vars: every non-backend var (base and computed, leading underscore excluded) of every State class the
app defines. Bytes: the payloads of the websocket frames the page receives from navigation until the
page's `#page-ready` marker is there and the network is idle (median of 3 cold loads).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LOADS = 3


def state_classes():
    from kmerhosting.state.base import BaseState

    found, todo = [], [BaseState]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return found


def sent_vars(cls) -> list[str]:
    names = set(cls.base_vars) | set(cls.computed_vars)
    inherited = set()
    for parent in cls.__mro__[1:]:
        inherited |= set(getattr(parent, "base_vars", {})) | set(getattr(parent, "computed_vars", {}))
    return sorted(n for n in names - inherited if not n.startswith("_"))


def count_vars() -> tuple[int, int]:
    import kmerhosting.kmerhosting  # noqa: F401  (defines every page and state)

    classes = state_classes()
    return len(classes), sum(len(sent_vars(c)) for c in classes)


def seed(database_url: str) -> str:
    from sqlmodel import Session, select

    from kmerhosting import db
    from kmerhosting.core import cart
    from kmerhosting.core.ledger import add_credits, post
    from kmerhosting.core.sessions import create_session
    from kmerhosting.models import Pack, Service, User, utcnow

    engine = db.make_engine(database_url)
    db.set_engine_override(engine)
    try:
        with Session(engine, expire_on_commit=False) as s:
            user = User(email="bench.state@example.cm", name="Bench State", password_hash="x",
                        email_verified_at=utcnow())
            s.add(user)
            s.commit()
            add_credits(s, user.id, 120000, reference="MOMO-BENCH-1")
            packs = s.exec(select(Pack).where(Pack.is_active == True).order_by(Pack.id)).all()  # noqa: E712
            now = utcnow()
            for domain, days in (("bench-one.cm", 12), ("bench-two.com", 200)):
                service = Service(user_id=user.id, pack_id=packs[1].id, domain=domain, control_panel="cpanel",
                                  status="active", duration_months=12, price_paid=packs[1].monthly_price * 12,
                                  starts_at=now - timedelta(days=30), expires_at=now + timedelta(days=days))
                s.add(service)
                s.flush()
                post(s, user.id, -service.price_paid, "purchase", service_id=service.id, reference="order:1")
            line = cart.add_pack(s, user_id=user.id, visitor_key=None, pack_id=packs[0].id, months=12)
            cart.choose_new_domain(s, user_id=user.id, visitor_key=None, item_id=line.id,
                                   domain="bench-three.cm", years=1)
            cart.add_pack(s, user_id=user.id, visitor_key=None, pack_id=packs[-1].id, months=36)
            token = create_session(s, user.id, client="bench")
            s.commit()
    finally:
        db.set_engine_override(None)
        engine.dispose()
    return token


def state_bytes(browser, app, path: str, token: str) -> int:
    from tests.browser.helpers import store_before_scripts

    sizes = []
    for _ in range(LOADS):
        context = browser.new_context(base_url=app.base_url)
        context.add_cookies([{"name": "kh_lang", "value": "fr", "url": app.base_url}])
        store_before_scripts(context, "kh_session", token)
        page = context.new_page()
        frames: list[int] = []
        page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda payload: frames.append(len(payload.encode() if isinstance(payload, str)
                                                               else payload))))
        page.goto(path)
        page.wait_for_selector(f"#page-ready[data-route='{path}']", state="attached", timeout=30000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        sizes.append(sum(frames))
        context.close()
    return int(statistics.median(sizes))


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.live import CHROMIUM, CHROMIUM_ARGS, start_app

    classes, variables = count_vars()
    print(f"state classes: {classes}   vars sent to the browser: {variables}")
    work = Path(tempfile.mkdtemp(prefix="kmer-bench-state-"))
    app = start_app(work, with_worker=False)
    try:
        token = seed(app.database_url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for path in ("/dashboard/services", "/cart"):
                print(f"{path:22} state received on load: {state_bytes(browser, app, path, token)} bytes")
            browser.close()
    finally:
        app.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
