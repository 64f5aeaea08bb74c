"""Admin statistics: revenue, sales, customers, balances, expiries, renewals; charts and CSV."""

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.function import ArgsFunctionOperation

from ..components.admin import (
    admin_page,
    cell,
    error_callout,
    field,
    select_field,
    table,
)
from ..components.i18n import page_title, t
from ..state.admin_stats import AdminStatsState
from ..state.base import BaseState
from .registry import page

S = AdminStatsState
GREEN, BLUE, ORANGE = "#30a46c", "#0090ff", "#f76b15"


def period_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            field("admin.stats.start", rx.input(type="date", name="start", default_value=S.start, id="stats-start"),
                  width="auto"),
            field("admin.stats.end", rx.input(type="date", name="end", default_value=S.end, id="stats-end"),
                  width="auto"),
            field("admin.stats.granularity", select_field("granularity", [("day", "admin.stats.by_day"),
                                                                          ("month", "admin.stats.by_month"),
                                                                          ("year", "admin.stats.by_year")],
                                                          S.granularity), width="auto"),
            rx.button(rx.icon("refresh-cw", size=14), t("admin.stats.apply"), type="submit", id="stats-apply"),
            spacing="3", align="end", wrap="wrap", width="100%",
        ),
        on_submit=S.apply_period, key=S.start + S.end + S.granularity,
    )


def metric(key: str, value) -> rx.Component:
    return rx.card(rx.vstack(rx.text(t(key), size="2", color_scheme="gray"), rx.heading(value, size="5"),
                             spacing="1"), width="100%")


def metrics() -> rx.Component:
    return rx.grid(
        metric("admin.stats.revenue", S.summary["revenue"]),
        metric("admin.stats.refunds", S.summary["refunds"]),
        metric("admin.stats.new_customers", S.summary["new_customers"]),
        metric("admin.stats.outstanding", S.summary["outstanding"]),
        metric("admin.stats.expiring_30", S.summary["expiring_30"]),
        metric("admin.stats.expiring_60", S.summary["expiring_60"]),
        metric("admin.stats.renewal_rate", S.summary["renewal_rate"]),
        metric("admin.stats.renewed_lapsed", S.summary["renewed"] + " / " + S.summary["lapsed"]),
        columns=rx.breakpoints(initial="2", md="4"), spacing="3", width="100%",
    )


def export_button(name: str, key: str = "admin.stats.csv") -> rx.Component:
    return rx.button(rx.icon("download", size=14), t(key), size="1", variant="soft",
                     on_click=S.export_csv(name), id=f"csv-{name}")


def chart_card(title_key: str, report: str, chart: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.hstack(rx.heading(t(title_key), size="4"), rx.spacer(), export_button(report), width="100%"),
                  chart, spacing="3", width="100%"),
        width="100%",
    )


# Axis ticks and tooltips show the display module's words: the ticks are chosen on the server
# (`*_ticks`) with their labels (`axis_labels`); each row carries its value's label for the tooltip.
MONEY_TICK = ArgsFunctionOperation.create(("v",), S.axis_labels[Var(_js_expr="String(v)").to(str)])
ROW_LABEL = Var(_js_expr="((value, name, item) => [item.payload.label, null])")


def tooltip() -> rx.Component:
    return rx.recharts.graphing_tooltip(custom_attrs={"formatter": ROW_LABEL})


def revenue_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="period"),
        rx.recharts.y_axis(width=132, ticks=S.revenue_ticks, tick_formatter=MONEY_TICK, domain=[0, "dataMax"]),
        tooltip(),
        rx.recharts.bar(data_key="revenue", fill=GREEN, max_bar_size=48, is_animation_active=False),
        data=S.revenue_rows, height=280, width="100%",
    )


def customers_chart() -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="period"),
        rx.recharts.y_axis(allow_decimals=False, width=40),
        tooltip(),
        rx.recharts.line(data_key="customers", stroke=BLUE, type_="monotone", stroke_width=2,
                         is_animation_active=False),
        data=S.customer_rows, height=220, width="100%",
    )


def bars(rows, color: str) -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="name"),
        rx.recharts.y_axis(width=132, ticks=S.sales_ticks, tick_formatter=MONEY_TICK, domain=[0, "dataMax"]),
        tooltip(),
        rx.recharts.bar(data_key="amount", fill=color, max_bar_size=64, is_animation_active=False),
        data=rows, height=220, width="100%",
    )


def sales_table(rows, header: str) -> rx.Component:
    def row(r):
        return rx.table.row(cell(r["name"]), cell(r["services"], text_align="right"),
                            cell(r["label"], text_align="right", white_space="nowrap"))
    return table([header, "admin.col.services", "admin.col.amount"], rows, row)


@page(route="/admin/stats", title=page_title("admin.stats.title"), on_load=[BaseState.guard_admin, S.load])
def admin_stats() -> rx.Component:
    return admin_page(
        "admin.stats.title",
        period_form(), error_callout(S), metrics(),
        rx.hstack(rx.spacer(), export_button("summary", "admin.stats.csv_summary"), width="100%"),
        chart_card("admin.stats.revenue_chart", "revenue", rx.box(revenue_chart(), width="100%", id="revenue-chart")),
        rx.grid(
            chart_card("admin.stats.by_pack", "packs", rx.vstack(bars(S.pack_rows, GREEN),
                                                                 sales_table(S.pack_rows, "admin.col.pack"),
                                                                 width="100%")),
            chart_card("admin.stats.by_duration", "durations",
                       rx.vstack(bars(S.duration_rows, ORANGE),
                                 sales_table(S.duration_rows, "admin.col.duration"), width="100%")),
            columns=rx.breakpoints(initial="1", lg="2"), spacing="3", width="100%",
        ),
        chart_card("admin.stats.customers_chart", "customers", customers_chart()),
        rx.callout(t("admin.stats.definitions"), icon="info", color_scheme="gray", size="1", width="100%"),
        intro_key="admin.stats.intro",  # its texts are computed vars: no reload on a language switch
    )
