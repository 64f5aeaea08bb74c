"""Admin packs: the catalogue, the create/edit form with duration discounts."""

import reflex as rx

from ..components.admin import (
    admin_page,
    cell,
    confirm_button,
    error_callout,
    field,
    select_field,
    status_badge,
    table,
)
from ..components.i18n import page_title, t
from ..config import DURATIONS
from ..state.admin_packs import AdminPacksState
from ..state.base import BaseState
from .registry import page

S = AdminPacksState


def number(name: str, key: str) -> rx.Component:
    return field(key, rx.input(name=name, default_value=S.form[name], input_mode="numeric", width="100%"))


def check(name: str, key: str) -> rx.Component:
    return rx.hstack(rx.checkbox(name=name, default_checked=S.form[name] == "on"), rx.text(t(key), size="2"),
                     spacing="2", align="center")


def pack_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(rx.cond(S.editing == 0, t("admin.packs.new_title"), t("admin.packs.edit_title")), size="4"),
                rx.grid(
                    field("admin.packs.name", rx.input(name="name", default_value=S.form["name"], required=True,
                                                       id="pack-name", width="100%")),
                    field("admin.packs.slug", rx.input(name="slug", default_value=S.form["slug"], required=True,
                                                       id="pack-slug", width="100%")),
                    field("admin.packs.monthly_price", rx.input(name="monthly_price", id="pack-price",
                                                                default_value=S.form["monthly_price"], required=True,
                                                                width="100%")),
                    field("admin.packs.panel", select_field("control_panel", [("cpanel", "admin.panel.cpanel"),
                                                                              ("plesk", "admin.panel.plesk"),
                                                                              ("directadmin", "admin.panel.directadmin")],
                                                            S.form["control_panel"])),
                    number("disk_gb", "admin.packs.disk_gb"), number("bandwidth_gb", "admin.packs.bandwidth_gb"),
                    number("email_accounts", "admin.packs.email_accounts"), number("databases", "admin.packs.databases"),
                    number("websites", "admin.packs.websites"), number("sort_order", "admin.packs.sort_order"),
                    columns=rx.breakpoints(initial="1", sm="2", lg="4"), spacing="3", width="100%",
                ),
                field("admin.packs.description_fr", rx.text_area(name="description_fr",
                                                                 default_value=S.form["description_fr"], width="100%")),
                field("admin.packs.description_en", rx.text_area(name="description_en",
                                                                 default_value=S.form["description_en"], width="100%")),
                rx.text(t("admin.packs.discounts"), size="2", weight="medium"),
                rx.text(t("admin.packs.discounts_help"), size="1", color_scheme="gray"),
                rx.hstack(*[rx.vstack(rx.text(f"{m}", " ", t("admin.packs.months_short"), size="1"),
                                      rx.input(name=f"discount_{m}", default_value=S.form[f"discount_{m}"],
                                               width="70px", placeholder="0", id=f"pack-discount-{m}"),
                                      spacing="1") for m in DURATIONS], spacing="3", wrap="wrap"),
                rx.text(t("admin.packs.panel_packages"), size="2", weight="medium"),
                rx.text(t("admin.packs.panel_packages_help"), size="1", color_scheme="gray"),
                rx.grid(*[field(f"admin.panel.{kind}", rx.input(name=f"package_{kind}", id=f"pack-package-{kind}",
                                                               default_value=S.form[f"package_{kind}"],
                                                               max_length=64, width="100%"))
                          for kind in ("cpanel", "plesk", "directadmin")],
                        columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%"),
                rx.hstack(check("free_ssl", "admin.packs.free_ssl"), check("is_active", "admin.packs.is_active"),
                          spacing="5"),
                rx.hstack(rx.button(t("admin.common.save"), type="submit", id="pack-save"),
                          rx.button(t("admin.common.cancel"), type="button", variant="soft", color_scheme="gray",
                                    on_click=S.cancel_edit), spacing="3"),
                spacing="3", width="100%",
            ),
            on_submit=S.save_pack, reset_on_submit=False, key=S.form_key,
        ),
        width="100%",
    )


def pack_row(p) -> rx.Component:
    return rx.table.row(
        cell(p["name"], weight="medium"), cell(p["slug"]), cell(p["monthly"], white_space="nowrap"),
        cell(p["panel"]), cell(p["discounts"]), cell(p["services_count"], text_align="right"),
        cell(rx.cond(p["active"] == "1", status_badge("active"), rx.badge(t("admin.packs.inactive"), color_scheme="gray"))),
        cell(rx.hstack(
            rx.button(t("admin.common.edit"), size="1", variant="soft", on_click=S.edit_pack(p["id"].to(int))),
            rx.cond(p["active"] == "1",
                    rx.button(t("admin.packs.deactivate"), size="1", variant="soft", color_scheme="orange",
                              on_click=S.set_pack_active(p["id"].to(int), False)),
                    rx.button(t("admin.packs.activate"), size="1", variant="soft", color_scheme="green",
                              on_click=S.set_pack_active(p["id"].to(int), True))),
            rx.cond(p["services"] == "0",
                    confirm_button("admin.packs.delete", "admin.packs.delete_confirm", S.delete_pack(p["id"].to(int)))),
            spacing="1", wrap="wrap",
        )),
    )


@page(route="/admin/packs", title=page_title("admin.packs.title"), on_load=[BaseState.guard_admin, S.load])
def admin_packs() -> rx.Component:
    return admin_page(
        "admin.packs.title",
        error_callout(S),
        rx.cond(S.editing >= 0, pack_form(),
                rx.button(rx.icon("plus", size=14), t("admin.packs.new"), on_click=S.new_pack, id="pack-new")),
        table(["admin.col.name", "admin.packs.slug", "admin.packs.monthly_price", "admin.packs.panel",
               "admin.packs.discounts", "admin.col.services", "admin.col.status", "admin.col.actions"], S.rows, pack_row),
        intro_key="admin.packs.intro"
    )
