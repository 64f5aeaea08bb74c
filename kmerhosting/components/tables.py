"""Tables that read on a phone: a table on wide screens, a card per row below 48em (768 px).

Each cell carries its column's translated name (`data-label`); assets/responsive.css shows it before
the value when the rows are stacked. The same cells at every width: ids inside rows stay unique.
"""

from __future__ import annotations

from typing import Callable

import reflex as rx

from .i18n import t


def _labelled(row: rx.Component, headers: list[str]) -> rx.Component:
    for cell, key in zip(row.children, headers):
        if key:
            cell.custom_attrs["data-label"] = t(key)
    return row


def data_table(headers: list[str], rows, render_row: Callable[..., rx.Component], *, right: tuple[int, ...] = (),
               **props) -> rx.Component:
    """`headers`: translation keys ("" for a column without a title); `right`: columns aligned right.
    `render_row(item)` returns an `rx.table.row` with one cell per header."""
    header = rx.table.header(rx.table.row(*[
        rx.table.column_header_cell(t(key) if key else "", **({"text_align": "right"} if i in right else {}))
        for i, key in enumerate(headers)
    ]))
    props.setdefault("variant", "surface")
    props.setdefault("width", "100%")
    return rx.table.root(
        header,
        rx.table.body(rx.foreach(rows, lambda item: _labelled(render_row(item), headers))),
        class_name="kh-stack", **props,
    )
