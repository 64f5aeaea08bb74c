"""Forms drawn once per row of a list (`rx.foreach`).

Reflex compiles a form's submit function into a React hook at the top of the page, outside the loop
that draws the rows. An `on_submit` that captures the loop item, `lambda form: S.reject(r["id"], form)`,
therefore names a variable that does not exist where the function runs: the browser throws
`r_rx_state_ is not defined` and nothing reaches the server (a state test cannot see it).
`row_form` carries the row's id inside the form instead, as a hidden field, and takes a plain handler
that receives the form data (`state.forms.row_id(form)` reads the id back). tests/test_page_shapes.py
fails when any loop puts its item in a hook again.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler

from ..state.forms import ROW_ID


def row_form(row_id: rx.Var, *children: rx.Component, on_submit: EventHandler, **props) -> rx.Component:
    if not isinstance(on_submit, EventHandler):
        raise TypeError("row_form's on_submit is a handler taking the form data (e.g. S.reject), not a call "
                        "or a lambda: the row id travels in the form, under state.forms.ROW_ID")
    return rx.form(rx.el.input(type="hidden", name=ROW_ID, value=row_id), *children, on_submit=on_submit, **props)
