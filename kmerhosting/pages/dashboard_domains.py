import reflex as rx

from ..components.i18n import page_title, t, worded
from ..i18n import display
from ..components.layout import layout
from ..components.tables import data_table
from ..state.base import BaseState
from ..state.dashboard_domains import DashboardDomainsState, DomainRow
from ..state.domains import YEAR_CHOICES
from .registry import page


def renew_controls(row: DomainRow) -> rx.Component:
    return rx.cond(
        row.pending,
        rx.badge(t("domains.status_unknown"), color_scheme="orange", variant="soft"),
        rx.cond(
            row.renewing,
            rx.hstack(rx.spinner(size="1"), rx.text(t("domains.renewing"), size="2"), align="center",
                      spacing="2", class_name="renewing"),
            rx.hstack(
                rx.select.root(rx.select.trigger(aria_label="years"),
                               rx.select.content(*[rx.select.item(worded(display.years, int(y)), value=y)
                                                   for y in YEAR_CHOICES]),
                               value=row.years, size="1",
                               on_change=lambda years: DashboardDomainsState.set_years(row.id, years)),
                rx.button(rx.icon("refresh-cw", size=14),
                          rx.cond(row.priced, row.renew, t("domains.price_checking")),
                          size="1", loading=DashboardDomainsState.busy, disabled=~row.priced,
                          on_click=DashboardDomainsState.renew(row.id), class_name="renew-domain"),
                align="center", spacing="2", wrap="wrap", justify="end",
            ),
        ),
    )


def domain_row(row: DomainRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.domain, weight="bold", class_name="kh-code")),
        rx.table.cell(row.expires),
        rx.table.cell(rx.badge(row.days,
                               color_scheme=rx.cond(row.urgent, "orange", "green"), variant="soft")),
        rx.table.cell(renew_controls(row)),
        align="center",
    )


def domains_table() -> rx.Component:
    return data_table(["domains.col_domain", "domains.col_expires", "domains.col_days_left", "domains.col_renew"],
                      DashboardDomainsState.rows, domain_row)


def content() -> list[rx.Component]:
    balance = rx.text(DashboardDomainsState.balance_text,
                      color_scheme="gray", id="domains-balance")
    listing = rx.cond(
        DashboardDomainsState.rows.length() > 0,
        domains_table(),
        rx.vstack(rx.text(t("domains.mine_empty")),
                  rx.link(rx.button(t("domains.find_one")), href="/domains"), spacing="3"),
    )
    return [balance, listing]


def frame(*children: rx.Component) -> rx.Component:
    """The customer area's frame (tabs) when the dashboard pages provide it, else the plain layout."""
    try:
        from .dashboard_common import dashboard_frame
    except ImportError:
        return layout(rx.vstack(rx.heading(t("domains.mine_title"), size="7"), *children, spacing="5",
                                width="100%"))
    return dashboard_frame("domains.mine_title", *children)


@page(route="/dashboard/domains", title=page_title("domains.mine_title"),
         on_load=[BaseState.guard_customer, DashboardDomainsState.load])
def dashboard_domains_page() -> rx.Component:
    return frame(*content())
