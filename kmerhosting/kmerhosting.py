"""The Reflex app: settings are validated first, then every page is registered."""

import sys

import reflex as rx

from .config import ConfigError, get_settings

try:
    get_settings()
except ConfigError as exc:  # refuse to start with a bad configuration, naming the setting
    print(exc, file=sys.stderr)
    raise SystemExit(2) from None

from . import pages  # noqa: E402,F401  (records the pages)
from .api import api  # noqa: E402
from .pages.registry import add_pages  # noqa: E402
from .state.tab_guard import ForgetEndedLogins  # noqa: E402

app = rx.App(
    api_transformer=api,
    # Phone-first rules shared by many pages: area menus, stacked tables, dialogs (assets/).
    stylesheets=["/responsive.css"],
)
# Before any event: a tab whose login has ended keeps nothing of its user (state/tab_guard.py).
app.add_middleware(ForgetEndedLogins())
add_pages(app)

if get_settings().record_events:  # the browser tests' handler coverage (see event_recorder.py)
    from .event_recorder import install as record_events

    record_events(app, get_settings().record_events)
