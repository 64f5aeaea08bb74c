"""Every event handler the shop defines is fired by at least one browser test.

A state test proves a handler's logic; only a browser proves that a page can fire it (a handler
compiled into broken JavaScript, or wired to no button, passes every state test).

How it is measured
- The apps the tests start (tests/live.py: the session's `live_app` and the scale-out app) run with
  KMER_RECORD_EVENTS, so each records the event handlers it runs, as Reflex processes them
  (kmerhosting/event_recorder.py). That includes on_load and on_mount events and the events one handler
  returns for another (the pack page's "add to cart" returns CartState.add_pack): each happens because a
  person loaded a page, clicked, typed or submitted.
- The list of handlers comes from the app's state tree (tests/handler_coverage.py), not from a list
  written by hand.

What counts as one handler
- Each state class's handlers count on their own. A handler that several page states get from a mixin
  (PagedAdminState.load / next_page / prev_page) is one endpoint per page,
  named after that page's state, and it runs that page's own query: each page's copy must be reached.
- A handler inherited from a parent state (BaseState.set_language, guard_customer) is one endpoint,
  whichever page fires it.
- Reflex's own handlers (hydrate, on_load_internal, update_vars_internal, set_is_hydrated, setvar, ...)
  are left out by the module that defines them, not by a list of names.
- ALLOWED_UNREACHED (tests/handler_coverage.py) may name a handler that no page can fire, with the
  reason; it is empty, and an entry that is reached or no longer exists fails this test too.

When it runs
Last in the session, and only when the whole browser suite was selected (tests/browser or a folder
above it, nothing deselected by -k, -m, --deselect or --lf): a partial run would name every handler it
never meant to reach. Run `./scripts/test tests/browser` to check coverage alone.
"""

from __future__ import annotations

import pytest

from ..handler_coverage import ALLOWED_UNREACHED, WHOLE_SUITE, reached, shop_handlers
from ..live import EVENT_LOGS

pytestmark = pytest.mark.browser


def test_every_event_handler_is_reached_by_a_browser_test(request, live_app):
    if not request.config.stash.get(WHOLE_SUITE, False):
        pytest.skip("handler coverage is checked when the whole browser suite runs (./scripts/test tests/browser)")
    handlers = shop_handlers()
    fired = reached(EVENT_LOGS)
    assert fired, f"the apps recorded no event at all (KMER_RECORD_EVENTS files: {EVENT_LOGS})"

    missing = sorted(label for name, label in handlers.items() if name not in fired and label not in ALLOWED_UNREACHED)
    assert not missing, ("event handlers that no browser test reached (click, type or submit them in a test, "
                         "or remove them if no page uses them):\n  " + "\n  ".join(missing))

    labels = set(handlers.values())
    stale = sorted(label for label in ALLOWED_UNREACHED
                   if label not in labels or any(handlers[n] == label for n in fired if n in handlers))
    assert not stale, f"allowed as unreachable, but reached or gone (remove from ALLOWED_UNREACHED): {stale}"
