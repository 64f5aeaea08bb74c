"""E-mail templates, HTML and plain text, in the recipient's language.

A template is a function (lang, context) -> (subject, text body, html body), registered by name.
Links in the context are absolute (built with `link()`, from PUBLIC_BASE_URL).
"""

from __future__ import annotations

import html as _html
from datetime import date
from typing import Callable

from ...config import get_settings
from ...i18n import normalize_language, translate
from ...i18n import display

Rendered = tuple[str, str, str]
TEMPLATES: dict[str, Callable[[str, dict], Rendered]] = {}


def template(name: str):
    def register(fn):
        TEMPLATES[name] = fn
        return fn

    return register


def link(path: str) -> str:
    return get_settings().public_base_url + path


def render(name: str, lang: str, context: dict) -> Rendered:
    if name not in TEMPLATES:
        raise KeyError(f"unknown mail template {name!r}")
    return TEMPLATES[name](normalize_language(lang), context)


def layout(lang: str, subject: str, paragraphs: list[str], button: tuple[str, str] | None = None,
           rows: list[tuple[str, str]] | None = None) -> Rendered:
    """The shop's branded frame: paragraphs, an optional table of (label, value) rows, an optional button."""
    footer = translate("mail.footer", lang)
    text = "\n\n".join(paragraphs)
    if rows:
        width = max(len(label) for label, _ in rows)
        text += "\n\n" + "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)
    if button:
        text += f"\n\n{button[0]}{display.colon(lang)}{button[1]}"
    text += f"\n\n-- \n{footer}\n"
    body = "".join(f'<p style="margin:0 0 16px">{_html.escape(p)}</p>' for p in paragraphs)
    if rows:
        body += ('<table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 16px">'
                 + "".join('<tr><td style="padding:6px 0;border-bottom:1px solid #e6e8eb">'
                           f'{_html.escape(label)}</td><td style="padding:6px 0;border-bottom:1px solid #e6e8eb;'
                           f'text-align:right;white-space:nowrap">{_html.escape(value)}</td></tr>'
                           for label, value in rows)
                 + "</table>")
    if button:
        body += (f'<p style="margin:24px 0"><a href="{_html.escape(button[1], quote=True)}" '
                 'style="background:#2f9e6b;color:#fff;padding:12px 20px;border-radius:6px;'
                 f'text-decoration:none;font-weight:bold">{_html.escape(button[0])}</a></p>')
    html_doc = (
        f'<!doctype html><html lang="{lang}"><body style="margin:0;background:#f4f6f8;'
        'font-family:Arial,Helvetica,sans-serif;color:#1c2024">'
        '<div style="max-width:560px;margin:0 auto;padding:24px">'
        '<div style="font-size:20px;font-weight:bold;color:#2f9e6b;margin-bottom:16px">KmerHosting</div>'
        f'<div style="background:#fff;border-radius:8px;padding:24px">{body}</div>'
        f'<div style="font-size:12px;color:#60646c;margin-top:16px">{_html.escape(footer)}</div>'
        '</div></body></html>'
    )
    return subject, text, html_doc


@template("verify_email")
def verify_email(lang: str, ctx: dict) -> Rendered:
    """ctx: name, link (absolute URL of /auth/verify-email?token=...), hours."""
    t = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    return layout(lang, t("mail.verify.subject"),
                  [t("mail.hello", name=ctx.get("name", "")), t("mail.verify.body", hours=ctx.get("hours", 48))],
                  (t("mail.verify.button"), ctx["link"]))


@template("reset_password")
def reset_password(lang: str, ctx: dict) -> Rendered:
    """ctx: name, link (absolute URL of /auth/reset-password?token=...), minutes."""
    t = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    return layout(lang, t("mail.reset.subject"),
                  [t("mail.hello", name=ctx.get("name", "")), t("mail.reset.body", minutes=ctx.get("minutes", 60))],
                  (t("mail.reset.button"), ctx["link"]))


@template("email_in_use")
def email_in_use(lang: str, ctx: dict) -> Rendered:
    """To the owner of an address another account asked to move to. ctx: name. No link with a token:
    the customer who asked is told "check the new inbox" either way, so the answer reveals nothing."""
    t = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    return layout(lang, t("mail.email_in_use.subject"),
                  [t("mail.hello", name=ctx.get("name", "")), t("mail.email_in_use.body")],
                  (t("mail.email_in_use.button"), link("/auth/login")))


# --- helpers for the shop's templates ---------------------------------------------------------


