"""Before any event of a tab: a login that has ended leaves nothing of its user in the tab.

Logging out empties every page state of the tab (BaseState.logout). A login can also end without the
tab knowing: it expired, sat idle too long, the account was blocked, the password was changed or the
customer logged out in another browser. The tab's page states still hold the user's name, e-mail,
domains and payment references on the server, and a reload would send them all again (the hydrate
event sends every state). So, before any event of a tab that holds a user's data (page reload
included), this middleware checks that the tab's login still belongs to that user; if not, the tab is
emptied first. A tab that now carries another valid login (someone else logged in in another tab of
the same browser) keeps that login, without the first user's data.

Reflex 0.10 runs an app's middleware (`App.add_middleware`, `reflex.middleware.Middleware`) for every
event, with the state tree the event's handler needs. An anonymous tab costs nothing; a logged-in one
one indexed query, made off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from reflex.middleware import Middleware

from ..core.sessions import ENDED_BLOCKED, end_reason, user_for_token
from ..db import session_scope
from .base import BaseState

log = logging.getLogger(__name__)

# Its own threads: the loop's default pool may be busy with slow provider calls, and a logged-in
# visitor's every event must not wait behind them.
_LOOKUPS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="tab-guard")


def login_owner(raw_token: str) -> tuple[int | None, bool]:
    """The id of the user whose login this token still is (None: ended, unknown, blocked), and whether
    it ended because the account is blocked."""
    with session_scope() as session:
        user = user_for_token(session, raw_token)
        if user is not None:
            return user.id, False
        return None, end_reason(session, raw_token) == ENDED_BLOCKED


def _app_states(cls: type[BaseState]) -> list[type[BaseState]]:
    """BaseState and every page state under it, parents before children."""
    found = [cls]
    for sub in sorted(cls.get_substates(), key=lambda c: c.get_name()):
        found.extend(_app_states(sub))
    return found


async def forget_ended_login(root) -> bool:
    """Empty the tab (`root`, the tab's root state) when its user's login has ended. True if it did."""
    base = root.substates.get(BaseState.get_name())
    if base is None or not base._signed_in_as:
        return False  # not loaded for this event, or nothing of anybody in the tab
    try:
        owner, blocked = await asyncio.get_running_loop().run_in_executor(_LOOKUPS, login_owner, base.auth_token)
    except Exception:  # noqa: BLE001  (the database is unreachable: the handler's own check refuses)
        log.exception("could not check the login of a tab")
        return False
    if owner == base._signed_in_as:
        return False
    # Under Redis only the event's branch of the tree is loaded: load every page state, then reset.
    for state_cls in _app_states(BaseState):
        await root.get_state(state_cls)
    # A blocked account's (revoked, useless) token stays: it is how the tab keeps saying the account is
    # blocked and how to reach support, instead of falling back to a login page.
    base._forget_user(keep_token=owner is not None or blocked)
    return True


class ForgetEndedLogins(Middleware):
    async def preprocess(self, app, state, event):
        root = state
        while root.parent_state is not None:
            root = root.parent_state
        await forget_ended_login(root)
        return None  # the event itself goes on, on the emptied tab
