"""Every browser console error and uncaught page error fails the test that was running.

The session's `browser` fixture passes through `watch_browser`: every context it makes, however a
test or helper makes it (`browser.new_context`, `browser.new_page`), reports its pages' console
errors and uncaught exceptions here, popups included. tests/conftest.py fails the test (or its
teardown) that was running when they happened, naming each message and the page's URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Messages that are not the shop's fault, each with its reason. Keep this list short: anything else the
# console reports as an error is a bug of the page.
NOT_OUR_FAULT = [
    # A link that leaves the shop (a customer's control panel, e.g. https://cpanel.example.cm:2083) opens
    # in a new tab; the test machine has no outside network, so that tab cannot load. The shop's own pages
    # and assets are all on 127.0.0.1, so a failed load of one of them is still reported.
    re.compile(r"^Failed to load resource: net::ERR_(NAME_NOT_RESOLVED|INTERNET_DISCONNECTED|CONNECTION_REFUSED)"
               r"\b.*@ https?://(?!127\.0\.0\.1[:/]|localhost[:/])"),
]


@dataclass
class ConsoleErrors:
    found: list[str] = field(default_factory=list)

    def console(self, message) -> None:
        if message.type != "error":
            return
        where = _page_url(message.page) or message.location.get("url", "")
        text = f"{message.text} @ {message.location.get('url', '')}"
        if _own_404(message, where):
            return
        if not any(pattern.search(text) for pattern in NOT_OUR_FAULT):
            self.found.append(f"console error on {where}: {message.text}")

    def page_error(self, error) -> None:
        self.found.append(f"uncaught error on {_page_url(error.page)}: {error.error.message}")

    def take(self) -> list[str]:
        found, self.found = self.found, []
        return found


ERRORS = ConsoleErrors()


def _own_404(message, page_url: str) -> bool:
    """The page's own document answered 404: an unknown address gets the shop's not-found page with that
    status, as it should (tests/browser/test_responsive.py checks the page). A 404 for anything the page
    loads (a script, an image, an API call) is still an error."""
    return "status of 404" in message.text and bool(page_url) and \
        message.location.get("url", "").split("#")[0] == page_url.split("#")[0]


def _page_url(page) -> str:
    try:
        return page.url if page is not None else ""
    except Exception:  # noqa: BLE001  (a page that has just closed)
        return ""


def watch_context(context):
    context.on("console", ERRORS.console)
    context.on("weberror", ERRORS.page_error)
    return context


def watch_browser(browser):
    """Make every context (and `new_page`'s own context) of this browser report its errors."""
    new_context, new_page = browser.new_context, browser.new_page

    def watched_context(*args, **kwargs):
        return watch_context(new_context(*args, **kwargs))

    def watched_page(*args, **kwargs):
        page = new_page(*args, **kwargs)
        watch_context(page.context)
        return page

    browser.new_context, browser.new_page = watched_context, watched_page
    return browser
