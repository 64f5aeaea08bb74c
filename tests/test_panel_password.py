"""Setting a hosting account's panel password: WHM `passwd` against the fake WHM, and the sandbox panel."""

from __future__ import annotations

import logging

import pytest

from kmerhosting.integrations.panels import AccountNotFound, PanelRejected, strong_password
from kmerhosting.integrations.panels.sandbox import SandboxPanel

from .fake_whm import (
    fake_whm_fixture,  # noqa: F401  (fixture)
    whm_certificates_fixture,  # noqa: F401  (fixture)
    whm_panel_fixture,  # noqa: F401  (fixture)
)


def test_change_password_posts_passwd_with_its_own_parameter_names(fake_whm, whm_panel):
    fake_whm.add_account("jeanmbarga", "jean-mbarga.cm")
    password = strong_password()

    whm_panel.change_password("jeanmbarga", password)

    (call,) = fake_whm.calls("passwd")
    assert call.method == "POST"
    assert "password" not in call.query and password not in call.path  # never in a URL
    assert fake_whm.params(call)["user"] == "jeanmbarga"
    assert fake_whm.accounts["jeanmbarga"]["password"] == password
    assert fake_whm.violations == []


def test_a_weak_password_is_refused_in_whm_words_without_the_password(fake_whm, whm_panel, caplog):
    fake_whm.add_account("jeanmbarga", "jean-mbarga.cm")
    caplog.set_level(logging.DEBUG)

    with pytest.raises(PanelRejected) as refused:
        whm_panel.change_password("jeanmbarga", "abcdefgh")

    assert refused.value.code == "weak_password"
    assert "too weak" in str(refused.value)
    assert "abcdefgh" not in str(refused.value) and "abcdefgh" not in caplog.text
    assert fake_whm.accounts["jeanmbarga"]["password"] == ""
    assert fake_whm.violations == []


def test_a_refusal_that_echoes_the_password_is_scrubbed(fake_whm, whm_panel):
    fake_whm.add_account("jeanmbarga", "jean-mbarga.cm")
    password = strong_password()
    fake_whm.fail("passwd", f"Cannot set password {password}: quota daemon busy")

    with pytest.raises(PanelRejected) as refused:
        whm_panel.change_password("jeanmbarga", password)

    assert password not in str(refused.value) and "***" in str(refused.value)
    assert refused.value.code == "rejected"


def test_change_password_of_an_unknown_account_is_account_not_found(fake_whm, whm_panel):
    with pytest.raises(AccountNotFound):
        whm_panel.change_password("nobodyhere", strong_password())


def test_the_sandbox_accepts_a_password_and_keeps_nothing(tmp_path):
    from kmerhosting.integrations.panels import AccountSpec

    panel = SandboxPanel(tmp_path)
    panel.create_account(AccountSpec(username="jeanmbarga", domain="jean-mbarga.cm", password="x" * 20,
                                     package="starter", email="jean@example.cm"))
    password = strong_password()

    panel.change_password("jeanmbarga", password)

    assert password not in "".join(p.read_text() for p in tmp_path.iterdir() if p.is_file())
    with pytest.raises(AccountNotFound):
        panel.change_password("nobodyhere", password)
