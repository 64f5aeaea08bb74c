"""The shop's settings, read once from the environment (and `.env` when present).

`load_settings(environ)` is a pure function so tests can feed it any mapping; `get_settings()`
is the cached instance the app, the jobs and core use. In production mode a missing or malformed
required setting raises `ConfigError` naming the setting, and the app refuses to start.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = ("fr", "en")
DURATIONS = (1, 3, 6, 12, 24, 36)
DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0000"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the setting."""

    def __init__(self, setting: str, problem: str):
        self.setting = setting
        super().__init__(f"Configuration error: {setting} {problem}")


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'kmerhosting.db'}"
    secret_key: str = DEV_SECRET_KEY
    public_base_url: str = "http://localhost:3000"
    default_language: str = "fr"
    currency: str = "XAF"
    timezone: str = "Africa/Douala"

    # Mail
    mail_backend: str = "outbox"
    mail_from_email: str = "no-reply@kmerhosting.cm"
    mail_from_name: str = "KmerHosting"
    mailtrap_token: str = ""
    mailtrap_sandbox: bool = False
    mailtrap_inbox_id: int | None = None
    mailtrap_api_host: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: str = "starttls"
    smtp_timeout: float = 15.0

    # Registrar
    registrar: str = "sandbox"
    dna_username: str = ""
    dna_password: str = ""
    dna_endpoint: str = "https://whmcs.domainnameapi.com/DomainApi.svc"
    dna_timeout: float = 20.0
    domain_tlds: tuple[str, ...] = (".cm", ".com", ".net", ".org")
    domain_pricing: str = "fixed"
    domain_prices_xaf: Mapping[str, int] = field(
        default_factory=lambda: {".cm": 15000, ".com": 9000, ".net": 10000, ".org": 10000}
    )
    domain_api_rate_xaf: int = 610
    domain_api_margin_percent: int = 20
    domain_ns: tuple[str, ...] = ("ns1.kmerhosting.cm", "ns2.kmerhosting.cm")
    domain_quote_minutes: int = 30
    registrar_wait_seconds: float = 25.0

    # Mobile Money top-ups (integrations/payments)
    payment_gateway: str = "sandbox"
    notchpay_public_key: str = ""
    notchpay_private_key: str = ""
    notchpay_webhook_hash: str = ""
    notchpay_endpoint: str = "https://api.notchpay.co"
    campay_username: str = ""
    campay_password: str = ""
    campay_webhook_key: str = ""
    campay_endpoint: str = "https://demo.campay.net"
    payment_timeout: float = 20.0
    topup_min: int = 500
    topup_max: int = 1_000_000
    payment_deadline_minutes: int = 10
    payment_poll_seconds: int = 5

    # Hosting accounts on the servers' control panels (core/provisioning.py)
    panel_timeout: float = 90.0  # createacct can take a minute on a busy server
    panel_sandbox_dir: str = str(PROJECT_ROOT / ".sandbox-panel")
    provision_terminate_days: int = 30  # after cancellation, before the account is removed from its server

    # Durable jobs (jobs/worker.py)
    job_lease_seconds: int = 300
    job_max_attempts: int = 10
    worker_poll_seconds: float = 1.0

    # Shop
    duration_discounts: Mapping[int, int] = field(
        default_factory=lambda: {1: 0, 3: 5, 6: 10, 12: 15, 24: 20, 36: 25}
    )
    new_service_status: str = "pending"
    credit_request_min: int = 1000
    credit_request_max: int = 5_000_000
    cart_visitor_days: int = 30

    # Reminders and notifier
    reminder_days: tuple[int, ...] = (60, 30, 15, 5)
    notifier_daily_at: str = "08:00"
    notifier_retry_minutes: int = 30
    notifier_grace_days: int = 15
    notifier_batch_size: int = 500
    notifier_catchup_days: int = 10
    notifier_after_days: tuple[int, ...] = (3, 10)
    notifier_max_attempts: int = 10

    # Accounts
    session_days: int = 30
    session_idle_minutes: int = 120
    verify_token_hours: int = 48
    reset_token_minutes: int = 60
    admin_email: str = ""
    admin_password: str = ""
    admin_name: str = "Administrateur"

    # Tests: a file to which the running app appends the name of each event handler it runs
    # (kmerhosting/event_recorder.py). Empty: nothing is recorded and nothing is installed.
    record_events: str = ""

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


# --- parsing helpers: each names the setting it complains about -------------------------------


