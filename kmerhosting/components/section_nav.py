"""The menu of an area (the customer's space, the administration), from one set of links at every width.

On a phone it is a grid of icon tiles with short labels, all in view at once; from 48em (768 px) a
row of tabs; the administration turns it into a side menu from 80em (1280 px). The shapes come from
assets/responsive.css (classes `kh-section-nav`, `kh-tabs`, `kh-side`): the same links at every size,
so their ids stay unique and tests can use them at any width.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from .i18n import t


@dataclass(frozen=True)
class NavItem:
    icon: str
    key: str  # the full label (tabs, side menu)
    short_key: str  # the label of a phone tile
    href: str
    id: str = ""


def is_current(href: str, root: str) -> rx.Var:
    """The page being shown is this item's, or one below it (/admin/users/7 is under Users)."""
    path = rx.State.router.page.path
    if href == root:
        return path == href
    return (path == href) | path.startswith(href + "/")


def nav_link(item: NavItem, root: str) -> rx.Component:
    return rx.link(
        rx.icon(item.icon, size=18),
        rx.el.span(t(item.key), class_name="kh-long"),
        rx.el.span(t(item.short_key), class_name="kh-short"),
        href=item.href, underline="none", title=t(item.key),
        data_active=rx.cond(is_current(item.href, root), "true", "false"),
        **({"id": item.id} if item.id else {}),
    )


def section_nav(items: list[NavItem], *, side: bool = False, title_key: str | None = None,
                **props) -> rx.Component:
    """`side`: a side menu on wide screens (administration); else a row of tabs."""
    root = items[0].href
    title = [rx.el.div(t(title_key), class_name="kh-side-title")] if title_key else []
    # Phone tiles: up to five in a row, in as few rows as that takes, the rows as even as can be
    # (ten items: two rows of five; eleven: three rows of four).
    rows = -(-len(items) // 5)
    columns = -(-len(items) // rows)
    return rx.el.nav(
        *title,
        *[nav_link(item, root) for item in items],
        class_name=f"kh-section-nav kh-cols-{columns} " + ("kh-side" if side else "kh-tabs"),
        **props,
    )