def _t(lang: str):
    return lambda key, **p: translate(key, lang, **p)


def format_day(iso_day: str, lang: str) -> str:
    """"2026-12-01" -> "1 déc. 2026" / "1 Dec 2026", as the site shows dates."""
    return display.date(date.fromisoformat(str(iso_day)[:10]), lang)


def _renew_link(kind: str) -> str:
    return link("/dashboard/domains" if kind == "domain" else "/dashboard/services")


def _what(t, ctx: dict) -> str:
    """ "your hosting Pro for site.cm" / "your domain site.cm" """
    if ctx.get("kind") == "domain":
        return t("mail.what.domain", domain=ctx["domain"])
    return t("mail.what.service", pack=ctx.get("pack", ""), domain=ctx["domain"])


# --- purchases, renewals, credits ----------------------------------------------------------------


@template("purchase_confirmation")
def purchase_confirmation(lang: str, ctx: dict) -> Rendered:
    """ctx: name, order_id, lines [{label, amount}], total, balance (amounts: integer XAF), and
    optional notes: what the registrar refused or is still checking, already in the reader's language."""
    t = _t(lang)
    rows = [(str(line["label"]), display.money(line["amount"], lang)) for line in ctx["lines"]]
    rows.append((t("mail.total"), display.money(ctx["total"], lang)))
    rows.append((t("mail.balance_left"), display.money(ctx["balance"], lang)))
    return layout(lang, t("mail.purchase.subject", order_id=ctx["order_id"]),
                  [t("mail.hello", name=ctx.get("name", "")), t("mail.purchase.body", order_id=ctx["order_id"]),
                   *[str(note) for note in ctx.get("notes") or []]],
                  (t("mail.purchase.button"), link("/dashboard/services")), rows=rows)


@template("renewal_confirmation")
def renewal_confirmation(lang: str, ctx: dict) -> Rendered:
    """ctx: name, kind, domain, pack, months, amount, expires_on (YYYY-MM-DD), balance."""
    t = _t(lang)
    what = _what(t, ctx)
    return layout(lang, t("mail.renewal.subject", domain=ctx["domain"]),
                  [t("mail.hello", name=ctx.get("name", "")),
                   t("mail.renewal.body", what=what, duration=display.months(int(ctx["months"]), lang), amount=display.money(ctx["amount"], lang),
                     date=format_day(ctx["expires_on"], lang)),
                   t("mail.balance_now", balance=display.money(ctx["balance"], lang))],
                  (t("mail.renewal.button"), _renew_link(ctx.get("kind", "service"))))


@template("hosting_ready")
def hosting_ready(lang: str, ctx: dict) -> Rendered:
    """ctx: name, domain, pack, username, panel_url ("" on the sandbox), sandbox, nameservers [..].
    Never a password: the button leads to the dashboard, where the customer sets it."""
    t = _t(lang)
    rows = [(t("mail.hosting_ready.panel"), ctx.get("panel_url") or t("mail.hosting_ready.sandbox")),
            (t("mail.hosting_ready.username"), str(ctx.get("username", "")))]
    nameservers = [str(ns) for ns in ctx.get("nameservers") or []]
    if nameservers:
        rows.append((t("mail.hosting_ready.ns"), ", ".join(nameservers)))
    paragraphs = [t("mail.hello", name=ctx.get("name", "")),
                  t("mail.hosting_ready.body", what=_what(t, {**ctx, "kind": "service"}))]
    if ctx.get("sandbox"):
        paragraphs.append(t("mail.hosting_ready.sandbox"))
    if nameservers:
        paragraphs.append(t("mail.hosting_ready.nameservers"))
    paragraphs.append(t("mail.hosting_ready.password"))
    return layout(lang, t("mail.hosting_ready.subject", domain=ctx["domain"]), paragraphs,
                  (t("mail.hosting_ready.button"), link("/dashboard/services")), rows=rows)


@template("credit_added")
def credit_added(lang: str, ctx: dict) -> Rendered:
    """ctx: name, amount, balance, reason (free text from the admin, may be empty)."""
    t = _t(lang)
    paragraphs = [t("mail.hello", name=ctx.get("name", "")),
                  t("mail.credit_added.body", amount=display.money(ctx["amount"], lang))]
    if ctx.get("reason"):
        paragraphs.append(t("mail.reason", reason=ctx["reason"]))
    paragraphs.append(t("mail.balance_now", balance=display.money(ctx["balance"], lang)))
    return layout(lang, t("mail.credit_added.subject", amount=display.money(ctx["amount"], lang)), paragraphs,
                  (t("mail.credits.button"), link("/dashboard/billing")))


