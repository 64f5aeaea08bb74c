import subprocess
import sys

import pytest

from kmerhosting.config import ConfigError, PROJECT_ROOT, load_settings

PROD_OK = {
    "KMER_ENV": "production",
    "DATABASE_URL": "mysql+pymysql://shop:pw@127.0.0.1/shop",
    "SECRET_KEY": "x" * 40,
    "PUBLIC_BASE_URL": "https://kmerhosting.cm",
    "MAIL_BACKEND": "smtp",
    "SMTP_HOST": "smtp.example.cm",
    "PAYMENT_GATEWAY": "notchpay",
    "NOTCHPAY_PUBLIC_KEY": "pk.live-key",
    "NOTCHPAY_WEBHOOK_HASH": "hash-key",
}


def test_defaults_need_no_configuration():
    s = load_settings({})
    assert s.database_url.startswith("sqlite:///")
    assert s.mail_backend == "outbox" and s.registrar == "sandbox"
    assert s.reminder_days == (60, 30, 15, 5)
    assert s.default_language == "fr" and s.currency == "XAF"
    assert s.duration_discounts[1] == 0 and set(s.duration_discounts) == {1, 3, 6, 12, 24, 36}


def test_complete_production_settings_load():
    s = load_settings(PROD_OK)
    assert s.is_production and s.public_base_url == "https://kmerhosting.cm"


@pytest.mark.parametrize("missing", ["DATABASE_URL", "SECRET_KEY", "PUBLIC_BASE_URL"])
def test_production_refuses_a_missing_required_setting(missing):
    env = {k: v for k, v in PROD_OK.items() if k != missing}
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert err.value.setting == missing and missing in str(err.value)


@pytest.mark.parametrize("name, value", [
    ("SECRET_KEY", "short"),
    ("DATABASE_URL", "postgres://x"),
    ("PUBLIC_BASE_URL", "kmerhosting.cm"),
    ("REMINDER_DAYS", "60,trente"),
    ("SMTP_PORT", "abc"),
    ("DURATION_DISCOUNTS", "12=15,7=5"),
    ("DURATION_DISCOUNTS", "12=150"),
    ("NOTIFIER_DAILY_AT", "25:00"),
    ("MAIL_BACKEND", "pigeon"),
    ("MAILTRAP_SANDBOX", "maybe"),
    ("DOMAIN_TLDS", ".cm,.c0m!"),
    ("DOMAIN_PRICES_XAF", ".cm:15000"),
    ("ADMIN_EMAIL", "not-an-email"),
    ("CREDIT_REQUEST_MAX", "10"),
    ("SESSION_IDLE_MINUTES", "5"),  # below the 5-minute step at which the last activity is recorded
    ("SESSION_IDLE_MINUTES", "deux heures"),
    ("CART_VISITOR_DAYS", "0"),
])
def test_a_malformed_setting_is_named(name, value):
    with pytest.raises(ConfigError) as err:
        load_settings({**PROD_OK, name: value})
    assert err.value.setting == name


def test_backend_specific_settings_are_required_when_chosen():
    with pytest.raises(ConfigError, match="MAILTRAP_TOKEN"):
        load_settings({"MAIL_BACKEND": "mailtrap"})
    with pytest.raises(ConfigError, match="MAILTRAP_INBOX_ID"):
        load_settings({"MAIL_BACKEND": "mailtrap", "MAILTRAP_TOKEN": "t", "MAILTRAP_SANDBOX": "true"})
    with pytest.raises(ConfigError, match="DNA_USERNAME"):
        load_settings({"REGISTRAR": "dna"})
    with pytest.raises(ConfigError, match="MAIL_BACKEND"):
        load_settings({**PROD_OK, "MAIL_BACKEND": "outbox"})


def test_lists_and_maps_are_parsed():
    s = load_settings({"REMINDER_DAYS": "5, 60,30", "DOMAIN_TLDS": "cm, .COM", "DOMAIN_PRICES_XAF": "cm=12000,.com=8000",
                       "DURATION_DISCOUNTS": "12=20"})
    assert s.reminder_days == (60, 30, 5)
    assert s.domain_tlds == (".cm", ".com")
    assert s.domain_prices_xaf == {".cm": 12000, ".com": 8000}
    assert s.duration_discounts[12] == 20 and s.duration_discounts[3] == 0


def test_the_app_refuses_to_start_with_a_bad_setting_and_names_it():
    env = {"PATH": "/usr/bin:/bin", "KMER_ENV_FILE": "/nonexistent", **PROD_OK, "SECRET_KEY": "short"}
    proc = subprocess.run([sys.executable, "-m", "kmerhosting.manage", "check"], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "SECRET_KEY" in proc.stderr


def test_the_env_file_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    from kmerhosting.config import read_environment

    env_file = tmp_path / ".env"
    env_file.write_text("REMINDER_DAYS=40,20\nCURRENCY=XAF\n")
    monkeypatch.setenv("KMER_ENV_FILE", str(env_file))
    monkeypatch.setenv("CURRENCY", "xaf")
    env = read_environment()
    assert env["REMINDER_DAYS"] == "40,20" and env["CURRENCY"] == "xaf"
    assert load_settings(env).reminder_days == (40, 20)


def test_env_example_lists_every_setting_the_app_reads():
    """A newcomer configures the shop from .env.example: a setting missing there is a setting nobody finds."""
    import re

    from kmerhosting.config import PROJECT_ROOT

    source = (PROJECT_ROOT / "kmerhosting" / "config.py").read_text()
    read = set(re.findall(r'env(?:\.get)?\(?\s*(?:env,\s*)?"([A-Z][A-Z0-9_]+)"', source))
    read |= set(re.findall(r'(?:_int|_float|_bool|_choice|_int_list|_tlds|_mapping|required)\((?:env, )?"([A-Z][A-Z0-9_]+)"',
                           source))
    example = (PROJECT_ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))
    assert len(read) > 40 and read - listed == set()


def test_payment_gateway_settings():
    assert load_settings({}).payment_gateway == "sandbox"
    with pytest.raises(ConfigError) as err:
        load_settings({**PROD_OK, "PAYMENT_GATEWAY": "sandbox"})
    assert err.value.setting == "PAYMENT_GATEWAY"  # the sandbox credits without money
    with pytest.raises(ConfigError) as err:
        load_settings({"PAYMENT_GATEWAY": "campay", "CAMPAY_USERNAME": "app"})
    assert err.value.setting == "CAMPAY_PASSWORD"
    with pytest.raises(ConfigError) as err:
        load_settings({"TOPUP_MIN": "5000", "TOPUP_MAX": "1000"})
    assert err.value.setting == "TOPUP_MAX"
    s = load_settings({"PAYMENT_GATEWAY": "campay", "CAMPAY_USERNAME": "app", "CAMPAY_PASSWORD": "pw",
                       "CAMPAY_WEBHOOK_KEY": "k", "CAMPAY_ENDPOINT": "http://127.0.0.1:9/"})
    assert s.campay_endpoint == "http://127.0.0.1:9" and s.topup_min == 500
