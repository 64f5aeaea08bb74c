"""Arguments from the browser, parsed once, the same way everywhere.

Every event handler is a public endpoint: a script can call it with any JSON, and Python's JSON
parser also accepts `Infinity`, `-Infinity` and `NaN`. So a handler gets numbers of any size,
floats where it expects an id, 10 MB strings, lists, dicts or null. These parsers turn such a value
into the plain value the handler (or core) expects, or raise a typed error whose message the visitor
reads; nothing else gets through, and nothing reaches the database that it can't store (an id of
2**63 overflows SQLite's integers and MariaDB's BIGINT).

- `parse_id`: a row id (a positive integer, or its digits as a form sends them) -> NotFound otherwise,
  the same answer as for a row that does not exist.
- `parse_int`: a small whole number within bounds (a duration, a number of years, a page).
- `parse_text`: a string cut to a maximum length (None is empty).
- `parse_choice`: one of a fixed set of strings.
- `parse_flag`: True only for a real true (a switch or a dialog's open state).
- `parse_form`: a submitted form as {name: bounded string}.
- `or_none`: any of them, giving None instead of raising (for "ignore junk" setters).
"""

from __future__ import annotations

import re
from typing import Callable, Collection, TypeVar

from .errors import InvalidInput, KmerError, NotFound

T = TypeVar("T")

# Below every database's signed 64-bit integer, and far above any id the shop will ever make.
MAX_ID = 2**62
MAX_FORM_FIELDS = 60
MAX_FIELD_NAME = 64
MAX_FIELD_LENGTH = 2000
_INT = re.compile(r"[+-]?[0-9]{1,18}")


def parse_id(value, *, from_text: bool = True) -> int:
    """A positive row id; NotFound for anything else (floats, huge numbers, bools, junk). With
    from_text=False only an integer will do (core functions that are handed ids already parsed)."""
    if isinstance(value, str) and from_text:
        text = value.strip()
        if not _INT.fullmatch(text):
            raise NotFound()
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise NotFound()
    return value


def parse_int(value, low: int, high: int, key: str = "error.invalid_input", **params) -> int:
    """A whole number within [low, high], given as an integer or as its digits; InvalidInput(key) else."""
    if isinstance(value, str):
        text = value.strip()
        if not _INT.fullmatch(text):
            raise InvalidInput(key, **params)
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(key, **params)
    return value


def parse_text(value, max_length: int, key: str = "error.invalid_input") -> str:
    """A string of at most `max_length` characters (a longer one is cut); None is the empty string."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(key)
    return value[:max_length]


def parse_choice(value, choices: Collection[str], key: str = "error.invalid_input") -> str:
    """One of `choices`, exactly (no case folding: the page sends the values it was given)."""
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput(key)
    return value


def parse_flag(value) -> bool:
    """A switch: only a real `true` is true."""
    return value is True


def parse_form(value, max_length: int = MAX_FIELD_LENGTH) -> dict[str, str]:
    """A submitted form as {name: string}: each value cut to `max_length`, names short, a bounded number
    of fields. A checkbox's true/false becomes "on"/"" and a whole number its digits, as an HTML form
    would send them; anything else (floats, lists, nested dicts, a list instead of a dict) is left out."""
    if not isinstance(value, dict):
        return {}
    form: dict[str, str] = {}
    for name, field in list(value.items())[:MAX_FORM_FIELDS]:
        if not isinstance(name, str) or len(name) > MAX_FIELD_NAME:
            continue
        if isinstance(field, bool):
            form[name] = "on" if field else ""
        elif isinstance(field, int) and abs(field) <= MAX_ID:
            form[name] = str(field)
        elif isinstance(field, str):
            form[name] = field[:max_length]
    return form


def or_none(parse: Callable[..., T], value, *args, **kwargs) -> T | None:
    """parse(value, ...) or None when the value is refused."""
    try:
        return parse(value, *args, **kwargs)
    except KmerError:
        return None
