"""The display layer (`i18n/display.py`): every format in both languages, as a person reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kmerhosting.core.calendar_months import days_left
from kmerhosting.core.domains import customer_domains
from kmerhosting.core.renewals import expiry_info
from kmerhosting.i18n import display
from kmerhosting.models import DomainPurchase, RegistrarStatus, TransactionKind, PaymentMethod, ServiceStatus

NB, NNB = "\u00a0", "\u202f"  # no-break space, narrow no-break space


@pytest.mark.parametrize("amount,fr,en", [
    (0, f"0{NB}FCFA", f"0{NB}FCFA"),
    (500, f"500{NB}FCFA", f"500{NB}FCFA"),
    (40500, f"40{NNB}500{NB}FCFA", f"40,500{NB}FCFA"),
    (1250000, f"1{NNB}250{NNB}000{NB}FCFA", f"1,250,000{NB}FCFA"),
    (-5000, f"-5{NNB}000{NB}FCFA", f"-5,000{NB}FCFA"),  # a negative adjustment
])
def test_money_is_integer_xaf_with_spaces_that_never_break(amount, fr, en):
    assert display.money(amount, "fr") == fr
    assert display.money(amount, "en") == en


def test_a_signed_amount_says_plus_for_a_credit_and_minus_for_a_debit():
    assert display.money(2500, "fr", signed=True) == f"+2{NNB}500{NB}FCFA"
    assert display.money(-2500, "en", signed=True) == f"-2,500{NB}FCFA"
    assert display.money(0, "en", signed=True) == f"0{NB}FCFA"


def test_money_refuses_anything_but_an_integer():
    for wrong in (12.5, "12", True, None):
        with pytest.raises(TypeError):
            display.money(wrong, "fr")


@pytest.mark.parametrize("value,fr,en", [(0, "0", "0"), (999, "999", "999"), (15000, f"15{NNB}000", "15,000"),
                                         (-1234567, f"-1{NNB}234{NNB}567", "-1,234,567")])
def test_numbers_are_grouped(value, fr, en):
    assert (display.number(value, "fr"), display.number(value, "en")) == (fr, en)


def test_percent_and_discount():
    assert display.percent(1.0, "fr") == f"100,0{NB}%" and display.percent(1.0, "en") == "100.0%"
    assert display.percent(0, "fr") == f"0,0{NB}%" and display.percent(0.125, "en") == "12.5%"
    assert display.discount(5, "fr") == f"-5{NB}%" and display.discount(5, "en") == "-5%"


def test_dates_are_local_to_douala_and_do_not_break():
    late_utc = datetime(2026, 11, 3, 23, 30, tzinfo=UTC)  # already the 4th in Douala (UTC+1)
    assert display.date(late_utc, "fr") == f"4{NB}nov.{NB}2026"
    assert display.date(late_utc, "en") == f"4{NB}Nov{NB}2026"
    assert display.datetime_(late_utc, "fr") == f"4{NB}nov.{NB}2026, 00:30"
    assert display.date(late_utc.replace(tzinfo=None), "fr") == f"4{NB}nov.{NB}2026"  # naive = UTC (SQLite)
    assert display.date(date(2026, 1, 31), "en") == f"31{NB}Jan{NB}2026"
    assert display.date(None, "fr") == "" and display.iso_date(late_utc) == "2026-11-04"


def test_periods_of_a_report():
    assert display.period("2026-11-03", "fr") == f"3{NB}nov." and display.period("2026-11", "en") == f"Nov{NB}2026"
    assert display.period("2026", "fr") == "2026"


@pytest.mark.parametrize("n,fr,en", [(1, f"1{NB}mois", f"1{NB}month"), (12, f"12{NB}mois", f"12{NB}months"),
                                     (0, f"0{NB}mois", f"0{NB}months")])
def test_months_with_real_plurals(n, fr, en):
    assert (display.months(n, "fr"), display.months(n, "en")) == (fr, en)


def test_years_and_days_with_real_plurals():
    assert display.years(1, "fr") == f"1{NB}an" and display.years(2, "fr") == f"2{NB}ans"
    assert display.years(1, "en") == f"1{NB}year" and display.years(3, "en") == f"3{NB}years"
    assert display.days(1, "fr") == f"1{NB}jour" and display.days(365, "fr") == f"365{NB}jours"
    assert display.days(0, "fr") == f"0{NB}jour" and display.days(0, "en") == f"0{NB}days"  # CLDR: 0 is "one" in fr


def test_counted_phrases_follow_cldr():
    assert display.count("pack.databases", 1, "fr") == "1 base de données"
    assert display.count("pack.databases", 0, "fr") == "0 base de données"
    assert display.count("pack.databases", 5, "fr") == "5 bases de données"
    assert display.count("pack.databases", 0, "en") == "0 databases"
    assert display.count("pack.databases", 1, "en") == "1 database"


def test_expiry_words_on_every_day_around_the_expiry():
    assert display.expiry(365, False, "fr") == f"Expire dans 365{NB}jours"
    assert display.expiry(1, False, "fr") == f"Expire dans 1{NB}jour"  # the last day before expiry
    assert display.expiry(1, False, "en") == f"Expires in 1{NB}day"
    assert display.expiry(0, False, "fr") == "Expire aujourd'hui"  # the day of expiry, before the hour
    assert display.expiry(0, True, "en") == "Expired today"  # the day of expiry, after the hour
    assert display.expiry(-1, True, "fr") == f"Expiré depuis 1{NB}jour"
    assert display.expiry(-3, True, "en") == f"Expired 3{NB}days ago"


def test_one_rule_for_days_left_for_services_and_domains(session):
    """The day before expiry says 1, the day itself 0, whatever the hours: services and domains agree."""
    from tests.factories import make_user

    now = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # 10:00 in Douala
    tomorrow_early = datetime(2026, 11, 3, 23, 30, tzinfo=UTC)  # 00:30 on the 4th in Douala
    today_late = datetime(2026, 11, 3, 21, 0, tzinfo=UTC)  # 22:00 on the 3rd in Douala
    year_ahead = now + timedelta(days=365) - timedelta(hours=1)  # less than 365 x 24 h, still 365 days
    assert days_left(tomorrow_early, now) == 1
    assert days_left(today_late, now) == 0
    assert days_left(year_ahead, now) == 365
    assert expiry_info(year_ahead, now).days_left == 365

    user = make_user(session)
    real_now = datetime.now(UTC)
    session.add(DomainPurchase(user_id=user.id, domain="un-an.cm", price=1, registrar="sandbox",
                               registrar_status=RegistrarStatus.registered,
                               expires_at=real_now + timedelta(days=365) - timedelta(minutes=5)))
    session.commit()
    (domain,) = customer_domains(session, user.id)
    service_days = expiry_info(domain.expires_at, real_now).days_left
    assert domain.days_left == service_days and abs(domain.days_left - 365) <= 1 and not domain.expired


def test_every_enum_value_has_words_in_both_languages():
    from kmerhosting.integrations.mail.templates import TEMPLATES

    groups = {"transaction_kind": TransactionKind, "payment_method": PaymentMethod,
              "service_status": ServiceStatus, "registrar_status": RegistrarStatus,
              "request_status": ["pending", "approved", "rejected", "cancelled"], "mail_kind": list(TEMPLATES)}
    for group, values in groups.items():
        for value in values:
            assert display.label_of(group, value), (group, value)
            fr, en = display.label(group, value, "fr"), display.label(group, value, "en")
            assert "_" not in fr and "_" not in en and fr and en
    assert display.label("transaction_kind", "purchase", "fr") == "Achat"
    assert display.label("transaction_kind", "purchase", "en") == "Purchase"
    assert display.label("mail_kind", "verify_email", "fr") == "Vérification de l'adresse"


@pytest.mark.parametrize("ref,fr,en,link", [
    ("order:12", f"Commande n°{NB}12", "Order #12", "/dashboard/services"),
    ("REN-2", f"Renouvellement n°{NB}2", "Renewal #2", "/dashboard/services"),
    ("request:1", f"Demande de crédits n°{NB}1", "Credit request #1", "/dashboard/billing"),
    ("domain-renew:4", f"Renouvellement de domaine n°{NB}4", "Domain renewal #4", "/dashboard/domains"),
    ("admin:1", "Par l'équipe KmerHosting", "By the KmerHosting team", ""),
    ("MP241124.1530.A1B2", "MP241124.1530.A1B2", "MP241124.1530.A1B2", ""),  # the customer's own reference
])
def test_ledger_references_in_words_with_a_link_where_one_exists(ref, fr, en, link):
    assert display.reference(ref, "fr") == (fr, link)
    assert display.reference(ref, "en") == (en, link)


def test_ledger_descriptions_have_durations_in_words():
    assert display.description("Starter 12m shop.cm", "fr") == f"Starter 12{NB}mois shop.cm"
    assert display.description("shop.cm 1y", "en") == f"shop.cm 1{NB}year"
    assert display.description("Starter · shop.cm · 1", "fr") == f"Starter · shop.cm · 1{NB}mois"
    assert display.description("Domain renewal shop.cm (2 y)", "fr") == f"Renouvellement de shop.cm (2{NB}ans)"
    assert display.description("refund shop.cm", "en") == "Refund of shop.cm"
    assert display.description("Geste commercial", "en") == "Geste commercial"  # an admin's own words


def test_chart_ticks_are_round_and_cover_the_highest_value():
    assert display.chart_ticks(0) == [0]
    ticks = display.chart_ticks(45000)
    assert ticks[0] == 0 and ticks[-1] >= 45000 and all(t % 1000 == 0 for t in ticks)


def test_an_audit_row_reads_as_who_did_what_to_whom_with_a_readable_before_after():
    assert display.audit_sentence("Awa Admin", "user.block", "Jean Mbarga (jean@example.cm)", "fr") == \
        "Awa Admin a bloqué le compte Jean Mbarga (jean@example.cm)"
    assert display.audit_sentence("", "pack.update", "Starter", "en") == "The system changed the plan Starter"
    assert display.changes({"credits": 5000}, {"credits": 7500, "amount": 2500}, "user", "fr") == [
        f"Solde{NB}: 5{NNB}000{NB}FCFA → 7{NNB}500{NB}FCFA", f"Montant{NB}: 2{NNB}500{NB}FCFA"]
    assert display.changes({"status": "active"}, {"status": "blocked"}, "user", "en") == ["Status: Active → Blocked"]
    assert display.changes({"is_active": True, "name": "A"}, {"is_active": False, "name": "A"}, "pack", "fr") == [
        f"En vente{NB}: oui → non"]  # what did not change is left out
    assert display.changes({"discounts": {"12": 10}}, {"discounts": {"12": 15}}, "pack", "en") == [
        f"Discounts: 12{NB}months: -10% → 12{NB}months: -15%"]


def test_a_french_colon_has_a_no_break_space_before_it():
    assert display.colon("fr") == f"{NB}: " and display.colon("en") == ": "


@pytest.mark.parametrize("mb,fr,en", [
    (0, f"0{NNB}Mo", f"0{NB}MB"),
    (512, f"512{NNB}Mo", f"512{NB}MB"),
    (1229, f"1,2{NNB}Go", f"1.2{NB}GB"),
    (10240, f"10{NNB}Go", f"10{NB}GB"),
    (1536 * 1024, f"1,5{NNB}To", f"1.5{NB}TB"),
])
def test_a_size_in_megabytes_reads_in_the_largest_fitting_unit(mb, fr, en):
    assert display.size(mb, "fr") == fr
    assert display.size(mb, "en") == en


def test_usage_says_used_of_limit_in_both_languages():
    assert display.usage(1229, 10240, "fr") == f"1,2{NNB}Go sur 10{NNB}Go"
    assert display.usage(1229, 10240, "en") == f"1.2{NB}GB of 10{NB}GB"
    assert display.usage(300, None, "fr") == f"300{NNB}Mo sur illimité"
    assert display.usage(300, None, "en") == f"300{NB}MB of unlimited"
    assert display.usage(None, 10240, "fr") == ""
