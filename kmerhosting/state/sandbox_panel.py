"""The sandbox panel's "logged in" page: where "Ouvrir cPanel" lands for an account on a sandbox server
(the zero-config default). It shows the pretend account and says plainly that nothing real exists."""

from __future__ import annotations

import reflex as rx

from ..config import get_settings
from ..integrations.panels.sandbox import SandboxPanel
from .base import BaseState
from .offloop import off_loop


def _account(username: str) -> dict:
    account = SandboxPanel(get_settings().panel_sandbox_dir).find_account(username) if username else None
    if account is None:
        return {}
    return {"username": account.username, "domain": account.domain, "package": account.package,
            "suspended": "1" if account.suspended else ""}


class SandboxPanelState(BaseState):
    account: dict[str, str] = {}
    looked: bool = False

    @rx.event(background=True)
    async def load(self):
        async with self:
            username = str(self.router.url.query_parameters.get("user", ""))[:32]
        found = await off_loop(_account, username) if username.isalnum() else {}
        async with self:
            self.account, self.looked = found, True
