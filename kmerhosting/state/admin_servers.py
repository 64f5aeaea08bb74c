"""Admin servers: the list with accounts used, the create/edit dialog, activate, delete, "test the connection".

The API token goes one way: from the form to core, which seals it. No var of this state ever holds it
(the form keeps every other field when a save is refused, never the token); a row only says whether one
is stored. The connection test asks the panel, a provider call: it runs off the event loop
(`off_loop`, a background event), and the row shows its outcome in words when it lands.
"""

from __future__ import annotations

import logging

import reflex as rx

from ..config import get_settings
from ..core.admin import servers as admin_servers
from ..core.args import parse_flag
from ..core.servers import test_connection
from ..i18n import display, translate
from ..models import CONTROL_PANEL_LABELS, ControlPanel
from .admin import AdminState, as_form
from .base import BaseState
from .forms import row_id
from .offloop import TooSlow, off_loop

log = logging.getLogger(__name__)

FORM_FIELDS = ("name", "panel", "host", "port", "api_user", "verify_tls", "ca_pem", "nameservers", "capacity",
               "active")
EMPTY_FORM = {"name": "", "panel": ControlPanel.cpanel.value, "host": "", "port": "2087", "api_user": "root",
              "verify_tls": "on", "ca_pem": "", "nameservers": "", "capacity": "500", "active": "on"}
MAX_PEM = admin_servers.MAX_PEM
# The failures a connection test reports, by the panel error's class (core/servers.py `test_connection`).
FAILURES = {"PanelAuthFailed": "admin.servers.test_auth", "PanelUnavailable": "admin.servers.test_unreachable",
            "PanelRejected": "admin.servers.test_rejected", "UsernameTaken": "admin.servers.test_rejected",
            "AccountNotFound": "admin.servers.test_rejected"}


def outcome_words(ok: bool | None, message: str, lang: str) -> str:
    """A connection test's outcome in words: the panel's version and account count, or what went wrong."""
    if ok is None:
        return translate("admin.servers.never_tested", lang)
    if ok:
        head, _, accounts = message.partition(" · ")
        kind, _, version = head.partition(" ")
        try:
            counted = display.count("admin.servers.accounts", int(accounts), lang)
        except ValueError:
            counted = accounts
        return translate("admin.servers.test_ok", lang, panel=CONTROL_PANEL_LABELS.get(kind, kind), version=version,
                         accounts=counted)
    if message.startswith("admin.") or message.startswith("error."):  # a refusal of ours, by its key
        return translate(message, lang)
    return translate(FAILURES.get(message.partition(":")[0], "admin.servers.test_failed"), lang)


def outcome_detail(ok: bool | None, message: str) -> str:
    """The panel's own words after a failure (no secret: core scrubs them), shown small under the outcome."""
    if ok is not False or message.startswith(("admin.", "error.")):
        return ""
    return message.partition(": ")[2][:200]


def server_form(row: admin_servers.ServerRow) -> dict[str, str]:
    return {"name": row.name, "panel": row.panel, "host": row.host, "port": str(row.port), "api_user": row.api_user,
            "verify_tls": "on" if row.verify_tls else "", "ca_pem": row.ca_pem, "nameservers": row.nameservers.replace(",", ", "),
            "capacity": str(row.capacity), "active": "on" if row.active else ""}