def _int(env: Mapping[str, str], name: str, default: int, minimum: int | None = None) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(name, "must be positive")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(name, f"must be true or false, got {raw!r}")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower() or default
    if raw not in choices:
        raise ConfigError(name, f"must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _int_list(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        values = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ConfigError(name, f"must be a comma-separated list of integers, got {raw!r}") from None
    if not values or any(v <= 0 for v in values):
        raise ConfigError(name, "must list positive integers")
    return tuple(sorted(set(values), reverse=True))


def _tlds(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    tlds = []
    for part in raw.split(","):
        part = part.strip().lower()
        if not part:
            continue
        part = part if part.startswith(".") else "." + part
        if not re.fullmatch(r"\.[a-z]{2,24}(\.[a-z]{2,24})?", part):
            raise ConfigError(name, f"has an invalid TLD {part!r}")
        tlds.append(part)
    if not tlds:
        raise ConfigError(name, "must list at least one TLD")
    return tuple(dict.fromkeys(tlds))


def _mapping(env: Mapping[str, str], name: str, default: Mapping, key_type) -> dict:
    """Parse `k=v,k=v` into a dict of integers (values) keyed by `key_type`."""
    raw = env.get(name, "").strip()
    if not raw:
        return dict(default)
    result = {}
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ConfigError(name, f"must look like key=value,key=value; bad part {part!r}")
        try:
            k = key_type(key.strip())
            v = int(value.strip())
        except ValueError:
            raise ConfigError(name, f"has a malformed entry {part!r}") from None
        if v < 0:
            raise ConfigError(name, f"has a negative value in {part!r}")
        result[k] = v
    return result


def _tld_key(key: str) -> str:
    key = key.lower()
    return key if key.startswith(".") else "." + key


def _duration_key(key: str) -> int:
    months = int(key)
    if months not in DURATIONS:
        raise ValueError(key)
    return months


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build the settings from an environment mapping; raise ConfigError on a bad value."""
    mode = _choice(env, "KMER_ENV", "development", ("development", "production", "test"))
    production = mode == "production"
    defaults = Settings()

    def required(name: str, default: str) -> str:
        value = env.get(name, "").strip()
        if not value and production:
            raise ConfigError(name, "is required in production")
        return value or default

    database_url = required("DATABASE_URL", defaults.database_url)
    if not re.match(r"^(sqlite|mysql\+pymysql|mariadb\+pymysql)://", database_url):
        raise ConfigError(
            "DATABASE_URL", "must start with sqlite://, mysql+pymysql:// or mariadb+pymysql://"
        )

    secret_key = required("SECRET_KEY", defaults.secret_key)
    if production and (len(secret_key) < 32 or secret_key == DEV_SECRET_KEY):
        raise ConfigError("SECRET_KEY", "must be a random string of at least 32 characters")

    public_base_url = required("PUBLIC_BASE_URL", defaults.public_base_url).rstrip("/")
    if not re.match(r"^https?://[^\s/]+", public_base_url):
        raise ConfigError("PUBLIC_BASE_URL", f"must be an http(s) URL, got {public_base_url!r}")

    mail_backend = _choice(env, "MAIL_BACKEND", "outbox", ("outbox", "mailtrap", "smtp"))
    mailtrap_sandbox = _bool(env, "MAILTRAP_SANDBOX", False)
    inbox_raw = env.get("MAILTRAP_INBOX_ID", "").strip()
    mailtrap_inbox_id = _int(env, "MAILTRAP_INBOX_ID", 0, minimum=1) if inbox_raw else None
    if mail_backend == "mailtrap":
        if not env.get("MAILTRAP_TOKEN", "").strip():
            raise ConfigError("MAILTRAP_TOKEN", "is required when MAIL_BACKEND=mailtrap")
        if mailtrap_sandbox and mailtrap_inbox_id is None:
            raise ConfigError("MAILTRAP_INBOX_ID", "is required when MAILTRAP_SANDBOX=true")
    if mail_backend == "smtp" and not env.get("SMTP_HOST", "").strip():
        raise ConfigError("SMTP_HOST", "is required when MAIL_BACKEND=smtp")
    if production and mail_backend == "outbox":
        raise ConfigError("MAIL_BACKEND", "must be mailtrap or smtp in production (outbox keeps mail local)")

    registrar = _choice(env, "REGISTRAR", "sandbox", ("sandbox", "dna"))
    if registrar == "dna":
        for name in ("DNA_USERNAME", "DNA_PASSWORD"):
            if not env.get(name, "").strip():
                raise ConfigError(name, "is required when REGISTRAR=dna")

    payment_gateway = _choice(env, "PAYMENT_GATEWAY", "sandbox", ("sandbox", "notchpay", "campay"))
    gateway_secrets = {"notchpay": ("NOTCHPAY_PUBLIC_KEY", "NOTCHPAY_WEBHOOK_HASH"),
                       "campay": ("CAMPAY_USERNAME", "CAMPAY_PASSWORD", "CAMPAY_WEBHOOK_KEY")}
    for name in gateway_secrets.get(payment_gateway, ()):
        if not env.get(name, "").strip():
            raise ConfigError(name, f"is required when PAYMENT_GATEWAY={payment_gateway}")
    if production and payment_gateway == "sandbox":
        # The sandbox credits without money: on a public shop anyone could top up for free.
        raise ConfigError("PAYMENT_GATEWAY", "must be notchpay or campay in production (the sandbox moves no money)")
    topup_min = _int(env, "TOPUP_MIN", defaults.topup_min, minimum=1)
    topup_max = _int(env, "TOPUP_MAX", defaults.topup_max, minimum=1)
    if topup_max < topup_min:
        raise ConfigError("TOPUP_MAX", "must not be below TOPUP_MIN")

    discounts = _mapping(env, "DURATION_DISCOUNTS", defaults.duration_discounts, _duration_key)
    if any(v >= 100 for v in discounts.values()):
        raise ConfigError("DURATION_DISCOUNTS", "percentages must be below 100")
    discounts = {m: discounts.get(m, 0) for m in DURATIONS}

    daily_at = env.get("NOTIFIER_DAILY_AT", "").strip() or defaults.notifier_daily_at
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", daily_at):
        raise ConfigError("NOTIFIER_DAILY_AT", f"must be HH:MM (24h), got {daily_at!r}")

    credit_min = _int(env, "CREDIT_REQUEST_MIN", defaults.credit_request_min, minimum=1)
    credit_max = _int(env, "CREDIT_REQUEST_MAX", defaults.credit_request_max, minimum=1)
    if credit_max < credit_min:
        raise ConfigError("CREDIT_REQUEST_MAX", "must not be below CREDIT_REQUEST_MIN")

    dna_timeout = _float(env, "DNA_TIMEOUT", defaults.dna_timeout)
    job_lease = _int(env, "JOB_LEASE_SECONDS", defaults.job_lease_seconds, 1)
    if registrar == "dna" and job_lease < 4 * dna_timeout:
        # A worker holds a job this long: a registrar call (a read is tried up to 3 times) must end first,
        # or a second worker could take the job over while the first is still waiting for the answer.
        raise ConfigError("JOB_LEASE_SECONDS", f"must be at least 4 x DNA_TIMEOUT ({4 * dna_timeout:g})")

    admin_email = env.get("ADMIN_EMAIL", "").strip().lower()
    if admin_email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", admin_email):
        raise ConfigError("ADMIN_EMAIL", f"is not an e-mail address: {admin_email!r}")
    admin_password = env.get("ADMIN_PASSWORD", "")
    if admin_password and len(admin_password) < 10:
        raise ConfigError("ADMIN_PASSWORD", "must be at least 10 characters")

    return Settings(
        env=mode,
        database_url=database_url,
        secret_key=secret_key,
        public_base_url=public_base_url,
        default_language=_choice(env, "DEFAULT_LANGUAGE", "fr", LANGUAGES),
        currency=_choice(env, "CURRENCY", "xaf", ("xaf",)).upper(),
        timezone=env.get("TIMEZONE", "").strip() or defaults.timezone,
        mail_backend=mail_backend,
        mail_from_email=env.get("MAIL_FROM_EMAIL", "").strip() or defaults.mail_from_email,
        mail_from_name=env.get("MAIL_FROM_NAME", "").strip() or defaults.mail_from_name,
        mailtrap_token=env.get("MAILTRAP_TOKEN", "").strip(),
        mailtrap_sandbox=mailtrap_sandbox,
        mailtrap_inbox_id=mailtrap_inbox_id,
        mailtrap_api_host=env.get("MAILTRAP_API_HOST", "").strip(),
        smtp_host=env.get("SMTP_HOST", "").strip(),
        smtp_port=_int(env, "SMTP_PORT", defaults.smtp_port, minimum=1),
        smtp_username=env.get("SMTP_USERNAME", "").strip(),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_security=_choice(env, "SMTP_SECURITY", "starttls", ("starttls", "ssl", "none")),
        smtp_timeout=_float(env, "SMTP_TIMEOUT", defaults.smtp_timeout),
        registrar=registrar,
        dna_username=env.get("DNA_USERNAME", "").strip(),
        dna_password=env.get("DNA_PASSWORD", ""),
        dna_endpoint=env.get("DNA_ENDPOINT", "").strip() or defaults.dna_endpoint,
        dna_timeout=dna_timeout,
        domain_tlds=_tlds(env, "DOMAIN_TLDS", defaults.domain_tlds),
        domain_pricing=_choice(env, "DOMAIN_PRICING", "fixed", ("fixed", "api")),
        domain_prices_xaf=_mapping(env, "DOMAIN_PRICES_XAF", defaults.domain_prices_xaf, _tld_key),
        domain_api_rate_xaf=_int(env, "DOMAIN_API_RATE_XAF", defaults.domain_api_rate_xaf, minimum=1),
        domain_api_margin_percent=_int(
            env, "DOMAIN_API_MARGIN_PERCENT", defaults.domain_api_margin_percent, minimum=0
        ),
        domain_ns=tuple(
            ns.strip() for ns in env.get("DOMAIN_NAMESERVERS", "").split(",") if ns.strip()
        )
        or defaults.domain_ns,
        domain_quote_minutes=_int(env, "DOMAIN_QUOTE_MINUTES", defaults.domain_quote_minutes, 1),
        registrar_wait_seconds=_float(env, "REGISTRAR_WAIT_SECONDS", defaults.registrar_wait_seconds),
        payment_gateway=payment_gateway,
        notchpay_public_key=env.get("NOTCHPAY_PUBLIC_KEY", "").strip(),
        notchpay_private_key=env.get("NOTCHPAY_PRIVATE_KEY", "").strip(),
        notchpay_webhook_hash=env.get("NOTCHPAY_WEBHOOK_HASH", "").strip(),
        notchpay_endpoint=(env.get("NOTCHPAY_ENDPOINT", "").strip() or defaults.notchpay_endpoint).rstrip("/"),
        campay_username=env.get("CAMPAY_USERNAME", "").strip(),
        campay_password=env.get("CAMPAY_PASSWORD", ""),
        campay_webhook_key=env.get("CAMPAY_WEBHOOK_KEY", "").strip(),
        campay_endpoint=(env.get("CAMPAY_ENDPOINT", "").strip() or defaults.campay_endpoint).rstrip("/"),
        payment_timeout=_float(env, "PAYMENT_TIMEOUT", defaults.payment_timeout),
        topup_min=topup_min,
        topup_max=topup_max,
        payment_deadline_minutes=_int(env, "PAYMENT_DEADLINE_MINUTES", defaults.payment_deadline_minutes, 2),
        payment_poll_seconds=_int(env, "PAYMENT_POLL_SECONDS", defaults.payment_poll_seconds, 1),
        panel_timeout=_float(env, "PANEL_TIMEOUT", defaults.panel_timeout),
        panel_sandbox_dir=env.get("PANEL_SANDBOX_DIR", "").strip() or defaults.panel_sandbox_dir,
        provision_terminate_days=_int(env, "PROVISION_TERMINATE_DAYS", defaults.provision_terminate_days, 0),
        job_lease_seconds=job_lease,
        job_max_attempts=_int(env, "JOB_MAX_ATTEMPTS", defaults.job_max_attempts, 1),
        worker_poll_seconds=_float(env, "WORKER_POLL_SECONDS", defaults.worker_poll_seconds),
        duration_discounts=discounts,
        new_service_status=_choice(env, "NEW_SERVICE_STATUS", "pending", ("pending", "active")),
        credit_request_min=credit_min,
        credit_request_max=credit_max,
        cart_visitor_days=_int(env, "CART_VISITOR_DAYS", defaults.cart_visitor_days, 1),
        reminder_days=_int_list(env, "REMINDER_DAYS", defaults.reminder_days),
        notifier_daily_at=daily_at,
        notifier_retry_minutes=_int(env, "NOTIFIER_RETRY_MINUTES", defaults.notifier_retry_minutes, 1),
        notifier_grace_days=_int(env, "NOTIFIER_GRACE_DAYS", defaults.notifier_grace_days, 0),
        notifier_batch_size=_int(env, "NOTIFIER_BATCH_SIZE", defaults.notifier_batch_size, 1),
        notifier_catchup_days=_int(env, "NOTIFIER_CATCHUP_DAYS", defaults.notifier_catchup_days, 0),
        notifier_after_days=_int_list(env, "NOTIFIER_AFTER_DAYS", defaults.notifier_after_days),
        notifier_max_attempts=_int(env, "NOTIFIER_MAX_ATTEMPTS", defaults.notifier_max_attempts, 1),
        session_days=_int(env, "SESSION_DAYS", defaults.session_days, 1),
        session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", defaults.session_idle_minutes, 6),
        verify_token_hours=_int(env, "VERIFY_TOKEN_HOURS", defaults.verify_token_hours, 1),
        reset_token_minutes=_int(env, "RESET_TOKEN_MINUTES", defaults.reset_token_minutes, 1),
        admin_email=admin_email,
        admin_password=admin_password,
        admin_name=env.get("ADMIN_NAME", "").strip() or defaults.admin_name,
        record_events=env.get("KMER_RECORD_EVENTS", "").strip(),
    )


def read_environment() -> dict[str, str]:
    """The process environment, over the values of `.env` (the real environment wins)."""
    env: dict[str, str] = {}
    dotenv_path = Path(os.environ.get("KMER_ENV_FILE", PROJECT_ROOT / ".env"))
    if dotenv_path.is_file():
        from dotenv import dotenv_values

        env.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    env.update(os.environ)
    return env


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings(read_environment())


def reset_settings_cache() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
