"""The cPanel/WHM client against a fake WHM speaking API 1 over HTTPS, and the sandbox panel.

Every WHM test asserts on what the fake received, so none can pass without the real client having
spoken to it; `violations` stays empty unless a test provokes one.
"""

from __future__ import annotations

import logging
import multiprocessing
import string
import time

import httpx
import pytest

from kmerhosting.integrations.panels import (
    USERNAME_MAX,
    AccountNotFound,
    AccountSpec,
    PanelAuthFailed,
    PanelRejected,
    PanelUnavailable,
    UsernameTaken,
    make_username,
    strong_password,
    username_problem,
)
from kmerhosting.integrations.panels.sandbox import SandboxPanel
from kmerhosting.integrations.panels.whm import WhmPanel

from .fake_whm import (
    WHM_TOKEN,
    FakeWhm,
    fake_whm_fixture,  # noqa: F401  (fixture)
    whm_certificates_fixture,  # noqa: F401  (fixture)
    whm_client,
    whm_panel_fixture,  # noqa: F401  (fixture)
)

PASSWORD = "Kmer-Test-Passw0rd-9x"


def spec(username: str = "jeanmbarga", domain: str = "jean-mbarga.cm", package: str = "kmer_starter") -> AccountSpec:
    return AccountSpec(username=username, domain=domain, password=PASSWORD, package=package,
                       email="jean@example.cm", contact_name="Jean Mbarga")


def api_calls(fake: FakeWhm) -> list[str]:
    return [r.operation for r in fake.requests]


# --- happy paths -----------------------------------------------------------------------------------


def test_create_account_sends_createacct_with_api1_names_and_the_token(fake_whm, whm_panel):
    account = whm_panel.create_account(spec())

    assert (account.username, account.domain, account.package) == ("jeanmbarga", "jean-mbarga.cm", "kmer_starter")
    assert account.ip == "192.0.2.10"
    [call] = fake_whm.calls("createacct")
    assert call.path == "/json-api/createacct"
    assert call.headers["authorization"] == f"whm root:{WHM_TOKEN}"
    assert call.query == {"api.version": "1"}           # the password is in the form body, not the URL
    assert call.method == "POST"
    assert fake_whm.params(call) == {"api.version": "1", "username": "jeanmbarga", "domain": "jean-mbarga.cm",
                                     "password": PASSWORD, "plan": "kmer_starter", "contactemail": "jean@example.cm"}
    assert PASSWORD not in call.path
    assert fake_whm.accounts["jeanmbarga"]["plan"] == "kmer_starter"
    assert fake_whm.violations == []


def test_find_account_is_an_exact_listaccts_search(fake_whm, whm_panel):
    fake_whm.add_account("jean", "jean.cm", "kmer_pro", disk_used_mb=14)
    fake_whm.add_account("jean2", "jean2.cm")

    account = whm_panel.find_account("jean")
    missing = whm_panel.find_account("jea")

    assert account is not None
    assert (account.username, account.domain, account.package) == ("jean", "jean.cm", "kmer_pro")
    assert (account.suspended, account.disk_used_mb, account.disk_limit_mb) == (False, 14, 5120)
    assert missing is None
    call = fake_whm.calls("listaccts")[0]
    assert call.method == "GET"
    assert call.query == {"api.version": "1", "search": "jean", "searchtype": "user", "searchmethod": "exact"}
    assert fake_whm.violations == []


def test_find_account_ignores_a_server_that_answers_a_regex_match(fake_whm, whm_panel):
    fake_whm.add_account("jean2", "jean2.cm")
    fake_whm.respond("listaccts", 200, {"metadata": {"result": 1, "reason": "OK", "version": 1,
                                                     "command": "listaccts"},
                                        "data": {"acct": [{"user": "jean2", "domain": "jean2.cm", "plan": "x"}]}})
    assert whm_panel.find_account("jean") is None


def test_suspend_unsuspend_change_package_and_terminate(fake_whm, whm_panel):
    fake_whm.add_account("jean", "jean.cm")

    whm_panel.suspend("jean", "Unpaid renewal")
    suspended = whm_panel.find_account("jean")
    whm_panel.unsuspend("jean")
    restored = whm_panel.find_account("jean")
    whm_panel.change_package("jean", "kmer_pro")
    upgraded = whm_panel.find_account("jean")
    whm_panel.terminate("jean")

    assert (suspended.suspended, suspended.suspend_reason) == (True, "Unpaid renewal")
    assert (restored.suspended, restored.suspend_reason) == (False, "")
    assert upgraded.package == "kmer_pro"
    assert whm_panel.find_account("jean") is None
    assert "jean" not in fake_whm.accounts
    sent = {r.operation: fake_whm.params(r) for r in fake_whm.requests if r.operation != "listaccts"}
    assert sent == {
        "suspendacct": {"api.version": "1", "user": "jean", "reason": "Unpaid renewal"},
        "unsuspendacct": {"api.version": "1", "user": "jean"},
        "changepackage": {"api.version": "1", "user": "jean", "pkg": "kmer_pro"},
        "removeacct": {"api.version": "1", "username": "jean"},
    }
    assert all(r.headers["authorization"] == f"whm root:{WHM_TOKEN}" for r in fake_whm.requests)
    assert fake_whm.violations == []


