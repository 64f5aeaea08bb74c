"""The app records the event handlers it runs only when asked to (KMER_RECORD_EVENTS), and the browser
suite checks handler coverage only when it ran whole."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import kmerhosting.kmerhosting as shop
from kmerhosting.event_recorder import EventRecorder, install

from .handler_coverage import BROWSER_DIR, order_last, shop_handlers, whole_browser_suite


def without_waiting(coroutine):
    """Run a coroutine that must finish without awaiting anything (it never holds up the event loop)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("the recorder waited for something")


def test_the_recorder_writes_each_handler_once_and_changes_nothing(tmp_path):
    log = tmp_path / "events.log"
    recorder = EventRecorder(str(log))
    for name in ("state.cart_state.add_pack", "state.cart_state.add_pack", "state.cart_state.remove"):
        assert without_waiting(recorder.preprocess(None, None, SimpleNamespace(name=name))) is None
    assert log.read_text().splitlines() == ["state.cart_state.add_pack", "state.cart_state.remove"]


def test_the_recorder_comes_first_and_only_when_asked_for(tmp_path):
    assert not any(isinstance(m, EventRecorder) for m in shop.app._middlewares)  # KMER_RECORD_EVENTS unset
    app = SimpleNamespace(_middlewares=["other"], add_middleware=lambda m, index: app._middlewares.insert(index, m))
    install(app, str(tmp_path / "events.log"))
    assert isinstance(app._middlewares[0], EventRecorder)


def test_the_handler_list_is_the_shops_own():
    labels = set(shop_handlers().values())
    assert {"AdminCreditsState.reject", "CartState.add_pack", "BaseState.set_language"} <= labels
    assert {"AdminUsersState.next_page", "AdminAuditState.next_page"} <= labels  # a mixin's, once per page
    assert not any(label.endswith((".hydrate", ".setvar", ".on_load_internal", ".update_vars_internal"))
                   for label in labels)


def run(args: list[str], deselected: bool = False, cwd: Path = BROWSER_DIR.parent.parent) -> bool:
    config = SimpleNamespace(args=args, invocation_params=SimpleNamespace(dir=cwd))
    return whole_browser_suite(config, deselected)


def test_coverage_is_checked_only_when_the_whole_browser_suite_runs():
    assert run(["tests"]) and run(["tests/browser"]) and run(["tests/test_api.py", "tests/browser"])
    assert run(["browser"], cwd=BROWSER_DIR.parent)
    assert not run(["tests/browser/test_home.py"])
    assert not run(["tests/browser/test_handler_coverage.py::test_every_event_handler_is_reached_by_a_browser_test"])
    assert not run(["tests/test_api.py"])
    assert not run(["tests"], deselected=True)  # -k, -m, --deselect, --lf


def test_the_coverage_test_runs_last():
    items = [SimpleNamespace(path=BROWSER_DIR / name) for name in
             ("test_admin_pages.py", "test_handler_coverage.py", "test_shop_pages.py")]
    order_last(items)
    assert [i.path.name for i in items] == ["test_admin_pages.py", "test_shop_pages.py", "test_handler_coverage.py"]
