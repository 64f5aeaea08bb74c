"""Which event handlers the shop defines, which ones the browser tests reached, and whether the whole
browser suite ran (tests/browser/test_handler_coverage.py explains the rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

# Handlers no page can fire, each with the reason. A handler that no page fires because nothing uses it
# is dead code: remove it rather than list it here.
ALLOWED_UNREACHED: dict[str, str] = {}

COVERAGE_MODULE = "test_handler_coverage.py"
WHOLE_SUITE = pytest.StashKey[bool]()
BROWSER_DIR = Path(__file__).resolve().parent / "browser"


def _state_classes(cls):
    yield cls
    for sub in sorted(cls.get_substates(), key=lambda c: c.get_full_name()):
        yield from _state_classes(sub)


def shop_handlers() -> dict[str, str]:
    """{event name as Reflex processes it: "StateClass.handler"} for every handler the shop defines.

    The list comes from the app's own state tree, so a new handler cannot be forgotten. A handler whose
    function is defined outside the `kmerhosting` package is Reflex's (hydrate, on_load_internal,
    update_vars_internal, set_is_hydrated, setvar, ...) and is left out."""
    import kmerhosting.kmerhosting  # noqa: F401  (the app: every page, so every state class)
    from reflex.state import State

    found = {}
    for cls in _state_classes(State):
        for name, handler in cls.event_handlers.items():
            if handler.fn.__module__.split(".")[0] == "kmerhosting":
                found[f"{cls.get_full_name()}.{name}"] = f"{cls.__name__}.{name}"
    return found


def reached(logs: list[Path]) -> set[str]:
    names = set()
    for log in logs:
        if log.exists():
            names.update(line.strip() for line in log.read_text().splitlines() if line.strip())
    return names


# --- when the check runs ---------------------------------------------------------------------------------


def order_last(items: list) -> None:
    """The coverage test reads what every other browser test made the apps record: it runs last."""
    items.sort(key=lambda item: item.path.name == COVERAGE_MODULE)


def whole_browser_suite(config, deselected_browser_tests: bool) -> bool:
    """True when this run selected every browser test: a path given to pytest is tests/browser or a folder
    above it (not a module or a test id inside it), and no browser test was deselected (-k, -m,
    --deselect, --lf). A partial run would report every handler it did not mean to reach."""
    if deselected_browser_tests:
        return False
    for arg in config.args:
        if "::" in arg:
            continue
        path = Path(arg)
        path = (path if path.is_absolute() else Path(config.invocation_params.dir) / path).resolve()
        if path == BROWSER_DIR or path in BROWSER_DIR.parents:
            return True
    return False