def test_login_url_is_a_one_time_session_the_fake_serves(fake_whm, whm_panel):
    fake_whm.add_account("jean", "jean.cm")

    login = whm_panel.login_url("jean")

    assert login.url.startswith(f"{fake_whm.url}/cpsess")
    assert login.expires_at is not None and login.expires_at.timestamp() > time.time()
    assert "session=" not in repr(login)
    assert fake_whm.params(fake_whm.calls("create_user_session")[0]) == {
        "api.version": "1", "user": "jean", "service": "cpaneld"}
    with httpx.Client(verify=_context(fake_whm.ca_file)) as browser:
        first = browser.get(login.url)
        second = browser.get(login.url)
    assert first.status_code == 200 and "Logged in as jean" in first.text
    assert second.status_code == 401


def _context(ca_file: str):
    import ssl

    return ssl.create_default_context(cafile=ca_file)


def test_usage_reads_accountsummary_and_showbw(fake_whm, whm_panel):
    fake_whm.add_account("jean", "jean.cm", "kmer_starter", disk_used_mb=300, bandwidth_bytes=50 * 1024 * 1024)

    usage = whm_panel.usage("jean")

    assert (usage.disk_used_mb, usage.disk_limit_mb) == (300, 1024)
    assert (usage.bandwidth_used_mb, usage.bandwidth_limit_mb) == (50, 10240)
    assert fake_whm.params(fake_whm.calls("accountsummary")[0]) == {"api.version": "1", "user": "jean"}
    assert fake_whm.params(fake_whm.calls("showbw")[0]) == {"api.version": "1", "searchtype": "user",
                                                             "search": "jean"}


def test_packages_and_test_connection(fake_whm, whm_panel):
    fake_whm.add_account("jean", "jean.cm")

    packages = {p.name: p for p in whm_panel.packages()}
    info = whm_panel.test_connection()

    assert packages["kmer_starter"].disk_limit_mb == 1024
    assert packages["kmer_business"].disk_limit_mb is None
    assert (info.kind, info.version, info.accounts) == ("cpanel", "11.124.0.21", 1)
    assert api_calls(fake_whm) == ["listpkgs", "version", "listaccts"]
    assert fake_whm.violations == []


# --- refusals (HTTP 200, result 0) ----------------------------------------------------------------


def test_a_refusal_is_http_200_with_result_0_and_carries_whms_words(fake_whm, whm_panel):
    fake_whm.fail("createacct", "Sorry, the server is out of IP addresses.")
    with pytest.raises(PanelRejected) as caught:
        whm_panel.create_account(spec())
    assert "out of IP addresses" in str(caught.value)
    assert caught.value.code == "rejected"
    assert not isinstance(caught.value, UsernameTaken)


def test_unknown_package_and_taken_domain_are_rejections(fake_whm, whm_panel):
    fake_whm.add_account("other", "jean-mbarga.cm")
    with pytest.raises(PanelRejected) as package:
        whm_panel.create_account(spec(username="newshop", domain="newshop.cm", package="gold"))
    with pytest.raises(PanelRejected) as domain:
        whm_panel.create_account(spec())
    assert package.value.code == "unknown_package"
    assert domain.value.code == "domain_taken"
    assert "jeanmbarga" not in fake_whm.accounts


def test_taken_usernames_raise_username_taken(fake_whm, whm_panel):
    fake_whm.add_account("jeanmbarga", "elsewhere.cm")
    fake_whm.system_groups.add("mbarga")          # a system group without an account

    with pytest.raises(UsernameTaken) as account:
        whm_panel.create_account(spec())
    with pytest.raises(UsernameTaken) as group:
        whm_panel.create_account(spec(username="mbarga", domain="mbarga.cm"))

    assert "a group for that username already exists" in str(account.value)
    assert group.value.code == "username_taken"


