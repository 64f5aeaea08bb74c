"""Admin logs: every e-mail sent (with resend of a failed one) and the audit trail."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ..core.admin import audit_log, notifications
from ..core.args import parse_flag
from ..i18n import display
from .admin import PagedAdminState, as_form
from .base import BaseState
from .offloop import off_loop

ALL = "all"


WATCH_EVERY = 1.0  # seconds between two reads of the mails queued again
WATCH_ROUNDS = 60


class AdminMailsState(PagedAdminState, BaseState):
    _rows: list[dict] = []  # each mail's values (dates, kind and status codes)
    # Mails this page queued again and follows until the worker has tried them (server side only).
    _resent: list[int] = []
    _watching: bool = False
    _kinds: list[str] = []
    status: str = ALL
    kind: str = ALL
    recipient: str = ""
    # The mail opened in the viewer: what it said, rendered again from its template.
    mail_open: bool = False
    mail_subject: str = ""
    mail_text: str = ""
    mail_html: str = ""
    mail_language: str = ""  # the language the mail was written in (its reader's, not the admin's)

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{**row, "when": display.datetime_(row["created_at"], lang), "sent": display.datetime_(row["sent_at"], lang),
                 "kind_label": display.label("mail_kind", row["kind"], lang),
                 "status_label": display.label("mail_status", row["status"], lang),
                 "threshold": display.days(row["threshold"], lang) if row["threshold"] is not None else "",
                 "attempts": display.number(row["attempts"], lang), "created_at": "", "sent_at": ""}
                for row in self._rows]

    @rx.var
    def kinds(self) -> list[dict[str, str]]:
        """The filter's choices: each kind of mail in words (none before the log is loaded)."""
        if not self._kinds:
            return []
        return [{"value": ALL, "label": self._word("admin.mails.all_kinds")},
                *({"value": k, "label": display.label("mail_kind", k, self._page_lang())} for k in self._kinds)]

    def _fill(self, session, admin_id):
        result = notifications.list_mails(session, admin_id, status="" if self.status == ALL else self.status,
                                          kind="" if self.kind == ALL else self.kind, recipient=self.recipient,
                                          page=self.page)
        self._set_page(result)
        self._kinds = notifications.mail_kinds(session, admin_id)
        self._rows = [
            {"id": str(m.id), "created_at": m.created_at, "recipient": m.recipient, "kind": m.kind,
             "service": domain or "", "threshold": m.threshold, "status": m.status, "error": (m.error or "")[:300],
             "attempts": m.attempts, "subject": m.subject, "language": m.language, "sent_at": m.sent_at}
            for m, domain in result.rows
        ]

    @rx.event
    def open_mail(self, log_id: int):
        """Show what one logged mail said: its subject, its text and a preview of its HTML."""
        content, failed = self._run(lambda session, admin_id: notifications.mail_content(session, admin_id, log_id))
        if failed:
            return failed
        self.mail_subject, self.mail_text, self.mail_html, self.mail_language = content
        self.mail_open = True
        return None

    @rx.event
    def set_mail_open(self, is_open: bool):
        """The viewer closes (it only opens with a mail, through open_mail)."""
        _, refused = self._run(lambda session, admin_id: admin_id)
        if refused or not parse_flag(is_open):
            self.mail_open = False
            self.mail_subject = self.mail_text = self.mail_html = self.mail_language = ""
        return refused

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


class AdminAuditState(PagedAdminState, BaseState):
    _rows: list[dict] = []  # each action's values: who, the action's code, the target's name, before/after
    action: str = ""
    target_type: str = ""

    def _fill(self, session, admin_id):
        result = audit_log.list_audit(session, admin_id, action=self.action, target_type=self.target_type,
                                      page=self.page)
        self._set_page(result)
        names = audit_log.target_names(session, result.rows)
        actors = audit_log.actor_names(session, result.rows)
        self._rows = [
            {"id": str(a.id), "created_at": a.created_at, "actor": actors.get(a.actor_id, email or ""),
             "action": a.action, "target_type": a.target_type,
             "target": names.get((a.target_type, a.target_id), "") if a.target_id else "",
             "before": a.before or {}, "after": a.after or {}}
            for a, email in result.rows
        ]

    @rx.var
    def rows(self) -> list[dict[str, Any]]:
        lang = self._page_lang()
        return [{"id": row["id"], "when": display.datetime_(row["created_at"], lang),
                 "what": display.audit_sentence(row["actor"], row["action"], row["target"], lang),
                 "changes": display.changes(row["before"], row["after"], row["target_type"], lang)}
                for row in self._rows]

    @rx.event
    def apply_filters(self, form: dict):
        form = as_form(form)
        self.action = str(form.get("action", ""))[:64].strip()
        target = str(form.get("target_type", ""))[:32].strip()
        self.target_type = "" if target == ALL else target
        self.page = 1
        return self._run(self._fill)[1]
