"""The admin's payments page in a real browser, on a phone and on a desktop: payments in words, a timeline,
filters, the CSV and "check now" followed until the worker has asked the gateway."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.models import AuditLog, Job, PaymentEvent

from ..conftest import screenshot
from ..factories import make_payment, make_user
from ..live import ADMIN_EMAIL
from . import helpers as h

pytestmark = pytest.mark.browser

RAW_CODES = re.compile(r"\b(created|pending|complete|flagged|canceled|mtn|orange|sandbox|notchpay|campay)\b")


@pytest.fixture
def admin(page, live_db):
    h.log_in_with_token(page, h.session_token(live_db, ADMIN_EMAIL))
    return page


@pytest.fixture
def seeded(live_db):
    word = f"paie{uuid.uuid4().hex[:6]}"
    with Session(live_db, expire_on_commit=False) as s:
        customer = make_user(s, email=f"{word}@example.cm")
        for n in range(24):
            make_payment(s, customer, amount=1000 + n, status="complete", minutes_ago=120 + n,
                         reference=f"KH{word.upper()}{n:02d}")
        flagged = make_payment(s, customer, amount=10000, status="flagged", gateway="campay", minutes_ago=30,
                               reference=f"KH{word.upper()}FL", received_amount=100, received_currency="XAF",
                               reason="complete with 100 XAF, asked 10000 XAF")
        failed = make_payment(s, customer, amount=7000, operator="orange", phone="237699001100", status="failed",
                              minutes_ago=20, reference=f"KH{word.upper()}KO", reason="insufficient funds")
        waiting = make_payment(s, customer, amount=5000, status="pending", minutes_ago=1,
                               reference=f"KH{word.upper()}WT", gateway_reference=f"gw-{word}",
                               events=[{"source": "start", "status": "created", "detail": {"amount": 5000}},
                                       {"source": "start", "status": "pending",
                                        "detail": {"sandbox": True, "outcome": "ok"}},
                                       {"source": "webhook", "status": "pending", "detail": {"event": "payment.sent"}}])
    return word, customer, flagged, failed, waiting


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 768)])
def test_admin_reads_filters_exports_and_checks_payments(admin, live_db, seeded, width, height):
    word, customer, flagged, failed, waiting = seeded
    admin.set_viewport_size({"width": width, "height": height})
    admin.goto("/admin/payments")
    expect(admin.get_by_role("heading", name="Paiements Mobile Money").first).to_be_visible()
    admin.fill("#payments-search", word)
    expect(admin.locator("#payments-search")).to_have_value(word)
    admin.locator("#payments-filter").click()
    rows = admin.locator("tr.payment-row")
    expect(rows.first).to_contain_text(waiting.reference)
    expect(admin.get_by_text(re.compile(r"^Page 1 / 2 · 27 résultat"))).to_be_visible()

    # In words: status, operator, amount and number as people read them, no internal code.
    row = admin.locator("tr.payment-row", has_text=waiting.reference)
    expect(row).to_contain_text("En attente de confirmation")
    expect(row).to_contain_text("MTN Mobile Money")
    expect(row).to_contain_text(h.xaf(5000))
    expect(row).to_contain_text("+237 6 77 12 34 56")
    expect(row).to_contain_text("Bac à sable (test)")
    for text in rows.all_inner_texts():
        assert not RAW_CODES.search(text.replace(waiting.gateway_reference, "")), text
    flagged_row = admin.locator("tr.payment-flagged", has_text=flagged.reference)
    expect(flagged_row).to_contain_text("À vérifier")
    expect(admin.locator("tr.payment-row", has_text=failed.reference)).to_contain_text("Orange Money")
    expect(admin.locator(f"#check-{failed.id}")).to_be_disabled()  # settled: nothing to ask
    expect(admin.locator(f"#check-{flagged.id}")).to_be_enabled()
    no_sideways_scroll(admin, width)
    screenshot(admin, f"admin-payments-{width}")

    admin.get_by_role("button", name="Suivant").click()
    expect(admin.get_by_text(re.compile(r"^Page 2 / 2"))).to_be_visible()
    admin.get_by_role("button", name="Précédent").click()
    expect(admin.get_by_text(re.compile(r"^Page 1 / 2"))).to_be_visible()

    # The timeline, in words.
    admin.locator(f"#timeline-{waiting.id}").click()
    detail = admin.locator("#payment-detail")
    expect(detail).to_be_visible()
    timeline = detail.locator("#payment-timeline li.payment-event")
    expect(timeline).to_have_count(3)
    expect(timeline.nth(0)).to_contain_text("Démarrage")
    expect(timeline.nth(0)).to_contain_text("Envoi en cours")
    expect(timeline.nth(2)).to_contain_text("Notification de la passerelle")
    expect(timeline.nth(2)).to_contain_text("payment.sent")
    expect(detail).to_contain_text(h.xaf(5000))
    no_sideways_scroll(admin, width)
    screenshot(admin, f"admin-payment-timeline-{width}")

    # Check now: queued for the worker, and the timeline follows its answer.
    admin.locator("#payment-check-now").click()
    expect(admin.get_by_text("Vérification demandée.").first).to_be_visible()
    expect(timeline).to_have_count(4, timeout=30_000)
    expect(timeline.nth(3)).to_contain_text("Vérification demandée")
    expect(admin.get_by_text(re.compile("Vérification terminée")).first).to_be_visible()
    admin.locator("#payment-close").click()
    expect(detail).to_have_count(0)
    with Session(live_db) as s:
        check_jobs = s.exec(select(Job).where(Job.kind == "payment.check",
                                              Job.dedupe_key.like(f"payment.check:{waiting.id}:%"))).all()
        assert len(check_jobs) == 1
        assert s.exec(select(AuditLog).where(AuditLog.action == "payment.check",
                                             AuditLog.target_id == waiting.id)).first() is not None
        sources = [e.source for e in s.exec(select(PaymentEvent).where(PaymentEvent.payment_id == waiting.id))]
        assert sources[-1] == "check"

    # Filter by status through the select, then export what is shown.
    admin.locator("form").filter(has=admin.locator("#payments-search")).get_by_role("combobox").first.click()
    admin.get_by_role("option", name="À vérifier").click()
    admin.locator("#payments-filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(flagged.reference)
    with admin.expect_download() as download:
        admin.locator("#payments-csv").click()
    text = download.value.path().read_text(encoding="utf-8")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [(r["reference"], r["status"], r["amount_xaf"], r["status_label"]) for r in exported] == \
        [(flagged.reference, "flagged", "10000", "À vérifier")]