@template("payment_received")
def payment_received(lang: str, ctx: dict) -> Rendered:
    """ctx: name, amount, balance, operator (mtn | orange), reference (ours)."""
    t = _t(lang)
    amount = display.money(ctx["amount"], lang)
    paragraphs = [t("mail.hello", name=ctx.get("name", "")),
                  t("mail.payment.body", operator=display.label("operator", ctx.get("operator", ""), lang),
                    amount=amount, reference=ctx.get("reference", "")),
                  t("mail.balance_now", balance=display.money(ctx["balance"], lang))]
    return layout(lang, t("mail.payment.subject", amount=amount), paragraphs,
                  (t("mail.credits.button"), link("/dashboard/billing")))


@template("credit_request_approved")
def credit_request_approved(lang: str, ctx: dict) -> Rendered:
    """ctx: name, amount, balance, note (from the admin, may be empty)."""
    t = _t(lang)
    paragraphs = [t("mail.hello", name=ctx.get("name", "")),
                  t("mail.credit_approved.body", amount=display.money(ctx["amount"], lang))]
    if ctx.get("note"):
        paragraphs.append(t("mail.note", note=ctx["note"]))
    paragraphs.append(t("mail.balance_now", balance=display.money(ctx["balance"], lang)))
    return layout(lang, t("mail.credit_approved.subject"), paragraphs,
                  (t("mail.shop.button"), link("/hosting")))


@template("credit_request_rejected")
def credit_request_rejected(lang: str, ctx: dict) -> Rendered:
    """ctx: name, amount, note (the admin's reason, may be empty)."""
    t = _t(lang)
    paragraphs = [t("mail.hello", name=ctx.get("name", "")),
                  t("mail.credit_rejected.body", amount=display.money(ctx["amount"], lang))]
    if ctx.get("note"):
        paragraphs.append(t("mail.note", note=ctx["note"]))
    paragraphs.append(t("mail.credit_rejected.help"))
    return layout(lang, t("mail.credit_rejected.subject"), paragraphs,
                  (t("mail.credits.button"), link("/dashboard/billing")))


# --- expiry --------------------------------------------------------------------------------------


@template("expiry_notice")
def expiry_notice(lang: str, ctx: dict) -> Rendered:
    """ctx: name, kind (service|domain), domain, pack, expires_on (YYYY-MM-DD), days_left."""
    t = _t(lang)
    days = display.days(int(ctx["days_left"]), lang)
    return layout(lang, t("mail.expiry.subject", domain=ctx["domain"], days=days),
                  [t("mail.hello", name=ctx.get("name", "")),
                   t("mail.expiry.body", what=_cap(_what(t, ctx)), days=days, date=format_day(ctx["expires_on"], lang)),
                   t(f"mail.expiry.{_kind(ctx)}_advice")],
                  (t("mail.renew.button"), _renew_link(_kind(ctx))))


@template("expiry_today")
def expiry_today(lang: str, ctx: dict) -> Rendered:
    """ctx: name, kind, domain, pack, expires_on (YYYY-MM-DD)."""
    t = _t(lang)
    return layout(lang, t("mail.today.subject", domain=ctx["domain"]),
                  [t("mail.hello", name=ctx.get("name", "")),
                   t("mail.today.body", what=_cap(_what(t, ctx)), date=format_day(ctx["expires_on"], lang)),
                   t(f"mail.expiry.{_kind(ctx)}_advice")],
                  (t("mail.renew.button"), _renew_link(_kind(ctx))))


@template("expired_reminder")
def expired_reminder(lang: str, ctx: dict) -> Rendered:
    """ctx: name, kind, domain, pack, expires_on (YYYY-MM-DD), days_ago."""
    t = _t(lang)
    return layout(lang, t("mail.expired.subject", domain=ctx["domain"]),
                  [t("mail.hello", name=ctx.get("name", "")),
                   t("mail.expired.body", what=_cap(_what(t, ctx)), days=display.days(int(ctx["days_ago"]), lang),
                     date=format_day(ctx["expires_on"], lang)),
                   t(f"mail.expired.{_kind(ctx)}_advice")],
                  (t("mail.renew.button"), _renew_link(_kind(ctx))))


def _kind(ctx: dict) -> str:
    return "domain" if ctx.get("kind") == "domain" else "service"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
