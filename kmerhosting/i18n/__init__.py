"""Translations: French first, English too.

Every user-facing string has a key in a catalogue module under `i18n/messages/` (one per area:
`common`, `accounts`, `shop`, ...). Each module defines `MESSAGES = {key: {"fr": ..., "en": ...}}`.
Modules are discovered automatically; a key defined twice is an error caught at import.
Server-side code calls `translate(key, lang, **params)`; pages use `components.i18n.t(key)`.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..config import LANGUAGES

DEFAULT_LANGUAGE = "fr"


def _load_catalog() -> dict[str, dict[str, str]]:
    from . import messages

    catalog: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(messages.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{messages.__name__}.{info.name}")
        for key, texts in getattr(module, "MESSAGES", {}).items():
            if key in catalog:
                raise RuntimeError(f"translation key {key!r} defined twice ({info.name})")
            catalog[key] = texts
    return catalog


CATALOG = _load_catalog()


def normalize_language(lang: str | None) -> str:
    lang = (lang or "").lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, lang: str | None = DEFAULT_LANGUAGE, /, **params) -> str:
    """The text for `key` in `lang` (French when missing), with `{name}` params filled in."""
    texts = CATALOG.get(key)
    if texts is None:
        return key
    text = texts.get(normalize_language(lang)) or texts.get(DEFAULT_LANGUAGE) or key
    return text.format(**params) if params else text


def texts(key: str) -> dict[str, str]:
    """Both languages of a key, for the UI's per-visitor switch."""
    entry = CATALOG.get(key, {})
    fr = entry.get("fr", key)
    return {lang: entry.get(lang, fr) for lang in LANGUAGES}