def test_reserved_usernames_are_refused_by_the_server(fake_whm, whm_panel):
    with pytest.raises(UsernameTaken) as reserved:
        whm_panel.create_account(spec(username="root", domain="root.cm"))
    with pytest.raises(PanelRejected) as test_prefix:
        whm_panel.create_account(spec(username="testshop", domain="testshop.cm"))
    assert reserved.value.code == "username_reserved"
    assert "test" in str(test_prefix.value)
    assert fake_whm.accounts == {}


def test_unknown_accounts_raise_account_not_found(fake_whm, whm_panel):
    for operation in (lambda: whm_panel.suspend("ghost", "x"), lambda: whm_panel.unsuspend("ghost"),
                      lambda: whm_panel.terminate("ghost"), lambda: whm_panel.change_package("ghost", "kmer_pro"),
                      lambda: whm_panel.login_url("ghost"), lambda: whm_panel.usage("ghost")):
        with pytest.raises(AccountNotFound):
            operation()
    assert fake_whm.violations == []


def test_without_api_version_the_answer_is_the_legacy_shape_which_the_client_refuses(fake_whm, whm_panel):
    legacy = whm_panel._http.get("/json-api/listpkgs")        # what a client that forgets api.version gets
    assert legacy.json() == {"package": []}
    assert any("api.version" in v for v in fake_whm.violations)

    fake_whm.respond("listpkgs", 200, {"package": [{"name": "kmer_starter"}]}, times=2)
    with pytest.raises(PanelUnavailable) as caught:
        whm_panel.packages()
    assert caught.value.code == "garbage"


def test_the_fake_refuses_a_wrong_parameter_name_with_result_0(fake_whm, whm_panel):
    """What the fake does to a client that sends createacct's `user` (the deprecated name)."""
    fake_whm.add_account("jean", "jean.cm")
    with pytest.raises(PanelRejected) as caught:
        whm_panel._call("removeacct", {"user": "jean"})
    assert "Missing parameter" in str(caught.value)
    assert "jean" in fake_whm.accounts
    assert any("removeacct: sent 'user'" in v for v in fake_whm.violations)


# --- lost answers, outages, credentials, TLS -------------------------------------------------------


def test_a_lost_createacct_answer_is_unknown_and_find_account_shows_the_account(fake_whm, whm_panel):
    fake_whm.hang("createacct", 1.0, apply=True)

    with pytest.raises(PanelUnavailable) as caught:
        whm_panel.create_account(spec())

    assert caught.value.code == "timeout"
    assert len(fake_whm.calls("createacct")) == 1            # never repeated by the client
    assert whm_panel.find_account("jeanmbarga").domain == "jean-mbarga.cm"
    # A blind retry is what the contract forbids: WHM then says the username is taken.
    with pytest.raises(UsernameTaken):
        whm_panel.create_account(spec())
    assert list(fake_whm.accounts) == ["jeanmbarga"]


def test_ensure_account_after_a_lost_answer_gives_exactly_one_account(fake_whm, whm_panel):
    fake_whm.hang("createacct", 1.0, apply=True)

    account, created = whm_panel.ensure_account(spec())
    again, created_again = whm_panel.ensure_account(spec())

    assert (account.username, created) == ("jeanmbarga", True)
    assert (again.username, created_again) == ("jeanmbarga", False)
    assert len(fake_whm.calls("createacct")) == 1
    assert list(fake_whm.accounts) == ["jeanmbarga"]


def test_ensure_account_when_the_create_never_arrived_raises_unavailable_and_creates_on_the_next_call(
        fake_whm, whm_panel):
    fake_whm.hang("createacct", 1.0, apply=False)

    with pytest.raises(PanelUnavailable):
        whm_panel.ensure_account(spec())
    account, created = whm_panel.ensure_account(spec())

    assert created and account.username == "jeanmbarga"
    assert len(fake_whm.accounts) == 1


def test_ensure_account_refuses_a_username_held_by_another_domain(fake_whm, whm_panel):
    fake_whm.add_account("jeanmbarga", "someone-else.cm")
    with pytest.raises(UsernameTaken):
        whm_panel.ensure_account(spec())
    assert fake_whm.calls("createacct") == []


def test_reads_are_asked_once_more_after_a_timeout(fake_whm, whm_panel):
    fake_whm.add_account("jean", "jean.cm")
    fake_whm.hang("listaccts", 1.0)

    assert whm_panel.find_account("jean").username == "jean"
    assert len(fake_whm.calls("listaccts")) == 2


