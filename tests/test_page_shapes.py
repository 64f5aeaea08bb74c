"""Shapes of page code that compile to JavaScript that breaks in the browser (no browser needed).

A component inside `rx.foreach` whose React hook uses the loop item: hooks are hoisted to the top of the
page, outside the loop, so the browser throws e.g. `r_rx_state_ is not defined` when the hook runs (a form
with `on_submit=lambda form: S.reject(r["id"], form)` did that on /admin/credits and /admin/services).
A per-row form is `components.forms.row_form`, which carries the row's id in a hidden field.
tests/browser/test_compiled_pages.py checks the same thing on the production build itself.
"""

from __future__ import annotations

import re

import pytest
import reflex as rx
from reflex_components_core.core.foreach import Foreach

import kmerhosting.kmerhosting  # noqa: F401  (records every page)
from kmerhosting.components.forms import row_form
from kmerhosting.pages.registry import PAGES
from kmerhosting.state.admin_credits import AdminCreditsState


def _components(component):
    yield component
    for child in getattr(component, "children", []):
        yield from _components(child)
    for child in component._get_components_in_props():
        yield from _components(child)


def _loop_names(loop: Foreach) -> list[str]:
    tag = loop._render()
    return [name for name in (tag.arg_var_name, tag.index_var_name) if name]


def loop_items_in_hooks(component) -> list[str]:
    """`<loop variable>: <hook>` for each hook drawn inside a loop that uses that loop's item or index."""
    found = []
    for loop in (c for c in _components(component) if isinstance(c, Foreach)):
        names = _loop_names(loop)
        for body in loop.children:
            for hook in body._get_all_hooks():
                for name in names:
                    if re.search(rf"(?<![\w$.]){re.escape(name)}(?![\w$])", str(hook)):
                        found.append(f"{name}: {' '.join(str(hook).split())[:160]}")
    return found


@pytest.mark.parametrize("render,route", [(render, kwargs["route"]) for render, kwargs in PAGES],
                         ids=[kwargs["route"] for _, kwargs in PAGES])
def test_no_hook_in_a_loop_uses_the_loop_item(render, route):
    assert loop_items_in_hooks(render()) == [], f"{route}: a per-row form is components.forms.row_form"


def test_the_check_sees_a_form_per_row_that_captures_the_item():
    rows = rx.Var.create([{"id": "1"}]).to(list[dict[str, str]])
    broken = rx.foreach(rows, lambda r: rx.form(rx.input(name="note"),
                                                on_submit=lambda form: AdminCreditsState.approve(r["id"].to(int), form)))
    fixed = rx.foreach(rows, lambda r: row_form(r["id"], rx.input(name="note"), on_submit=AdminCreditsState.reject))
    assert loop_items_in_hooks(rx.box(broken)) != []
    assert loop_items_in_hooks(rx.box(fixed)) == []


def test_a_row_form_takes_a_handler_not_a_call():
    with pytest.raises(TypeError):
        row_form(rx.Var.create("1"), on_submit=AdminCreditsState.reject({"row_id": "1"}))
