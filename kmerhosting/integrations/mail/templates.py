"""E-mail templates, HTML and plain text, in the recipient's language.

A template is a function (lang, context) -> (subject, text body, html body), registered by name.
Links in the context are absolute (built with `link()`, from PUBLIC_BASE_URL).
"""

from __future__ import annotations

import html as _html
from typing import Callable

from ...config import get_settings
from ...i18n import normalize_language, translate

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


def layout(lang: str, subject: str, paragraphs: list[str], button: tuple[str, str] | None = None) -> Rendered:
    """The shop's branded frame around a few paragraphs and an optional call-to-action button."""
    footer = translate("mail.footer", lang)
    text = "\n\n".join(paragraphs)
    if button:
        text += f"\n\n{button[0]}: {button[1]}"
    text += f"\n\n-- \n{footer}\n"
    body = "".join(f'<p style="margin:0 0 16px">{_html.escape(p)}</p>' for p in paragraphs)
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
