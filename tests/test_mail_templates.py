"""Every template renders in French and English, with the shop's branding, formatted money and
dates, absolute links from PUBLIC_BASE_URL, and the customer's text escaped in HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kmerhosting.integrations.mail.templates import TEMPLATES, render

CONTEXTS = {
    "verify_email": {"name": "Awa", "link": "https://shop.example.cm/auth/verify-email?token=abc", "hours": 48},
    "reset_password": {"name": "Awa", "link": "https://shop.example.cm/auth/reset-password?token=abc", "minutes": 60},
    "email_in_use": {"name": "Awa"},
    "purchase_confirmation": {"name": "Awa", "order_id": 42, "total": 45000, "balance": 5000,
                              "lines": [{"label": "Pack Pro, 12 mois", "amount": 30000},
                                        {"label": "awa-shop.cm", "amount": 15000}]},
    "expiry_notice": {"name": "Awa", "kind": "service", "domain": "awa-shop.cm", "pack": "Pro",
                      "expires_on": "2027-01-31", "days_left": 30},
    "expiry_today": {"name": "Awa", "kind": "service", "domain": "awa-shop.cm", "pack": "Pro",
                     "expires_on": "2027-01-31"},
    "expired_reminder": {"name": "Awa", "kind": "service", "domain": "awa-shop.cm", "pack": "Pro",
                         "expires_on": "2027-01-31", "days_ago": 3},
    "renewal_confirmation": {"name": "Awa", "kind": "service", "domain": "awa-shop.cm", "pack": "Pro",
                             "months": 12, "amount": 25500, "expires_on": "2028-01-31", "balance": 1500},
    "credit_added": {"name": "Awa", "amount": 20000, "balance": 27500, "reason": "MTN MoMo 12345"},
    "credit_request_approved": {"name": "Awa", "amount": 20000, "balance": 27500, "note": "Merci"},
    "credit_request_rejected": {"name": "Awa", "amount": 20000, "note": "Paiement introuvable"},
    "hosting_ready": {"name": "Awa", "domain": "awa-shop.cm", "pack": "Pro", "username": "awashop",
                      "panel_url": "https://cp1.kmerhosting.cm:2083", "sandbox": False,
                      "nameservers": ["ns1.kmerhosting.cm", "ns2.kmerhosting.cm"]},
    "payment_received": {"name": "Awa", "amount": 25000, "balance": 32500, "operator": "orange",
                         "reference": "KH0123456789ABCDEF0123"},
}


@pytest.fixture(autouse=True)
def base_url(configure):
    configure(PUBLIC_BASE_URL="https://shop.example.cm")


def test_every_template_is_covered():
    assert set(TEMPLATES) == set(CONTEXTS)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_template_renders_branded_text_and_html(name, lang):
    subject, text, html = render(name, lang, CONTEXTS[name])
    assert subject
    for part in (subject, text):
        assert not re.search(r"\{[a-z_]+\}", part), f"unfilled placeholder in {part!r}"
        assert "mail." not in part, "a translation key leaked"
    assert "KmerHosting" in html and f'<html lang="{lang}">' in html and "Awa" in text
    assert "Cameroun" in text if lang == "fr" else "Cameroon" in text
    assert "https://shop.example.cm/" in text and 'href="https://shop.example.cm/' in html


@pytest.mark.parametrize("lang,money", [("fr", "45\u202f000\xa0FCFA"), ("en", "45,000\xa0FCFA")])
def test_purchase_lists_lines_total_and_balance_in_the_customers_format(lang, money):
    _, text, html = render("purchase_confirmation", lang, CONTEXTS["purchase_confirmation"])
    assert money in text and "Pack Pro, 12 mois" in html and "42" in text
    assert ("5\u202f000\xa0FCFA" if lang == "fr" else "5,000\xa0FCFA") in text


def test_expiry_dates_are_written_per_language_and_renew_links_follow_the_kind():
    _, fr, _ = render("expiry_notice", "fr", CONTEXTS["expiry_notice"])
    _, en, _ = render("expiry_notice", "en", CONTEXTS["expiry_notice"])
    assert "31\xa0janv.\xa02027" in fr and "30\xa0jours" in fr and "/dashboard/services" in fr
    assert "31\xa0Jan\xa02027" in en and "30\xa0days" in en
    domain = {**CONTEXTS["expiry_notice"], "kind": "domain", "pack": ""}
    _, text, html = render("expiry_notice", "en", domain)
    assert "/dashboard/domains" in text and "domain name awa-shop.cm" in text


def test_the_customers_text_is_escaped_in_html():
    ctx = {**CONTEXTS["credit_added"], "name": "<script>x</script>", "reason": "a & b"}
    _, text, html = render("credit_added", "fr", ctx)
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
    assert "<script>x</script>" in text  # plain text stays as typed


def test_optional_notes_may_be_empty():
    _, text, _ = render("credit_request_rejected", "en", {**CONTEXTS["credit_request_rejected"], "note": ""})
    assert "Message from our team" not in text


def test_unknown_language_falls_back_to_french():
    subject, _, _ = render("expiry_today", "de", CONTEXTS["expiry_today"])
    assert subject == "awa-shop.cm expire aujourd'hui"


class _VisibleText(HTMLParser):
    """The text a reader sees in an HTML mail (no tags, no attributes, entities decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _visible(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def _typography_faults(text: str, customer_text: list[str]) -> list[str]:
    """French typography faults in `text`: an ordinary space, or no space, before ":", ";", "?", "!"
    (U+00A0 or U+202F wanted), and a number of 1000 or more without its group separator. URLs, what
    the customer or an admin typed (a payment reference) and dates (the year is never grouped) are left out."""
    for typed in customer_text:
        text = text.replace(typed, " ")
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\b\d{1,2}\xa0\S+\xa0\d{4}\b", " ", text)  # "31 janv. 2027"
    faults = [f"{m.group()!r} in …{text[max(0, m.start() - 25):m.end() + 5]!r}"
              for m in re.finditer(r"(?<=[^\u00a0\u202f])[:;?!]", text)]
    faults += [f"ungrouped {m.group()!r}" for m in re.finditer(r"\d{4,}", text)]
    return faults


@pytest.mark.parametrize("name,kind", [(name, kind) for name in sorted(CONTEXTS)
                                       for kind in (("service", "domain") if "kind" in CONTEXTS[name] else (None,))])
def test_french_mails_keep_french_typography(name, kind):
    """Subject, text and HTML: a no-break space before ":", ";", "?" and "!", and "45 000" grouped."""
    context = {**CONTEXTS[name], **{k: v * 100 for k, v in CONTEXTS[name].items()
                                   if k in ("amount", "total", "balance") and isinstance(v, int)}}
    if "kind" in context:
        context["kind"] = kind
    typed = [v for k, v in context.items() if k in ("name", "reason", "note", "reference") and v]
    subject, text, html = render(name, "fr", context)
    for part, content in (("subject", subject), ("text", text), ("html", _visible(html))):
        assert not _typography_faults(content, typed), (part, _typography_faults(content, typed))


def test_the_typography_check_finds_what_it_looks_for():
    assert _typography_faults("Motif : x", []) and _typography_faults("Motif: x", [])
    assert _typography_faults("Pourquoi ?", []) and _typography_faults("Total 45000\xa0FCFA", [])
    assert not _typography_faults("Motif\xa0: x\u202f! le 31\xa0janv.\xa02027, 45\u202f000\xa0FCFA, "
                                  "https://shop.example.cm/a?b=1", [])
