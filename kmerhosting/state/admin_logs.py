"""Admin logs: every e-mail sent (with resend of a failed one) and the audit trail."""

from __future__ import annotations

import asyncio
import json

import reflex as rx

from ..core.admin import audit_log, notifications
from .admin import PagedAdminState, as_form
from .base import BaseState
from .offloop import off_loop

ALL = "all"


WATCH_EVERY = 1.0  # seconds between two reads of the mails queued again
WATCH_ROUNDS = 60


class AdminMailsState(PagedAdminState, BaseState):
    rows: list[dict[str, str]] = []
    # Mails this page queued again and follows until the worker has tried them (server side only).
    _resent: list[int] = []
    _watching: bool = False
    kinds: list[str] = []
    status: str = ALL
    kind: str = ALL
    recipient: str = ""

    def _fill(self, session, admin_id):
        result = notifications.list_mails(session, admin_id, status="" if self.status == ALL else self.status,
                                          kind="" if self.kind == ALL else self.kind, recipient=self.recipient,
                                          page=self.page)
        self._set_page(result)
        self.kinds = [ALL, *notifications.mail_kinds(session, admin_id)]
        self.rows = [
            {"id": str(m.id), "when": self._when(m.created_at), "recipient": m.recipient, "kind": m.kind,
             "service": domain or "", "threshold": "" if m.threshold is None else str(m.threshold),
             "status": m.status, "error": (m.error or "")[:300], "attempts": str(m.attempts),
             "subject": m.subject, "sent": self._when(m.sent_at)}
            for m, domain in result.rows
        ]

    @rx.event
    def apply_filters(self, form: dict):
        form = as_form(form)
        status = str(form.get("status", ALL))
        self.status = status if status in notifications.NotificationStatus.__members__ else ALL
        self.kind = str(form.get("kind", ALL))[:40] or ALL
        self.recipient = str(form.get("recipient", ""))[:255]
        self.page = 1
        return self._run(self._fill)[1]

    @rx.event
    def resend(self, log_id: int):
        def work(session, admin_id):
            return admin_id
        admin_id, failed = self._run(work)
        if failed:
            return failed
        try:
            entry = notifications.resend(admin_id, log_id)
        except Exception as exc:  # noqa: BLE001
            self.error = self._error_message(exc)
            return rx.toast.error(self.error)
        self._run(self._fill)
        self._resent = sorted({*self._resent, entry.id})
        return [self._done("admin.mails.resend_queued"), AdminMailsState.watch_resent]

    @rx.event(background=True)
    async def watch_resent(self):
        """The worker sends a mail queued again within seconds: the list follows it (read off the loop)."""
        async with self:
            _, refused = self._run(lambda session, admin_id: admin_id)
            if refused:
                return refused
            if self._watching or not self._resent:
                return None
            self._watching = True
            watched = list(self._resent)
        try:
            for _ in range(WATCH_ROUNDS):
                await asyncio.sleep(WATCH_EVERY)
                statuses = await off_loop(notifications.statuses, watched)
                if all(status != notifications.NotificationStatus.pending for status in statuses.values()):
                    break
            async with self:
                self._resent = [i for i in self._resent if i not in watched]
                self._run(self._fill)
        finally:
            async with self:
                self._watching = False


def _short(snapshot: dict) -> str:
    return json.dumps(snapshot or {}, ensure_ascii=False, sort_keys=True, default=str)[:400]


class AdminAuditState(PagedAdminState, BaseState):
    rows: list[dict[str, str]] = []
    action: str = ""
    target_type: str = ""

    def _fill(self, session, admin_id):
        result = audit_log.list_audit(session, admin_id, action=self.action, target_type=self.target_type,
                                      page=self.page)
        self._set_page(result)
        self.rows = [
            {"id": str(a.id), "when": self._when(a.created_at), "actor": email or "-", "action": a.action,
             "target": f"{a.target_type} #{a.target_id}" if a.target_id else a.target_type,
             "before": _short(a.before), "after": _short(a.after)}
            for a, email in result.rows
        ]

    @rx.event
    def apply_filters(self, form: dict):
        form = as_form(form)
        self.action = str(form.get("action", ""))[:64].strip()
        target = str(form.get("target_type", ""))[:32].strip()
        self.target_type = "" if target == ALL else target
        self.page = 1
        return self._run(self._fill)[1]
