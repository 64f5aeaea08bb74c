"""The Reflex app: settings are validated first, then every page is registered."""

import sys

import reflex as rx

from .config import ConfigError, get_settings

try:
    get_settings()
except ConfigError as exc:  # refuse to start with a bad configuration, naming the setting
    print(exc, file=sys.stderr)
    raise SystemExit(2) from None

from . import pages  # noqa: E402,F401  (registers the pages)
from .api import api  # noqa: E402

app = rx.App(
    api_transformer=api,
)
