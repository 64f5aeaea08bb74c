"""Seed data: the default pack catalogue and the first admin account."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from .config import Settings
from .core.passwords import hash_password
from .models import ControlPanel, Pack, Role, User, utcnow

log = logging.getLogger(__name__)


def _feature(fr: str, en: str) -> dict:
    return {"fr": fr, "en": en}


DEFAULT_PACKS = [
    dict(
        slug="starter", name="Starter", monthly_price=2500, control_panel=ControlPanel.cpanel,
        disk_gb=5, bandwidth_gb=50, email_accounts=5, databases=2, websites=1, sort_order=10,
        description_fr="Pour un site vitrine, un CV en ligne ou un blog qui démarre.",
        description_en="For a brochure site, an online CV or a new blog.",
        features=[_feature("Sauvegarde hebdomadaire", "Weekly backup"),
                  _feature("Support par e-mail", "E-mail support")],
    ),
    dict(
        slug="pro", name="Pro", monthly_price=5000, control_panel=ControlPanel.cpanel,
        disk_gb=20, bandwidth_gb=200, email_accounts=25, databases=10, websites=5, sort_order=20,
        description_fr="Pour les PME : plusieurs sites, e-mails professionnels et boutique en ligne.",
        description_en="For small businesses: several sites, business e-mail and an online shop.",
        features=[_feature("Sauvegarde quotidienne", "Daily backup"),
                  _feature("Support WhatsApp", "WhatsApp support")],
    ),
    dict(
        slug="business", name="Business", monthly_price=10000, control_panel=ControlPanel.plesk,
        disk_gb=50, bandwidth_gb=0, email_accounts=100, databases=50, websites=20, sort_order=30,
        description_fr="Pour les entreprises et agences : ressources garanties et Plesk.",
        description_en="For companies and agencies: guaranteed resources and Plesk.",
        features=[_feature("Sauvegarde quotidienne, 30\u00a0jours", "Daily backup, kept 30\u00a0days"),
                  _feature("Support prioritaire 7j/7", "Priority support 7\u00a0days a week")],
    ),
    dict(
        slug="eco-directadmin", name="Eco DirectAdmin", monthly_price=1500,
        control_panel=ControlPanel.directadmin, disk_gb=2, bandwidth_gb=20, email_accounts=2,
        databases=1, websites=1, sort_order=5,
        description_fr="L'essentiel à petit prix, avec le panneau DirectAdmin.",
        description_en="The essentials at a small price, with the DirectAdmin panel.",
        features=[_feature("Installation WordPress en un clic", "One-click WordPress install")],
    ),
]


@dataclass
class SeedResult:
    packs_created: int
    admin_email: str | None = None
    admin_password: str | None = None  # set only when the password was generated now


def seed_packs(session: Session) -> int:
    existing = set(session.exec(select(Pack.slug)).all())
    created = 0
    for data in DEFAULT_PACKS:
        if data["slug"] not in existing:
            # The panel package an account of this pack is made with: "kh_<slug>" on each kind of panel
            # (create those packages on the servers, or change the names on /admin/packs).
            package = "kh_" + data["slug"].replace("-", "_")
            session.add(Pack(**data, panel_packages={kind.value: package for kind in ControlPanel}))
            created += 1
    return created


def seed_admin(session: Session, settings: Settings) -> tuple[str | None, str | None]:
    """Create the first admin when there is none. Returns (email, generated password or None)."""
    if session.exec(select(User.id).where(User.role == Role.admin)).first() is not None:
        return None, None
    email = settings.admin_email or "admin@kmerhosting.cm"
    password = settings.admin_password
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = User(email=email, name=settings.admin_name, password_hash=hash_password(password))
    user.role = Role.admin
    user.email_verified_at = user.email_verified_at or utcnow()
    user.password_hash = hash_password(password)
    session.add(user)
    return email, generated


def seed(session: Session, settings: Settings) -> SeedResult:
    packs = seed_packs(session)
    email, generated = seed_admin(session, settings)
    session.commit()
    from .core.servers import seed_sandbox_servers  # noqa: PLC0415

    seed_sandbox_servers(session)
    return SeedResult(packs_created=packs, admin_email=email, admin_password=generated)
