"""Reflex configuration. The shop's own settings live in kmerhosting/config.py (read from the environment).

REFLEX_REDIS_URL (read by Reflex itself) switches state to Redis so several backend workers serve one site.
"""

import os

import reflex as rx

os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "0")

config = rx.Config(
    app_name="kmerhosting",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="green", gray_color="slate", radius="medium")
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
