"""Helpers shared by the accounts tests (no tests here): outbox links, states with a router."""

from __future__ import annotations

import os
import re

from reflex import constants
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from kmerhosting.models import OutboxMessage

from .background import substate

LINK_RE = re.compile(r"(https?://\S+?/auth/[a-z-]+\?token=[A-Za-z0-9_\-]+)")


def outbox(engine, to_email: str | None = None) -> list[OutboxMessage]:
    """The mail that has left, once the worker has run the jobs due now (pages only queue mail)."""
    from .factories import run_jobs

    run_jobs()
    with Session(engine) as s:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if to_email:
            stmt = stmt.where(OutboxMessage.to_email == to_email)
        return list(s.exec(stmt))


def last_link(engine, to_email: str) -> str:
    messages = outbox(engine, to_email)
    assert messages, f"no mail to {to_email}"
    match = LINK_RE.search(messages[-1].text_body)
    assert match, messages[-1].text_body
    return match.group(1)


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


def make_state(state_cls, *, path: str = "/", query: dict | None = None, token: str = "",
               client_ip: str = "10.0.0.1", lang: str = "fr"):
    """A state instance inside a real root state, as the app would hold it for one browser tab."""
    import reflex as rx

    os.environ.setdefault("PYTEST_CURRENT_TEST", "accounts")
    root = rx.State()
    state = substate(root, state_cls)
    query = query or {}
    origin = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    root.router = RouterData.from_router_data({
        constants.RouteVar.PATH: path, constants.RouteVar.ORIGIN: origin,
        constants.RouteVar.QUERY: query, constants.RouteVar.CLIENT_IP: client_ip,
    })
    state.auth_token = token
    state.lang = lang
    return root, state


def redirect_target(events) -> str | None:
    """The path of the first rx.redirect among a handler's returned events."""
    events = events if isinstance(events, list) else [events]
    for spec in events:
        handler = getattr(spec, "handler", None)
        if handler is not None and getattr(handler.fn, "__qualname__", "").endswith("_redirect"):
            return dict((name._js_expr, value._var_value) for name, value in spec.args)["path"]
    return None


def browser_payload(root) -> str:
    """Every var the states send to the browser, as one string to search for secrets.

    The router vars are left out: they echo the browser's own URL and headers back to it.
    """
    sent = {name: {var: value for var, value in values.items() if not var.startswith("rx_router_")}
            for name, values in root.dict().items()}
    return repr(sent)
