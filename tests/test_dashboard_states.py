"""The dashboard's handlers, called as the browser would (any arguments), without a browser."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kmerhosting.core import payments
from kmerhosting.core.errors import NotFound
from kmerhosting.core.sessions import create_session
from kmerhosting.models import CreditRequest, CreditRequestStatus, Order, Payment, ServiceStatus, User
from kmerhosting.state.dashboard import DashboardState
from kmerhosting.state.dashboard_billing import BillingState
from kmerhosting.state.dashboard_services import ServicesState
from kmerhosting.state.dashboard_settings import SettingsState
from tests.factories import in_language, make_pack, make_service, make_user, run_jobs


def logged_in(state_cls, session, user):
    state = state_cls()
    state.auth_token = create_session(session, user.id)
    session.commit()
    return state


def test_services_page_lists_only_my_services_with_alerts(session):
    me, other = make_user(session, credits=10_000), make_user(session)
    pack = make_pack(session, name="Starter")
    make_service(session, me, pack, days_left=200, domain="calm.cm", panel_url="https://panel.example.cm:2083")
    make_service(session, me, pack, days_left=12, domain="soon.cm")
    make_service(session, me, pack, days_left=-3, domain="gone.cm", status=ServiceStatus.expired)
    make_service(session, me, pack, days_left=100, domain="stop.cm", status=ServiceStatus.cancelled)
    make_service(session, other, pack, domain="not-mine.cm")
    state = logged_in(ServicesState, session, me)

    state.load()

    assert [r.domain for r in state.services] == ["gone.cm", "soon.cm", "calm.cm", "stop.cm"]
    rows = {r.domain: r for r in state.services}
    assert set(rows) == {"calm.cm", "soon.cm", "gone.cm", "stop.cm"}
    assert rows["calm.cm"].alert == "" and rows["calm.cm"].panel_url == "https://panel.example.cm:2083"
    assert rows["soon.cm"].alert == "orange" and rows["soon.cm"].days == "Expire dans 12\xa0jours"
    assert rows["gone.cm"].alert == "expired" and rows["gone.cm"].status_text == "Expiré"
    assert rows["gone.cm"].renewable and not rows["stop.cm"].renewable
    assert state.balance_text == "10\u202f000\xa0FCFA"
    in_language(state, "en")
    rows = {r.domain: r for r in state.services}
    assert rows["soon.cm"].days == "Expires in 12\xa0days" and rows["gone.cm"].status_text == "Expired"
    assert state.balance_text == "10,000\xa0FCFA"


def test_renewing_from_the_dialog_charges_once_even_when_clicked_twice(session):
    user = make_user(session, credits=50_000)
    service = make_service(session, user, make_pack(session, monthly_price=1000), days_left=10)
    state = logged_in(ServicesState, session, user)

    state.open_renew(service.id)
    assert state.renew_open and [o.months for o in state.renew_options] == [1, 3, 6, 12, 24, 36]
    assert state._renew_key and "_renew_key" not in state.get_delta().get(state.get_full_name(), {})
    state.choose_months(3)
    price = next(o.price for o in state.renew_options if o.months == 3)
    state.confirm_renew()
    state.confirm_renew()  # a second click after the dialog closed: no key, nothing charged

    session.expire_all()
    assert session.get(User, user.id).credits == 50_000 - price
    assert len(session.exec(select(Order)).all()) == 1
    assert not state.renew_open and state._balance == 50_000 - price
    assert "renewed until" in state.last_renewed or "renouvelé" in state.last_renewed


def test_the_dialog_refuses_someone_elses_service_and_bad_durations(session):
    owner, me = make_user(session, credits=50_000), make_user(session, credits=50_000)
    theirs = make_service(session, owner, make_pack(session))
    mine = make_service(session, me, make_pack(session))
    state = logged_in(ServicesState, session, me)

    state.open_renew(theirs.id)
    assert not state.renew_open and state._renew_key == ""
    state.open_renew(mine.id)
    state.choose_months("48")
    state.choose_months({"x": 1})
    assert state.renew_months in (1, 3, 6, 12, 24, 36)
    state.renew_months = 48  # a forged var: the server refuses the duration
    state.confirm_renew()
    assert state.renew_error
    session.expire_all()
    assert session.get(User, me.id).credits == 50_000


def test_not_enough_credits_keeps_the_dialog_open_with_the_reason(session):
    user = make_user(session, credits=500)
    service = make_service(session, user, make_pack(session, monthly_price=1000))
    state = logged_in(ServicesState, session, user)
    state.open_renew(service.id)
    state.choose_months(1)
    state.confirm_renew()
    assert state.renew_open and "500" in state.renew_error
    assert not state.renew_options[0].affordable


def test_handlers_do_nothing_without_a_login(session):
    user = make_user(session, credits=50_000)
    service = make_service(session, user, make_pack(session))
    state = ServicesState()
    state.auth_token = "forged-token"
    state.load()
    state.open_renew(service.id)
    assert state.services == [] and not state.renew_open
    billing = BillingState()
    billing.submit_request({"amount": "5000", "reference": "REF-1"})
    assert billing.form_error and session.exec(select(CreditRequest)).all() == []


def test_overview_shows_balance_and_next_expiry(session):
    user = make_user(session, credits=12_500)
    user.name = "Amina"
    session.add(user)
    session.commit()
    pack = make_pack(session)
    make_service(session, user, pack, days_left=300, domain="later.cm")
    make_service(session, user, pack, days_left=20, domain="next.cm")
    state = logged_in(DashboardState, session, user)
    state.load()
    assert state.balance_text == "12\u202f500\xa0FCFA" and state.hello == "Bonjour Amina"
    assert state.next_days == "Expire dans 20\xa0jours" and state.detail == "1 service à renouveler"
    assert in_language(state, "en").hello == "Hello Amina" and state.detail == "1 service to renew"
    assert state.next_domain == "next.cm" and state.attention == 1 and state.services_total == 2


def test_billing_form_creates_and_cancels_a_request(session):
    user = make_user(session, credits=3000)
    state = logged_in(BillingState, session, user)
    state.load()
    assert [r.kind for r in state.rows] == ["Recharge"] and state.page_label == "Page 1 sur 1"
    in_language(state, "en")
    assert [r.kind for r in state.rows] == ["Top-up"] and state.page_label == "Page 1 of 1"

    state.set_form_method("orange_money")
    state.submit_request({"amount": "10.5", "reference": "OM-123"})
    assert "whole number" in state.form_error or "entier" in state.form_error
    state.submit_request({"amount": "15 000", "reference": "OM-123"})
    assert state.form_error == "" and len(state.requests) == 1 and state.requests[0].pending
    req = session.exec(select(CreditRequest)).one()
    assert req.payment_method == "orange_money" and req.amount == 15_000

    state.cancel_request(req.id)
    session.refresh(req)
    assert req.status == CreditRequestStatus.cancelled and not state.requests[0].pending


def test_csv_download_is_the_whole_ledger(session):
    user = make_user(session, credits=3000)
    state = logged_in(BillingState, session, user)
    event = state.download_csv()
    assert "download" in str(event) and "kmerhosting-ledger" in str(event)


def test_settings_save_name_and_language(session):
    user = make_user(session)
    state = logged_in(SettingsState, session, user)
    state.load()
    state.set_language_choice("en")
    state.save_profile({"name": "  Jean   Mbarga ", "phone": ""})
    session.refresh(user)
    assert (user.name, user.language, state.lang) == ("Jean Mbarga", "en", "en")
    state.save_profile({"name": "x", "phone": ""})
    assert state.profile_error
    session.refresh(user)
    assert user.name == "Jean Mbarga"


def test_password_mismatch_is_caught_before_anything_else(session):
    user = make_user(session)
    state = logged_in(SettingsState, session, user)
    state.change_password({"current_password": "password-123", "new_password": "a-new-pass-1",
                           "confirm_password": "another-pass-1"})
    assert "match" in state.password_error or "identiques" in state.password_error


def test_a_bad_phone_number_is_refused_with_a_message(session):
    user = make_user(session)
    state = logged_in(SettingsState, session, user)
    state.load()
    state.save_profile({"name": user.name, "phone": "call me maybe"})
    assert state.profile_error
    state.save_profile({"name": ["not", "a", "string"], "phone": 5})
    assert state.profile_error
    session.refresh(user)
    assert user.phone == ""


def test_a_mobile_money_top_up_from_the_billing_page(session, sandbox_gateway):
    user = make_user(session, phone="699 12 34 56")
    state = logged_in(BillingState, session, user)
    state.load()
    assert state.topup_phone == "+237\xa06\xa099\xa012\xa034\xa056" and state.sandbox_gateway
    assert state.topup_limits == "Entre 500\xa0FCFA et 1\u202f000\u202f000\xa0FCFA."

    state.set_topup_operator("paypal")  # not an operator: ignored
    assert state.topup_operator == "mtn"
    state.start_topup({"amount": "5000", "phone": "699 12 34 56"})  # an Orange number, MTN chosen
    assert "opérateur choisi" in state.topup_error and session.exec(select(Payment)).all() == []
    state.set_topup_operator("orange")
    state.start_topup({"amount": "5 000", "phone": ["not", "text"]})
    assert state.topup_error.startswith("Numéro invalide")

    follow = state.start_topup({"amount": "5 000", "phone": "699 12 34 56"})
    assert follow is not None and state.topup_error == "" and state.topup_status == "created"
    assert state.topup_message == "Envoi de la demande à Orange Money…"
    assert state.start_topup({"amount": "5000", "phone": "699123456"}) is None  # one at a time
    state.new_topup()  # refused while the phone is asked
    assert state.topup_status == "created"
    assert len(session.exec(select(Payment)).all()) == 1

    run_jobs()  # the start: the phone rings
    payment = session.exec(select(Payment)).one()
    state._topup = payments.watch(user.id, payment.id).payment
    assert state.topup_message == "Confirmez sur votre téléphone (Orange\xa0: #150*50#)"
    assert state.topup_detail == ("Une demande de 5\u202f000\xa0FCFA a été envoyée au "
                                  "+237\xa06\xa099\xa012\xa034\xa056. Saisissez votre code secret pour l'accepter.")
    in_language(state, "en")
    assert state.topup_message == "Confirm on your phone (Orange: #150*50#)"

    payments.check_payment(payment.id, source="poll")  # the customer confirmed
    state.refresh_balance()  # what the page's timer asks: the new balance and the ledger
    assert state.balance_text == "5,000\xa0FCFA" and state.rows[0].reference == f"Mobile Money payment #{payment.id}"
    assert [r.status_text for r in state.payment_rows] == ["Received"]
    state._topup = payments.watch(user.id, payment.id).payment
    assert state.topup_message == "Payment received: 5,000\xa0FCFA added to your balance."
    state.new_topup()
    assert state.topup_status == "" and state.topup_key == 1


def test_another_customer_payment_cannot_be_followed(session, sandbox_gateway):
    owner, other = make_user(session), make_user(session)
    payment = payments.start_topup(session, owner.id, 5000, "mtn", "677123456")
    with pytest.raises(NotFound):
        payments.watch(other.id, payment.id)


def test_page_texts_follow_the_page_state_not_the_language_cookie():
    """No computed var reads BaseState.lang: Reflex would resend it, for every state of the app, at every
    hydrate (the language cookie is replayed). Each page state words its values in its own language."""
    import kmerhosting.kmerhosting  # noqa: F401  (every state)
    from kmerhosting.state.base import BaseState, Worded

    assert "lang" not in BaseState._var_dependencies and not BaseState._potentially_dirty_states
    todo, worded = [BaseState], []
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        worded += [cls] if issubclass(cls, Worded) else []
    assert ServicesState in worded and len(worded) >= 15


def test_a_switch_rewords_the_loaded_page_states_of_the_tab(session):
    from tests.test_accounts_support import make_state

    me = make_user(session, credits=10_000)
    make_service(session, me, make_pack(session), days_left=12, domain="soon.cm")
    token = create_session(session, me.id)
    session.commit()
    root, services = make_state(ServicesState, token=token, lang="en")
    services.load()
    assert services.services[0].days == "Expires in 12\xa0days" and services.balance_text == "10,000\xa0FCFA"
    base = services.parent_state
    billing = base.get_substate([BillingState.get_name()])  # in the tab, its page never loaded

    base.set_language("fr")

    assert services.services[0].days == "Expire dans 12\xa0jours" and services.balance_text == "10\u202f000\xa0FCFA"
    assert "balance_text" in services.dirty_vars  # sent in the switch's answer
    assert not billing._worded and "balance_text" not in billing.dirty_vars  # worded when its page loads


def test_a_page_in_the_default_language_recomputes_nothing_on_load():
    state = ServicesState()
    state.load()  # nobody logged in: nothing to show
    assert state._words_lang == "" and state._worded and state.renew_intro == ""
    assert not {"renew_options", "services"} & state.dirty_vars
