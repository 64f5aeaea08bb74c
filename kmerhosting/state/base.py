"""The root state every page state derives from: the visitor's language and login.

Authorization contract used by every handler (DESIGN.md, "every handler is a public endpoint"):
    with session_scope() as s:
        user = self._require_user(s)     # or self._require_admin(s); raises NotAuthorized
The browser only holds the random session token (`auth_token`, localStorage); the user is looked
up from its hash on every call, so blocking or logging out takes effect at the next event.

Every page state derives from BaseState, so nothing of a user outlives their login in a tab: logging
out resets every page state of the tab (`logout`, `_forget_user`), and a login that ended otherwise
(expired, idle, blocked, logged out elsewhere) gets the same treatment before the tab's next event,
page reload included (`state/tab_guard.py`). Shared and cybercafé computers are common here.

When the login has ended because the account is blocked, `account_blocked` turns on and the refusal
is `SessionBlocked`: the tab says so (and how to reach support) instead of dropping to a login page.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import reflex as rx
from sqlmodel import Session

from ..config import LANGUAGES, get_settings
from ..core import accounts, profile
from ..core.args import or_none, parse_choice
from ..core.errors import KmerError, NotAuthorized, SessionBlocked
from ..core.sessions import ENDED_BLOCKED, end_reason, user_for_token
from ..db import session_scope
from ..i18n import translate
from ..models import Role, User

log = logging.getLogger(__name__)

ONE_YEAR = 365 * 24 * 3600


class BaseState(rx.State):
    # The visitor's language choice, kept in a cookie so it survives visits and logins.
    lang: str = rx.Cookie(get_settings().default_language, name="kh_lang", max_age=ONE_YEAR)
    # The raw login token (random, revocable). Not client_token: that one is made by the browser.
    auth_token: str = rx.LocalStorage("", name="kh_session", sync=True)
    # The user whose data this tab's page states may hold (0: nobody's), server side only.
    _signed_in_as: int = 0
    # This tab's login ended because an admin blocked the account (the layout says so).
    account_blocked: bool = False

    @rx.event
    def set_language(self, lang: str):
        lang = or_none(parse_choice, lang, LANGUAGES)
        if lang is None:
            return rx.toast.error(translate("error.invalid_language", self.lang))
        self.lang = lang
        self._reword_tab()
        if self.auth_token:  # a logged-in customer: their e-mails follow the language they chose
            with session_scope() as session:
                user = self._current_user(session)
                if user is not None:
                    profile.set_language(session, user.id, lang)

    # --- helpers (leading underscore: not callable from the browser) -----------------------------

    def _t(self, key: str, **params) -> str:
        return translate(key, self.lang, **params)

    def _reword_tab(self) -> None:
        """After a language change: every page state of the tab that has worded its values (`Worded`)
        words them again in the new language, in this same answer. A handler of BaseState has every
        page state under it loaded; elsewhere (under Redis) the states not loaded follow at their
        page's next load."""
        todo = list(self._get_root_state().substates.values())
        while todo:
            state = todo.pop()
            todo.extend(state.substates.values())
            if isinstance(state, Worded):
                state._reword(switch=True)

    def _current_user(self, session: Session) -> User | None:
        user = user_for_token(session, self.auth_token)
        if user is not None and not self._signed_in_as:
            # From here on this tab may hold their data (a different user's token is caught by
            # the tab guard, which empties the tab before the next event).
            self._signed_in_as = user.id
        # Only a token that no longer works costs the second look-up.
        blocked = user is None and bool(self.auth_token) and end_reason(session, self.auth_token) == ENDED_BLOCKED
        if blocked != self.account_blocked:
            self.account_blocked = blocked
        return user

    def _require_user(self, session: Session) -> User:
        user = self._current_user(session)
        if user is None:
            raise SessionBlocked() if self.account_blocked else NotAuthorized()
        return user

    def _require_admin(self, session: Session) -> User:
        user = self._require_user(session)
        if user.role != Role.admin:
            raise NotAuthorized()
        return user

    def _error_message(self, exc: Exception) -> str:
        """One place that turns an exception into words for the visitor."""
        if isinstance(exc, KmerError):
            return exc.message(self.lang)
        log.exception("unexpected error in %s", type(self).__name__, exc_info=exc)
        return self._t("error.unexpected")

    def _forget_user(self, keep_token: bool = False) -> None:
        """Every page state of this tab back to its defaults, this one's login included; the visitor's
        language stays. Call it on the BaseState itself: Reflex then has every page state under it
        loaded (a handler of BaseState gets its whole subtree), and `reset` walks them all."""
        lang, token = self.lang, self.auth_token
        self.reset()
        self.lang = lang
        if keep_token:
            self.auth_token = token

    @rx.event
    def logout(self):
        """End this login and leave nothing of the user in the tab (its reload included). A visitor who
        is not logged in (an old link to /auth/logout) only goes home: their cart stays theirs."""
        if not self.auth_token:
            return rx.redirect("/")
        with session_scope() as session:
            accounts.logout(session, self.auth_token)
        self._forget_user()
        return [rx.redirect("/"), rx.toast.info(self._t("accounts.logged_out"))]

    # --- page guards (on_load) ---------------------------------------------------------------------

    def _login_redirect(self):
        path = self.router.url.path or "/"
        return rx.redirect(f"/auth/login?next={quote(path, safe='/')}")

    # A blocked account's tab stays on the page, which shows why instead of its content.

    @rx.event
    def guard_customer(self):
        """on_load of /dashboard/*: a logged-in user, else to the login page and back."""
        with session_scope() as session:
            if self._current_user(session) is None and not self.account_blocked:
                return self._login_redirect()

    @rx.event
    def guard_admin(self):
        """on_load of /admin/*: an admin; a customer is sent to their dashboard."""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return None if self.account_blocked else self._login_redirect()
            if user.role != Role.admin:
                return rx.redirect("/dashboard")


class Worded(rx.State, mixin=True):
    """What a page state whose computed vars word values mixes in (before BaseState):
    `class X(Worded, BaseState)`.

    Its computed vars read the language through `_page_lang()` (and `_word`), that is through this
    state's own `_words_lang`, never through `BaseState.lang` directly. Reflex 0.10 replays the
    language cookie at every hydrate and then sends every computed var that depends on it, in every
    state class of the app: a page's load would carry the (empty) rows and labels of every other
    page. Here the page's own load handler calls `_reword()`, and `BaseState.set_language` rewords
    the states the tab has already worded, so a switch still re-words the page in the same answer.
    """

    # The language this state's texts are in ("": the default language). Only changed when it
    # differs, so a page in the default language recomputes nothing on load.
    _words_lang: str = ""
    # Its page has loaded in this tab: a language switch rewords it.
    _worded: bool = False

    def _page_lang(self) -> str:
        return self._words_lang or get_settings().default_language

    def _word(self, key: str, **params) -> str:
        return translate(key, self._page_lang(), **params)

    def _reword(self, switch: bool = False) -> None:
        """Word this state in the visitor's language: at its page's load, or (`switch`) after a
        language change if its page has loaded."""
        if switch and not self._worded:
            return
        self._worded = True
        if self._page_lang() != self.lang:
            self._words_lang = self.lang