class AdminServersState(AdminState, BaseState):
    _rows: list[dict] = []  # each server's values (never its token); `rows` words them
    editing: int = -1  # -1 no dialog, 0 a new server, else the server's id
    form: dict[str, str] = {}  # the dialog's fields, the token never among them
    form_key: int = 0
    form_sandbox: bool = False  # the server edited is a test server: no host, no token
    form_has_token: bool = False  # a token is stored ("enregistré"): an empty field keeps it
    testing: list[str] = []  # ids of the servers whose test is under way in this tab

    def _fill(self, session, admin_id):
        self._rows = [
            {"id": str(r.id), "name": r.name, "panel": r.panel, "sandbox": r.sandbox, "host": r.host, "port": r.port,
             "api_user": r.api_user, "has_token": r.has_token, "nameservers": r.nameservers, "used": r.used,
             "capacity": r.capacity, "active": r.active, "full": r.full, "test_at": r.last_test_at,
             "test_ok": r.last_test_ok, "test_message": r.last_test_message}
            for r in admin_servers.list_servers(session, admin_id)
        ]

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{"id": r["id"], "name": r["name"], "panel": CONTROL_PANEL_LABELS.get(r["panel"], r["panel"]),
                 "sandbox": "1" if r["sandbox"] else "",
                 "address": "" if r["sandbox"] else f"{r['host']}:{r['port']}",
                 "api_user": "" if r["sandbox"] else r["api_user"],
                 "nameservers": r["nameservers"].replace(",", ", "),
                 "used": translate("admin.servers.used", lang, used=display.number(r["used"], lang),
                                   capacity=display.number(r["capacity"], lang)),
                 "full": "1" if r["full"] else "", "active": "1" if r["active"] else "",
                 "unused": "1" if r["used"] == 0 else "",
                 "test": "never" if r["test_ok"] is None else ("ok" if r["test_ok"] else "failed"),
                 "test_words": outcome_words(r["test_ok"], r["test_message"], lang),
                 "test_detail": outcome_detail(r["test_ok"], r["test_message"]),
                 "test_when": display.datetime_(r["test_at"], lang) if r["test_at"] else ""}
                for r in self._rows]

    @rx.event
    def load(self):
        self._reword()
        self.editing = -1
        self.testing = []
        return self._run(self._fill, quiet_refusal=True)[1]

    def _open(self, editing: int, form: dict, sandbox: bool = False, has_token: bool = False) -> None:
        self.editing, self.form = editing, form
        self.form_sandbox, self.form_has_token = sandbox, has_token
        self.form_key += 1

    @rx.event
    def new_server(self):
        failed = self._run(lambda session, admin_id: None)[1]
        if failed:
            return failed
        self._open(0, dict(EMPTY_FORM))
        return None

    @rx.event
    def edit_server(self, form: dict):
        """A row's "edit" button (its row form carries the server's id)."""
        target = row_id(form)
        found, failed = self._run(lambda session, admin_id: admin_servers.get_server(session, admin_id, target))
        if failed:
            return failed
        self._open(found.id, server_form(found), found.sandbox, found.has_token)
        return None

    @rx.event
    def set_dialog_open(self, is_open: bool):
        """The dialog closes (it only opens through new_server or edit_server)."""
        _, refused = self._run(lambda session, admin_id: admin_id)
        if refused or not parse_flag(is_open):
            self.editing, self.form = -1, {}
        return refused

    @rx.event
    def cancel_edit(self):
        failed = self._run(lambda session, admin_id: None)[1]
        if failed:
            return failed
        self.editing, self.form = -1, {}
        return None

    @rx.event
    def save_server(self, form: dict):
        data = _server_form_data(form)
        editing = self.editing

        def work(session, admin_id):
            if editing > 0:
                admin_servers.update_server(session, admin_id, editing, data)
            elif editing == 0:
                admin_servers.create_server(session, admin_id, data)
            else:
                raise admin_servers.InvalidInput("error.invalid_input")
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        if failed:
            if self.error != self._t("error.not_authorized") and self.editing >= 0:  # keep what was typed...
                self.form = {**self.form, **{k: v for k, v in data.items() if k in FORM_FIELDS}}  # ...not the token
            return failed
        self.editing, self.form = -1, {}
        return self._done("admin.servers.saved")

    def _set_active(self, form: dict, active: bool):
        target = row_id(form)

        def work(session, admin_id):
            admin_servers.set_active(session, admin_id, target, active)
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        return failed or self._done("admin.servers.saved")

    @rx.event
    def activate_server(self, form: dict):
        return self._set_active(form, True)

    @rx.event
    def deactivate_server(self, form: dict):
        return self._set_active(form, False)

    @rx.event
    def delete_server(self, server_id: str):
        """A row's confirmed "delete" (core checks the id like any id from the browser)."""
        target = server_id

        def work(session, admin_id):
            admin_servers.delete_server(session, admin_id, target)
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        if failed:
            return failed
        if str(self.editing) == target:
            self.editing, self.form = -1, {}
        return self._done("admin.servers.deleted")

    @rx.event(background=True)
    async def test_server(self, form: dict):
        """Ask the server's panel who it is, off the event loop; the row then shows the outcome in words."""
        target = row_id(form)
        async with self:
            server_id, refused = self._run(
                lambda session, admin_id: admin_servers.check_test_allowed(session, admin_id, target))
            if refused:
                return refused
            key = str(server_id)
            if key in self.testing:
                return None
            self.testing = [*self.testing, key]
        outcome, failure = None, "admin.servers.test_failed"
        try:
            # Two calls to the panel (version, accounts), each bounded by the panel client's timeout.
            outcome = await off_loop(test_connection, server_id, timeout=2 * get_settings().panel_timeout + 5)
        except TooSlow:
            failure = "admin.servers.test_too_slow"
        except Exception:  # noqa: BLE001  (the server vanished meanwhile, or the client broke: said, not raised)
            log.exception("connection test of server %s", server_id)
        finally:
            async with self:
                self.testing = [i for i in self.testing if i != key]
        async with self:
            if outcome is not None:
                self._run(lambda session, admin_id: admin_servers.record_test(session, admin_id, server_id,
                                                                              outcome.ok))
            self._run(self._fill)
            if outcome is None:
                return rx.toast.error(self._t(failure))
            words = outcome_words(outcome.ok, outcome.message, self.lang)
            return rx.toast.success(words) if outcome.ok else rx.toast.error(words)

def _server_form_data(form) -> dict:
    """The form as bounded strings, the CA PEM allowed its length (a chain of certificates is long)."""
    if not isinstance(form, dict):
        return {}
    data = as_form({k: v for k, v in form.items() if k != "ca_pem"})
    pem = form.get("ca_pem")
    if isinstance(pem, str):
        data["ca_pem"] = pem[:MAX_PEM + 1]
    return data
