"""Page registration. `@page(route=..., ...)` records a page; the app adds them all once.

Reflex's own `@rx.page` re-applies its decorated pages at every compile, and a production start
compiles more than once, printing "Page ... is being redefined" for every page. Recording the pages
here and adding them with `app.add_page` once keeps the start-up output clean.
"""

from __future__ import annotations

from typing import Any, Callable

PAGES: list[tuple[Callable, dict[str, Any]]] = []


def page(**kwargs):
    def register(render: Callable) -> Callable:
        PAGES.append((render, kwargs))
        return render

    return register


def add_pages(app) -> None:
    for render, kwargs in PAGES:
        app.add_page(render, **kwargs)