def test_writes_are_not_repeated_after_a_timeout(fake_whm, whm_panel):
    fake_whm.add_account("jean", "jean.cm")
    fake_whm.hang("suspendacct", 1.0, apply=True)
    with pytest.raises(PanelUnavailable):
        whm_panel.suspend("jean", "late")
    assert len(fake_whm.calls("suspendacct")) == 1
    whm_panel.suspend("jean", "late")                        # repeating a suspend is harmless
    assert fake_whm.accounts["jean"]["suspended"] == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable(fake_whm, whm_panel, status):
    fake_whm.http_error("createacct", status)
    with pytest.raises(PanelUnavailable) as caught:
        whm_panel.create_account(spec())
    assert caught.value.code == f"http_{status}"


def test_an_html_answer_is_unavailable(fake_whm, whm_panel):
    fake_whm.garbage("listpkgs", times=2)
    with pytest.raises(PanelUnavailable) as caught:
        whm_panel.packages()
    assert caught.value.code == "garbage"


def test_a_panel_that_is_down_is_unavailable_and_back_when_up(fake_whm, whm_panel):
    fake_whm.down()
    with pytest.raises(PanelUnavailable) as caught:
        whm_panel.test_connection()
    assert caught.value.code == "connection"
    fake_whm.up()
    assert whm_panel.test_connection().version


def test_a_wrong_token_is_auth_failed(fake_whm):
    panel = whm_client(fake_whm, token="WRONG0TOKEN0123456789")
    with pytest.raises(PanelAuthFailed) as caught:
        panel.test_connection()
    assert caught.value.code == "unauthorized"
    assert fake_whm.requests[0].headers["authorization"] == "whm root:WRONG0TOKEN0123456789"
    assert len(fake_whm.requests) == 1                        # a refusal is not a timeout: not asked again
    panel.close()


def test_tls_verification_stays_on(fake_whm):
    untrusting = whm_client(fake_whm, ca_file=None)          # the system's CAs only
    with pytest.raises(PanelUnavailable) as caught:
        untrusting.test_connection()
    assert caught.value.code == "tls"
    assert fake_whm.requests == []                            # nothing, the token included, was sent
    untrusting.close()


def test_tls_verification_can_be_turned_off_explicitly(fake_whm):
    panel = WhmPanel("127.0.0.1", fake_whm.port, username="root", token=WHM_TOKEN, verify_tls=False, timeout=1)
    assert panel.test_connection().accounts == 0
    panel.close()


# --- secrets ---------------------------------------------------------------------------------------


def test_secrets_stay_out_of_errors_reprs_and_logs(fake_whm, whm_panel, caplog):
    caplog.set_level(logging.DEBUG)
    fake_whm.fail("createacct", f"Sorry, the password {PASSWORD} is too weak.")
    errors = []
    with pytest.raises(PanelRejected) as refused:
        whm_panel.create_account(spec())
    errors.append(refused.value)
    fake_whm.hang("createacct", 1.0, apply=True)
    with pytest.raises(PanelUnavailable) as lost:
        whm_panel.create_account(spec())
    errors.append(lost.value)
    with pytest.raises(PanelAuthFailed) as denied:
        whm_client(fake_whm, token="ANOTHER0SECRET0TOKEN").test_connection()
    errors.append(denied.value)
    fake_whm.down()
    with pytest.raises(PanelUnavailable) as down:
        whm_panel.create_account(spec("other", "other.cm"))
    errors.append(down.value)

    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(whm_panel), repr(spec())]
    texts += [r.getMessage() for r in caplog.records]
    for text in texts:
        for secret in (WHM_TOKEN, PASSWORD, "ANOTHER0SECRET0TOKEN"):
            assert secret not in text, text
    assert "***" in str(refused.value)


# --- usernames and passwords -----------------------------------------------------------------------


@pytest.mark.parametrize("domain, taken, expected", [
    ("jean-mbarga.cm", set(), "jeanmbarga"),
    ("jean-mbarga.cm", {"jeanmbarga"}, "jeanmbarga1"),
    ("jean-mbarga.cm", {"jeanmbarga", "jeanmbarga1"}, "jeanmbarga2"),
    ("JEAN-MBARGA.CM.", set(), "jeanmbarga"),
    ("www.jean-mbarga.cm", set(), "jeanmbarga"),
    ("123shop.com", set(), "a123shop"),
    ("test.cm", set(), "atest"),
    ("testing-site.cm", set(), "atestingsite"),
    ("a.cm", set(), "a"),
    ("a.cm", {"a"}, "a1"),
    ("très-long-nom-de-domaine-camerounais.com", set(), "treslongnomdedom"),
    ("très-long-nom-de-domaine-camerounais.com", {"treslongnomdedom"}, "treslongnomdedo1"),
    ("très-long-nom-de-domaine-camerounais.com", {"treslongnomdedom"} | {f"treslongnomdedo{i}" for i in range(1, 10)},
     "treslongnomded10"),
    ("xn--trs-7la.cm", set(), "tres"),
    ("root.cm", set(), "root1"),
    ("admin.com", set(), "admin1"),
    ("cpanel.cm", set(), "acpanel"),
    ("mysql.cm", {"mysql1"}, "mysql2"),
    ("---.cm", set(), "site"),
    ("mypassword.cm", set(), "mypasswor"),
    ("shop.example.co.cm", set(), "shopexampleco"),
])
def test_make_username(domain, taken, expected):
    name = make_username(domain, taken)
    assert name == expected
    assert username_problem(name) is None
    assert len(name) <= USERNAME_MAX


