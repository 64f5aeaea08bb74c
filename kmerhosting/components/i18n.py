"""Translated text in pages: `t("nav.home")` follows the visitor's language live."""

import reflex as rx

from ..i18n import texts
from ..state.base import BaseState


def t(key: str) -> rx.Var:
    both = texts(key)
    return rx.cond(BaseState.lang == "en", both["en"], both["fr"])


def by_lang(fr, en):
    """Pick between two values (vars or literals) by the visitor's language."""
    return rx.cond(BaseState.lang == "en", en, fr)


def page_title(key: str) -> rx.Var:
    """A page's own browser title in the visitor's language: "Mes services · KmerHosting"."""
    both = texts(key)
    return rx.cond(BaseState.lang == "en", f"{both['en']} · KmerHosting", f"{both['fr']} · KmerHosting")


def worded(fn, *args) -> rx.Var:
    """A fixed value (not state) worded by the display layer in the visitor's language, e.g.
    `worded(display.years, 2)`: "2 ans" / "2 years"."""
    return rx.cond(BaseState.lang == "en", fn(*args, "en"), fn(*args, "fr"))