def test_make_username_asks_a_function_and_honours_a_shorter_limit():
    asked = []

    def taken(name: str) -> bool:
        asked.append(name)
        return name in {"jeanmbar", "jeanmba1"}

    assert make_username("jean-mbarga.cm", taken, max_length=8) == "jeanmba2"
    assert asked == ["jeanmbar", "jeanmba1", "jeanmba2"]


@pytest.mark.parametrize("name", ["", "Jean", "1jean", "jean-mbarga", "testing", "root", "cpanelx",
                                  "mypassword", "a" * 17])
def test_username_problem_refuses_what_cpanel_refuses(name):
    assert username_problem(name) is not None


def test_strong_password():
    passwords = {strong_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) >= 14
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password) and any(c in "-_.!@*~^" for c in password)
        assert password[0].isalpha()
        assert not set(password) & set("'\"`\\ &=+%#?/<>;$")
        assert set(password) <= set(string.ascii_letters + string.digits + "-_.!@*~^")
    assert len(strong_password(32)) == 32
    with pytest.raises(ValueError):
        strong_password(8)


def test_a_generated_password_survives_the_wire(fake_whm, whm_panel):
    password = strong_password()
    whm_panel.create_account(AccountSpec("jean", "jean.cm", password, "kmer_starter", "j@jean.cm"))
    assert fake_whm.accounts["jean"]["password"] == password


# --- the sandbox panel -----------------------------------------------------------------------------


def test_sandbox_behaves_like_a_panel_across_two_instances(tmp_path):
    web = SandboxPanel(tmp_path, public_base_url="https://shop.example.cm/")
    worker = SandboxPanel(tmp_path)

    account, created = worker.ensure_account(spec())
    assert created and web.is_test and web.kind == "sandbox"
    assert web.find_account("jeanmbarga") == account
    assert web.ensure_account(spec()) == (account, False)
    with pytest.raises(UsernameTaken):
        web.create_account(spec())
    with pytest.raises(UsernameTaken):
        web.create_account(spec(username="root", domain="root.cm"))
    with pytest.raises(PanelRejected):
        web.create_account(spec(username="Bad-Name", domain="bad.cm"))

    worker.suspend("jeanmbarga", "Unpaid")
    assert web.find_account("jeanmbarga").suspended
    web.unsuspend("jeanmbarga")
    worker.change_package("jeanmbarga", "pro")
    seen = worker.find_account("jeanmbarga")
    assert (seen.suspended, seen.package) == (False, "pro")
    worker.set_usage("jeanmbarga", disk_used_mb=120)
    assert web.usage("jeanmbarga").disk_used_mb == 120
    assert web.login_url("jeanmbarga").url == "https://shop.example.cm/sandbox-panel?user=jeanmbarga"
    assert web.test_connection().accounts == 1
    assert "pro" in {p.name for p in web.packages()}

    web.terminate("jeanmbarga")
    assert worker.find_account("jeanmbarga") is None
    with pytest.raises(AccountNotFound):
        worker.terminate("jeanmbarga")
    with pytest.raises(AccountNotFound):
        worker.login_url("jeanmbarga")
    assert "password" not in (tmp_path / "sandbox-panel.json").read_text()


def test_sandbox_restricted_packages(tmp_path):
    panel = SandboxPanel(tmp_path, packages=["starter"])
    with pytest.raises(PanelRejected):
        panel.create_account(spec(package="gold"))
    assert [p.name for p in panel.packages()] == ["starter"]


def _create_many(directory: str, prefix: str, count: int) -> None:
    panel = SandboxPanel(directory)
    for i in range(count):
        panel.create_account(spec(f"{prefix}{i}", f"{prefix}{i}.cm"))


def test_sandbox_processes_never_lose_each_others_accounts(tmp_path):
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_create_many, args=(str(tmp_path), prefix, 15)) for prefix in "abcd"]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    assert SandboxPanel(tmp_path).test_connection().accounts == 60
